"""Agreement between two judges on the same open-ended answers.

When one submission's OE answers were judged twice (the approximate judge and the reference
one, or two reference models), the question is not only "how often do they give the same
0/1/2" but "does it change the board". So: exact agreement, Cohen's weighted kappa on the
ordinal 0/1/2 scale (quadratic and linear weights; chance-corrected, so a judge that always
says 1 does not look good), the confusion matrix, the OE cells and the Overall rank under
each judge, and the answers they disagree on (ids, to open in the drill-down).

Weighted kappa (Cohen 1968): with observed proportions O (k x k), expected proportions
E = outer(row marginals, column marginals) and disagreement weights W (0 on the diagonal;
linear |i-j|/(k-1), quadratic (i-j)^2/(k-1)^2, unweighted 1 off the diagonal),
kappa = 1 - sum(W * O) / sum(W * E). It is undefined (None) when sum(W * E) is 0, i.e. both
judges used one and the same score for every answer.

Where it is called from (integration): the admin's re-judge action stores the re-judged
items beside the original (or as a change record); the agreement view and the API call
`judge_agreement(items_a, items_b, bench=..., others_overall=...)` with the two items frames
(items.parquet of each judging) and the other verified rows' Overall values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .benchmark import Benchmark
from .scoring import cell_masks
from .tables import compute_tables

SCORES: tuple[int, ...] = (0, 1, 2)
WEIGHTINGS: tuple[str, ...] = ("quadratic", "linear", "none")
#: The cells that depend on the judge (table, cell), then Overall.
JUDGED_CELLS: tuple[tuple[str, str], ...] = (
    ("table3", "OE"),
    ("table6", "OE_Global"),
    ("table6", "OE_Local"),
    ("table3", "Overall"),
)


def confusion_matrix(
    a: Sequence[int], b: Sequence[int], categories: Sequence[int] = SCORES
) -> np.ndarray:
    """Counts (k x k): rows are judge A's score, columns judge B's."""
    a_arr, b_arr = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    if a_arr.shape != b_arr.shape or a_arr.ndim != 1:
        raise ValueError(
            f"two equal-length score lists needed, got shapes {a_arr.shape} and {b_arr.shape}"
        )
    cats = list(categories)
    index = {c: i for i, c in enumerate(cats)}
    bad = sorted({int(x) for x in np.concatenate([a_arr, b_arr]) if int(x) not in index})
    if bad:
        raise ValueError(f"scores {bad} are not among the categories {cats}")
    k = len(cats)
    ia = np.fromiter((index[int(x)] for x in a_arr), dtype=np.int64, count=a_arr.size)
    ib = np.fromiter((index[int(x)] for x in b_arr), dtype=np.int64, count=b_arr.size)
    return np.bincount(ia * k + ib, minlength=k * k).reshape(k, k)


def disagreement_weights(k: int, weighting: str = "quadratic") -> np.ndarray:
    """W (k x k) for ordinal categories 0..k-1: 0 on the diagonal, 1 at the extremes."""
    if weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {', '.join(WEIGHTINGS)}, got {weighting!r}")
    i, j = np.indices((k, k))
    if weighting == "none":
        return (i != j).astype(np.float64)
    dist = np.abs(i - j) / max(k - 1, 1)
    return dist**2 if weighting == "quadratic" else dist


def weighted_kappa(
    a: Sequence[int],
    b: Sequence[int],
    weighting: str = "quadratic",
    categories: Sequence[int] = SCORES,
) -> float | None:
    """Cohen's weighted kappa of two judges' scores on the same items (None if undefined)."""
    counts = confusion_matrix(a, b, categories).astype(np.float64)
    n = counts.sum()
    if n == 0:
        return None
    observed = counts / n
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    w = disagreement_weights(len(categories), weighting)
    chance = float((w * expected).sum())
    if chance == 0.0:
        return None
    return 1.0 - float((w * observed).sum()) / chance


@dataclass(frozen=True)
class JudgeAgreement:
    """Two judges (A, B) on one submission's open-ended answers."""

    label_a: str
    label_b: str
    n_items: int  # OE items both judges scored
    exact: float | None  # share of those with the same score (0..1)
    kappa_quadratic: float | None
    kappa_linear: float | None
    confusion: np.ndarray  # 3 x 3 counts, rows A, columns B
    disagreements: pd.DataFrame  # id, a_score, b_score (judge scores 0/1/2), item order
    only_a: list[str] = field(default_factory=list)  # OE ids only A could score
    only_b: list[str] = field(default_factory=list)
    cells: dict[str, dict[str, float | None]] = field(default_factory=dict)  # A/B -> cell
    overall_rank: dict[str, int | None] = field(default_factory=dict)  # A/B -> rank

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (for the API)."""
        return {
            "judge_a": self.label_a,
            "judge_b": self.label_b,
            "n_items": self.n_items,
            "exact": self.exact,
            "kappa_quadratic": self.kappa_quadratic,
            "kappa_linear": self.kappa_linear,
            "confusion": self.confusion.tolist(),
            "disagreements": self.disagreements.to_dict(orient="records"),
            "only_a": self.only_a,
            "only_b": self.only_b,
            "cells": self.cells,
            "overall_rank": self.overall_rank,
        }


def _judge_scores(items: pd.DataFrame) -> pd.Series:
    oe = items[items["qtype"] == "OE"]
    return pd.Series(oe["judge_score"].to_numpy(dtype=object), index=oe["id"].tolist())


def _cells(bench: Benchmark, items: pd.DataFrame) -> dict[str, float | None]:
    ids = bench.items["id"].to_numpy(dtype=object)
    if len(items) != len(ids) or not np.array_equal(items["id"].to_numpy(dtype=object), ids):
        raise ValueError("the judged items do not match the loaded benchmark (re-score)")
    scores = items["score"].to_numpy(dtype=np.float64, na_value=np.nan)
    values = compute_tables(cell_masks(bench), scores).values
    return {cell: values[table][cell] for table, cell in JUDGED_CELLS}


def _rank(overall: float | None, others: Sequence[float | None]) -> int | None:
    if overall is None:
        return None
    return 1 + sum(1 for v in others if v is not None and v > overall)


def judge_agreement(
    items_a: pd.DataFrame,
    items_b: pd.DataFrame,
    *,
    label_a: str = "judge A",
    label_b: str = "judge B",
    bench: Benchmark | None = None,
    others_overall: Sequence[float | None] | None = None,
) -> JudgeAgreement:
    """Agreement of two judgings of the same answers (items frames with id, qtype,
    judge_score, and score when `bench` is given). With `bench`, the OE cells and Overall
    under each judge; with `others_overall` too (the other rows' Overall), the rank each
    judge would give this row."""
    sa, sb = _judge_scores(items_a), _judge_scores(items_b)
    common = [i for i in sa.index if i in sb.index]
    a_vals, b_vals = sa.reindex(common), sb.reindex(common)
    a_known, b_known = a_vals.notna().to_numpy(), b_vals.notna().to_numpy()
    both = a_known & b_known
    ids = np.asarray(common, dtype=object)
    a = a_vals.to_numpy(dtype=object)[both].astype(np.int64)
    b = b_vals.to_numpy(dtype=object)[both].astype(np.int64)
    n = int(both.sum())
    differ = a != b
    disagreements = pd.DataFrame(
        {"id": ids[both][differ].tolist(), "a_score": a[differ], "b_score": b[differ]}
    )
    cells: dict[str, dict[str, float | None]] = {}
    ranks: dict[str, int | None] = {}
    if bench is not None:
        cells = {"a": _cells(bench, items_a), "b": _cells(bench, items_b)}
        if others_overall is not None:
            ranks = {k: _rank(v["Overall"], others_overall) for k, v in cells.items()}
    return JudgeAgreement(
        label_a=label_a,
        label_b=label_b,
        n_items=n,
        exact=None if n == 0 else float(np.mean(a == b)),
        kappa_quadratic=weighted_kappa(a, b, "quadratic"),
        kappa_linear=weighted_kappa(a, b, "linear"),
        confusion=confusion_matrix(a, b),
        disagreements=disagreements,
        only_a=ids[a_known & ~b_known].tolist(),
        only_b=ids[b_known & ~a_known].tolist(),
        cells=cells,
        overall_rank=ranks,
    )
