"""Uncertainty for the leaderboard: bootstrap intervals, rank ranges, paired tests, item analysis.

The paper's models are often within 1-2 points of each other, while one score over 2,765
items carries a 95% interval of about +/-1.9 points. For verified (re-scored) rows we hold
per-item scores, so every table cell can show an interval, every rank a range ("2-4"), and
two models a paired comparison.

Conventions shared by every function here:

- `scores`: float array (n_models, n_items) of item scores in {0, 0.5, 1}, NaN where an OE
  item is unjudged or the judge failed. A cell containing any NaN item of a model is null
  for that model (value and interval None), as in the tables.
- `masks`: the cells. Accepted as a flat mapping `{cell: bool (n_items,)}`, a nested mapping
  `{table: {cell: mask}}` (what the tables module produces), or any object with `names` and
  `matrix` (n_cells, n_items) attributes (the tables module's `CellMasks`). Results come back
  keyed the same way (nested input -> nested output).
- `clusters`: optional label per item (image id). Items about the same image are correlated,
  so when given, the bootstrap resamples images and keeps all their items together.
- One resampling plan (`bootstrap_counts`) is shared by all models, so comparisons between
  models are paired. Everything is deterministic under `seed` (numpy Generator).

The plan is a (resamples, n_items) matrix of how often each item is drawn; every resampled
cell mean is then a matrix product restricted to the cell's items,
``counts[:, cell] @ scores[:, cell].T / counts[:, cell].sum(1)``, so there is no Python loop
over resamples or models (only over cells). Item sums are exact in float32 (they are
multiples of 0.5 far below 2**24).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from scipy.stats import binomtest, rankdata

#: A cell key: the cell name for flat masks, (table, cell) for nested masks.
CellKey = Hashable

DEFAULT_RESAMPLES = 2000
DEFAULT_LEVEL = 0.95


# ----------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Cells:
    """Masks flattened to one bool matrix, remembering how to give results back."""

    keys: tuple[CellKey, ...]
    matrix: np.ndarray  # bool (n_cells, n_items)
    nested: bool  # keys are (table, cell) and results should be nested dicts

    def unflatten(self, values: list[Any]) -> dict:
        """`values` (one per cell) keyed like the caller's masks."""
        if not self.nested:
            return dict(zip(self.keys, values, strict=False))
        out: dict = {}
        for key, v in zip(self.keys, values, strict=False):
            table, cell = cast(tuple[str, str], key)  # nested keys are (table, cell)
            out.setdefault(table, {})[cell] = v
        return out


def _as_cells(masks: Any, n_items: int) -> _Cells:
    if hasattr(masks, "names") and hasattr(masks, "matrix"):
        keys = tuple(tuple(k) if isinstance(k, list) else k for k in masks.names)
        matrix = np.asarray(masks.matrix, dtype=bool)
        nested = all(isinstance(k, tuple) and len(k) == 2 for k in keys)
    elif isinstance(masks, Mapping):
        nested = bool(masks) and all(isinstance(v, Mapping) for v in masks.values())
        if nested:
            pairs = [((t, c), m) for t, cells in masks.items() for c, m in cells.items()]
        else:
            pairs = list(masks.items())
        keys = tuple(k for k, _ in pairs)
        matrix = (
            np.vstack([np.asarray(m, dtype=bool) for _, m in pairs])
            if pairs
            else np.zeros((0, n_items), dtype=bool)
        )
    else:
        raise TypeError(
            "masks must be a mapping {cell: mask}, {table: {cell: mask}} "
            f"or an object with names and matrix, not {type(masks).__name__}"
        )
    if matrix.ndim != 2 or matrix.shape[1] != n_items:
        raise ValueError(f"masks have {matrix.shape[-1]} items, scores have {n_items}")
    return _Cells(keys, matrix, nested)


def _as_scores(scores: Any) -> np.ndarray:
    arr = np.asarray(scores, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"scores must be (n_models, n_items), got shape {arr.shape}")
    return arr


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return (1 - level) / 2


def _plan(
    n_items: int, counts: np.ndarray | None, resamples: int, seed: int, clusters: np.ndarray | None
) -> np.ndarray:
    if counts is None:
        return bootstrap_counts(n_items, resamples, seed, clusters)
    counts = np.asarray(counts, dtype=np.float32)
    if counts.ndim != 2 or counts.shape[1] != n_items:
        raise ValueError(f"counts must be (resamples, {n_items}), got shape {counts.shape}")
    return counts


# ----------------------------------------------------------------------------- the plan


def bootstrap_counts(
    n_items: int, resamples: int = DEFAULT_RESAMPLES, seed: int = 0, clusters: Any = None
) -> np.ndarray:
    """The resampling plan: float32 (resamples, n_items), how often each item is drawn.

    Without clusters each resample draws n_items items with replacement. With clusters
    (one label per item, e.g. the image id) each resample draws as many clusters as there
    are, with replacement, and an item counts as often as its cluster was drawn. Pass the
    same plan to every call that should be paired (it is what makes comparisons paired).
    """
    if n_items < 1 or resamples < 1:
        raise ValueError(f"need n_items >= 1 and resamples >= 1, got {n_items}, {resamples}")
    rng = np.random.default_rng(seed)
    if clusters is None:
        units, expand = n_items, None
    else:
        labels = np.asarray(clusters)
        if labels.shape != (n_items,):
            raise ValueError(
                f"clusters must have one label per item ({n_items}), got shape {labels.shape}"
            )
        _, expand = np.unique(labels, return_inverse=True)
        units = int(expand.max()) + 1
    draws = rng.integers(0, units, size=(resamples, units))
    draws += np.arange(resamples)[:, None] * units  # row offsets: one bincount for all rows
    unit_counts = np.bincount(draws.ravel(), minlength=resamples * units)
    unit_counts = unit_counts.reshape(resamples, units).astype(np.float32)
    return unit_counts if expand is None else unit_counts[:, expand]


def bootstrap_cell_means(scores: Any, masks: Any, counts: np.ndarray) -> np.ndarray:
    """Resampled cell means in percent: float32 (n_cells, resamples, n_models).

    NaN item scores count as 0 here (callers null those cells); a resample that draws no
    item of a cell gives NaN for that cell (it carries no information about it).
    """
    s = _as_scores(scores)
    cells = _as_cells(masks, s.shape[1])
    return _boot_means(s, cells.matrix, np.asarray(counts, dtype=np.float32))


def _boot_means(s: np.ndarray, matrix: np.ndarray, counts: np.ndarray) -> np.ndarray:
    s32 = np.nan_to_num(s, nan=0.0).astype(np.float32)
    out = np.empty((matrix.shape[0], counts.shape[0], s.shape[0]), dtype=np.float32)
    for k, mask in enumerate(matrix):
        if mask.all():  # Overall: no column copy
            c, x = counts, s32
        else:
            idx = np.flatnonzero(mask)
            c, x = counts[:, idx], s32[:, idx]
        np.matmul(c, x.T, out=out[k])
        denom = c.sum(axis=1)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):  # divide first: 100% stays exact
            np.divide(out[k], denom, out=out[k])
        out[k] *= np.float32(100.0)
    return out


def _boot_cell_by_model(
    s32: np.ndarray, mask: np.ndarray, counts: np.ndarray, out: np.ndarray
) -> np.ndarray:
    """Resampled means of one cell in percent as (n_models, resamples) float32, each model's
    resamples contiguous (a sort along them is several times faster than across models).
    `s32` holds the scores as float32 with NaN as 0."""
    if mask.all():
        c, x = counts, s32
    else:
        idx = np.flatnonzero(mask)
        c, x = counts[:, idx], s32[:, idx]
    np.matmul(x, c.T, out=out)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(out, c.sum(axis=1)[None, :], out=out)
    out *= np.float32(100.0)
    return out


def _null_cells(s: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """bool (n_models, n_cells): the cell holds an unknown item or no item at all."""
    unknown = np.isnan(s).astype(np.float32) @ matrix.T.astype(np.float32)
    return (unknown > 0) | (matrix.sum(axis=1) == 0)[None, :]


def _point_means(s: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """(n_models, n_cells) cell means in percent, NaN where null."""
    m = matrix.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = 100.0 * (np.nan_to_num(s, nan=0.0) @ m.T) / m.sum(axis=1)
    means[_null_cells(s, matrix)] = np.nan
    return means


def _quantiles(boot: np.ndarray, qs: tuple[float, ...], axis: int) -> np.ndarray:
    """Quantiles along `axis` skipping NaN, shape (len(qs), ...).

    numpy's default ("linear") definition, computed from one sort: a float32 sort is several
    times faster than np.quantile here, and it copes with NaN (they sort last).
    """
    srt = np.sort(boot, axis=axis)
    valid = np.sum(~np.isnan(boot), axis=axis, keepdims=True)
    last = np.maximum(valid - 1, 0)
    out = []
    for q in qs:
        pos = q * last
        lo = np.floor(pos).astype(np.intp)
        frac = (pos - lo).astype(np.float64)
        a = np.take_along_axis(srt, lo, axis=axis).astype(np.float64)
        b = np.take_along_axis(srt, np.minimum(lo + 1, last), axis=axis).astype(np.float64)
        val = np.squeeze(a + (b - a) * frac, axis=axis)
        val[np.squeeze(valid, axis=axis) == 0] = np.nan
        out.append(val)
    return np.stack(out)


# ----------------------------------------------------------------------------- intervals


@dataclass(frozen=True)
class CellIntervals:
    """Per model and cell: the mean (percent) and its percentile-bootstrap interval.

    Arrays are (n_models, n_cells) in the order of `keys`; NaN marks a null cell.
    """

    keys: tuple[CellKey, ...]
    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    level: float
    resamples: int
    clustered: bool
    _cells: _Cells = field(repr=False)

    def interval(self, model: int, key: CellKey) -> tuple[float, float] | None:
        """(low, high) in percent, or None when the cell is null for this model."""
        k = self.keys.index(key)
        low, high = self.low[model, k], self.high[model, k]
        return None if np.isnan(low) else (float(low), float(high))

    def to_dicts(self) -> list[dict]:
        """Per model, `{cell: (low, high) | None}` keyed like the masks passed in."""
        return [
            self._cells.unflatten(
                [
                    None if np.isnan(lo) else (float(lo), float(hi))
                    for lo, hi in zip(lows, highs, strict=False)
                ]
            )
            for lows, highs in zip(self.low, self.high, strict=False)
        ]


def cell_means(scores: Any, masks: Any) -> dict | list[dict]:
    """Cell means in percent, None where null; one dict per model (a dict for 1-D scores)."""
    s = _as_scores(scores)
    cells = _as_cells(masks, s.shape[1])
    rows = [
        cells.unflatten([None if np.isnan(v) else float(v) for v in row])
        for row in _point_means(s, cells.matrix)
    ]
    return rows[0] if np.ndim(scores) == 1 else rows


def cell_intervals(
    scores: Any,
    masks: Any,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    clusters: Any = None,
    level: float = DEFAULT_LEVEL,
    counts: np.ndarray | None = None,
) -> CellIntervals:
    """Percentile-bootstrap intervals of every cell mean of every model.

    `counts` (from `bootstrap_counts`) overrides resamples/seed/clusters, so several calls
    can share one plan. A cell with an unknown item of a model is null (NaN / None).
    """
    alpha = _check_level(level)
    s = _as_scores(scores)
    cells = _as_cells(masks, s.shape[1])
    plan = _plan(s.shape[1], counts, resamples, seed, clusters)
    # One cell at a time: a (models, resamples) block, never all cells' resamples at once
    # (47 cells x 2,000 x 1,000 models of float32 is 376 MB, and a sort doubled it).
    s32 = np.nan_to_num(s, nan=0.0).astype(np.float32)
    block = np.empty((s.shape[0], plan.shape[0]), dtype=np.float32)
    low = np.empty((cells.matrix.shape[0], s.shape[0]))
    high = np.empty_like(low)
    for k, mask in enumerate(cells.matrix):
        boot = _boot_cell_by_model(s32, mask, plan, block)
        low[k], high[k] = _quantiles(boot, (alpha, 1 - alpha), axis=1)
    estimate = _point_means(s, cells.matrix)
    null = np.isnan(estimate)
    low, high = low.T.copy(), high.T.copy()
    low[null] = high[null] = np.nan
    return CellIntervals(
        cells.keys, estimate, low, high, level, plan.shape[0], clusters is not None, cells
    )


# ----------------------------------------------------------------------------- ranks


@dataclass(frozen=True)
class RankRanges:
    """Rank of each model (1 = best) and its range over the central bootstrap resamples.

    `rank`, `best` and `worst` are None for a model whose score is null. `groups` lists
    the models that cannot be told apart (see `indistinguishable_groups`), best first.
    """

    rank: list[int | None]
    best: list[int | None]
    worst: list[int | None]
    groups: list[list[int]]
    level: float

    def label(self, model: int) -> str:
        """The range as shown next to the rank: "3" or "2-4" ("" when null)."""
        best, worst = self.best[model], self.worst[model]
        if best is None or worst is None:
            return ""
        return str(best) if best == worst else f"{best}-{worst}"

    def group_of(self, model: int) -> int | None:
        """Index into `groups` of the model's group, None when its score is null."""
        for g, members in enumerate(self.groups):
            if model in members:
                return g
        return None


def _ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks along the last axis, 1 = highest; ties share the best rank."""
    return rankdata(-values, method="min", axis=-1).astype(np.int64)


def rank_ranges_from_resamples(
    point: Any, resampled: Any, level: float = DEFAULT_LEVEL
) -> RankRanges:
    """Rank ranges from point scores (n_models,) and resampled scores (resamples, n_models).

    A model's range is (best, worst) rank after dropping the (1-level)/2 share of resamples
    where it ranked best and the same share where it ranked worst. Models with a NaN point
    score are left out of the ranking. Ranks are recomputed in every resample with the same
    resampled items for all models, so the range reflects paired uncertainty.
    """
    alpha = _check_level(level)
    point = np.asarray(point, dtype=np.float64)
    resampled = np.asarray(resampled, dtype=np.float64)
    if resampled.ndim != 2 or resampled.shape[1] != point.shape[0]:
        raise ValueError(
            f"resampled must be (resamples, {point.shape[0]}), got shape {resampled.shape}"
        )
    n = point.shape[0]
    ranked = np.flatnonzero(~np.isnan(point))
    rank: list[int | None] = [None] * n
    best: list[int | None] = [None] * n
    worst: list[int | None] = [None] * n
    sub = resampled[:, ranked]
    sub = sub[np.isfinite(sub).all(axis=1)]  # a resample that drew no item of the mask
    if ranked.size and sub.shape[0]:
        boot_ranks = _ranks(sub)  # (resamples, ranked models)
        lo = np.quantile(boot_ranks, alpha, axis=0, method="lower")
        hi = np.quantile(boot_ranks, 1 - alpha, axis=0, method="higher")
        point_ranks = _ranks(point[ranked])
        for j, m in enumerate(ranked):
            rank[m] = int(point_ranks[j])
            best[m], worst[m] = int(lo[j]), int(hi[j])
    return RankRanges(rank, best, worst, indistinguishable_groups(best, worst), level)


def rank_ranges(
    scores: Any,
    mask: Any = None,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    clusters: Any = None,
    level: float = DEFAULT_LEVEL,
    counts: np.ndarray | None = None,
) -> RankRanges:
    """Rank ranges of models on the mean over `mask` (default: every item, i.e. Overall)."""
    s = _as_scores(scores)
    n_items = s.shape[1]
    mask = np.ones(n_items, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if mask.shape != (n_items,):
        raise ValueError(f"mask must have {n_items} items, got shape {mask.shape}")
    plan = _plan(n_items, counts, resamples, seed, clusters)
    boot = _boot_means(s, mask[None, :], plan)[0]  # (resamples, models)
    point = _point_means(s, mask[None, :])[:, 0]
    return rank_ranges_from_resamples(point, boot, level)


def indistinguishable_groups(best: list[int | None], worst: list[int | None]) -> list[list[int]]:
    """Groups of models whose rank ranges overlap, chained, best first.

    Rule: two models are linked when their [best, worst] rank ranges overlap; a group is a
    connected set of linked models (so A~B and B~C puts A, B, C together even when A and C
    do not overlap). Models with a None range are left out. Members are ordered by
    (best, worst, index).
    """
    order = sorted(
        (b, w, i)
        for i, (b, w) in enumerate(zip(best, worst, strict=False))
        if b is not None and w is not None
    )
    groups: list[list[int]] = []
    reach = -1
    for b, w, i in order:
        if groups and b <= reach:
            groups[-1].append(i)
            reach = max(reach, w)
        else:
            groups.append([i])
            reach = w
    return groups


# ----------------------------------------------------------------------------- pairs


@dataclass(frozen=True)
class PairedDifference:
    """Per cell: mean score of A minus B in points, with its paired-bootstrap interval.

    Arrays are (n_cells,) in the order of `keys`; NaN where either model's cell is null.
    """

    keys: tuple[CellKey, ...]
    diff: np.ndarray
    low: np.ndarray
    high: np.ndarray
    level: float
    _cells: _Cells = field(repr=False)

    def to_dict(self) -> dict:
        """`{cell: (diff, low, high) | None}` keyed like the masks passed in."""
        return self._cells.unflatten(
            [
                None if np.isnan(d) else (float(d), float(lo), float(hi))
                for d, lo, hi in zip(self.diff, self.low, self.high, strict=False)
            ]
        )

    def significant(self) -> np.ndarray:
        """bool (n_cells,): the interval excludes 0 (A and B differ at this level)."""
        return (self.low > 0) | (self.high < 0)


def paired_difference(
    scores_a: Any,
    scores_b: Any,
    masks: Any,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    clusters: Any = None,
    level: float = DEFAULT_LEVEL,
    counts: np.ndarray | None = None,
) -> PairedDifference:
    """A minus B per cell, with an interval from resampling the same items for both.

    Because both models are scored on the same resampled items, item difficulty cancels
    and the interval is much narrower than comparing two separate intervals.
    """
    alpha = _check_level(level)
    a = np.asarray(scores_a, dtype=np.float64)
    b = np.asarray(scores_b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(
            f"scores_a and scores_b must be 1-D of equal length, got shapes {a.shape} and {b.shape}"
        )
    d = (a - b)[None, :]  # NaN where either is unknown
    cells = _as_cells(masks, d.shape[1])
    plan = _plan(d.shape[1], counts, resamples, seed, clusters)
    boot = _boot_means(d, cells.matrix, plan)[:, :, 0]  # (cells, resamples)
    low, high = _quantiles(boot, (alpha, 1 - alpha), axis=1)
    diff = _point_means(d, cells.matrix)[0]
    null = np.isnan(diff)
    low[null] = high[null] = np.nan
    return PairedDifference(cells.keys, diff, low, high, level, cells)


def _correct(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype == bool:
        return arr
    arr = arr.astype(np.float64)
    if not np.isin(arr, (0.0, 1.0)).all():
        raise ValueError(f"{name} must be bool or 0/1 (closed-ended items only)")
    return arr == 1.0


def mcnemar_exact(correct_a: Any, correct_b: Any) -> tuple[int, int, float]:
    """Exact McNemar test on closed-ended items: (b, c, two-sided p-value).

    b = items A gets right and B wrong, c = items A gets wrong and B right; p is the exact
    binomial test of b successes in b + c trials with p = 0.5 (1.0 when b + c = 0).
    """
    a = _correct(correct_a, "correct_a")
    b_ = _correct(correct_b, "correct_b")
    if a.shape != b_.shape:
        raise ValueError(f"correct_a and correct_b differ in shape: {a.shape} vs {b_.shape}")
    b = int(np.sum(a & ~b_))
    c = int(np.sum(~a & b_))
    p = 1.0 if b + c == 0 else float(binomtest(b, b + c, 0.5).pvalue)
    return b, c, p


def discordant_items(
    scores_a: Any, scores_b: Any, mask: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Item indices where the models disagree: (A scores higher, B scores higher).

    On closed-ended items that is exactly "A right and B wrong" and the reverse; on OE items
    a 1 against a 0.5 counts too. Items unknown for either model are skipped.
    """
    a = np.asarray(scores_a, dtype=np.float64)
    b = np.asarray(scores_b, dtype=np.float64)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(
            f"scores_a and scores_b must be 1-D of equal length, got shapes {a.shape} and {b.shape}"
        )
    keep = np.ones(a.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    return np.flatnonzero(keep & (a > b)), np.flatnonzero(keep & (a < b))


# ----------------------------------------------------------------------------- items


def item_difficulty(scores: Any) -> np.ndarray:
    """Per item, the mean score over the models that were scored on it (0..1).

    This is the classical item "p-value" (facility): 1 = every model gets it right, 0 =
    none does. NaN where no model has a known score.
    """
    s = _as_scores(scores)
    known = ~np.isnan(s)
    n = known.sum(axis=0)
    total = np.where(known, s, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / n, np.nan)


def items_all_fail(scores: Any) -> np.ndarray:
    """Indices of items every scored model gets wrong (score 0), at least one model scored."""
    s = _as_scores(scores)
    known = ~np.isnan(s)
    fail = np.where(known, s == 0, True).all(axis=0) & known.any(axis=0)
    return np.flatnonzero(fail)


def difficulty_by_category(scores: Any, masks: Any) -> dict:
    """Per cell, the mean item difficulty (facility, percent) over its items; None if empty.

    Items no model was scored on are left out of the mean.
    """
    p = item_difficulty(scores)
    cells = _as_cells(masks, p.shape[0])
    out = []
    for mask in cells.matrix:
        vals = p[mask & ~np.isnan(p)]
        out.append(float(100.0 * vals.mean()) if vals.size else None)
    return cells.unflatten(out)
