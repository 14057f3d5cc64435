"""Reading an uploaded prediction file into {item id: raw model text}, with a parse report.

Accepted: JSONL, JSON (a list of rows, or an object id -> text), CSV/TSV and Parquet. JSON is
read with the standard library (exact types, ids never coerced to numbers); tables with
pandas. Nothing in the file is executed. Every refusal names what is wrong and where.
"""
from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .benchmark import Benchmark
from .errors import PredictionError
from .settings import Limits, mb

#: Recognised column names, most specific first (matched case-insensitively).
ID_COLUMNS: tuple[str, ...] = ("id", "question_id", "qid", "item_id", "sample_id", "uid",
                               "index", "idx", "key")
PREDICTION_COLUMNS: tuple[str, ...] = ("prediction", "pred", "response", "output",
                                       "model_output", "model_answer", "answer", "text",
                                       "generation", "completion", "result")
FORMATS: tuple[str, ...] = ("jsonl", "json", "csv", "tsv", "parquet")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
               ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet"}
MAX_LISTED = 50  # ids listed in a report; the counts are always complete
MAX_SHOWN = 60  # characters of user text quoted in a message
_MAGIC = {b"PK\x03\x04": "a ZIP archive (Excel and Word files are ZIP archives too)",
          b"\x1f\x8b": "a gzip archive", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
          b"GIF8": "a GIF image", b"%PDF": "a PDF document",
          b"BZh": "a bzip2 archive", b"\xfd7zXZ\x00": "an xz archive",
          b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive", b"\x28\xb5\x2f\xfd": "a zstd archive",
          b"PAR1": "Parquet"}


def short(value: Any, limit: int = MAX_SHOWN) -> str:
    """repr() of user text for a message, cut so a hostile value cannot flood the page."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 5] + "...'"


def display_name(file_name: str) -> str:
    """The uploaded file's base name for display: no folders (either separator), no control
    characters, capped. It is never used as a path."""
    base = re.split(r"[\\/]", str(file_name))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:200] or "upload"


@dataclass
class ParseReport:
    """What the parser saw and used; shown to the uploader at once."""

    file_name: str
    format: str
    rows: int
    id_column: str
    prediction_column: str
    matched: int = 0
    missing: int = 0
    unknown: int = 0
    empty: int = 0
    missing_ids: list[str] = field(default_factory=list)  # first MAX_LISTED
    unknown_ids: list[str] = field(default_factory=list)  # first MAX_LISTED

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PredictionFile:
    predictions: dict[str, str | None]  # benchmark id -> raw text (None: absent)
    report: ParseReport


def _decode(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (BOM allowed) or UTF-16 with a BOM; anything else is refused."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic) and what != "Parquet":
            raise PredictionError(f"{name}: this is {what}, not a prediction file; upload the "
                                  "JSONL, JSON, CSV, TSV or Parquet file itself, uncompressed")
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PredictionError(f"{name}: invalid UTF-16 text at byte {exc.start}") from exc
    head = data[:200]
    zeros = sorted((head[0::2].count(0), head[1::2].count(0)))
    if len(head) >= 4 and zeros[1] > len(head) // 5 and zeros[0] <= len(head) // 50:
        raise PredictionError(f"{name}: looks like UTF-16 text without a byte-order mark; "
                              "save the file as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PredictionError(f"{name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at "
                              f"offset {exc.start}, line {line}; Latin-1, Shift-JIS and other "
                              "encodings are not accepted); save the file as UTF-8") from exc
    if "\x00" in text:
        raise PredictionError(f"{name}: contains NUL bytes; this looks like a binary file, "
                              "not JSON/JSONL/CSV/TSV text")
    return text


def _detect_format(name: str, data: bytes) -> str:
    ext = Path(name).suffix.lower()
    if data[:4] == b"PAR1":
        return "parquet"
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"[":
        return "json"
    if head == b"{":
        return "jsonl" if b"\n{" in data.strip() else "json"
    return "tsv" if b"\t" in data.split(b"\n", 1)[0] else "csv"


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json object hook: a key given twice is ambiguous (which answer counts?), so refuse."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def _loads(text: str, where: str) -> Any:
    """json.loads that turns every failure (syntax, duplicate key, nesting, huge integer)
    into a message naming the place."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        at = f"column {exc.colno}" if "\n" not in text else \
            f"line {exc.lineno}, column {exc.colno}"
        raise PredictionError(f"{where}: not valid JSON at {at} ({exc.msg.lower()})") from exc
    except _DuplicateKey as exc:
        raise PredictionError(f"{where}: key {short(exc.key)} appears twice in one object "
                              "(duplicate id or field)") from None
    except RecursionError:
        raise PredictionError(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more than 4300 digits
        why = "a number with thousands of digits" if "digits" in str(exc) else str(exc)[:100]
        raise PredictionError(f"{where}: unusable JSON value ({why})") from None


def _json_rows(text: str, name: str, fmt: str,
               limit_rows: int) -> list[dict[str, Any]] | dict[str, Any]:
    if fmt == "jsonl":
        if text.count("\n") >= limit_rows:  # cheap count before parsing anything
            lines = sum(1 for line in text.splitlines() if line.strip())
            if lines > limit_rows:
                raise PredictionError(f"{name}: {lines} rows, more than the benchmark's "
                                      f"{limit_rows} items")
        rows: list[Any] = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            obj = _loads(line, f"{name} line {lineno}")
            if not isinstance(obj, dict):
                raise PredictionError(f"{name} line {lineno}: expected a JSON object with an "
                                      f"id and a prediction, got {type(obj).__name__}")
            rows.append(obj)
        return rows
    obj = _loads(text, name)
    if isinstance(obj, dict):
        lists = [v for v in obj.values() if isinstance(v, list)]
        if len(obj) == 1 and lists:
            obj = lists[0]  # {"predictions": [...]} wrapper
        elif all(v is None or isinstance(v, (str, int, float)) for v in obj.values()):
            return obj  # id -> text
        else:
            raise PredictionError(f"{name}: JSON object of the wrong shape; expected a list of "
                                  "rows or an object mapping id -> prediction text")
    if not isinstance(obj, list):
        raise PredictionError(f"{name}: JSON of the wrong shape ({type(obj).__name__}); "
                              "expected a list of rows or an object mapping id -> text")
    for i, row in enumerate(obj):
        if not isinstance(row, dict):
            raise PredictionError(f"{name}: row {i + 1} is {type(row).__name__}, expected an "
                                  "object with an id and a prediction")
    return obj


def _pick(columns: list[str], wanted: tuple[str, ...], what: str, name: str,
          taken: str | None = None) -> str:
    lower = {c.lower().strip(): c for c in columns if c != taken}
    for cand in wanted:
        if cand in lower:
            return lower[cand]
    raise PredictionError(f"{name}: no {what} column; found columns "
                          f"{', '.join(map(short, columns[:20])) or '(none)'}; expected one of "
                          f"{', '.join(wanted)}")


def _frame(data: bytes, name: str, fmt: str, limit_rows: int,
           limits: Limits) -> pd.DataFrame | list[dict[str, Any]] | dict[str, Any]:
    if fmt == "parquet":
        import pyarrow.parquet as pq
        try:
            meta = pq.ParquetFile(io.BytesIO(data)).metadata
            if meta.num_rows > limit_rows:
                raise PredictionError(f"{name}: {meta.num_rows} rows, more than the benchmark's "
                                      f"{limit_rows} items")
            expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            if expanded > limits.max_expanded_bytes:
                raise PredictionError(f"{name}: Parquet data expands to {mb(expanded)} MB, "
                                      f"over the {mb(limits.max_expanded_bytes)} MB limit")
            return pd.read_parquet(io.BytesIO(data))
        except PredictionError:
            raise
        except Exception as exc:  # noqa: BLE001 - any pyarrow failure is a corrupt file
            raise PredictionError(f"{name}: not a readable Parquet file ({exc})") from exc
    text = _decode(data, name)
    if not text.strip():
        raise PredictionError(f"{name}: the file is empty")
    if fmt in ("json", "jsonl"):
        rows = _json_rows(text, name, fmt, limit_rows)
        if isinstance(rows, dict):
            return rows
        if len(rows) > limit_rows:
            raise PredictionError(f"{name}: {len(rows)} rows, more than the benchmark's "
                                  f"{limit_rows} items")
        return rows
    try:  # one row past the cap is enough to refuse, without parsing a million
        frame = pd.read_csv(io.StringIO(text), sep="\t" if fmt == "tsv" else ",", dtype=str,
                            keep_default_na=False, na_filter=False, engine="c",
                            nrows=limit_rows + 1)
    except (pd.errors.ParserError, ValueError) as exc:
        raise PredictionError(f"{name}: not a readable {fmt.upper()} table "
                              f"({str(exc).strip()[:200]})") from exc
    if len(frame) > limit_rows:
        raise PredictionError(f"{name}: more rows than the benchmark's {limit_rows} items")
    return frame


def _as_text(value: Any) -> str | None:
    """Raw answer as text; NaN/None become empty, numbers their text (then unreadable)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_predictions(data: bytes, file_name: str, benchmark: Benchmark,
                     limits: Limits | None = None, fmt: str | None = None) -> PredictionFile:
    """Parse an uploaded file against the benchmark; raise PredictionError, scoring nothing,
    when it cannot be scored as a whole (unreadable, no id column, duplicates, too big).
    `fmt` forces the format (re-scoring a stored file); by default it is detected."""
    limits = limits or Limits()
    name = display_name(file_name)
    if fmt is not None and fmt not in FORMATS:
        raise PredictionError(f"{name}: unknown format {short(fmt)}; one of {', '.join(FORMATS)}")
    if len(data) > limits.max_file_bytes:
        raise PredictionError(f"{name}: {mb(len(data))} MB, over the "
                              f"{mb(limits.max_file_bytes)} MB upload limit")
    if not data.strip():
        raise PredictionError(f"{name}: the file is empty")
    fmt = fmt or _detect_format(name, data)
    n_items = len(benchmark)
    parsed = _frame(data, name, fmt, n_items, limits)
    if isinstance(parsed, dict):  # JSON object id -> text
        if len(parsed) > n_items:
            raise PredictionError(f"{name}: {len(parsed)} entries, more than the benchmark's "
                                  f"{n_items} items")
        ids = [str(k) for k in parsed]
        texts = [_as_text(v) for v in parsed.values()]
        id_col, pred_col, rows = "(object keys)", "(object values)", len(ids)
    else:
        if isinstance(parsed, pd.DataFrame):
            parsed.columns = [str(c) for c in parsed.columns]
            records = parsed.to_dict(orient="records")
            columns = list(parsed.columns)
        else:
            records = parsed
            columns = list(dict.fromkeys(str(k) for r in records for k in r))
        if not records:
            below = " below the header line" if fmt in ("csv", "tsv", "parquet") else ""
            raise PredictionError(f"{name}: no rows{below}")
        if len(records) > n_items:
            raise PredictionError(f"{name}: {len(records)} rows, more than the benchmark's "
                                  f"{n_items} items")
        id_col = _pick(columns, ID_COLUMNS, "id", name)
        pred_col = _pick(columns, PREDICTION_COLUMNS, "prediction", name, taken=id_col)
        ids, texts, rows = [], [], len(records)
        first_row = 2 if fmt in ("csv", "tsv") else 1
        for i, rec in enumerate(records):
            raw_id, value = rec.get(id_col), rec.get(pred_col)
            if raw_id is None or (isinstance(raw_id, float) and math.isnan(raw_id)) \
                    or str(raw_id).strip() == "":
                raise PredictionError(f"{name} row {i + first_row}: empty id in column "
                                      f"{short(id_col)}")
            if isinstance(raw_id, float) and raw_id.is_integer():
                raw_id = int(raw_id)
            ids.append(str(raw_id).strip())
            texts.append(_as_text(value))
    long_ids = [f"row {i + 1}: {len(item_id)} characters" for i, item_id in enumerate(ids)
                if len(item_id) > limits.max_id_chars]
    if long_ids:
        raise PredictionError(f"{name}: {len(long_ids)} id(s) longer than "
                              f"{limits.max_id_chars} characters; benchmark ids are short",
                              long_ids)
    # duplicates
    seen: dict[str, int] = {}
    dups = []
    for i, item_id in enumerate(ids):
        if item_id in seen:
            dups.append(f"id {short(item_id)} at rows {seen[item_id] + 1} and {i + 1}")
        else:
            seen[item_id] = i
    if dups:
        raise PredictionError(f"{name}: {len(dups)} duplicate id(s); each item may be answered "
                              "once", dups)
    too_long = [f"row {i + 1} (id {short(item_id)}): {len(t)} characters"
                for i, (item_id, t) in enumerate(zip(ids, texts))
                if t is not None and len(t) > limits.max_answer_chars]
    if too_long:
        raise PredictionError(f"{name}: {len(too_long)} answer(s) longer than the "
                              f"{limits.max_answer_chars}-character limit", too_long)
    index = benchmark.index_of
    predictions: dict[str, str | None] = {}
    unknown = []
    for item_id, text in zip(ids, texts):
        if item_id in index:
            predictions[item_id] = text
        else:
            unknown.append(item_id)
    if not predictions:
        raise PredictionError(f"{name}: none of its {len(ids)} ids is in the benchmark "
                              f"(e.g. {', '.join(map(short, ids[:3]))}; benchmark ids look like "
                              f"{', '.join(map(short, list(index)[:3]))})")
    missing = [i for i in benchmark.items["id"] if i not in predictions]
    report = ParseReport(
        file_name=name, format=fmt, rows=rows, id_column=id_col, prediction_column=pred_col,
        matched=len(predictions), missing=len(missing), unknown=len(unknown),
        empty=sum(1 for t in predictions.values() if not (t or "").strip()),
        missing_ids=missing[:MAX_LISTED], unknown_ids=unknown[:MAX_LISTED])
    return PredictionFile(predictions=predictions, report=report)


def read_prediction_path(path: str | Path, benchmark: Benchmark,
                         limits: Limits | None = None) -> PredictionFile:
    """read_predictions for a file on disk (the CLI); size is checked before reading."""
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise PredictionError(f"prediction file not found: {path}")
    if path.stat().st_size > limits.max_file_bytes:
        raise PredictionError(f"{path.name}: {mb(path.stat().st_size)} MB, over the "
                              f"{mb(limits.max_file_bytes)} MB upload limit")
    return read_predictions(path.read_bytes(), path.name, benchmark, limits)
