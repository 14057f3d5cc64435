"""Scoring one submission: extraction, item scores, judging of OE items, all tables.

Item score: SC/TF 1 if the parsed answer is the gold one; MC 1 only for the exact gold set;
OE judge score / 2. Unreadable, missing and refused answers stay in the denominator with 0.
OE items without a judge are `unjudged` and their cells null, never guessed.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from . import SCORER_VERSION
from .benchmark import Benchmark
from .extract import extract
from .judging import Judge, JudgeRequest, Progress
from .predictions import ParseReport
from .tables import CellMasks, TableResult, build_cell_masks, compute_tables, random_baseline

#: Every item status, in report order.
STATUSES: tuple[str, ...] = ("ok", "unreadable", "refused", "missing", "judged", "unjudged",
                             "judge_failed")
ITEM_COLUMNS: tuple[str, ...] = ("id", "qtype", "raw", "parsed", "status", "score",
                                 "judge_score", "judge_raw")


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
            "benchmark": {"path": self.benchmark.source, "hash": self.benchmark.hash,
                          "items": len(self.benchmark)},
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
                {k: _json_value(v) for k, v in row.items() if k != "raw"
                 and (k not in ("judge_score", "judge_raw") or row["qtype"] == "OE")}
                for row in self.items.to_dict(orient="records")]
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


def score_predictions(bench: Benchmark, predictions: dict[str, str | None],
                      judge: Judge | None = None, report: ParseReport | None = None,
                      progress: Progress | None = None) -> ScoreResult:
    """Score raw answers (id -> text; absent ids are `missing`) against the benchmark."""
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
    judge_score: list[int | None] = [None] * n
    judge_raw: list[str | None] = [None] * n
    to_judge: list[int] = []
    for i in range(n):
        ex = _extract_cached(qtypes[i], raws[i], tuple(options[i]))
        parsed[i], status[i] = ex.parsed, ex.status
        if ex.status != "ok":
            continue  # unreadable / refused / missing: 0 in the denominator
        if qtypes[i] == "OE":
            to_judge.append(i)
            score[i] = np.nan
            status[i] = "unjudged"
        else:
            score[i] = 1.0 if ex.parsed == golds[i] else 0.0
    judge_info = None
    if judge is not None and to_judge:
        questions = items["question"].tolist()
        requests = [JudgeRequest(questions[i], golds[i], parsed[i] or "") for i in to_judge]
        for i, j in zip(to_judge, judge.judge(requests, progress=progress)):
            judge_raw[i] = j.raw
            if j.status == "judged" and j.score is not None:
                judge_score[i] = j.score
                score[i] = j.score / 2.0
                status[i] = "judged"
            else:
                status[i] = "judge_failed"
    if judge is not None:
        judge_info = judge.info.as_dict()
    frame = pd.DataFrame({"id": ids, "qtype": qtypes, "raw": raws, "parsed": parsed,
                          "status": status, "score": score, "judge_score": judge_score,
                          "judge_raw": judge_raw}, columns=list(ITEM_COLUMNS))
    status_arr = np.asarray(status, dtype=object)
    tables = compute_tables(cell_masks(bench), score, status_arr)
    counts = Counter(status)
    return ScoreResult(benchmark=bench, items=frame, tables=tables,
                       status_counts={s: counts.get(s, 0) for s in STATUSES},
                       report=report, judge=judge_info)
