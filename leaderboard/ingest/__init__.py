"""Reading an uploaded prediction file into {item id: raw model text}, with a parse report.

What harnesses write is read as written: lmms-eval samples, VLMEvalKit prediction files
(XLSX, TSV, CSV, JSON), LLaVA/Q-Instruct concatenated JSON, OpenAI Batch output, chat
transcripts, and plain JSONL/JSON/CSV/TSV/Parquet/XLSX tables. The steps, each in its module:

1. `sniff`: which container (bytes first, then extension); binary look-alikes refused.
2. `tables` / `jsontext`: the container into rows, every cap in `bounds` checked first.
3. `harness`: which tool wrote the rows, normalised to id candidates + `prediction`.
4. `columns`: the id column that matches the benchmark, the reply column, the question.
5. `integrity`: never the gold column, never ids shifted against the questions.

Nothing in the file is executed. Every refusal names what is wrong and where.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..benchmark import Benchmark
from ..errors import PredictionError
from ..settings import Limits, mb
from . import columns as cols
from . import harness, integrity
from .bounds import check_columns, column_names_text, refuse_surrogates
from .jsontext import read_json_text
from .report import MAX_LISTED, MAX_WARNINGS, ParseReport, PredictionFile, display_name, short
from .sniff import (
    ACCEPTED_EXTENSIONS,
    ADVISED_EXTENSIONS,
    ARROW_ADVICE,
    FORMATS,
    decode_text,
    detect_format,
)
from .tables import Rows, read_delimited, read_parquet, read_xlsx

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "ADVISED_EXTENSIONS",
    "FORMATS",
    "ID_COLUMNS",
    "PREDICTION_COLUMNS",
    "ParseReport",
    "PredictionFile",
    "display_name",
    "read_prediction_path",
    "read_predictions",
    "short",
]

ID_COLUMNS = cols.ID_COLUMNS
PREDICTION_COLUMNS = cols.PREDICTION_COLUMNS
_PARQUET_WANTED = (
    frozenset(cols.ID_COLUMNS + cols.PREDICTION_COLUMNS + cols.GOLD_LOOKING + cols.QUESTION_COLUMNS)
    | harness.HARNESS_COLUMNS
)


_LABEL = re.compile(r"\(?[A-Za-z]{1,4}\)?\.?")


def as_text(value: Any) -> str | None:
    """Raw answer as text; NaN/None become empty, numbers their text (then unreadable),
    lists (an MC answer given as ["A", "C"]) and objects their JSON."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, str) and _LABEL.fullmatch(v.strip()) for v in value)
    ):
        return ", ".join(v.strip() for v in value)  # ["A", "C"] or ["AC"]: option letters
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _layout(
    data: bytes, name: str, fmt: str, n_items: int, limits: Limits
) -> harness.Layout | dict[str, Any]:
    """The container read into a harness layout (or an id -> text object), bounded."""
    if fmt == "parquet":
        return harness.recognise(
            read_parquet(data, name, n_items, limits, _PARQUET_WANTED), fmt, name
        )
    if fmt == "xlsx":
        return harness.recognise(read_xlsx(data, name, n_items, limits), fmt, name)
    if fmt in ("csv", "tsv"):
        text = decode_text(data, name)
        if not text or text.isspace():  # no stripped copy of a 20 MB text
            raise PredictionError(f"{name}: the file is empty")
        return harness.recognise(read_delimited(text, name, fmt, n_items, limits), fmt, name)
    doc = read_json_text(data, name, fmt, n_items, limits)
    shaped, wrapped = harness.shape_json(doc, name)
    if isinstance(shaped, dict):
        return shaped
    check_columns(len(shaped.columns), name, limits, "distinct keys in its rows")
    return harness.recognise(
        shaped, fmt, name, concatenated=doc.kind == "concatenated", wrapped=wrapped
    )


def read_predictions(
    data: bytes,
    file_name: str,
    benchmark: Benchmark,
    limits: Limits | None = None,
    fmt: str | None = None,
) -> PredictionFile:
    """Parse an uploaded file against the benchmark; raise PredictionError, scoring nothing,
    when it cannot be scored as a whole (unreadable, no id column, duplicates, too big, the
    gold answers, ids shifted). `fmt` forces the container (re-scoring a stored file)."""
    with collector_paused():
        return _read(data, file_name, benchmark, limits, fmt)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """A 2,765-row file becomes ~100,000 fresh acyclic objects; every 700 allocations would
    run the cycle collector over them again (7 of a 5.6 MB file's ~55 ms here, more in a
    server's larger heap). Reference counting frees them all the same. Only whoever paused
    the collector re-enables it, so overlapping readers in threads are safe."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _read(
    data: bytes,
    file_name: str,
    benchmark: Benchmark,
    limits: Limits | None,
    fmt: str | None,
) -> PredictionFile:
    limits = limits or Limits()
    name = display_name(file_name)
    if fmt == "arrow":
        raise PredictionError(f"{name}: {ARROW_ADVICE}")
    if fmt is not None and fmt not in FORMATS:
        raise PredictionError(f"{name}: unknown format {short(fmt)}; one of {', '.join(FORMATS)}")
    if len(data) > limits.max_file_bytes:
        raise PredictionError(
            f"{name}: {mb(len(data))} MB, over the {mb(limits.max_file_bytes)} MB upload limit"
        )
    if not data or data.isspace():
        raise PredictionError(f"{name}: the file is empty")
    fmt = fmt or detect_format(name, data)
    n_items = len(benchmark)
    parsed = _layout(data, name, fmt, n_items, limits)
    index = benchmark.index_of
    notes: list[str] = []
    warnings: list[str] = []
    question_col: str | None = None
    records: dict[str, dict[str, Any]] = {}
    questions: list[tuple[str, Any]] = []
    option_columns = False
    if isinstance(parsed, dict):  # JSON object id -> text
        if len(parsed) > n_items:
            raise PredictionError(
                f"{name}: {len(parsed)} entries, more than the benchmark's {n_items} items"
            )
        ids = [str(k) for k in parsed]
        texts = [as_text(v) for v in parsed.values()]
        labels = [f"key {short(k)}" for k in ids]
        id_col, pred_col, rows, harness_name = (
            "(object keys)",
            "(object values)",
            len(ids),
            "JSON object id -> text",
        )
    else:
        table: Rows = parsed.rows
        harness_name, option_columns = parsed.harness, parsed.option_columns
        notes += parsed.notes
        if not table.records:
            below = " below the header line" if fmt in ("csv", "tsv", "parquet", "xlsx") else ""
            raise PredictionError(f"{name}: no rows{below}")
        if len(table.records) > n_items:
            raise PredictionError(
                f"{name}: {len(table.records)} rows, more than the benchmark's {n_items} items"
            )
        column_names_text(table.columns, name)
        id_col = cols.pick_id(table, index, name)
        pred_col = cols.pick_prediction(table, id_col, name)
        question_col = cols.pick_question(table)
        ids, texts, labels, rows = [], [], [], len(table.records)
        for i, rec in enumerate(table.records):
            item_id = cols.id_text(rec.get(id_col))
            if item_id is None:
                raise PredictionError(
                    f"{name} row {i + table.first_row}: empty id in column {short(id_col)}"
                )
            ids.append(item_id)
            texts.append(as_text(rec.get(pred_col)))
            labels.append(table.labels[i] if i < len(table.labels) else f"row {i + 1}")
            if item_id in index:
                records[item_id] = rec
                if question_col is not None:
                    questions.append((item_id, rec.get(question_col)))
    refuse_surrogates(ids, name, "id", labels.__getitem__)
    refuse_surrogates(
        texts,
        name,
        "prediction",
        labels.__getitem__
        if isinstance(parsed, dict)
        else lambda i: f"{labels[i]} (id {short(ids[i])})",
    )
    long_ids = [
        f"row {i + 1}: {len(item_id)} characters"
        for i, item_id in enumerate(ids)
        if len(item_id) > limits.max_id_chars
    ]
    if long_ids:
        raise PredictionError(
            f"{name}: {len(long_ids)} id(s) longer than "
            f"{limits.max_id_chars} characters; benchmark ids are short",
            long_ids,
        )
    seen: dict[str, int] = {}
    dups = []
    for i, item_id in enumerate(ids):
        if item_id in seen:
            dups.append(f"id {short(item_id)} at rows {seen[item_id] + 1} and {i + 1}")
        else:
            seen[item_id] = i
    if dups:
        raise PredictionError(
            f"{name}: {len(dups)} duplicate id(s); each item may be answered once", dups
        )
    too_long = [
        f"row {i + 1} (id {short(item_id)}): {len(t)} characters"
        for i, (item_id, t) in enumerate(zip(ids, texts, strict=False))
        if t is not None and len(t) > limits.max_answer_chars
    ]
    if too_long:
        raise PredictionError(
            f"{name}: {len(too_long)} answer(s) longer than the "
            f"{limits.max_answer_chars}-character limit",
            too_long,
        )
    predictions: dict[str, str | None] = {}
    unknown = []
    for item_id, text in zip(ids, texts, strict=False):
        if item_id in index:
            predictions[item_id] = text
        else:
            unknown.append(item_id)
    positions = integrity.position_like(ids)
    if not predictions:
        hint = (
            (
                f"; its ids in column {short(id_col)} run {positions} like row numbers, but "
                "the file must carry the benchmark's own ids"
            )
            if positions
            else ""
        )
        raise PredictionError(
            f"{name}: none of its {len(ids)} ids is in the benchmark "
            f"(e.g. {', '.join(map(short, ids[:3]))}; benchmark ids look like "
            f"{', '.join(map(short, list(index)[:3]))}){hint}"
        )
    if not isinstance(parsed, dict):
        integrity.refuse_gold_column(
            predictions, benchmark, pred_col, name, cols.other_gold_looking(parsed.rows, pred_col)
        )
    checked = agreeing = 0
    if questions:
        checked, agreeing, found = integrity.check_questions(
            questions, benchmark, name, question_col or ""
        )
        warnings += found
    if positions and not checked:
        warnings.append(
            f"the ids in column {short(id_col)} run {positions}, like row numbers, "
            "and the file carries no question text to check them against: if they "
            "are positions rather than the benchmark's ids, every score is wrong"
        )
    if option_columns:
        changed = integrity.tf_through_options(predictions, records, benchmark)
        if changed:
            notes.append(
                f"{len(changed)} TF answer(s) given as option letters were read "
                f"through the row's option columns (e.g. {changed[0]})"
            )
    missing = [i for i in index if i not in predictions]  # index_of: ids in benchmark order
    report = ParseReport(
        file_name=name,
        format=fmt,
        rows=rows,
        id_column=id_col,
        prediction_column=pred_col,
        matched=len(predictions),
        missing=len(missing),
        unknown=len(unknown),
        empty=sum(1 for t in predictions.values() if not (t or "").strip()),
        missing_ids=missing[:MAX_LISTED],
        unknown_ids=unknown[:MAX_LISTED],
        harness=harness_name,
        question_column=question_col,
        questions_checked=checked,
        questions_agreeing=agreeing,
        warnings=warnings[:MAX_WARNINGS],
        notes=notes,
    )
    return PredictionFile(predictions=predictions, report=report)


def read_prediction_path(
    path: str | Path, benchmark: Benchmark, limits: Limits | None = None
) -> PredictionFile:
    """read_predictions for a file on disk (the CLI); size is checked before reading."""
    path = Path(path)
    limits = limits or Limits()
    if not path.is_file():
        raise PredictionError(f"prediction file not found: {path}")
    if path.stat().st_size > limits.max_file_bytes:
        raise PredictionError(
            f"{path.name}: {mb(path.stat().st_size)} MB, over the "
            f"{mb(limits.max_file_bytes)} MB upload limit"
        )
    return read_predictions(path.read_bytes(), path.name, benchmark, limits)
