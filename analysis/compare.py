"""Two verified models side by side: where one is really ahead, and on which items (issue 6).

Comparing two separate intervals is too conservative (they overlap long before the models
are indistinguishable) and comparing two numbers is too credulous. Both models answered the
same items, so the right tools are paired: the bootstrap difference per cell on the shared
resampling plan (item difficulty cancels), and McNemar's exact test on the closed-ended
items, which only looks at the items where exactly one of the two is right. The items where
they disagree are listed, each linking to the drill-down with both models selected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from leaderboard.benchmark import Benchmark
from leaderboard.bootstrap import (
    DEFAULT_LEVEL,
    DEFAULT_RESAMPLES,
    discordant_items,
    mcnemar_exact,
    paired_difference,
)
from leaderboard.scoring import cell_masks
from leaderboard.taxonomy import CLOSED_QTYPES, LABELS, TABLE_TITLES, TABLES

from .figstyle import BLUE, NEUTRAL, ORANGE, WHISKER, style_figure
from .intervals import _cell_info, check_inputs, display_labels, shared_plan
from .links import item_link

#: Columns of `Comparison.cells` (one row per cell of Tables 3-6; points = percent).
CELL_COLUMNS: tuple[str, ...] = (
    "table",
    "cell",
    "label",
    "group",
    "n_items",
    "a_value",
    "b_value",
    "diff",
    "low",
    "high",
    "significant",
)
#: Columns of `Comparison.discordant` (one row per item the two models score differently).
DISCORDANT_COLUMNS: tuple[str, ...] = (
    "id",
    "qtype",
    "scope",
    "image_source",
    "source_dataset",
    "dimension",
    "subdimension",
    "a_score",
    "b_score",
    "ahead",
    "link",
)
#: Shown under the comparison: how to read it, and what it does not correct for.
COMPARE_NOTE = (
    "Differences are A minus B in points with a 95% paired-bootstrap interval: both models "
    "are scored on the same resampled items, so item difficulty cancels. A category is "
    "significant when its interval excludes 0. The categories overlap and are not "
    "corrected for multiple comparisons: among 46 categories about 2 can look significant "
    "by chance, so trust the Overall line and McNemar's test (closed-ended items, only the "
    "items exactly one model gets right) first."
)
_CATEGORY_FIELDS: tuple[str, ...] = (
    "qtype",
    "scope",
    "image_source",
    "source_dataset",
    "dimension",
    "subdimension",
)


@dataclass(frozen=True)
class McNemar:
    """Exact McNemar test on the closed-ended items both models were scored on.

    b: items A gets right and B wrong; c: the reverse; p: two-sided exact p-value.
    """

    b: int
    c: int
    p: float
    n_items: int


@dataclass(frozen=True)
class Comparison:
    """Model A against model B (A minus B, in points)."""

    a: str
    b: str
    cells: pd.DataFrame  # CELL_COLUMNS, Tables 3-6 in taxonomy order
    mcnemar: McNemar
    discordant: pd.DataFrame  # DISCORDANT_COLUMNS, benchmark order
    closed: tuple[float, float, float] | None  # (diff, low, high) on closed-ended items
    level: float
    resamples: int
    clustered: bool

    def overall(self) -> tuple[float, float, float] | None:
        """(diff, low, high) on Overall, or None when either model's Overall is null."""
        row = self.cells[(self.cells["table"] == "table3") & (self.cells["cell"] == "Overall")]
        d = row.iloc[0]
        return None if pd.isna(d["diff"]) else (float(d["diff"]), float(d["low"]), float(d["high"]))


# ----------------------------------------------------------------------------- compare


def compare_models(
    a: str,
    b: str,
    names: Sequence[str],
    scores: Any,
    bench: Benchmark,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    level: float = DEFAULT_LEVEL,
) -> Comparison:
    """Paired comparison of verified models `a` and `b` on every cell of Tables 3-6.

    Uses the same cached bootstrap plan as the board's intervals, so the numbers agree with
    the rank ranges. A cell is null (NaN) where either model's cell is null.
    """
    s = check_inputs(names, scores, bench)
    for m in (a, b):
        if m not in names:
            raise ValueError(f"{m!r} is not a verified model; verified: {', '.join(names)}")
    if a == b:
        raise ValueError("choose two different models to compare")
    sa, sb = s[list(names).index(a)], s[list(names).index(b)]
    masks = cell_masks(bench)
    plan = shared_plan(bench, resamples, seed)
    pd_cells = paired_difference(sa, sb, masks, counts=plan, level=level)
    qtype = bench.arrays["qtype"]
    closed = np.isin(qtype, CLOSED_QTYPES)
    pd_closed = paired_difference(sa, sb, {"closed": closed}, counts=plan, level=level)
    closed_diff = (
        None
        if np.isnan(pd_closed.diff[0])
        else (float(pd_closed.diff[0]), float(pd_closed.low[0]), float(pd_closed.high[0]))
    )

    info = _cell_info()
    keys = list(pd_cells.keys)
    n = masks.matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        weights = masks.weights
        a_val = 100.0 * (weights @ np.nan_to_num(sa)) / n
        b_val = 100.0 * (weights @ np.nan_to_num(sb)) / n
    a_val[(weights @ np.isnan(sa)) > 0] = np.nan
    b_val[(weights @ np.isnan(sb)) > 0] = np.nan
    cells = pd.DataFrame(
        {
            "table": [k[0] for k in keys],
            "cell": [k[1] for k in keys],
            "label": [info[k][0] for k in keys],
            "group": [info[k][1] for k in keys],
            "n_items": n,
            "a_value": a_val,
            "b_value": b_val,
            "diff": pd_cells.diff,
            "low": pd_cells.low,
            "high": pd_cells.high,
            "significant": pd_cells.significant(),
        },
        columns=list(CELL_COLUMNS),
    )

    both = closed & ~np.isnan(sa) & ~np.isnan(sb)
    mb, mc, p = mcnemar_exact(sa[both], sb[both])
    return Comparison(
        a,
        b,
        cells,
        McNemar(mb, mc, p, int(both.sum())),
        _discordant(a, b, sa, sb, bench),
        closed_diff,
        level,
        int(plan.shape[0]),
        bench.image_clusters is not None,
    )


def _discordant(a: str, b: str, sa: np.ndarray, sb: np.ndarray, bench: Benchmark) -> pd.DataFrame:
    a_ahead, b_ahead = discordant_items(sa, sb)
    idx = np.sort(np.concatenate([a_ahead, b_ahead]))
    items = bench.items.iloc[idx]
    ids = items["id"].tolist()
    frame = pd.DataFrame({f: items[f].tolist() for f in ("id",) + _CATEGORY_FIELDS})
    frame["a_score"] = sa[idx]
    frame["b_score"] = sb[idx]
    frame["ahead"] = np.where(sa[idx] > sb[idx], a, b).tolist()
    frame["link"] = [item_link(i, (a, b)) for i in ids]
    return frame.reindex(columns=list(DISCORDANT_COLUMNS))


def discordant_table(comparison: Comparison) -> pd.DataFrame:
    """The discordant items for display: a markdown link per id (opens the drill-down with
    both models), the item's categories in one readable column, each model's score under
    its own name. Show with `datatype="markdown"` for the "item" column."""
    d = comparison.discordant
    cats = [
        " · ".join([LABELS.get(src, src), dim, sub, scope])
        for src, dim, sub, scope in zip(
            d["image_source"], d["dimension"], d["subdimension"], d["scope"], strict=False
        )
    ]
    return pd.DataFrame(
        {
            "item": [f"[{i}]({link})" for i, link in zip(d["id"], d["link"], strict=False)],
            "type": d["qtype"].tolist(),
            "categories": cats,
            comparison.a: d["a_score"].to_numpy(),
            comparison.b: d["b_score"].to_numpy(),
            "ahead": d["ahead"].tolist(),
        }
    )


# ----------------------------------------------------------------------------- views


def delta_figure(comparison: Comparison, table_key: str) -> go.Figure:
    """Per-cell A minus B of one table: horizontal bars with interval whiskers, a zero line.

    Bars are blue where A is ahead, orange where B is ahead, grey where they are level;
    a bar whose interval includes 0 (not significant) is drawn faded. Cells in the table's
    order, top to bottom; null cells keep their slot with no bar.
    """
    if table_key not in TABLES:
        raise ValueError(f"unknown table {table_key!r}; tables: {', '.join(TABLES)}")
    rows = comparison.cells[comparison.cells["table"] == table_key]
    names = display_labels(table_key)
    labels = {i: names[c] for i, c in zip(rows.index, rows["cell"], strict=False)}
    fig = go.Figure()
    sides = (
        (f"{comparison.a} ahead", rows["diff"] > 0, BLUE),
        (f"{comparison.b} ahead", rows["diff"] < 0, ORANGE),
        ("level", rows["diff"] == 0, NEUTRAL),
    )
    for name, pick, colour in sides:
        sub = rows[pick.to_numpy()]
        if sub.empty:
            continue
        d, lo, hi = (sub[c].to_numpy(dtype=float) for c in ("diff", "low", "high"))
        sig = sub["significant"].to_numpy(dtype=bool)
        fig.add_trace(
            go.Bar(
                x=d,
                y=[labels[i] for i in sub.index],
                orientation="h",
                name=name,
                marker={"color": colour, "opacity": np.where(sig, 0.85, 0.35).tolist()},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": hi - d,
                    "arrayminus": d - lo,
                    "color": WHISKER,
                    "thickness": 1.5,
                    "width": 4,
                },
                customdata=np.column_stack(
                    [
                        lo,
                        hi,
                        sub["a_value"],
                        sub["b_value"],
                        np.where(sig, "significant", "not significant"),
                    ]
                ),
                hovertemplate=(
                    "%{y}: %{x:+.2f} points<br>95% CI %{customdata[0]:.2f} to "
                    "%{customdata[1]:.2f} (%{customdata[4]})<br>"
                    f"{comparison.a} %{{customdata[2]:.2f}} vs {comparison.b} "
                    "%{customdata[3]:.2f}<extra></extra>"
                ),
            )
        )
    fig.add_vline(x=0, line={"color": WHISKER, "width": 1})
    fig.update_yaxes(
        categoryorder="array", categoryarray=list(labels.values()), autorange="reversed"
    )
    fig.update_xaxes(title={"text": f"{comparison.a} minus {comparison.b} (points)"}, zeroline=True)
    fig.update_layout(barmode="overlay")
    null = rows[rows["diff"].isna()]
    note = "Faded: the interval includes 0 (not significant)." + (
        " No value: " + ", ".join(labels[i] for i in null.index) if len(null) else ""
    )
    title = f"{comparison.a} vs {comparison.b}, {TABLE_TITLES.get(table_key, table_key)}"
    return style_figure(fig, title, height=max(240, 110 + 26 * len(rows)), subtitle=note)


def _p_text(p: float) -> str:
    if p < 0.001:
        return "p<0.001"
    return f"p={round(p, 3):.3f}".rstrip("0").rstrip(".")


def _ci(low: float, high: float, level: float) -> str:
    return f"{level:.0%} CI {low:.1f} to {high:.1f}"


def comparison_summary(comparison: Comparison) -> str:
    """One or two plain sentences: who is ahead overall and by how much, whether McNemar
    agrees, and on how many categories the difference is significant.

    When either Overall is null (open-ended answers not judged) the headline difference is
    taken on the closed-ended items, and the text says so.
    """
    c = comparison
    head, scope, note = c.overall(), "overall", ""
    if head is None:
        row = c.cells[(c.cells["table"] == "table3") & (c.cells["cell"] == "Overall")].iloc[0]
        who = [m for m, v in ((c.a, row["a_value"]), (c.b, row["b_value"])) if pd.isna(v)]
        note = (
            f" Overall is null for {' and '.join(who)} (open-ended answers not judged), "
            "so the headline compares closed-ended items."
        )
        head, scope = c.closed, "on closed-ended items"
    leader, other = c.a, c.b
    if head is None:
        first = f"{c.a} and {c.b} have no scored items in common"
    elif head[0] == 0:
        first = f"{c.a} and {c.b} are level {scope} (0.0 points, {_ci(*head[1:], c.level)})"
    else:
        d, lo, hi = head
        if d < 0:
            d, lo, hi = -d, -hi, -lo
            leader, other = c.b, c.a
        sig = "" if lo > 0 else ", not a significant difference"
        first = (
            f"{leader} is ahead of {other} by {d:.1f} points {scope} ({_ci(lo, hi, c.level)}{sig})"
        )
    m = c.mcnemar
    if m.n_items:
        first += (
            f"; McNemar {_p_text(m.p)} on {m.n_items:,} closed-ended items "
            f"({m.b + m.c:,} answered differently)"
        )
    cats = c.cells[~((c.cells["table"] == "table3") & (c.cells["cell"] == "Overall"))]
    cats = cats[cats["diff"].notna()]
    a_better, b_better = int((cats["low"] > 0).sum()), int((cats["high"] < 0).sum())
    better, worse = (a_better, b_better) if leader == c.a else (b_better, a_better)
    if better + worse == 0:
        second = f"No category differs significantly ({len(cats)} compared)."
    elif head is None or head[0] == 0:
        second = f"{better + worse} of {len(cats)} categories differ significantly."
    else:
        second = f"{leader} is significantly better on {better} of {len(cats)} categories"
        second += f" and significantly worse on {worse}." if worse else "."
    return f"{first}. {second}{note}"
