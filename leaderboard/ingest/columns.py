"""Which columns hold the id, the reply and the question.

The id column is the candidate whose values actually match the benchmark's ids (a batch
file's `id` is the request id, its `custom_id` the item; lmms-eval's `doc_id` is a row
position). The reply column is the first reply-named column; a gold-looking name (`answer`)
is used only when no reply-named column exists, and then the gold check still applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..errors import PredictionError
from .bounds import quoted
from .tables import Rows

ID_COLUMNS: tuple[str, ...] = (
    "id",
    "question_id",
    "qid",
    "item_id",
    "sample_id",
    "uid",
    "custom_id",
    "index",
    "idx",
    "key",
    "doc_id",
)
REPLY_COLUMNS: tuple[str, ...] = (
    "prediction",
    "pred",
    "response",
    "output",
    "model_output",
    "model_answer",
    "generated_text",
    "model_prediction",
    "output_text",
    "raw_output",
    "text",
    "generation",
    "completion",
    "result",
)
#: Names under which files carry the gold answer; `answer` doubles as a reply name.
GOLD_LOOKING: tuple[str, ...] = (
    "answer",
    "gt",
    "ground_truth",
    "label",
    "target",
    "gold",
    "correct_answer",
    "correct_ans",
    "correct_choice",
    "reference",
)
PREDICTION_COLUMNS: tuple[str, ...] = REPLY_COLUMNS + ("answer",)
QUESTION_COLUMNS: tuple[str, ...] = ("question", "prompt", "input", "query")


def id_text(raw: Any) -> str | None:
    """An id cell as the text it is matched by; None when empty."""
    if type(raw) is str:  # the common case first: this runs three times per row
        return raw.strip() or None
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    return text or None


def _present(
    columns: Iterable[str], wanted: tuple[str, ...], taken: str | None = None
) -> list[str]:
    lower: dict[str, str] = {}
    for c in columns:
        if c != taken:
            lower.setdefault(c.lower().strip(), c)
    return [lower[w] for w in wanted if w in lower]


def pick_id(rows: Rows, index: dict[str, int], name: str) -> str:
    found = _present(rows.columns, ID_COLUMNS)
    if not found:
        raise PredictionError(
            f"{name}: no id column; found columns {quoted(rows.columns)}; "
            f"expected one of {', '.join(ID_COLUMNS)}"
        )
    if len(found) == 1:
        return found[0]
    hits = [sum(1 for r in rows.records if id_text(r.get(c)) in index) for c in found]
    return found[hits.index(max(hits))]  # ties: the more specific name, listed first


def pick_prediction(rows: Rows, id_col: str, name: str) -> str:
    found = _present(rows.columns, PREDICTION_COLUMNS, taken=id_col)
    if not found:
        raise PredictionError(
            f"{name}: no prediction column; found columns "
            f"{quoted(rows.columns)}; expected one of "
            f"{', '.join(PREDICTION_COLUMNS)}"
        )
    return found[0]


def pick_question(rows: Rows) -> str | None:
    found = _present(rows.columns, QUESTION_COLUMNS)
    return found[0] if found else None


def other_gold_looking(rows: Rows, pred_col: str) -> list[str]:
    return [c for c in _present(rows.columns, GOLD_LOOKING) if c != pred_col]
