"""How sure is each number: intervals on every cell, rank ranges, and their chart (issue 6).

The paper's models are often within 1-2 points of each other while one Overall score over
2,765 items carries a 95% interval of about +/-1.9 points, so a board that prints 58.23 vs
57.90 without saying whether they differ misleads. Verified rows (re-scored here) have
per-item scores; this module turns them into what the board shows next to each value.

Inputs everywhere: `names` (verified model names, unique), `scores` float (n_models,
n_items) with item scores 0/0.5/1 and NaN where unknown (OE unjudged or judge failed), and
the `Benchmark` they were scored on. Plain Python, no Gradio: the app wires the results.

Cost and caching: one bootstrap plan (`leaderboard.bootstrap.bootstrap_counts`, clustered by
image when several questions share an image) serves every model, cell and comparison, so all
of them are paired. The plan is cached per (benchmark, resamples, seed); the intervals of
the table shown are computed one cell at a time (a models x resamples block, so 1,000 models
need tens of MB, not a GB) and cached per (benchmark hash, model names, scores fingerprint,
resamples, seed, level, cells), so showing a table again or another of its cells recomputes
nothing. Caches are small thread-safe LRUs (`cache_info`, `clear_caches`).
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from leaderboard.benchmark import Benchmark
from leaderboard.bootstrap import (
    DEFAULT_LEVEL,
    DEFAULT_RESAMPLES,
    bootstrap_counts,
    cell_intervals,
    rank_ranges,
)
from leaderboard.scoring import cell_masks
from leaderboard.tables import CellMasks
from leaderboard.taxonomy import CLOSED_QTYPES, TABLE_TITLES, TABLES

from .figstyle import BLUE, WHISKER, style_figure

#: Columns of `board_intervals` (one row per model and cell, percent).
INTERVAL_COLUMNS: tuple[str, ...] = (
    "model",
    "table",
    "cell",
    "label",
    "group",
    "n_items",
    "estimate",
    "low",
    "high",
)
#: Columns of `rank_table`.
RANK_COLUMNS: tuple[str, ...] = ("model", "rank", "rank_range", "group", "score", "basis")

#: Shown under the board wherever paper rows sit beside verified rows.
REPORTED_ROWS_NOTE = (
    "Rows reported in the paper have no interval, rank range or group: reported rows have "
    "no per-item data, only the published percentages, so there is nothing to resample. "
    "Upload the model's predictions to get a verified row with intervals."
)

NULL = "-"


# ----------------------------------------------------------------------------- caching


class _LRU:
    """A small thread-safe least-recently-used cache that counts hits and misses.

    The value is computed under the lock, so two identical requests arriving together
    (Gradio runs handlers in threads) compute once instead of twice.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.RLock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
            value = compute()
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0


# A plan is resamples x items float32 (21 MB at 2,000 x 2,765): keep two.
_PLANS = _LRU(2)
_INTERVALS = _LRU(8)
_RANKS = _LRU(32)


def cache_info() -> dict[str, dict[str, int]]:
    """Hits, misses and entries of each cache (plans, intervals, ranks)."""
    return {
        name: {"hits": c.hits, "misses": c.misses, "entries": len(c._data)}
        for name, c in (("plans", _PLANS), ("intervals", _INTERVALS), ("ranks", _RANKS))
    }


def clear_caches() -> None:
    """Forget every cached plan and result (tests; a new benchmark version needs no call)."""
    for c in (_PLANS, _INTERVALS, _RANKS):
        c.clear()


def scores_fingerprint(scores: np.ndarray) -> str:
    """A digest of the score matrix (shape and values), so a re-scored model misses the cache.

    Hashing 100 x 2,765 scores takes about a millisecond; comparing arrays would need the
    old array kept alive and costs as much.
    """
    arr = np.ascontiguousarray(scores, dtype=np.float64)
    h = hashlib.blake2b(digest_size=16)
    h.update(repr(arr.shape).encode())
    h.update(arr.tobytes())
    return h.hexdigest()


def _clusters_digest(bench: Benchmark) -> str:
    clusters = bench.image_clusters
    if clusters is None:
        return "items"
    return hashlib.blake2b(
        np.ascontiguousarray(clusters, dtype=np.int64).tobytes(), digest_size=12
    ).hexdigest()


def shared_plan(bench: Benchmark, resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> np.ndarray:
    """The bootstrap plan every view of this benchmark uses (read-only, cached).

    Resamples images with all their questions when items share an image (their answers are
    correlated), else items. Sharing it is what makes rank ranges and differences paired.
    """
    key = (bench.hash, len(bench), _clusters_digest(bench), int(resamples), int(seed))

    def build() -> np.ndarray:
        plan = bootstrap_counts(len(bench), resamples, seed, bench.image_clusters)
        plan.flags.writeable = False
        return plan

    return _PLANS.get(key, build)


# ----------------------------------------------------------------------------- inputs


def check_inputs(names: Sequence[str], scores: Any, bench: Benchmark) -> np.ndarray:
    """The score matrix as float64 (n_models, n_items), or a ValueError saying what is off."""
    s = np.asarray(scores, dtype=np.float64)
    if len(names) == 0 and s.size == 0:  # no verified model yet: empty views, no error
        return np.zeros((0, len(bench)))
    if s.ndim != 2:
        raise ValueError(f"scores must be a (models, items) matrix, got shape {s.shape}")
    if s.shape != (len(names), len(bench)):
        raise ValueError(
            f"scores have shape {s.shape} but there are {len(names)} model "
            f"name(s) and {len(bench)} benchmark item(s)"
        )
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if list(names).count(n) > 1})
        raise ValueError(f"model names must be unique; repeated: {', '.join(dupes)}")
    known = s[~np.isnan(s)]
    if known.size and (known.min() < 0 or known.max() > 1):
        raise ValueError("item scores must lie in [0, 1] (0, 0.5 or 1) or be NaN")
    return s


def _key(
    names: Sequence[str], s: np.ndarray, bench: Benchmark, resamples: int, seed: int, level: float
) -> tuple:
    return (
        bench.hash,
        len(bench),
        _clusters_digest(bench),
        tuple(names),
        scores_fingerprint(s),
        int(resamples),
        int(seed),
        float(level),
    )


def find_cell(cell: str | tuple[str, str]) -> tuple[str, str]:
    """(table key, cell name) for a cell name such as "Overall" or "NI_Tech"."""
    if isinstance(cell, tuple):
        table, name = cell
        if table in TABLES and name in TABLES[table].columns:
            return table, name
        raise ValueError(f"unknown cell {cell!r}")
    hits = [(k, cell) for k, t in TABLES.items() if cell in t.columns]
    if len(hits) != 1:
        raise ValueError(
            f"unknown cell {cell!r}"
            if not hits
            else f"cell {cell!r} is in several tables; pass (table, cell)"
        )
    return hits[0]


def cell_mask(bench: Benchmark, cell: str | tuple[str, str]) -> np.ndarray:
    """Item mask of one table cell."""
    key = find_cell(cell)
    masks = cell_masks(bench)
    return masks.matrix[masks.names.index(key)]


def _cell_info() -> dict[tuple[str, str], tuple[str, str]]:
    """(table, cell) -> (label, column group) as printed."""
    return {(k, c.name): (c.label, c.group) for k, t in TABLES.items() for c in t.cells}


def display_labels(table_key: str) -> dict[str, str]:
    """Cell name -> a label that is unique within the table, for chart axes.

    The paper's two-level headers repeat labels ("Tech." under NIs and SDIs in Table 5,
    "Global" under each type in Table 6); a one-level axis prefixes those with their group.
    """
    cells = TABLES[table_key].cells
    counts = Counter(c.label for c in cells)
    return {c.name: c.label if counts[c.label] == 1 else f"{c.group} {c.label}" for c in cells}


# ----------------------------------------------------------------------------- intervals


def board_intervals(
    names: Sequence[str],
    scores: Any,
    bench: Benchmark,
    table_key: str | None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
    with_overall: bool = False,
) -> pd.DataFrame:
    """Per model and cell of a table: estimate, low, high in percent (NaN where null).

    Columns `INTERVAL_COLUMNS`, models in the order given, cells in the table's order.
    `table_key` None gives all four tables. `with_overall` adds Table 3's Overall after the
    cells of a table that has none (the board shows it next to every table's model names).
    A cell holding an item unknown for a model is null for that model, as on the board.
    Only the cells asked for are computed (the table shown, issue 13), then cached.
    """
    if table_key is not None and table_key not in TABLES:
        raise ValueError(f"unknown table {table_key!r}; tables: {', '.join(TABLES)}")
    s = check_inputs(names, scores, bench)
    if not len(names):
        return pd.DataFrame(columns=list(INTERVAL_COLUMNS))
    keys = [(t, c) for t in ([table_key] if table_key else TABLES) for c in TABLES[t].columns]
    if with_overall and ("table3", "Overall") not in keys:
        keys.append(("table3", "Overall"))
    key = _key(names, s, bench, resamples, seed, level) + (tuple(keys),)
    frame = _INTERVALS.get(
        key, lambda: _intervals_of(names, s, bench, keys, resamples, seed, level)
    )
    return frame.copy(deep=False)  # copy-on-write: callers can't corrupt the cache


def _intervals_of(
    names: Sequence[str],
    s: np.ndarray,
    bench: Benchmark,
    keys: list[tuple[str, str]],
    resamples: int,
    seed: int,
    level: float,
) -> pd.DataFrame:
    masks = cell_masks(bench)
    rows = [masks.names.index(k) for k in keys]
    chosen = CellMasks(list(keys), masks.matrix[rows])
    ci = cell_intervals(s, chosen, counts=shared_plan(bench, resamples, seed), level=level)
    info = _cell_info()
    n_models, n_cells = ci.estimate.shape
    return pd.DataFrame(
        {
            "model": [m for m in names for _ in range(n_cells)],
            "table": [k[0] for k in keys] * n_models,
            "cell": [k[1] for k in keys] * n_models,
            "label": [info[k][0] for k in keys] * n_models,
            "group": [info[k][1] for k in keys] * n_models,
            "n_items": np.tile(chosen.matrix.sum(axis=1), n_models),
            "estimate": ci.estimate.ravel(),
            "low": ci.low.ravel(),
            "high": ci.high.ravel(),
        },
        columns=list(INTERVAL_COLUMNS),
    )


def _missing(x: Any) -> bool:
    """None, NaN of any float type, or pd.NA."""
    return x is None or bool(pd.isna(x))


def format_with_interval(
    value: float | None, low: float | None, high: float | None, decimals: int = 1, style: str = "pm"
) -> str:
    """A cell as text: "61.2 ± 1.8" (style "pm", the default) or "61.2 (59.4-63.0)" ("range").

    The ± form is compact enough for a 15-column table. Bootstrap intervals are not always
    symmetric (near 0 or 100, small cells), so the ± half-width is the LARGER of the two
    sides: value ± h always covers the whole interval, never understates it. The exact
    bounds are in the "range" style, the chart hover and `interval_text`. One decimal
    because the second is well inside the noise (a typical half-width is 2-10 points).
    A null value gives "-"; a value without an interval (a reported row) gives the value.
    """
    if _missing(value):
        return NULL
    if _missing(low) or _missing(high):
        return f"{value:.{decimals}f}"
    if style == "range":
        return f"{value:.{decimals}f} ({low:.{decimals}f}-{high:.{decimals}f})"
    if style != "pm":
        raise ValueError(f"style must be 'pm' or 'range', not {style!r}")
    half = max(value - low, high - value, 0.0)
    return f"{value:.{decimals}f} ± {half:.{decimals}f}"


def interval_text(
    value: float | None, low: float | None, high: float | None, level: float = DEFAULT_LEVEL
) -> str:
    """The exact reading for a tooltip: "61.23 (95% CI 59.41 to 63.02)"; "-" when null."""
    if _missing(value):
        return NULL
    if _missing(low) or _missing(high):
        return f"{value:.2f} (no interval)"
    return f"{value:.2f} ({level:.0%} CI {low:.2f} to {high:.2f})"


def formatted_board(table_df: pd.DataFrame, decimals: int = 1, style: str = "pm") -> pd.DataFrame:
    """`board_intervals` output as the board shows it: a "model" column, then one text
    column per cell (named like the board's value columns), each "61.2 ± 1.8" or "-"."""
    cells = list(dict.fromkeys(table_df["cell"]))
    text = [
        format_with_interval(v, lo, hi, decimals, style)
        for v, lo, hi in zip(table_df["estimate"], table_df["low"], table_df["high"], strict=False)
    ]
    long = pd.DataFrame(
        {
            "model": table_df["model"].to_numpy(dtype=object),
            "cell": table_df["cell"].to_numpy(dtype=object),
            "text": text,
        }
    )
    models = list(dict.fromkeys(long["model"]))
    wide = long.pivot(index="model", columns="cell", values="text")
    return wide.reindex(index=models, columns=cells).rename_axis(None, axis=1).reset_index()


def method_note(
    resamples: int = DEFAULT_RESAMPLES, level: float = DEFAULT_LEVEL, clustered: bool = False
) -> str:
    """One paragraph saying where the intervals and ranges come from (shown under them)."""
    unit = "images (all questions about an image are drawn together)" if clustered else "items"
    return (
        f"± is the larger side of a {level:.0%} percentile-bootstrap interval: "
        f"{resamples:,} resamples of the benchmark's {unit}, the same resamples for "
        "every model, so ranks and differences are paired. A rank range such as 2-4 "
        f"holds the central {level:.0%} of a model's ranks over the resamples; models "
        "whose ranges overlap (directly or through a chain) share a group and cannot be "
        "told apart at this level. A cell is '-' when it holds an open-ended item that "
        "was not judged."
    )


# ----------------------------------------------------------------------------- ranks


def rank_table(
    names: Sequence[str],
    scores: Any,
    bench: Benchmark,
    cell: str | tuple[str, str] = "Overall",
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> pd.DataFrame:
    """Rank (1 = best), rank range ("2-4") and group of every model on one cell.

    Columns `RANK_COLUMNS`: rank and group are nullable ints; group 1 is the best group of
    models that cannot be told apart; score is the percent ranked on; basis says which
    items it was ranked on. Rows come best first.

    Fallback for a model whose cell is null (an open-ended item not judged): it is ranked
    on the cell's closed-ended items (SC, MC, TF) instead, among ALL models, and its basis
    says "..., closed-ended items only". Its rank is where it would stand on those items;
    it gets no group unless every model fell back (then all share that one ranking), since
    groups are only defined within one ranking. Models with a known cell keep their
    ranking on the full cell, so one unjudged submission does not move anyone else.
    """
    s = check_inputs(names, scores, bench)
    where = find_cell(cell)
    if not len(names):
        return pd.DataFrame(columns=list(RANK_COLUMNS))
    key = _key(names, s, bench, resamples, seed, level) + where
    frame = _RANKS.get(key, lambda: _rank_table(names, s, bench, where, resamples, seed, level))
    return frame.copy(deep=False)


def _cell_means(s: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return np.full(s.shape[0], np.nan)
    return 100.0 * s[:, mask].mean(axis=1)  # NaN when any item is unknown


def _rank_table(
    names: Sequence[str],
    s: np.ndarray,
    bench: Benchmark,
    where: tuple[str, str],
    resamples: int,
    seed: int,
    level: float,
) -> pd.DataFrame:
    plan = shared_plan(bench, resamples, seed)
    mask = cell_mask(bench, where)
    label = _cell_info()[where][0]
    n = len(names)
    rank: list[int | None] = [None] * n
    rng: list[str] = [""] * n
    group: list[int | None] = [None] * n
    basis: list[str] = ["no score"] * n
    tier = [2] * n
    point = _cell_means(s, mask)
    known = np.flatnonzero(~np.isnan(point))
    if known.size:
        rr = rank_ranges(s[known], mask, counts=plan, level=level)
        for j, m in enumerate(known):
            g = rr.group_of(j)
            rank[m], rng[m], basis[m], tier[m] = rr.rank[j], rr.label(j), label, 0
            group[m] = None if g is None else g + 1
    fallback = np.flatnonzero(np.isnan(point))
    closed = mask & np.isin(bench.arrays["qtype"], CLOSED_QTYPES)
    if fallback.size and closed.any():
        closed_point = _cell_means(s, closed)
        rr = rank_ranges(s, closed, counts=plan, level=level)  # among all models
        for m in fallback:
            if rr.rank[m] is None:
                continue
            g = rr.group_of(m)
            rank[m], rng[m], tier[m] = rr.rank[m], rr.label(m), 1
            basis[m] = f"{label}, closed-ended items only"
            group[m] = None if g is None or known.size else g + 1
            point[m] = closed_point[m]
    frame = pd.DataFrame(
        {
            "model": list(names),
            "rank": pd.array(rank, dtype="Int64"),
            "rank_range": rng,
            "group": pd.array(group, dtype="Int64"),
            "score": point,
            "basis": basis,
            "_tier": tier,
        }
    )
    frame = frame.sort_values(["_tier", "rank", "model"], na_position="last", kind="stable")
    return frame.drop(columns="_tier").reset_index(drop=True)


def rank_note(ranks: pd.DataFrame) -> str:
    """What the rank column means for this table, naming any fallback rows."""
    fell_back = ranks.loc[ranks["basis"].str.endswith("closed-ended items only"), "model"]
    unranked = ranks.loc[ranks["rank"].isna(), "model"]
    parts = [
        "Rank 1 is best; ties share the better rank. The range holds the central 95% "
        "of ranks over the bootstrap resamples, and models in the same group cannot be "
        "told apart."
    ]
    if len(fell_back) and len(fell_back) == ranks["rank"].notna().sum():
        parts.append(
            "No model has a value on the full cell (open-ended answers not "
            "judged), so all are ranked on its closed-ended items only."
        )
    elif len(fell_back):
        parts.append(
            f"{', '.join(fell_back)}: no value on the full cell (open-ended answers "
            "not judged), so ranked on its closed-ended items only, among all "
            "models; not directly comparable with the other ranks."
        )
    if len(unranked):
        parts.append(f"Not ranked (no score): {', '.join(unranked)}.")
    return " ".join(parts)


# ----------------------------------------------------------------------------- figure


def errorbar_figure(names: Sequence[str] | None, table_df: pd.DataFrame, cell: str) -> go.Figure:
    """One cell across models: horizontal bars, best on top, with interval whiskers.

    `table_df` is `board_intervals` output; `names` picks and limits the models (None: all).
    Hover shows the exact value and interval. Models whose cell is null are left out and
    named under the chart.
    """
    rows = table_df[table_df["cell"] == cell]
    if rows.empty:
        raise ValueError(f"cell {cell!r} is not in this table")
    if names:
        rows = rows[rows["model"].isin(list(names))]
    null = rows[rows["estimate"].isna()]
    rows = rows[rows["estimate"].notna()].sort_values(
        ["estimate", "model"], ascending=[False, True]
    )
    est = rows["estimate"].to_numpy(dtype=float)
    low = rows["low"].to_numpy(dtype=float)
    high = rows["high"].to_numpy(dtype=float)
    label = str(table_df.loc[table_df["cell"] == cell, "label"].iloc[0])
    table = str(table_df.loc[table_df["cell"] == cell, "table"].iloc[0])
    fig = go.Figure(
        go.Bar(
            x=est,
            y=rows["model"].tolist(),
            orientation="h",
            marker={"color": BLUE, "opacity": 0.6},  # whiskers stay visible inside the bar
            error_x={
                "type": "data",
                "symmetric": False,
                "array": np.nan_to_num(high - est),
                "arrayminus": np.nan_to_num(est - low),
                "color": WHISKER,
                "thickness": 1.5,
                "width": 4,
            },
            customdata=np.column_stack([low, high]) if len(rows) else None,
            hovertemplate=(
                "%{y}<br>" + label + ": %{x:.2f}<br>95% CI %{customdata[0]:.2f} "
                "to %{customdata[1]:.2f}<extra></extra>"
            ),
            name=label,
        )
    )
    top = float(np.nanmax(high)) if len(rows) else 100.0
    fig.update_xaxes(title={"text": "accuracy (%)"}, range=[0, min(100.0, top + 5.0)])
    fig.update_yaxes(autorange="reversed")
    title = f"{label} ({TABLE_TITLES.get(table, table)}), with 95% intervals"
    note = (
        "No value (open-ended answers not judged): " + ", ".join(null["model"])
        if len(null)
        else None
    )
    return style_figure(fig, title, height=max(220, 100 + 24 * len(rows)), subtitle=note)


SIGNIFICANT = "✱"


def paired_columns(rows: Any, diff: str) -> tuple[list[str], list[str]]:
    """A paired difference's "95% CI" and "Significant" columns (Compare, version diff):
    the interval as text, and a mark when it excludes 0; "-" where there is no difference."""
    ci = [
        "-" if pd.isna(lo) else f"{lo:+.2f} to {hi:+.2f}"
        for lo, hi in zip(rows["low"], rows["high"], strict=False)
    ]
    mark = [
        "-" if pd.isna(d) else (SIGNIFICANT if s else "")
        for d, s in zip(rows[diff], rows["significant"], strict=False)
    ]
    return ci, mark
