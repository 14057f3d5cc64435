"""Recognising what a harness wrote: one reader per tool, tried in a fixed order on the rows a
container reader produced. The first that recognises the rows normalises them; otherwise the
rows are a plain table (an id column and a prediction column)."""

from __future__ import annotations

import itertools
from typing import Any

from ...errors import PredictionError
from ..jsontext import JsonDoc
from ..sniff import ARROW_ADVICE
from ..tables import Rows
from . import chat, llava, lmms_eval, openai_batch, vlmevalkit
from .common import Layout

__all__ = ["Layout", "recognise", "shape_json", "HARNESS_COLUMNS"]

#: Top-level columns any reader uses (a Parquet file's other columns are never read).
HARNESS_COLUMNS = frozenset(
    {
        "doc_id",
        "doc",
        "filtered_resps",
        "resps",
        "input",
        "submission",
        "target",
        "custom_id",
        "response",
        "error",
        "messages",
        "thinking",
        "hit",
        "log",
        "img_path",
        "candidates",
        "correct_ans",
        "a",
        "b",
        "c",
        "d",
    }
)
_DATASETS_FILES = ({"_data_files", "_fingerprint"}, {"builder_name", "features", "splits"})


def shape_json(doc: JsonDoc, name: str) -> tuple[Rows | dict[str, Any], bool]:
    """JSON values into rows (or an id -> text object); also says whether they came from the
    lmms-eval v0.2 wrapper. Wrong shapes are refused with what was expected."""
    wrapped = False
    if doc.kind != "document":
        for label, value in zip(doc.labels, doc.values, strict=False):
            if not isinstance(value, dict):
                raise PredictionError(
                    f"{name} {label}: expected a JSON object with an id and "
                    f"a prediction, got {type(value).__name__}"
                )
        return Rows(doc.values, _keys(doc.values), doc.labels), False
    obj = doc.values[0]
    if isinstance(obj, dict):
        lmms_eval.refuse_results_file(obj, name)
        if any(keys <= set(obj) for keys in _DATASETS_FILES):
            raise PredictionError(
                f"{name}: this is the metadata of a `datasets` folder saved "
                f"with save_to_disk; {ARROW_ADVICE}"
            )
        lists = [v for v in obj.values() if isinstance(v, list)]
        if lmms_eval.is_wrapper(obj):
            obj, wrapped = obj["logs"], True
        elif len(obj) == 1 and lists:
            obj = lists[0]  # {"predictions": [...]} wrapper
        elif all(v is None or isinstance(v, (str, int, float)) for v in obj.values()):
            return obj, False  # id -> text
        else:
            raise PredictionError(
                f"{name}: JSON object of the wrong shape; expected a list of "
                "rows or an object mapping id -> prediction text"
            )
    if not isinstance(obj, list):
        raise PredictionError(
            f"{name}: JSON of the wrong shape ({type(obj).__name__}); "
            "expected a list of rows or an object mapping id -> text"
        )
    for i, row in enumerate(obj):
        if not isinstance(row, dict):
            raise PredictionError(
                f"{name}: row {i + 1} is {type(row).__name__}, expected an "
                "object with an id and a prediction"
            )
    return Rows(obj, _keys(obj), [f"row {i + 1}" for i in range(len(obj))]), wrapped


def _keys(records: list[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in first-seen order (JSON keys are already strings)."""
    return list(dict.fromkeys(itertools.chain.from_iterable(records)))


def recognise(
    rows: Rows, fmt: str, file_name: str, concatenated: bool = False, wrapped: bool = False
) -> Layout:
    """The layout a harness wrote, normalised; a plain table when none recognises it."""
    found = (
        lmms_eval.read(rows, wrapped)
        or openai_batch.read(rows, file_name)
        or vlmevalkit.read(rows, fmt, file_name)
        or llava.read(rows, concatenated)
        or chat.read(rows)
    )
    if found is not None:
        return found
    shape = "concatenated JSON" if concatenated else fmt.upper()
    return Layout(rows, f"{shape} table")
