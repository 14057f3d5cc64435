"""Scoring one submission: extraction, item scores, judging of OE items, all tables.

Item score: SC/TF 1 if the parsed answer is the gold one; MC 1 only for the exact gold set;
OE judge score / 2. Unreadable, missing and refused answers stay in the denominator with 0.
OE items without a judge are `unjudged` and their cells null, never guessed.
"""

from __future__ import annotations

import inspect
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from . import SCORER_VERSION
from .benchmark import Benchmark
from .extract import extract
from .judges import Judge, JudgeRequest, Progress
from .judges.budget import BudgetMeter
from .predictions import ParseReport
from .tables import CellMasks, TableResult, build_cell_masks, compute_tables, random_baseline

#: Every item status, in report order.
STATUSES: tuple[str, ...] = (
    "ok",
    "unreadable",
    "refused",
    "missing",
    "judged",
    "unjudged",
    "judge_failed",
)
ITEM_COLUMNS: tuple[str, ...] = (
    "id",
    "qtype",
    "raw",
    "parsed",
    "status",
    "score",
    "judge_score",
    "judge_raw",
)


_MASK_CACHE: dict[str, CellMasks] = {}


def cell_masks(bench: Benchmark) -> CellMasks:
    """Masks of every table cell for a benchmark, computed once per benchmark version."""
    key = f"{bench.hash}:{len(bench)}"
    if key not in _MASK_CACHE:
        _MASK_CACHE[key] = build_cell_masks(bench.arrays, len(bench))
    return _MASK_CACHE[key]


def baseline(bench: Benchmark) -> TableResult:
    """The analytic Random row of a benchmark (an SC item with k options counts 1/k)."""
    n_options = np.fromiter((len(o) for o in bench.items["options"]), float, len(bench))
    return random_baseline(cell_masks(bench), bench.arrays["qtype"], n_options)


@dataclass
class ScoreResult:
    """A scored submission: per-item rows and every table cell, with what they rest on."""

    benchmark: Benchmark
    items: pd.DataFrame  # ITEM_COLUMNS, benchmark order
    tables: TableResult
    status_counts: dict[str, int]
    report: ParseReport | None = None
    judge: dict[str, Any] | None = None
    scorer_version: str = SCORER_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def scores(self) -> np.ndarray:
        return self.items["score"].to_numpy(dtype=np.float64)

    def to_json(self, include_items: bool = True) -> dict[str, Any]:
        """The CLI's JSON contract (see README)."""
        base = baseline(self.benchmark)
        out: dict[str, Any] = {
            "benchmark": {
                "path": self.benchmark.source,
                "hash": self.benchmark.hash,
                "items": len(self.benchmark),
            },
            "scorer_version": self.scorer_version,
            "tables": self.tables.values,
            "counts": self.tables.counts,
            "null_reasons": self.tables.null_reasons,
            "random_baseline": base.values,
            "status_counts": self.status_counts,
        }
        if self.report is not None:
            out["parse_report"] = self.report.as_dict()
        if self.judge is not None:
            out["judge"] = self.judge
        out.update(self.extra)
        if include_items:
            out["items"] = [
                {
                    k: _json_value(v)
                    for k, v in row.items()
                    if k != "raw"
                    and (k not in ("judge_score", "judge_raw") or row["qtype"] == "OE")
                }
                for row in self.items.to_dict(orient="records")
            ]
        return out


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


@lru_cache(maxsize=65536)
def _extract_cached(qtype: str, raw: str | None, options: tuple[str, ...]):
    return extract(qtype, raw, options)


def score_closed(
    bench: Benchmark, predictions: dict[str, str | None], report: ParseReport | None = None
) -> ScoreResult:
    """Extract every answer and score the closed-ended items (id -> raw text; absent ids are
    `missing`). Readable OE answers are left `unjudged` (score NaN) for `judge_open`: this is
    the whole result when no judge is configured, and the pending row while one works."""
    items = bench.items
    n = len(items)
    ids = items["id"].tolist()
    qtypes = items["qtype"].tolist()
    golds = items["answer"].tolist()
    options = items["options"].tolist()
    raws: list[str | None] = [predictions.get(i) for i in ids]
    parsed: list[str | None] = [None] * n
    status: list[str] = [""] * n
    score = np.zeros(n, dtype=np.float64)
    for i in range(n):
        ex = _extract_cached(qtypes[i], raws[i], tuple(options[i]))
        parsed[i], status[i] = ex.parsed, ex.status
        if ex.status != "ok":
            continue  # unreadable / refused / missing: 0 in the denominator
        if qtypes[i] == "OE":
            score[i] = np.nan
            status[i] = "unjudged"
        else:
            score[i] = 1.0 if ex.parsed == golds[i] else 0.0
    frame = pd.DataFrame(
        {
            "id": ids,
            "qtype": qtypes,
            "raw": raws,
            "parsed": parsed,
            "status": status,
            "score": score,
            "judge_score": [None] * n,
            "judge_raw": [None] * n,
        },
        columns=list(ITEM_COLUMNS),
    )
    return _result(bench, frame, report, None)


def cut_note(limit: int) -> str:
    """What an item's judge text starts with when its answer was cut for the judge."""
    return f"[answer cut to {limit} characters for the judge]"


def _takes_budget(judge: Judge) -> bool:
    try:
        return "budget" in inspect.signature(judge.judge).parameters
    except (TypeError, ValueError):
        return False


def judge_open(
    result: ScoreResult,
    judge: Judge | None,
    progress: Progress | None = None,
    max_answer_chars: int | None = None,
    budget: BudgetMeter | None = None,
) -> ScoreResult:
    """`result` with its unjudged OE answers judged: a new result (the input, which may be
    cached or shown as a pending row, is not changed). Nothing is extracted again. With no
    judge the result is returned as it is (OE stays unjudged).

    An answer longer than `max_answer_chars` is cut there before it is sent (the item's
    judge text says so: `cut_note`); `budget` (one submission's) is handed to a judge that
    takes one, which fails the items it no longer covers."""
    if judge is None:
        return result
    frame = result.items.copy()
    to_judge = np.flatnonzero(frame["status"].to_numpy(dtype=object) == "unjudged")
    if len(to_judge):
        bench = result.benchmark
        questions = bench.items["question"].tolist()
        golds = bench.items["answer"].tolist()
        parsed = frame["parsed"].tolist()
        answers = [parsed[i] or "" for i in to_judge]
        cap = max_answer_chars or 0
        cut = [cap > 0 and len(a) > cap for a in answers]
        requests = [
            JudgeRequest(questions[i], golds[i], a[:max_answer_chars] if c else a)
            for i, a, c in zip(to_judge, answers, cut, strict=False)
        ]
        status = frame["status"].tolist()
        score = frame["score"].to_numpy(dtype=np.float64).copy()
        judge_score = frame["judge_score"].tolist()
        judge_raw = frame["judge_raw"].tolist()
        extra = {"budget": budget} if budget is not None and _takes_budget(judge) else {}
        judgements = judge.judge(requests, progress=progress, **extra)
        for i, j, c in zip(to_judge, judgements, cut, strict=False):
            judge_raw[i] = f"{cut_note(max_answer_chars or 0)}\n{j.raw}" if c else j.raw
            if j.status == "judged" and j.score is not None:
                judge_score[i] = j.score
                score[i] = j.score / 2.0
                status[i] = "judged"
            else:
                status[i] = "judge_failed"
        frame["status"], frame["score"] = status, score
        frame["judge_score"], frame["judge_raw"] = judge_score, judge_raw
    return _result(result.benchmark, frame, result.report, judge.info.as_dict())


def score_predictions(
    bench: Benchmark,
    predictions: dict[str, str | None],
    judge: Judge | None = None,
    report: ParseReport | None = None,
    progress: Progress | None = None,
) -> ScoreResult:
    """Score raw answers (id -> text; absent ids are `missing`) against the benchmark:
    `score_closed`, then `judge_open`."""
    return judge_open(score_closed(bench, predictions, report), judge, progress)


def from_items(
    bench: Benchmark,
    items: pd.DataFrame,
    report: ParseReport | None = None,
    judge_info: dict[str, Any] | None = None,
) -> ScoreResult:
    """A result from a stored items table (ITEM_COLUMNS, benchmark order), its tables and
    counts computed again: what re-judging starts from. ValueError when the items do not
    line up with the benchmark (the submission needs a re-score first)."""
    ids = bench.items["id"].to_numpy(dtype=object)
    if len(items) != len(ids) or not np.array_equal(items["id"].to_numpy(dtype=object), ids):
        raise ValueError("its items do not line up with the loaded benchmark")
    frame = items[list(ITEM_COLUMNS)].reset_index(drop=True).copy()
    frame["judge_score"] = [None if pd.isna(v) else int(v) for v in frame["judge_score"]]
    frame["judge_raw"] = [
        None if v is None or (isinstance(v, float) and np.isnan(v)) else v
        for v in frame["judge_raw"]
    ]
    return _result(bench, frame, report, judge_info)


def _result(
    bench: Benchmark,
    frame: pd.DataFrame,
    report: ParseReport | None,
    judge_info: dict[str, Any] | None,
) -> ScoreResult:
    status = frame["status"].to_numpy(dtype=object)
    tables = compute_tables(cell_masks(bench), frame["score"].to_numpy(dtype=np.float64), status)
    counts = Counter(status.tolist())
    return ScoreResult(
        benchmark=bench,
        items=frame,
        tables=tables,
        status_counts={s: counts.get(s, 0) for s in STATUSES},
        report=report,
        judge=judge_info,
    )
