"""Loading and validating a benchmark bundle (local folder or Hugging Face Hub dataset repo).

A bundle is a folder in the `imagefolder` layout: images plus `metadata.jsonl`, one item per
line. The same loader serves a local folder and a Hub repo (downloaded with huggingface_hub),
so the Hub path is exercised by tests on local bundles. Bundles whose field names differ
(the Q-Bench family) are read through a declared `ColumnMapping`, never by editing the data.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .errors import BenchmarkError
from .taxonomy import (CHOICE_QTYPES, FIELD_VALUES, OPTION_LETTERS, SUBDIMENSION_TO_DIMENSION,
                       DATASET_TO_SOURCE)

CANONICAL_FIELDS: tuple[str, ...] = (
    "file_name", "id", "question", "options", "answer", "qtype", "scope",
    "image_source", "source_dataset", "dimension", "subdimension",
)
METADATA_NAMES: tuple[str, ...] = ("metadata.jsonl", "metadata.csv", "metadata.parquet")
#: file_name given to items of a Parquet-shard bundle (as `Dataset.push_to_hub` writes one),
#: whose images live inside the shards: "parquet://<shard path>#<row in shard>".
PARQUET_IMAGE = "parquet://"
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class ColumnMapping:
    """How a bundle's own field names map onto the canonical ones.

    rename: source field -> canonical field.
    option_fields: fields holding the options one per field (e.g. option0..option3), or a
        single field holding a list (e.g. candidates); None when `options` is canonical.
    answer_style: "letters" (canonical: "B", "AC", "A, C", a list), "text" (the gold option
        text, or a list of texts for MC), or "auto" (letters, a 0-based index, or text).
    """

    name: str
    rename: dict[str, str] = field(default_factory=dict)
    option_fields: tuple[str, ...] | None = None
    answer_style: str = "letters"

    @classmethod
    def from_dict(cls, data: dict[str, Any], name: str = "custom") -> "ColumnMapping":
        unknown = set(data) - {"name", "rename", "option_fields", "answer_style"}
        if unknown:
            raise BenchmarkError(f"column mapping {name!r}: unknown keys {sorted(unknown)}")
        style = data.get("answer_style", "letters")
        if style not in ("letters", "text", "auto"):
            raise BenchmarkError(f"column mapping {name!r}: answer_style must be letters, text "
                                 f"or auto, not {style!r}")
        opts = data.get("option_fields")
        return cls(name=data.get("name", name), rename=dict(data.get("rename", {})),
                   option_fields=tuple(opts) if opts else None, answer_style=style)


#: Declared mappings; pick one by name (`--mapping`) or pass a JSON file with the same keys.
MAPPINGS: dict[str, ColumnMapping] = {
    "canonical": ColumnMapping("canonical"),
    # Q-Bench style: `candidates` is the list of option texts, `correct_ans` the gold text.
    "qbench-candidates": ColumnMapping(
        "qbench-candidates",
        rename={"img_path": "file_name", "correct_ans": "answer", "question_type": "qtype"},
        option_fields=("candidates",), answer_style="text"),
    # A-Bench / lmms-eval style: option0..option3 and `correct_choice` (letter, index or text).
    "qbench-options": ColumnMapping(
        "qbench-options",
        rename={"image": "file_name", "correct_choice": "answer", "question_type": "qtype"},
        option_fields=("option0", "option1", "option2", "option3"), answer_style="auto"),
}


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
    raise BenchmarkError(f"unknown column mapping {mapping!r}; presets: {', '.join(MAPPINGS)}, "
                         "or a path to a JSON file")


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
        import pyarrow.parquet as pq
        import tempfile

        rel, _, idx = ref[len(PARQUET_IMAGE):].rpartition("#")
        shard = (self.root / rel).resolve()
        if not shard.is_relative_to(self.root.resolve()) or not idx.isdigit():
            return None
        out = Path(tempfile.gettempdir()) / "qbp-images" / self.hash.replace(":", "-") / \
            f"{hashlib.sha256(ref.encode()).hexdigest()[:20]}.img"
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
        local = (self.root / row["file_name"]).resolve()
        if not local.is_relative_to(self.root.resolve()):
            return None  # a file name escaping the bundle is never served
        if local.is_file():
            return local
        if self.repo_id:
            try:
                from huggingface_hub import hf_hub_download
                return Path(hf_hub_download(self.repo_id, row["file_name"], repo_type="dataset",
                                            revision=self.revision))
            except Exception:  # noqa: BLE001 - offline or missing: the UI says "no image"
                return None
        return None


# --------------------------------------------------------------------------- reading

def _find_metadata(root: Path) -> Path:
    for name in METADATA_NAMES:
        if (root / name).is_file():
            return root / name
    # imagefolder also allows one split folder (e.g. test/metadata.jsonl)
    found = sorted(p for name in METADATA_NAMES for p in root.glob(f"*/{name}"))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise BenchmarkError(f"{root}: several metadata files found "
                             f"({', '.join(str(p.relative_to(root)) for p in found)}); "
                             "point --benchmark at one split folder")
    raise BenchmarkError(f"{root}: no metadata.jsonl (imagefolder layout expected: images "
                         "plus metadata.jsonl with one JSON object per item), and no Parquet "
                         "shards")


def _parquet_shards(root: Path) -> list[Path]:
    """Data shards of a bundle pushed with `datasets` (e.g. data/test-00000-of-00001.parquet)."""
    return sorted(p for p in root.rglob("*.parquet")
                  if p.name not in METADATA_NAMES and not any(x.startswith(".") for x in
                                                                p.relative_to(root).parts))


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
                    raise BenchmarkError(f"{path.name} line {lineno}: not valid JSON ({exc.msg})")
                if not isinstance(obj, dict):
                    raise BenchmarkError(f"{path.name} line {lineno}: expected a JSON object")
                obj["__row__"] = lineno
                rows.append(obj)
        return rows
    frame = pd.read_csv(path, dtype=str, keep_default_na=False) if path.suffix == ".csv" \
        else pd.read_parquet(path)
    rows = frame.to_dict(orient="records")
    for i, row in enumerate(rows, start=2 if path.suffix == ".csv" else 1):
        row["__row__"] = i
        for key, value in list(row.items()):
            if isinstance(value, np.ndarray):
                row[key] = value.tolist()
            elif isinstance(value, str) and value.startswith("[") and key in ("options",
                                                                               "candidates"):
                try:
                    row[key] = json.loads(value)
                except json.JSONDecodeError:
                    pass
    return rows


def _apply_mapping(row: dict[str, Any], mapping: ColumnMapping) -> dict[str, Any]:
    out = {mapping.rename.get(k, k): v for k, v in row.items()}
    if mapping.option_fields:
        if len(mapping.option_fields) == 1:
            value = row.get(mapping.option_fields[0])
            out["options"] = list(value) if isinstance(value, (list, tuple)) else value
        else:
            out["options"] = [row[f] for f in mapping.option_fields
                              if row.get(f) not in (None, "")]
        for f in mapping.option_fields:
            if f != "options":
                out.pop(f, None)
    return out


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


def _normalise_answer(row: dict[str, Any], style: str) -> tuple[Any, str | None]:
    """(canonical answer, problem) for one row."""
    qtype, answer, options = row.get("qtype"), row.get("answer"), row.get("options") or []
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return None, "empty answer"
    if qtype == "TF":
        text = str(answer).strip().strip(".").lower()
        if isinstance(answer, bool):
            return ("True" if answer else "False"), None
        if text in ("true", "false"):
            return text.capitalize(), None
        if style != "letters" and text in ("yes", "no"):
            return ("True" if text == "yes" else "False"), None
        return None, f"TF answer must be True or False, got {str(answer)[:40]!r}"
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
            " or option text" if style != "letters" else "")
    if any(OPTION_LETTERS.index(ch) >= len(options) for ch in letters) and len(options) == 4:
        return None, f"answer letter outside the options: {letters}"
    if qtype == "SC" and len(letters) != 1:
        return None, f"SC answer must be one letter, got {letters}"
    return letters, None


def _validate(rows: list[dict[str, Any]], style: str, meta_name: str) -> tuple[pd.DataFrame,
                                                                               list[str]]:
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
        missing = [f for f in CANONICAL_FIELDS if f not in row or row[f] is None
                   and f not in ("options",)]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        if not item_id.strip():
            problems.append(f"{where}: empty id")
            continue
        if item_id in seen:
            problems.append(f"{where}: duplicate id (first seen at row {seen[item_id]})")
            continue
        seen[item_id] = row["__row__"]
        bad = False
        for f, allowed in FIELD_VALUES.items():
            if row[f] not in allowed:
                problems.append(f"{where}: unknown {f} {str(row[f])[:40]!r} "
                                f"(allowed: {', '.join(allowed)})")
                bad = True
        if bad:
            continue
        if SUBDIMENSION_TO_DIMENSION[row["subdimension"]] != row["dimension"]:
            problems.append(f"{where}: subdimension {row['subdimension']} does not belong to "
                            f"dimension {row['dimension']}")
            continue
        if DATASET_TO_SOURCE[row["source_dataset"]] != row["image_source"]:
            problems.append(f"{where}: source_dataset {row['source_dataset']} does not belong "
                            f"to image_source {row['image_source']}")
            continue
        if not str(row["question"]).strip():
            problems.append(f"{where}: empty question")
            continue
        options = row.get("options") or []
        if not isinstance(options, list):
            problems.append(f"{where}: options must be a list")
            continue
        options = [str(o) for o in options]
        row["options"] = options
        if row["qtype"] in CHOICE_QTYPES and (len(options) != 4 or
                                              any(not o.strip() for o in options)):
            problems.append(f"{where}: {row['qtype']} needs exactly 4 non-empty options, "
                            f"has {len(options)}")
            continue
        answer, problem = _normalise_answer(row, style)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        if row["qtype"] not in CHOICE_QTYPES:
            row["options"] = []
        row["answer"] = answer
        clean.append({f: (str(row[f]) if f not in ("options",) else row[f])
                      for f in CANONICAL_FIELDS})
    frame = pd.DataFrame(clean, columns=list(CANONICAL_FIELDS))
    return frame, problems


def content_hash(items: pd.DataFrame) -> str:
    """sha256 over the canonical items (scoring fields only), so a re-mapped bundle with the
    same content has the same version and any change of a scored field changes it."""
    h = hashlib.sha256()
    for row in items.itertuples(index=False):
        h.update(json.dumps([getattr(row, f) for f in CANONICAL_FIELDS if f != "file_name"],
                            ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        h.update(b"\n")
    return "sha256:" + h.hexdigest()[:16]


def _display_path(root: Path) -> str:
    """A bundle inside the repository is named relative to it (data/demo), others as given."""
    from .settings import REPO_ROOT

    try:
        return root.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(root)


def load_local(root: str | Path, mapping: str | dict | ColumnMapping | None = None,
               source: str | None = None) -> Benchmark:
    """Load and validate a bundle from a local folder; every problem names its row and id."""
    root = Path(root)
    if not root.is_dir():
        raise BenchmarkError(f"benchmark folder not found: {root}")
    try:
        meta = _find_metadata(root)
        shards: list[Path] = []
    except BenchmarkError:
        shards = _parquet_shards(root)
        if not shards:
            raise
    if shards:
        rows, meta_name, base = _read_shards(root, shards), "parquet rows", root
    else:
        rows, meta_name, base = _read_rows(meta), meta.name, meta.parent
    if not rows:
        raise BenchmarkError(f"{root}: no items")
    cmap = resolve_mapping(mapping)
    rows = [_apply_mapping(r, cmap) for r in rows]
    items, problems = _validate(rows, cmap.answer_style, meta_name)
    if problems:
        raise BenchmarkError(f"benchmark {source or root}: {len(problems)} invalid item(s)",
                             problems)
    return Benchmark(items=items, root=base, source=source or _display_path(root),
                     hash=content_hash(items))


def load_benchmark(source: str | Path, mapping: str | dict | ColumnMapping | None = None,
                   revision: str | None = None,
                   download: Callable[..., str] | None = None) -> Benchmark:
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
        raise BenchmarkError(f"benchmark not found: {text!r} is neither a local folder nor a "
                             "Hub dataset repo id like 'org/name'")
    if download is None:
        from huggingface_hub import snapshot_download as download
    try:
        local = download(repo_id=text, repo_type="dataset", revision=revision,
                         allow_patterns=["*.jsonl", "*.csv", "*.parquet", "*.json", "*.md"])
    except Exception as exc:  # noqa: BLE001 - network, auth, missing repo: say which
        raise BenchmarkError(f"could not download benchmark {text!r} from the Hugging Face "
                             f"Hub: {type(exc).__name__}: {exc}") from exc
    bench = load_local(local, mapping, source=text)
    bench.repo_id, bench.revision = text, revision
    return bench
