"""A model's version N against version N-1: what the new upload changed, and is it real?

Both versions answered the same benchmark items, so the comparison is paired, exactly as two
models are compared (analysis/compare.py): per cell of Tables 3-6 the difference new minus
old with a paired-bootstrap interval (`stats.paired_difference` on a shared plan), McNemar's
exact test on the closed-ended items (`stats.mcnemar_exact`), and the items whose score
flipped (`changes.item_flips`, with the parsed answers on both sides). Nothing here
re-implements a statistic: it calls the ones the board and Compare tab use.

Where it is called from (integration): the version-diff view (analysis/trust_views) with
`counts=analysis.intervals.shared_plan(bench)`, so intervals agree with the board; the API
with two stored versions of one model (`store.versions(model)[-2:]`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .benchmark import Benchmark
from .bootstrap import (
    DEFAULT_LEVEL,
    DEFAULT_RESAMPLES,
    cell_means,
    mcnemar_exact,
    paired_difference,
)
from .changes import item_flips
from .scoring import cell_masks
from .taxonomy import CLOSED_QTYPES

#: Columns of `VersionDiff.cells` (points = percent).
DIFF_COLUMNS: tuple[str, ...] = (
    "table",
    "cell",
    "n_items",
    "old",
    "new",
    "delta",
    "low",
    "high",
    "significant",
)


@dataclass(frozen=True)
class VersionDiff:
    """Version `new_version` minus `old_version` of one model (points)."""

    model: str
    old_version: int | None
    new_version: int | None
    cells: pd.DataFrame  # DIFF_COLUMNS, Tables 3-6 in taxonomy order
    flips: list[dict[str, Any]]  # changes.FLIP_KEYS, benchmark order
    mcnemar: tuple[int, int, float, int]  # (new right & old wrong, the reverse, p, n items)
    level: float
    resamples: int

    def overall(self) -> tuple[float, float, float] | None:
        """(delta, low, high) on Overall, None when either version's Overall is null."""
        row = self.cells[
            (self.cells["table"] == "table3") & (self.cells["cell"] == "Overall")
        ].iloc[0]
        return (
            None
            if pd.isna(row["delta"])
            else (float(row["delta"]), float(row["low"]), float(row["high"]))
        )


def _num(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _aligned_scores(bench: Benchmark, items: pd.DataFrame, what: str) -> np.ndarray:
    ids = bench.items["id"].to_numpy(dtype=object)
    got = items["id"].to_numpy(dtype=object)
    if len(got) != len(ids) or not np.array_equal(got, ids):
        raise ValueError(
            f"{what} was scored against another benchmark version; re-score it "
            "before comparing versions"
        )
    return items["score"].to_numpy(dtype=np.float64, na_value=np.nan)


def version_diff(
    bench: Benchmark,
    model: str,
    old_items: pd.DataFrame,
    new_items: pd.DataFrame,
    *,
    old_version: int | None = None,
    new_version: int | None = None,
    counts: np.ndarray | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> VersionDiff:
    """Paired comparison of two versions' items (both in the loaded benchmark's order)."""
    old = _aligned_scores(bench, old_items, f"version {old_version or 'old'} of {model}")
    new = _aligned_scores(bench, new_items, f"version {new_version or 'new'} of {model}")
    masks = cell_masks(bench)
    pd_cells = paired_difference(
        new,
        old,
        masks,
        counts=counts,
        resamples=resamples,
        seed=seed,
        level=level,
        clusters=None if counts is not None else bench.image_clusters,
    )
    old_means, new_means = cell_means(np.vstack([old, new]), masks)
    n = masks.matrix.sum(axis=1)
    keys = masks.names  # the order paired_difference returns its cells in
    cells = pd.DataFrame(
        {
            "table": [k[0] for k in keys],
            "cell": [k[1] for k in keys],
            "n_items": n,
            "old": [_num(old_means[t][c]) for t, c in keys],
            "new": [_num(new_means[t][c]) for t, c in keys],
            "delta": pd_cells.diff,
            "low": pd_cells.low,
            "high": pd_cells.high,
            "significant": pd_cells.significant(),
        },
        columns=list(DIFF_COLUMNS),
    )
    closed = np.isin(bench.arrays["qtype"], CLOSED_QTYPES) & ~np.isnan(old) & ~np.isnan(new)
    b, c, p = mcnemar_exact(new[closed], old[closed])
    flips, _ = item_flips(old_items, new_items)
    plan_size = counts.shape[0] if counts is not None else resamples
    return VersionDiff(
        model,
        old_version,
        new_version,
        cells,
        flips,
        (b, c, p, int(closed.sum())),
        level,
        int(plan_size),
    )


def version_pair(versions: list[Any]) -> tuple[Any, Any] | None:
    """(N-1, N) from a model's stored versions, oldest first (`store.versions(model)`);
    None when there is only one."""
    return None if len(versions) < 2 else (versions[-2], versions[-1])


def diff_json(diff: VersionDiff) -> dict[str, Any]:
    """The diff for the API: cells as a list of rows (None for null), flips, McNemar."""
    cells = [
        {
            k: (
                None
                if isinstance(v, float) and np.isnan(v)
                else (bool(v) if k == "significant" else v)
            )
            for k, v in row.items()
        }
        for row in diff.cells.to_dict(orient="records")
    ]
    b, c, p, n = diff.mcnemar
    return {
        "model": diff.model,
        "old_version": diff.old_version,
        "new_version": diff.new_version,
        "level": diff.level,
        "resamples": diff.resamples,
        "cells": cells,
        "flips": diff.flips,
        "mcnemar": {"new_right_old_wrong": b, "old_right_new_wrong": c, "p": p, "n_items": n},
    }
