"""Loading and validating a benchmark bundle (local folder or Hugging Face Hub dataset repo).

A bundle is a folder in the `imagefolder` layout: images plus `metadata.jsonl`, one item per
line. The same loader serves a local folder and a Hub repo (downloaded with huggingface_hub),
so the Hub path is exercised by tests on local bundles. Bundles whose field names differ
(the Q-Bench family) are read through a declared `ColumnMapping`, never by editing the data:
renamed fields, value maps for coded fields, "N/A"-padded option columns, a JSON-array
metadata file (LLVisionQA), one split of several. SC and MC items have 2 to 4 options; a TF
item has none, or the two lettered verdict options it was asked with (A. Yes  B. No).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import BenchmarkError
from .taxonomy import (
    CHOICE_QTYPES,
    DATASET_TO_SOURCE,
    FIELD_VALUES,
    OPTION_LETTERS,
    SUBDIMENSION_TO_DIMENSION,
)

CANONICAL_FIELDS: tuple[str, ...] = (
    "file_name",
    "id",
    "question",
    "options",
    "answer",
    "qtype",
    "scope",
    "image_source",
    "source_dataset",
    "dimension",
    "subdimension",
)
METADATA_NAMES: tuple[str, ...] = ("metadata.jsonl", "metadata.csv", "metadata.parquet")
#: file_name given to items of a Parquet-shard bundle (as `Dataset.push_to_hub` writes one),
#: whose images live inside the shards: "parquet://<shard path>#<row in shard>".
PARQUET_IMAGE = "parquet://"
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


#: Option values that mean "no option here" (Q-Bench-HF pads option2/option3 with "N/A").
ABSENT_OPTIONS: tuple[str, ...] = ("", "N/A")
#: The keys a mapping JSON file may hold (documented in ColumnMapping).
MAPPING_KEYS: tuple[str, ...] = (
    "name",
    "extends",
    "rename",
    "option_fields",
    "answer_style",
    "absent_options",
    "value_maps",
    "defaults",
    "id_from",
    "metadata",
    "split",
    "image_dir",
)


@dataclass(frozen=True)
class ColumnMapping:
    """How a bundle's own layout maps onto the canonical fields (JSON keys in brackets).

    rename: source field -> canonical field.
    option_fields: fields holding the options one per field (option0..option3), or a single
        field holding a list (candidates); None when `options` is canonical. Values listed in
        `absent_options` (default "" and "N/A", case-insensitive) are absent options: they may
        only follow the real ones, so an item with 3 real options has options A-C, never a D.
    answer_style: "letters" (canonical: "B", "AC", "A, C", a list), "text" (the gold option
        text, or a list of texts for MC), or "auto" (letters, a 0-based index, or text). A TF
        item asked with lettered options (A: Yes, B: No) may give its answer as a letter, read
        through the option's text into "True"/"False".
    value_maps: canonical field -> {"from": source field, "map": {code: canonical value}},
        for coded fields (Q-Bench's integer question_type and question_concern). Codes are
        matched as text ("0" matches 0); an unknown code is an error naming the row.
    defaults: canonical field -> value for every item that lacks the field (a bundle that
        does not carry e.g. image_source at all).
    id_from: source field used as the id when an item has none (LLVisionQA: img_path).
    metadata: metadata file names to look for, in order (default metadata.jsonl/.csv/.parquet;
        a .json file holds a JSON array of objects).
    split: the split to read when a bundle holds several (Parquet shards "dev-00000-of-...",
        or split folders).
    image_dir: folder, relative to the metadata file, that image names are relative to.
    extends (JSON only): a preset name whose settings the file starts from.
    detect: source fields whose presence marks this layout, so an error on a bundle read
        with the wrong mapping can name this one (presets only).
    """

    name: str
    rename: dict[str, str] = field(default_factory=dict)
    option_fields: tuple[str, ...] | None = None
    answer_style: str = "letters"
    absent_options: tuple[str, ...] = ABSENT_OPTIONS
    value_maps: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    id_from: str | None = None
    metadata: tuple[str, ...] = METADATA_NAMES
    split: str | None = None
    image_dir: str | None = None
    layout: str = ""  # human name of the layout, for messages
    detect: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"column mapping {self.name!r}"
        if self.answer_style not in ("letters", "text", "auto"):
            raise BenchmarkError(
                f"{where}: answer_style must be letters, text or auto, not {self.answer_style!r}"
            )
        for target, (source, codes) in self.value_maps.items():
            _check_canonical_values(
                f"{where}: value_maps.{target} (from {source!r})", target, codes.values()
            )
        for target, value in self.defaults.items():
            _check_canonical_values(f"{where}: defaults.{target}", target, [value])
        if self.split is not None and not re.fullmatch(r"[\w.]+", self.split):
            raise BenchmarkError(
                f"{where}: split must be a plain name like 'dev', not {self.split!r}"
            )
        bad = [
            m
            for m in self.metadata
            if Path(m).name != m or Path(m).suffix not in (".jsonl", ".json", ".csv", ".parquet")
        ]
        if bad:
            raise BenchmarkError(
                f"{where}: metadata must be file names ending in .jsonl, "
                f".json, .csv or .parquet, not {bad}"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any], name: str = "custom") -> ColumnMapping:
        if not isinstance(data, dict):
            raise BenchmarkError(f"column mapping {name!r}: expected a JSON object")
        unknown = set(data) - set(MAPPING_KEYS)
        if unknown:
            raise BenchmarkError(
                f"column mapping {name!r}: unknown keys {sorted(unknown)} "
                f"(known: {', '.join(MAPPING_KEYS)})"
            )
        base = ColumnMapping(name)
        if "extends" in data:
            if data["extends"] not in MAPPINGS:
                raise BenchmarkError(
                    f"column mapping {name!r}: extends {data['extends']!r}, "
                    f"which is not a preset ({', '.join(MAPPINGS)})"
                )
            base = MAPPINGS[data["extends"]]
        over: dict[str, Any] = {"name": data.get("name", name), "detect": ()}
        if "rename" in data:
            over["rename"] = {**base.rename, **_str_dict(data["rename"], name, "rename")}
        if "option_fields" in data:
            opts = data["option_fields"]
            over["option_fields"] = tuple(str(o) for o in opts) if opts else None
        if "answer_style" in data:
            over["answer_style"] = data["answer_style"]
        if "absent_options" in data:
            over["absent_options"] = tuple(str(o) for o in data["absent_options"])
        if "value_maps" in data:
            maps = dict(base.value_maps)
            if not isinstance(data["value_maps"], dict):
                raise BenchmarkError(f"column mapping {name!r}: value_maps must be an object")
            for target, spec in data["value_maps"].items():
                if not (
                    isinstance(spec, dict)
                    and set(spec) == {"from", "map"}
                    and isinstance(spec["map"], dict)
                ):
                    raise BenchmarkError(
                        f"column mapping {name!r}: value_maps.{target} must be "
                        '{"from": "<source field>", "map": {"<code>": "<value>", ...}}'
                    )
                maps[target] = (
                    str(spec["from"]),
                    _str_dict(spec["map"], name, f"value_maps.{target}.map"),
                )
            over["value_maps"] = maps
        if "defaults" in data:
            over["defaults"] = {**base.defaults, **_str_dict(data["defaults"], name, "defaults")}
        for key in ("id_from", "split", "image_dir"):
            if key in data:
                over[key] = None if data[key] is None else str(data[key])
        if "metadata" in data:
            names = data["metadata"]
            over["metadata"] = (names,) if isinstance(names, str) else tuple(map(str, names))
        return replace(base, **over)


def _str_dict(value: Any, name: str, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise BenchmarkError(f"column mapping {name!r}: {what} must be an object")
    return {str(k): str(v) for k, v in value.items()}


def _check_canonical_values(where: str, target: str, values: Any) -> None:
    """A mapping may only produce canonical fields, with allowed values where they are coded."""
    if target not in CANONICAL_FIELDS:
        raise BenchmarkError(
            f"{where}: {target!r} is not a canonical field ({', '.join(CANONICAL_FIELDS)})"
        )
    allowed = FIELD_VALUES.get(target)
    bad = sorted({str(v) for v in values if allowed is not None and v not in allowed})
    if bad:
        raise BenchmarkError(
            f"{where}: {', '.join(map(repr, bad))} is not a {target} "
            f"(allowed: {', '.join(allowed or ())})"
        )


#: Q-Bench's coded fields, as written by Q-Future: question_type 0 = Yes-or-No, 1 = What,
#: 2 = How (the Q-Bench README prints 'How is the lighting of this building?' with
#: question_type 2); question_concern 0 = distortion, 1 = other, 2 = in-context distortion,
#: 3 = in-context other (lmms-eval tasks/qbench/utils.py: "Global Distortion", "Global
#: Others", "Local Distortion", "Local Others"). Yes-or-No questions are TF; in-context
#: questions ask about a region, the benchmark's `local` scope.
QBENCH_QTYPE_CODES: dict[str, str] = {"0": "TF", "1": "SC", "2": "SC"}
QBENCH_SCOPE_CODES: dict[str, str] = {"0": "global", "1": "global", "2": "local", "3": "local"}
_OPTION4 = ("option0", "option1", "option2", "option3")

#: Declared mappings; pick one by name (`--mapping`) or pass a JSON file with the same keys.
MAPPINGS: dict[str, ColumnMapping] = {
    "canonical": ColumnMapping("canonical", layout="canonical"),
    # Q-Bench style: `candidates` is the list of option texts, `correct_ans` the gold text.
    "qbench-candidates": ColumnMapping(
        "qbench-candidates",
        rename={"img_path": "file_name", "correct_ans": "answer", "question_type": "qtype"},
        option_fields=("candidates",),
        answer_style="text",
        layout="Q-Bench candidates (candidates, correct_ans, question_type as text)",
        detect=("candidates", "correct_ans", "question_type"),
    ),
    # A-Bench / lmms-eval style: option0..option3 and `correct_choice` (letter, index or text).
    "qbench-options": ColumnMapping(
        "qbench-options",
        rename={"image": "file_name", "correct_choice": "answer", "question_type": "qtype"},
        option_fields=_OPTION4,
        answer_style="auto",
        layout="option0..option3 with correct_choice",
        detect=(*_OPTION4, "correct_choice"),
    ),
    # q-future/Q-Bench-HF (dataset card; github Q-Future/Q-Bench README "Use with datasets"):
    # id, image, question, option0..option3 padded with "N/A", question_type and
    # question_concern as integers, correct_choice a letter (also for Yes-or-No questions);
    # Parquet shards data/dev-*.parquet and data/test-*.parquet, only dev has answers.
    "qbench-hf": ColumnMapping(
        "qbench-hf",
        rename={"image": "file_name", "correct_choice": "answer"},
        option_fields=_OPTION4,
        answer_style="letters",
        value_maps={
            "qtype": ("question_type", QBENCH_QTYPE_CODES),
            "scope": ("question_concern", QBENCH_SCOPE_CODES),
        },
        split="dev",
        layout="Q-Bench-HF",
        detect=(*_OPTION4, "correct_choice", "question_type", "question_concern"),
    ),
    # LLVisionQA (llvisionqa_dev.json, read with json.load by Q-Instruct's
    # eval_scripts/*/eval_qbench_mcq.py and LLaVA's model_vqa_qbench.py): a JSON array of
    # objects with img_path, question, candidates (2-4 option texts), correct_ans (the gold
    # text; absent in the test split), type and concern as integer codes (the same codes as
    # Q-Bench-HF's question_type and question_concern). One question per image, so img_path
    # is the id when the file has none.
    "llvisionqa": ColumnMapping(
        "llvisionqa",
        rename={"img_path": "file_name", "correct_ans": "answer"},
        option_fields=("candidates",),
        answer_style="text",
        value_maps={
            "qtype": ("type", QBENCH_QTYPE_CODES),
            "scope": ("concern", QBENCH_SCOPE_CODES),
        },
        id_from="img_path",
        metadata=("llvisionqa_dev.json", *METADATA_NAMES),
        layout="LLVisionQA",
        detect=("img_path", "candidates", "type", "concern"),
    ),
}


def suggest_mapping(fields: set[str], current: ColumnMapping) -> ColumnMapping | None:
    """The preset whose layout these source fields match best (None: no preset fits, or the
    one in use already is the best)."""
    fits = [m for m in MAPPINGS.values() if m.detect and set(m.detect) <= fields]
    if not fits:
        return None
    best = max(fits, key=lambda m: len(m.detect))
    return None if best.name == current.name else best


def resolve_mapping(mapping: str | dict | ColumnMapping | None) -> ColumnMapping:
    """A mapping by preset name, JSON file path, dict, or object (None = canonical)."""
    if mapping is None:
        return MAPPINGS["canonical"]
    if isinstance(mapping, ColumnMapping):
        return mapping
    if isinstance(mapping, dict):
        return ColumnMapping.from_dict(mapping)
    if mapping in MAPPINGS:
        return MAPPINGS[mapping]
    path = Path(mapping)
    if path.is_file():
        try:
            return ColumnMapping.from_dict(json.loads(path.read_text("utf-8")), path.name)
        except json.JSONDecodeError as exc:
            raise BenchmarkError(f"column mapping {path}: not valid JSON ({exc})") from exc
    raise BenchmarkError(
        f"unknown column mapping {mapping!r}; presets: {', '.join(MAPPINGS)}, "
        "or a path to a JSON file"
    )


@dataclass
class Benchmark:
    """A validated benchmark: one row per item in canonical fields, plus where it came from."""

    items: pd.DataFrame  # canonical columns, index 0..n-1, in file order
    root: Path  # folder that image file names are relative to
    source: str  # what the user asked for: a local path or a Hub repo id
    hash: str  # content hash of the canonical items (the benchmark version)
    repo_id: str | None = None
    revision: str | None = None
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items)

    @cached_property
    def index_of(self) -> dict[str, int]:
        """Item id -> row position, for joining predictions."""
        return {item_id: i for i, item_id in enumerate(self.items["id"])}

    @cached_property
    def arrays(self) -> dict[str, np.ndarray]:
        """Each categorical field as a numpy array, for fast vectorised masks."""
        return {f: self.items[f].to_numpy(dtype=object) for f in FIELD_VALUES}

    @cached_property
    def image_clusters(self) -> np.ndarray | None:
        """Image index per item when items share images (for a clustered bootstrap), else
        None: with one item per image the item bootstrap is already right."""
        codes, uniques = pd.factorize(self.items["file_name"])
        return codes if len(uniques) < len(codes) else None

    def _image_from_shard(self, ref: str) -> Path | None:
        """Write an image stored inside a Parquet shard to a cache file, once."""
        import tempfile

        import pyarrow.parquet as pq

        rel, _, idx = ref[len(PARQUET_IMAGE) :].rpartition("#")
        shard = (self.root / rel).resolve()
        if not shard.is_relative_to(self.root.resolve()) or not idx.isdigit():
            return None
        out = (
            Path(tempfile.gettempdir())
            / "qbp-images"
            / self.hash.replace(":", "-")
            / f"{hashlib.sha256(ref.encode()).hexdigest()[:20]}.img"
        )
        if out.is_file():
            return out
        try:
            pf, index = pq.ParquetFile(shard), int(idx)
            for g in range(pf.num_row_groups):
                n = pf.metadata.row_group(g).num_rows
                if index < n:
                    cell = pf.read_row_group(g, columns=["image"]).column(0)[index].as_py()
                    break
                index -= n
            else:
                return None
            data = cell.get("bytes") if isinstance(cell, dict) else cell
            if not data:
                return None
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(out)
            return out
        except Exception:  # noqa: BLE001 - a broken image shows as "no image"
            return None

    def image_path(self, item_id: str) -> Path | None:
        """Local path of an item's image, fetched from the Hub on first use when remote."""
        row = self.items.iloc[self.index_of[item_id]]
        if row["file_name"].startswith(PARQUET_IMAGE):
            return self._image_from_shard(row["file_name"])
        # Checked on the name, not on where symlinks lead: a Hub cache snapshot holds its
        # files as symlinks into the repo's blobs/ folder.
        root = self.root.resolve()
        local = Path(os.path.normpath(root / row["file_name"]))
        if not local.is_relative_to(root):
            return None  # a file name escaping the bundle is never served
        if local.is_file():
            return local
        if self.repo_id:
            try:
                from huggingface_hub import hf_hub_download

                return Path(
                    hf_hub_download(
                        self.repo_id, row["file_name"], repo_type="dataset", revision=self.revision
                    )
                )
            except Exception:  # noqa: BLE001 - offline or missing: the UI says "no image"
                return None
        return None


# --------------------------------------------------------------------------- reading


def _find_metadata(
    root: Path, names: tuple[str, ...] = METADATA_NAMES, split: str | None = None
) -> Path:
    if split and (root / split).is_dir():
        root = root / split
    for name in names:
        if (root / name).is_file():
            return root / name
    # imagefolder also allows one split folder (e.g. test/metadata.jsonl)
    found = sorted(p for name in names for p in root.glob(f"*/{name}"))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise BenchmarkError(
            f"{root}: several metadata files found "
            f"({', '.join(str(p.relative_to(root)) for p in found)}); "
            "point --benchmark at one split folder or file"
        )
    arrays = sorted(p.name for p in root.glob("*.json"))
    hint = (
        (
            f"; found {', '.join(arrays[:3])}: point --benchmark at the file (a JSON array "
            "of items; --mapping llvisionqa reads the LLVisionQA layout)"
        )
        if arrays
        else ""
    )
    raise BenchmarkError(
        f"{root}: no {' / '.join(names)} (imagefolder layout expected: images "
        "plus metadata.jsonl with one JSON object per item), and no Parquet "
        f"shards{hint}"
    )


_SHARD_NAME = re.compile(r"^(?P<split>[\w.]+?)-\d{5}-of-\d{5}\.parquet$")


def _shard_split(root: Path, shard: Path) -> str | None:
    """The split a shard belongs to: "dev" for data/dev-00000-of-00003.parquet (the name
    `datasets` writes) or for dev/<anything>.parquet; None when the name says nothing."""
    m = _SHARD_NAME.match(shard.name)
    if m:
        return m.group("split")
    parts = shard.relative_to(root).parts
    return parts[-2] if len(parts) > 1 and parts[-2] != "data" else None


def _parquet_shards(root: Path, split: str | None = None) -> list[Path]:
    """Data shards of a bundle pushed with `datasets` (e.g. data/test-00000-of-00001.parquet),
    of one split: the declared one, or the only one there is."""
    shards = sorted(
        p
        for p in root.rglob("*.parquet")
        if p.name not in METADATA_NAMES
        and not any(x.startswith(".") for x in p.relative_to(root).parts)
    )
    if split is not None:
        chosen = [p for p in shards if _shard_split(root, p) == split]
        if shards and not chosen:
            found = sorted({_shard_split(root, p) or "?" for p in shards})
            raise BenchmarkError(
                f"{root}: no Parquet shards of split {split!r} (found: "
                f"{', '.join(found)}); declare the split in a mapping file, "
                'e.g. {"extends": "qbench-hf", "split": "test"}'
            )
        return chosen
    splits = sorted({s for p in shards if (s := _shard_split(root, p)) is not None})
    if len(splits) > 1:
        raise BenchmarkError(
            f"{root}: Parquet shards of several splits ({', '.join(splits)}); "
            'declare the one to score in a mapping file, e.g. {"split": '
            f'"{splits[0]}"}}'
        )
    return shards


def _read_shards(root: Path, shards: list[Path]) -> list[dict[str, Any]]:
    """Rows of every shard without decoding images; items without a file_name point at their
    image inside the shard, extracted on demand by Benchmark.image_path."""
    import pyarrow.parquet as pq

    rows: list[dict[str, Any]] = []
    for shard in shards:
        try:
            pf = pq.ParquetFile(shard)
            names = pf.schema_arrow.names
            table = pf.read(columns=[c for c in names if c != "image"])
        except Exception as exc:  # noqa: BLE001 - a corrupt shard is a bundle error
            raise BenchmarkError(f"{shard.name}: not a readable Parquet file ({exc})") from exc
        rel = shard.relative_to(root).as_posix()
        for i, row in enumerate(table.to_pylist()):
            row["__row__"] = len(rows) + 1
            if not row.get("file_name") and "image" in names:
                row["file_name"] = f"{PARQUET_IMAGE}{rel}#{i}"
            rows.append(row)
    return rows


def _read_rows(path: Path) -> list[dict[str, Any]]:
    """Rows as dicts, keeping JSON types (lists stay lists)."""
    if path.suffix == ".jsonl":
        rows = []
        with path.open("r", encoding="utf-8-sig") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BenchmarkError(
                        f"{path.name} line {lineno}: not valid JSON ({exc.msg})"
                    ) from None
                if not isinstance(obj, dict):
                    raise BenchmarkError(f"{path.name} line {lineno}: expected a JSON object")
                obj["__row__"] = lineno
                rows.append(obj)
        return rows
    if path.suffix == ".json":  # LLVisionQA: one JSON array of item objects
        try:
            data = json.loads(path.read_text("utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BenchmarkError(f"{path.name}: not valid JSON ({exc})") from exc
        if not isinstance(data, list):
            raise BenchmarkError(
                f"{path.name}: expected a JSON array of item objects, got a "
                f"JSON {type(data).__name__}"
            )
        for i, obj in enumerate(data, start=1):
            if not isinstance(obj, dict):
                raise BenchmarkError(f"{path.name} row {i}: expected a JSON object")
            obj["__row__"] = i
        return data
    frame = (
        pd.read_csv(path, dtype=str, keep_default_na=False)
        if path.suffix == ".csv"
        else pd.read_parquet(path)
    )
    rows = frame.to_dict(orient="records")
    for i, row in enumerate(rows, start=2 if path.suffix == ".csv" else 1):
        row["__row__"] = i
        for key, value in list(row.items()):
            if isinstance(value, np.ndarray):
                row[key] = value.tolist()
            elif (
                isinstance(value, str)
                and value.startswith("[")
                and key in ("options", "candidates")
            ):
                try:
                    row[key] = json.loads(value)
                except json.JSONDecodeError:
                    pass
    return rows


def _code(value: Any) -> str:
    """A coded value as the text a value map is keyed by: 2, 2.0, "2" and np.int64(2) -> "2"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return str(value).strip()


def _apply_mapping(row: dict[str, Any], mapping: ColumnMapping) -> dict[str, Any]:
    """A source row in canonical field names; problems found on the way go to "__problems__"
    so that the validator reports them with the row's position."""
    problems: list[str] = []
    out = {mapping.rename.get(k, k): v for k, v in row.items()}
    if mapping.id_from and out.get("id") in (None, "") and row.get(mapping.id_from) is not None:
        out["id"] = str(row[mapping.id_from])
    for target, (source, codes) in mapping.value_maps.items():
        if source not in row or row[source] is None:
            continue  # reported as a missing field unless the row has `target` itself
        code = _code(row[source])
        if code in codes:
            out[target] = codes[code]
        else:
            out[target] = None
            problems.append(
                f"{source} {code[:40]!r} is not a code of mapping {mapping.name!r} "
                f"(codes: {', '.join(codes)})"
            )
    if mapping.option_fields:
        if len(mapping.option_fields) == 1:
            value = row.get(mapping.option_fields[0])
            out["options"] = list(value) if isinstance(value, (list, tuple)) else value
        else:
            out["options"] = [row.get(f) for f in mapping.option_fields]
        for f in mapping.option_fields:
            if f != "options":
                out.pop(f, None)
    for target, value in mapping.defaults.items():
        if out.get(target) is None:
            out[target] = value
    if (
        mapping.image_dir
        and isinstance(out.get("file_name"), str)
        and not out["file_name"].startswith(PARQUET_IMAGE)
    ):
        out["file_name"] = f"{mapping.image_dir.rstrip('/')}/{out['file_name']}"
    if problems:
        out["__problems__"] = problems
    return out


def _real_options(options: list[Any], absent: tuple[str, ...]) -> tuple[list[str], str | None]:
    """The options an item really has: absent placeholders ("N/A", "") dropped from the end.
    A placeholder before a real option would shift every later letter, so it is an error."""
    absent_cf = {a.strip().casefold() for a in absent}
    texts = ["" if o is None else str(o) for o in options]
    real = [t.strip().casefold() not in absent_cf for t in texts]
    n = max((i + 1 for i, r in enumerate(real) if r), default=0)
    if not all(real[:n]):
        gap = real.index(False)
        return [], (
            f"option {OPTION_LETTERS[gap] if gap < 4 else gap + 1} is "
            f"{texts[gap]!r} (an absent option) but a later option is not: options "
            "must come first, or every later letter would shift"
        )
    return texts[:n], None


#: The texts a TF item's lettered options may have, and the judgement each one means.
TF_OPTION_TEXTS: dict[str, str] = {"yes": "True", "true": "True", "no": "False", "false": "False"}


def _tf_option_value(text: str) -> str | None:
    return TF_OPTION_TEXTS.get(text.strip().rstrip(".").casefold())


_LETTER_SPLIT = re.compile(r"[\s,;、/&+]+|\bAND\b")


def _letters(value: Any) -> str | None:
    """'B', '(B)', 'AC', 'A, C', ['A', 'C'] -> sorted distinct letters, or None."""
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        text = str(value).strip().upper().replace("(", " ").replace(")", " ")
        parts = [p for p in _LETTER_SPLIT.split(text) if p]
        if len(parts) == 1 and parts[0].isalpha() and len(parts[0]) <= 4:
            parts = list(parts[0])
    letters = {p.strip().upper().strip(".") for p in parts}
    if letters and all(len(x) == 1 and x in OPTION_LETTERS for x in letters):
        return "".join(sorted(letters))
    return None


def _tf_answer(answer: Any, options: list[str], style: str) -> tuple[Any, str | None]:
    """A TF gold answer: True/False (yes/no when the answer style is not strict letters), or
    the letter (or 0-based index, style auto) of one of the item's two lettered options."""
    if isinstance(answer, bool):
        return ("True" if answer else "False"), None
    text = str(answer).strip().strip(".").lower()
    if text in ("true", "false"):
        return text.capitalize(), None
    if style != "letters" and text in ("yes", "no"):
        return ("True" if text == "yes" else "False"), None
    if options:
        letter = _letters(answer) if style in ("letters", "auto") else None
        if letter is None and style == "auto" and text.isdigit() and int(text) < 4:
            letter = OPTION_LETTERS[int(text)]
        if letter is not None and len(letter) == 1:
            idx = OPTION_LETTERS.index(letter)
            if idx >= len(options):
                return None, (
                    f"TF answer {letter} is outside the item's {len(options)} "
                    f"options (A-{OPTION_LETTERS[len(options) - 1]})"
                )
            return _tf_option_value(options[idx]), None
    return None, f"TF answer must be True or False, got {str(answer)[:40]!r}" + (
        " or the letter of one of its options" if options and style != "text" else ""
    )


def _normalise_answer(row: dict[str, Any], style: str) -> tuple[Any, str | None]:
    """(canonical answer, problem) for one row whose options are already its real ones."""
    qtype, answer, options = row.get("qtype"), row.get("answer"), row.get("options") or []
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None, "empty answer"
    if qtype == "TF":
        return _tf_answer(answer, options, style)
    if qtype == "OE":
        return str(answer).strip(), None
    if qtype not in CHOICE_QTYPES:
        return answer, None  # the qtype problem is reported elsewhere
    candidates: list[Any] = []
    if style in ("letters", "auto"):
        candidates.append(_letters(answer))
    if style in ("text", "auto") and isinstance(options, list):
        texts = answer if isinstance(answer, (list, tuple)) else [answer]
        idx = []
        for t in texts:
            t = str(t).strip()
            if t.isdigit() and style == "auto" and int(t) < len(options):
                idx.append(int(t))
            else:
                idx.extend(i for i, o in enumerate(options) if str(o).strip() == t)
        candidates.append("".join(sorted({OPTION_LETTERS[i] for i in idx if i < 4})) or None)
    letters = next((c for c in candidates if c), None)
    if letters is None:
        return None, f"{qtype} answer {str(answer)[:40]!r} is not an option letter" + (
            " or option text" if style != "letters" else ""
        )
    outside = [ch for ch in letters if OPTION_LETTERS.index(ch) >= len(options)]
    if outside:
        return None, (
            f"answer letter {''.join(outside)} is outside the item's "
            f"{len(options)} options (A-{OPTION_LETTERS[len(options) - 1]})"
        )
    if qtype == "SC" and len(letters) != 1:
        return None, f"SC answer must be one letter, got {letters}"
    return letters, None


def _check_options(row: dict[str, Any], absent: tuple[str, ...]) -> str | None:
    """Sets row["options"] to the item's real options; the problem with them, if any."""
    options = row.get("options")
    if options is None:
        options = []
    if not isinstance(options, list):
        return "options must be a list"
    options, problem = _real_options(options, absent)
    if problem:
        return problem
    row["options"] = options
    qtype = row["qtype"]
    if qtype in CHOICE_QTYPES and not 2 <= len(options) <= len(OPTION_LETTERS):
        return f"{qtype} needs 2 to {len(OPTION_LETTERS)} options, has {len(options)}"
    if qtype == "TF" and options:
        values = sorted(str(_tf_option_value(o)) for o in options)
        if values != ["False", "True"]:
            return (
                f"a TF item's options, when given, are one Yes/True and one No/False; got "
                f"{options}: give it qtype SC if its options are not a judgement"
            )
    if qtype == "OE":
        row["options"] = []
    return None


def _validate(
    rows: list[dict[str, Any]], cmap: ColumnMapping, meta_name: str
) -> tuple[pd.DataFrame, list[str]]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    clean: list[dict[str, Any]] = []
    for row in rows:
        where = f"{meta_name} row {row['__row__']}"
        item_id = row.get("id")
        if item_id is not None and not isinstance(item_id, str):
            item_id = str(item_id)
            row["id"] = item_id
        if item_id:
            where += f" (id {item_id!r})"
        if row.get("__problems__"):
            problems.extend(f"{where}: {p}" for p in row["__problems__"])
            continue
        missing = [
            f for f in CANONICAL_FIELDS if f not in row or row[f] is None and f not in ("options",)
        ]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        if item_id is None or not item_id.strip():
            problems.append(f"{where}: empty id")
            continue
        if item_id in seen:
            problems.append(f"{where}: duplicate id (first seen at row {seen[item_id]})")
            continue
        seen[item_id] = row["__row__"]
        bad = False
        for f, allowed in FIELD_VALUES.items():
            if row[f] not in allowed:
                problems.append(
                    f"{where}: unknown {f} {str(row[f])[:40]!r} (allowed: {', '.join(allowed)})"
                )
                bad = True
        if bad:
            continue
        if SUBDIMENSION_TO_DIMENSION[row["subdimension"]] != row["dimension"]:
            problems.append(
                f"{where}: subdimension {row['subdimension']} does not belong to "
                f"dimension {row['dimension']}"
            )
            continue
        if DATASET_TO_SOURCE[row["source_dataset"]] != row["image_source"]:
            problems.append(
                f"{where}: source_dataset {row['source_dataset']} does not belong "
                f"to image_source {row['image_source']}"
            )
            continue
        if not str(row["question"]).strip():
            problems.append(f"{where}: empty question")
            continue
        problem = _check_options(row, cmap.absent_options)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        answer, problem = _normalise_answer(row, cmap.answer_style)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        row["answer"] = answer
        clean.append(
            {f: (str(row[f]) if f not in ("options",) else row[f]) for f in CANONICAL_FIELDS}
        )
    frame = pd.DataFrame(clean, columns=list(CANONICAL_FIELDS))
    return frame, problems


def _source_fields(source_rows: list[dict[str, Any]]) -> set[str]:
    """The field names a bundle's items carry (a shard's image column included)."""
    fields = {k for r in source_rows[:50] for k in r if not k.startswith("__")}
    first = source_rows[0].get("file_name") if source_rows else None
    if isinstance(first, str) and first.startswith(PARQUET_IMAGE):
        fields.add("image")
    return fields


def _fields_no_item_has(
    rows: list[dict[str, Any]], source_rows: list[dict[str, Any]], cmap: ColumnMapping, source: str
) -> None:
    """One clear error when a canonical field is absent from every item (the bundle is in
    another layout, or its layout lacks the field), instead of one line per item."""
    absent = [f for f in CANONICAL_FIELDS if f != "options" and all(r.get(f) is None for r in rows)]
    if not absent:
        return
    fields = _source_fields(source_rows)
    hint = suggest_mapping(fields, cmap)
    msg = f"benchmark {source}: no item has {', '.join(absent)}"
    if cmap.name != "canonical":
        msg += f" (read with mapping {cmap.name!r})"
    if hint is not None:
        msg += f"; it looks like the {hint.layout} layout: use --mapping {hint.name}"
    elif cmap.layout and cmap.name != "canonical":
        msg += (
            f". The {cmap.layout} layout does not carry them: add them to the data, or "
            "declare one value for every item in a mapping file: "
            f'{{"extends": "{cmap.name}", "defaults": {{"{absent[0]}": ...}}}}'
        )
    else:
        msg += (
            f"; fields found: {', '.join(sorted(fields)[:20])}. Rename them with a column "
            f'mapping (presets: {", ".join(MAPPINGS)}, or a JSON file with "rename")'
        )
    raise BenchmarkError(msg)


def content_hash(items: pd.DataFrame) -> str:
    """sha256 over the canonical items (scoring fields only), so a re-mapped bundle with the
    same content has the same version and any change of a scored field changes it."""
    h = hashlib.sha256()
    for row in items.itertuples(index=False):
        h.update(
            json.dumps(
                [getattr(row, f) for f in CANONICAL_FIELDS if f != "file_name"],
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode("utf-8")
        )
        h.update(b"\n")
    return "sha256:" + h.hexdigest()[:16]


def _display_path(root: Path) -> str:
    """A bundle inside the repository is named relative to it (data/demo), others as given."""
    from .settings import REPO_ROOT

    try:
        return root.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(root)


def load_local(
    root: str | Path, mapping: str | dict | ColumnMapping | None = None, source: str | None = None
) -> Benchmark:
    """Load and validate a bundle from a local folder, or from its metadata file itself
    (e.g. llvisionqa_dev.json); every problem names its row and id."""
    root = Path(root)
    cmap = resolve_mapping(mapping)
    meta: Path | None = None
    if root.is_file():
        if root.suffix not in (".jsonl", ".json", ".csv", ".parquet"):
            raise BenchmarkError(
                f"{root}: a benchmark file must be .jsonl, .json, .csv or .parquet"
            )
        meta, root = root, root.parent
    elif not root.is_dir():
        raise BenchmarkError(f"benchmark folder not found: {root}")
    shards: list[Path] = []
    if meta is None:
        try:
            meta = _find_metadata(root, cmap.metadata, cmap.split)
        except BenchmarkError:
            shards = _parquet_shards(root, cmap.split)
            if not shards:
                raise
    if shards:
        source_rows, meta_name, base = _read_shards(root, shards), "parquet rows", root
    else:
        assert meta is not None
        source_rows, meta_name, base = _read_rows(meta), meta.name, meta.parent
    if not source_rows:
        raise BenchmarkError(f"{root}: no items")
    rows = [_apply_mapping(r, cmap) for r in source_rows]
    _fields_no_item_has(rows, source_rows, cmap, source or str(root))
    items, problems = _validate(rows, cmap, meta_name)
    if problems:
        hint = suggest_mapping(_source_fields(source_rows), cmap)
        raise BenchmarkError(
            f"benchmark {source or root}: {len(problems)} invalid item(s)"
            + (
                f"; it looks like the {hint.layout} layout: use --mapping {hint.name}"
                if hint
                else ""
            ),
            problems,
        )
    return Benchmark(
        items=items, root=base, source=source or _display_path(root), hash=content_hash(items)
    )


def load_benchmark(
    source: str | Path,
    mapping: str | dict | ColumnMapping | None = None,
    revision: str | None = None,
    download: Callable[..., str] | None = None,
) -> Benchmark:
    """Load from a local folder, or from a Hub dataset repo id ("org/name").

    For a repo only the metadata files are downloaded up front; images are fetched one by one
    when the drill-down shows them. `download` defaults to huggingface_hub.snapshot_download
    (injected in tests, which never touch the network).
    """
    path = Path(source)
    if path.exists():
        return load_local(path, mapping)
    text = str(source)
    if not _REPO_ID.match(text):
        raise BenchmarkError(
            f"benchmark not found: {text!r} is neither a local folder nor a "
            "Hub dataset repo id like 'org/name'"
        )
    if download is None:
        from huggingface_hub import snapshot_download

        download = snapshot_download
    split = resolve_mapping(mapping).split
    # Parquet shards hold the images too: of a declared split only that split's shards.
    shards = [f"*{split}-*.parquet", f"*{split}/*.parquet"] if split else ["*.parquet"]
    try:
        local = download(
            repo_id=text,
            repo_type="dataset",
            revision=revision,
            allow_patterns=["*.jsonl", "*.csv", *shards, "*.json", "*.md"],
        )
    except Exception as exc:  # noqa: BLE001 - network, auth, missing repo: say which
        raise BenchmarkError(
            f"could not download benchmark {text!r} from the Hugging Face "
            f"Hub: {type(exc).__name__}: {exc}"
        ) from exc
    bench = load_local(local, mapping, source=text)
    bench.repo_id, bench.revision = text, revision
    return bench
