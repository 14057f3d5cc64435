"""Per-item drill-down: filter the benchmark's items by category and by how the chosen
verified models did on them, and assemble one item's detail.

Per-model items come from the store's items.parquet (benchmark order, loaded lazily and
cached by the store). Raw model text is carried as text and escaped when rendered: a model
answer is never interpreted as HTML or Markdown.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leaderboard.benchmark import Benchmark
from leaderboard.names import name_key as model_key
from leaderboard.provenance import UNUSABLE_STATUSES
from leaderboard.safe_text import md_escape
from leaderboard.taxonomy import CHOICE_QTYPES, LABELS, LONG_LABELS, OPTION_LETTERS

#: Outcome filters: key -> label.
OUTCOMES: dict[str, str] = {
    "all": "All items",
    "any_wrong": "A chosen model is wrong",
    "all_wrong": "All chosen models are wrong",
    "disagree": "Chosen models disagree",
    "unreadable": "A chosen model's answer could not be read",
}
#: Item fields the list can be filtered by, in display order.
FILTER_FIELDS: tuple[str, ...] = ("image_source", "dimension", "subdimension", "qtype", "scope")
FIELD_LABELS: dict[str, str] = {
    "image_source": "Image source",
    "dimension": "Dimension",
    "subdimension": "Sub-dimension",
    "qtype": "Question type",
    "scope": "Scope",
}
LIST_COLUMNS: tuple[str, ...] = (
    "#",
    "ID",
    "Type",
    "Source",
    "Dimension",
    "Sub-dimension",
    "Scope",
    "Right",
    "Scores",
    "Question",
)
LIST_WIDTHS: list[str] = [
    "56px",
    "110px",
    "62px",
    "74px",
    "92px",
    "124px",
    "72px",
    "66px",
    "96px",
    "420px",
]


@dataclass(frozen=True)
class ItemFilters:
    """None (or "") means any value."""

    image_source: str | None = None
    dimension: str | None = None
    subdimension: str | None = None
    qtype: str | None = None
    scope: str | None = None
    outcome: str = "all"


def _check_aligned(bench: Benchmark, name: str, frame: pd.DataFrame) -> None:
    ids = bench.items["id"].to_numpy(dtype=object)
    if len(frame) != len(ids) or not np.array_equal(frame["id"].to_numpy(dtype=object), ids):
        raise ValueError(
            f"stored items of {name!r} do not match the loaded benchmark (re-score needed)"
        )


def score_matrix(bench: Benchmark, frames: Mapping[str, pd.DataFrame]) -> np.ndarray:
    """Item scores, shape (items, models), NaN where unknown (OE unjudged / judge failed)."""
    cols = []
    for name, frame in frames.items():
        _check_aligned(bench, name, frame)
        cols.append(frame["score"].to_numpy(dtype=np.float64))
    return np.column_stack(cols) if cols else np.empty((len(bench), 0))


def _disagree(
    bench: Benchmark, frames: Mapping[str, pd.DataFrame], scores: np.ndarray
) -> np.ndarray:
    """Closed items: the models' parsed answers differ (an unreadable answer is its own
    answer). OE items: their scores differ (unknown is its own score)."""
    if scores.shape[1] < 2:
        return np.zeros(len(bench), dtype=bool)
    parsed = np.column_stack(
        [f["parsed"].astype("object").fillna("∅").to_numpy(dtype=object) for f in frames.values()]
    )
    closed = (parsed != parsed[:, :1]).any(axis=1)
    keyed = np.where(np.isnan(scores), -1.0, scores)
    oe = (keyed != keyed[:, :1]).any(axis=1)
    return np.where(bench.arrays["qtype"] == "OE", oe, closed)


def filter_mask(
    bench: Benchmark, frames: Mapping[str, pd.DataFrame], filters: ItemFilters
) -> np.ndarray:
    """Boolean mask over the benchmark's items."""
    mask = np.ones(len(bench), dtype=bool)
    for fld in FILTER_FIELDS:
        value = getattr(filters, fld)
        if value:
            mask &= bench.arrays[fld] == value
    if filters.outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {filters.outcome!r}; one of {', '.join(OUTCOMES)}")
    if filters.outcome == "all":
        return mask
    if filters.outcome == "unreadable":  # unreadable, refused or missing (the audit's count)
        if not frames:
            return np.zeros(len(bench), dtype=bool)
        bad = np.zeros(len(bench), dtype=bool)
        for name, frame in frames.items():
            _check_aligned(bench, name, frame)
            bad |= frame["status"].isin(UNUSABLE_STATUSES).to_numpy()
        return mask & bad
    scores = score_matrix(bench, frames)
    if scores.shape[1] == 0:
        return np.zeros(len(bench), dtype=bool)
    wrong = scores < 1.0  # NaN (unknown) is neither right nor wrong
    if filters.outcome == "any_wrong":
        mask &= wrong.any(axis=1)
    elif filters.outcome == "all_wrong":
        mask &= wrong.all(axis=1)
    else:
        mask &= _disagree(bench, frames, scores)
    return mask


SCORES_SHOWN = 10  # per-model scores spelled out in the list; "Right" counts them all


def _score_texts(scores: np.ndarray) -> list[str]:
    """'1 · 0 · ½ · ?' per row for the first SCORES_SHOWN models (vectorised)."""
    shown = scores[:, :SCORES_SHOWN]
    chars = np.select(
        [np.isnan(shown), shown == 1.0, shown == 0.0, shown == 0.5],
        ["?", "1", "0", "½"],
        default="~",
    )
    more = " · …" if scores.shape[1] > SCORES_SHOWN else ""
    return [" · ".join(row) + more for row in chars.tolist()]


def item_list(
    bench: Benchmark,
    frames: Mapping[str, pd.DataFrame],
    filters: ItemFilters,
    question_chars: int = 90,
) -> pd.DataFrame:
    """The matching items, one row each: categories, how many chosen models got full
    credit, their scores in the chosen order, and the question's start."""
    mask = filter_mask(bench, frames, filters)
    pos = np.flatnonzero(mask)
    items = bench.items.iloc[pos]
    scores = score_matrix(bench, frames)[pos] if frames else np.empty((len(pos), 0))
    right = (scores == 1.0).sum(axis=1)
    questions = items["question"].astype(str)
    short = questions.where(
        questions.str.len() <= question_chars, questions.str.slice(0, question_chars - 1) + "…"
    )
    return pd.DataFrame(
        {
            "#": pos + 1,
            "ID": items["id"].to_numpy(),
            "Type": items["qtype"].to_numpy(),
            "Source": [LABELS.get(s, s) for s in items["image_source"]],
            "Dimension": [LABELS.get(s, s) for s in items["dimension"]],
            "Sub-dimension": items["subdimension"].to_numpy(),
            "Scope": [LABELS.get(s, s) for s in items["scope"]],
            "Right": [f"{r}/{scores.shape[1]}" for r in right],
            "Scores": _score_texts(scores),
            "Question": short.to_numpy(),
        },
        columns=list(LIST_COLUMNS),
    )


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if v is pd.NA:
        return None
    return v


def item_detail(
    bench: Benchmark, item_id: str, frames: Mapping[str, pd.DataFrame]
) -> dict[str, Any]:
    """One item with every chosen model's raw answer, parsed answer, status and score.
    Raises KeyError for an unknown id."""
    pos = bench.index_of[item_id]
    row = bench.items.iloc[pos]
    gold = str(row["answer"])
    options = [
        {
            "letter": OPTION_LETTERS[i],
            "text": str(t),
            "gold": row["qtype"] in CHOICE_QTYPES and OPTION_LETTERS[i] in gold,
        }
        for i, t in enumerate(row["options"])
    ]
    models = []
    for name, frame in frames.items():
        _check_aligned(bench, name, frame)
        rec = frame.iloc[pos]
        models.append(
            {
                "model": name,
                "raw": _plain(rec["raw"]),
                "parsed": _plain(rec["parsed"]),
                "status": _plain(rec["status"]),
                "score": _plain(rec["score"]),
                "judge_score": _plain(rec.get("judge_score")),
                "judge_raw": _plain(rec.get("judge_raw")),
            }
        )
    return {
        "id": item_id,
        "position": int(pos) + 1,
        "total": len(bench),
        "question": str(row["question"]),
        "qtype": row["qtype"],
        "scope": row["scope"],
        "image_source": row["image_source"],
        "source_dataset": row["source_dataset"],
        "dimension": row["dimension"],
        "subdimension": row["subdimension"],
        "options": options,
        "answer": gold,
        "file_name": str(row["file_name"]),
        "models": models,
    }


@dataclass(frozen=True)
class ListPlace:
    """Where the shown item sits in the filtered list: `index` (1-based) of `listed`, or
    None when the item is not in the list (opened by id)."""

    index: int | None
    listed: int

    def text(self, position: int, total: int) -> str:
        """ "3 of 173" in the list; else "not among the 173 listed; #17 of 2765"."""
        if self.index is not None:
            return f"{self.index} of {self.listed}"
        return f"not among the {self.listed} listed; #{position} of {total} in the benchmark"


def list_place(ids: Sequence[str], item_id: str) -> ListPlace:
    """The item's place in the filtered list of `ids` (benchmark order)."""
    try:
        return ListPlace(list(ids).index(item_id) + 1, len(ids))
    except ValueError:
        return ListPlace(None, len(ids))


def neighbour(ids: Sequence[str], current: str | None, step: int) -> str | None:
    """The id `step` places from `current` in the filtered list (wrapping); the first id
    when `current` is not in the list."""
    if not ids:
        return None
    if current not in ids:
        return ids[0] if step >= 0 else ids[-1]
    return ids[(list(ids).index(current) + step) % len(ids)]


def resolve_models(
    requested: Sequence[str] | str | None, available: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Match requested names (a list, or one comma-separated string as in ?models=a,b) to
    the available verified models, ignoring case and spacing. Returns (found, unknown)."""
    if requested is None:
        return [], []
    if isinstance(requested, str):
        whole = requested.strip()
        by_key = {model_key(a): a for a in available}
        if model_key(whole) in by_key:  # a name that itself contains a comma
            return [by_key[model_key(whole)]], []
        requested = [p for p in whole.split(",") if p.strip()]
    by_key = {model_key(a): a for a in available}
    found, unknown = [], []
    for name in requested:
        hit = by_key.get(model_key(name))
        if hit is None:
            unknown.append(name)
        elif hit not in found:
            found.append(hit)
    return found, unknown


# ---------------------------------------------------------------------------- rendering

#: The item card before an item is chosen.
EMPTY_ITEM_HTML = "<div class='qbp-empty'>Pick an item from the list.</div>"


def _esc(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def count_markdown(matching: int, total: int, models: Sequence[str]) -> str:
    """The line above the item list: how many items match, for which models. The names are
    visitor text inside Markdown: `md_escape`d, so none becomes an image, link or tag."""
    who = ", ".join(md_escape(m) for m in models) or "no model chosen"
    return f"**{matching}** of {total} items match · models: {who}"


_STATUS_CLASS = {
    "ok": "ok",
    "judged": "ok",
    "unreadable": "bad",
    "refused": "bad",
    "missing": "bad",
    "unjudged": "warn",
    "judge_failed": "warn",
}


def _score_html(score: Any) -> str:
    if score is None:
        return "<span class='qbp-score warn'>unscored</span>"
    cls = "ok" if score >= 1 else ("part" if score > 0 else "bad")
    return f"<span class='qbp-score {cls}'>{score:g}</span>"


def render_item_html(detail: Mapping[str, Any], place: ListPlace | None = None) -> str:
    """The item card: question, options with the gold one(s) marked, and one block per
    model. The heading counts the item within the filtered list (`place`), else within the
    benchmark. Every piece of data is escaped; raw answers sit in <pre> as text."""
    cats = " · ".join(
        _esc(x)
        for x in (
            LONG_LABELS.get(detail["image_source"], detail["image_source"]),
            detail["source_dataset"],
            LONG_LABELS.get(detail["dimension"], detail["dimension"]),
            detail["subdimension"],
            LONG_LABELS.get(detail["qtype"], detail["qtype"]),
            LABELS.get(detail["scope"], detail["scope"]),
        )
    )
    where = (
        place.text(detail["position"], detail["total"])
        if place is not None
        else f"{detail['position']} of {detail['total']}"
    )
    parts = [
        f"<div class='qbp-item'><div class='qbp-meta'>Item <b>{_esc(detail['id'])}</b> "
        f"(<span class='qbp-place'>{_esc(where)}</span>) — {cats}</div>",
        f"<div class='qbp-question'>{_esc(detail['question'])}</div>",
    ]
    if detail["options"]:
        lis = "".join(
            f"<li class='{'gold' if o['gold'] else ''}'><b>{_esc(o['letter'])}.</b> "
            f"{_esc(o['text'])}{' <span class=qbp-gold>✔ gold</span>' if o['gold'] else ''}"
            "</li>"
            for o in detail["options"]
        )
        parts.append(f"<ol class='qbp-options'>{lis}</ol>")
    label = "Reference answer" if detail["qtype"] == "OE" else "Gold answer"
    parts.append(f"<div class='qbp-answer'><b>{label}:</b> {_esc(detail['answer'])}</div>")
    if not detail["models"]:
        parts.append(
            "<div class='qbp-empty'>Choose one or more verified models to see their answers.</div>"
        )
    for m in detail["models"]:
        status = m["status"] or ""
        raw = m["raw"]
        raw_html = (
            "<i>(no answer in the file)</i>"
            if raw is None
            else f"<pre class='qbp-raw'>{_esc(raw)}</pre>"
        )
        judge = ""
        if detail["qtype"] == "OE" and (m["judge_raw"] or m["judge_score"] is not None):
            judge = (
                f"<div class='qbp-judge'><b>Judge</b> (score {_esc(m['judge_score'])}/2):"
                f"<pre class='qbp-raw'>{_esc(m['judge_raw'])}</pre></div>"
            )
        parsed = "—" if m["parsed"] is None else _esc(m["parsed"])
        if detail["qtype"] == "OE":
            parsed = "(free text, judged)" if m["parsed"] is not None else "—"
        parts.append(
            f"<div class='qbp-model'><div class='qbp-model-head'><b>{_esc(m['model'])}</b> "
            f"<span class='qbp-status {_STATUS_CLASS.get(status, '')}'>{_esc(status)}</span> "
            f"parsed: <code>{parsed}</code> score: {_score_html(m['score'])}</div>"
            f"{raw_html}{judge}</div>"
        )
    parts.append("</div>")
    return "".join(parts)
