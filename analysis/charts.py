"""The Charts tab's figures and a model page's radar, as plotly figures with one-line summaries.

(a) Overall of every shown model: a radar like the paper's Figure 4 up to `RADAR_MAX` models,
beyond that a sorted horizontal bar chart (a radar's labels collide once there are more
spokes than fit around it); (b) chosen models across categories (image sources, quality
dimensions, question types by default); accuracy against model size (log scale); one model
against the best and the median row per category. Figures use transparent backgrounds and a
neutral grey that reads on light and dark themes; model names are escaped before plotly sees
them, because plotly renders a subset of HTML in labels.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from leaderboard.taxonomy import TABLES, Cell

from .entries import REPORTED, VERIFIED, Entry
from .figstyle import style_figure

TEXT = "#8a8f98"  # mid grey: readable on white and on near-black
GRID = "rgba(138, 143, 152, 0.35)"
PALETTE = (
    "#2563eb",
    "#dc2626",
    "#16a34a",
    "#d97706",
    "#9333ea",
    "#0891b2",
    "#db2777",
    "#65a30d",
    "#ea580c",
    "#4f46e5",
)
#: Chart (a) is a radar up to this many models, a sorted bar chart beyond: at 12 spokes
#: (30 degrees apart) the labels of neighbouring spokes stay clear of each other even on a
#: phone-sized radar; at 30 they pile up at the top and bottom.
RADAR_MAX = 12
#: Characters of a model name shown as an axis label (the full name is in the hover): a
#: bar chart's labels sit on their own axis; a radar's must fit in its side margin
#: (RADAR_SIDE pixels), also on a phone.
LABEL_CHARS = 26
RADAR_LABEL_CHARS = 22
RADAR_SIDE = 140
#: Colours of the two row kinds (the board's verified teal; the palette's blue).
KIND_COLOURS = {REPORTED: "#2563eb", VERIFIED: "#0d9488"}
#: Marker symbols of open, closed and unknown weights in the size scatter.
WEIGHT_SYMBOLS = {True: "circle", False: "diamond", None: "x"}
WEIGHT_WORDS = {True: "open", False: "closed", None: "weights unknown"}
#: Labelled sizes on the scatter's log axis (billions).
LOG_TICKS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


@dataclass(frozen=True)
class CategoryGroup:
    key: str  # "table3:Image Sources"
    label: str
    table: str
    cells: tuple[Cell, ...]


def _groups() -> dict[str, CategoryGroup]:
    out: dict[str, CategoryGroup] = {}
    for table in ("table3", "table4"):
        for group, cells in TABLES[table].groups:
            if group == "Overall":
                continue
            key = f"{table}:{group}"
            out[key] = CategoryGroup(key, group, table, tuple(cells))
    return out


#: Category groups offered for chart (b), from the taxonomy's table layouts.
CATEGORY_GROUPS: dict[str, CategoryGroup] = _groups()
DEFAULT_GROUPS: tuple[str, ...] = tuple(k for k in CATEGORY_GROUPS if k.startswith("table3:"))


def plotly_text(text: str) -> str:
    """User text as plotly shows it: entities, never tags. Quotes stay as they are
    (plotly does not decode &quot;, and outside a tag a quote is harmless)."""
    return html.escape(text, quote=False)


def display_names(entries: Sequence[Entry]) -> list[str]:
    """Names as chart labels, unique: a verified row sharing a reported row's name gets
    a "[verified]" suffix."""
    seen = [e.name for e in entries]
    return [
        e.name + (" [verified]" if e.kind == VERIFIED and seen.count(e.name) > 1 else "")
        for e in entries
    ]


_SUFFIX = re.compile(r"\s*\([^()]{1,10}\)$")  # "(7B)", "(simulated)"


def short_label(text: str, limit: int = LABEL_CHARS) -> str:
    """An axis label of at most `limit` characters, "…" marking a cut. A short trailing
    "(7B)" is kept, since it tells sizes of one family apart: "LLaVA-OneVisi… (8B)"."""
    if len(text) <= limit:
        return text
    m = _SUFFIX.search(text)
    if m and len(m.group(0)) <= limit // 2:
        stem = text[: m.start()][: limit - len(m.group(0)) - 1].rstrip()
        return stem + "…" + m.group(0)
    return text[: limit - 1].rstrip() + "…"


def _layout(fig: go.Figure, title: str, height: int = 520) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.02, "font": {"size": 15}},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": TEXT, "size": 12},
        height=height,
        margin={"l": 70, "r": 70, "t": 60, "b": 40},
        polar={
            "bgcolor": "rgba(0,0,0,0)",
            "radialaxis": {"gridcolor": GRID, "linecolor": GRID, "tickfont": {"size": 10}},
            "angularaxis": {
                "gridcolor": GRID,
                "linecolor": GRID,
                "rotation": 90,
                "direction": "clockwise",
            },
        },
        legend={"bgcolor": "rgba(0,0,0,0)", "orientation": "h", "y": -0.08},
        colorway=list(PALETTE),
        hoverlabel={"namelength": -1},
    )
    return fig


def _between_spokes(fig: go.Figure, n: int) -> None:
    """Put the radial tick labels between the first two spokes, clear of category labels."""
    angle = 90 - 180 / max(n, 1)
    fig.update_polars(radialaxis_angle=angle, radialaxis_tickangle=angle)


def _radial_range(values: list[float]) -> list[float]:
    ok = [v for v in values if v is not None and not math.isnan(v)]
    if not ok:
        return [0, 100]
    lo = max(0.0, math.floor((min(ok) - 5) / 10) * 10)
    hi = min(100.0, math.ceil((max(ok) + 5) / 10) * 10)
    return [lo, hi]


def _shown_models(entries: Sequence[Entry]) -> list[Entry]:
    return [e for e in entries if not (e.is_baseline or e.is_pending)]


def _baseline(entries: Sequence[Entry]) -> Entry | None:
    """The first Random row with an Overall value (the board puts the one to compare with
    first)."""
    return next(
        (e for e in entries if e.is_baseline and e.value("table3", "Overall") is not None), None
    )


def radar_fits(entries: Sequence[Entry], max_radar: int = RADAR_MAX) -> bool:
    """Chart (a) is a radar (`overall_radar`) for at most `max_radar` models, else the
    sorted bar chart (`overall_bars`)."""
    return len(_shown_models(entries)) <= max_radar


def overall_radar(entries: Sequence[Entry]) -> tuple[go.Figure, str]:
    """Figure 4(a): Overall of every shown model (baselines as a dashed reference; rows
    still being judged have no Overall yet and are left out)."""
    models = _shown_models(entries)
    names = display_names(models)
    values = [e.value("table3", "Overall") for e in models]
    fig = go.Figure()
    if not models:
        return _layout(fig, "(a) Overall"), "No models shown."
    labels = [plotly_text(n) for n in names]
    r = [np.nan if v is None else v for v in values]
    fig.add_trace(
        go.Scatterpolar(
            r=r + r[:1],
            theta=labels + labels[:1],
            fill="toself",
            name="Overall",
            mode="lines+markers",
            line={"color": PALETTE[0]},
            fillcolor="rgba(37,99,235,0.18)",
            hovertemplate="%{theta}<br>Overall %{r:.2f}<extra></extra>",
        )
    )
    base = _baseline(entries)
    if base is not None:
        value = base.value("table3", "Overall")
        fig.add_trace(
            go.Scatterpolar(
                r=[value] * (len(labels) + 1),
                theta=labels + labels[:1],
                mode="lines",
                name=f"Random guess ({base.kind})",
                line={"dash": "dash", "color": TEXT},
                hovertemplate=f"Random guess ({base.kind}) %{{r:.2f}}<extra></extra>",
            )
        )
    _layout(fig, "(a) Overall accuracy (%) of every shown model")
    fig.update_layout(margin={"l": RADAR_SIDE, "r": RADAR_SIDE})
    fig.update_polars(
        radialaxis_range=_radial_range(r),
        angularaxis={
            "tickmode": "array",
            "tickvals": labels,
            "tickfont": {"size": 11},
            "ticktext": [plotly_text(short_label(n, RADAR_LABEL_CHARS)) for n in names],
        },
    )
    _between_spokes(fig, len(labels))
    return fig, overall_summary(models)


def overall_bars(entries: Sequence[Entry]) -> tuple[go.Figure, str]:
    """Chart (a) for many models: one horizontal bar per model, best at the top, coloured
    by row kind, the Random row as a dashed line. Models without an Overall are named in
    the summary instead of drawn as empty bars."""
    models = _shown_models(entries)
    names = display_names(models)
    scored = sorted(
        (
            (e.value("table3", "Overall"), n, e)
            for n, e in zip(names, models, strict=True)
            if e.value("table3", "Overall") is not None
        ),
        key=lambda t: (-t[0], t[1].casefold()),
    )  # type: ignore[operator]
    fig = go.Figure()
    order = [plotly_text(n) for _, n, _ in scored]
    for kind in (REPORTED, VERIFIED):
        rows = [(v, plotly_text(n)) for v, n, e in scored if e.kind == kind]
        if not rows:
            continue
        fig.add_trace(
            go.Bar(
                x=[v for v, _ in rows],
                y=[n for _, n in rows],
                orientation="h",
                name=kind,
                marker={"color": KIND_COLOURS[kind]},
                text=[f"{v:.2f}" for v, _ in rows],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{y}} ({kind})<br>Overall %{{x:.2f}}<extra></extra>",
            )
        )
    style_figure(fig, "(a) Overall accuracy (%), best first", height=110 + 24 * max(len(scored), 1))
    top = max([v for v, _, _ in scored], default=100.0)
    fig.update_layout(
        barmode="overlay",
        bargap=0.25,
        showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        margin={"l": 10, "r": 30, "t": 56, "b": 40},
    )
    fig.update_yaxes(
        categoryorder="array",
        categoryarray=order,
        autorange="reversed",
        tickmode="array",
        tickvals=order,
        ticktext=[plotly_text(short_label(n)) for _, n, _ in scored],
        showgrid=False,
    )
    fig.update_xaxes(range=[0, min(100.0, top + 12)], title={"text": "Overall (%)"})
    base = _baseline(entries)
    if base is not None:
        value = base.value("table3", "Overall")
        fig.add_vline(x=value, line={"dash": "dash", "color": TEXT, "width": 1.5}, layer="above")
        # Above the plot area, where no bar is: the legend sits at the right end.
        fig.add_annotation(
            x=value,
            y=1,
            xref="x",
            yref="paper",
            yanchor="bottom",
            xanchor="left",
            showarrow=False,
            text=f"Random guess {value:.2f}",
            font={"color": TEXT, "size": 11},
        )
    summary = overall_summary(models)
    missing = [
        n for n, e in zip(names, models, strict=True) if e.value("table3", "Overall") is None
    ]
    if missing:
        summary += f" No Overall yet: {', '.join(missing)}."
    return fig, summary


def overall_summary(models: Sequence[Entry]) -> str:
    scored = [
        (e.value("table3", "Overall"), n)
        for e, n in zip(models, display_names(models), strict=False)
        if e.value("table3", "Overall") is not None
    ]
    if not scored:
        return "No Overall values among the shown models."
    scored.sort(key=lambda t: -t[0])
    vals = np.array([v for v, _ in scored])
    return (
        f"Best Overall: {scored[0][1]} {scored[0][0]:.2f}; lowest: {scored[-1][1]} "
        f"{scored[-1][0]:.2f}; median {np.median(vals):.2f} over {len(scored)} models "
        f"(spread {vals.max() - vals.min():.2f} points)."
    )


def representative(entries: Sequence[Entry], k: int = 5) -> list[str]:
    """k models spread evenly over the Overall ranking (best, ..., lowest): a deterministic
    stand-in for the paper's "five representative MLLMs"."""
    ranked = sorted(
        (e for e in entries if e.ranked and e.value("table3", "Overall") is not None),
        key=lambda e: (-e.value("table3", "Overall"), e.name),
    )  # type: ignore
    if len(ranked) <= k:
        return [e.name for e in ranked]
    idx = np.unique(np.round(np.linspace(0, len(ranked) - 1, k)).astype(int))
    return [ranked[i].name for i in idx]


def category_cells(group_keys: Sequence[str]) -> list[tuple[str, Cell]]:
    """(table key, cell) for each chosen group, in taxonomy order."""
    out = []
    for key in CATEGORY_GROUPS:
        if key in group_keys:
            g = CATEGORY_GROUPS[key]
            out += [(g.table, c) for c in g.cells]
    return out


def category_radar(
    entries: Sequence[Entry], chosen: Sequence[str], group_keys: Sequence[str] = DEFAULT_GROUPS
) -> tuple[go.Figure, str]:
    """Figure 4(b): chosen models (by display name) across the chosen category groups."""
    entries = [e for e in entries if not e.is_pending]  # no OE cells yet
    names = display_names(entries)
    picked = [
        (n, e) for n, e in zip(names, entries, strict=False) if n in chosen or e.name in chosen
    ]
    cells = category_cells(group_keys)
    fig = go.Figure()
    _layout(fig, "(b) Accuracy (%) by category", height=560)
    if not cells:
        return fig, "Choose at least one category group."
    if not picked:
        return fig, "Choose at least one model."
    labels = [c.label for _, c in cells]
    all_values = []
    for i, (name, e) in enumerate(picked):
        r = [e.value(t, c.name) for t, c in cells]
        r = [np.nan if v is None else v for v in r]
        all_values += r
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(
            go.Scatterpolar(
                r=r + r[:1],
                theta=labels + labels[:1],
                name=plotly_text(name),
                fill="toself",
                mode="lines+markers",
                line={"color": color},
                opacity=0.75,
                customdata=[c.group for _, c in cells] + [cells[0][1].group],
                hovertemplate=(
                    f"{plotly_text(name)}<br>%{{customdata}} · %{{theta}}: "
                    "%{r:.2f}<extra></extra>"
                ),
            )
        )
    fig.update_polars(radialaxis_range=_radial_range(all_values))
    _between_spokes(fig, len(labels))
    return fig, category_summary(picked, cells)


def category_summary(picked: Sequence[tuple[str, Entry]], cells: Sequence[tuple[str, Cell]]) -> str:
    spreads = []
    for name, e in picked:
        vals = [(e.value(t, c.name), c.label) for t, c in cells if e.value(t, c.name) is not None]
        if len(vals) >= 2:
            hi, lo = max(vals), min(vals)
            spreads.append((hi[0] - lo[0], name, lo, hi))
    means = []
    for t, c in cells:
        vals = [e.value(t, c.name) for _, e in picked if e.value(t, c.name) is not None]
        if vals:
            means.append((float(np.mean(vals)), c.label))
    if not spreads or not means:
        return "Not enough values to compare."
    w = max(spreads)
    hard, easy = min(means), max(means)
    return (
        f"Widest spread: {w[1]} ({w[2][1]} {w[2][0]:.2f} to {w[3][1]} {w[3][0]:.2f}, "
        f"{w[0]:.2f} points); hardest category on average: {hard[1]} {hard[0]:.2f}; "
        f"easiest: {easy[1]} {easy[0]:.2f}."
    )


def size_scatter(entries: Sequence[Entry]) -> tuple[go.Figure, str]:
    """Overall against parameter count (log scale): one trace per row kind and weights, so
    the legend reads "reported · open", "verified · closed"; colour tells paper rows from
    verified ones, the marker symbol open from closed weights. Rows without a parameter
    count cannot be placed and are listed in the returned note."""
    shown = _shown_models(entries)
    models = [
        (n, e)
        for n, e in zip(display_names(shown), shown, strict=True)
        if e.value("table3", "Overall") is not None
    ]
    placed = [(n, e) for n, e in models if e.params_b is not None and e.params_b > 0]
    unknown = [n for n, e in models if e.params_b is None or e.params_b <= 0]
    fig = go.Figure()
    for kind in (REPORTED, VERIFIED):
        for weights in (True, False, None):
            pts = [(n, e) for n, e in placed if e.kind == kind and e.open is weights]
            if not pts:
                continue
            group = f"{kind} · {WEIGHT_WORDS[weights]}"
            fig.add_trace(
                go.Scatter(
                    x=[e.params_b for _, e in pts],
                    y=[e.value("table3", "Overall") for _, e in pts],
                    mode="markers",
                    name=group,
                    text=[plotly_text(n) for n, _ in pts],
                    marker={
                        "color": KIND_COLOURS[kind],
                        "symbol": WEIGHT_SYMBOLS[weights],
                        "size": 10,
                        "opacity": 0.85,
                        "line": {"width": 1, "color": "rgba(255,255,255,0.6)"},
                    },
                    hovertemplate=(
                        "%{text}<br>%{x:g}B parameters · Overall %{y:.2f}"
                        f"<extra>{group}</extra>"
                    ),
                )
            )
    style_figure(fig, "Overall accuracy (%) against model size", height=520)
    sizes = [e.params_b for _, e in placed]
    ticks = [t for t in LOG_TICKS if sizes and min(sizes) / 2 <= t <= max(sizes) * 2]
    fig.update_xaxes(
        type="log",
        title={"text": "Parameters (billions, log scale)"},
        tickmode="array" if ticks else "auto",
        tickvals=ticks or None,
        ticktext=[f"{t:g}B" for t in ticks] or None,
    )
    fig.update_yaxes(title={"text": "Overall (%)"})
    fig.update_layout(
        showlegend=True,  # also for one group: the legend says what it is
        legend={"orientation": "h", "yanchor": "top", "y": -0.16, "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 20, "t": 56, "b": 90},
    )
    base = _baseline(entries)
    if base is not None:
        value = base.value("table3", "Overall")
        fig.add_hline(
            y=value,
            line={"dash": "dash", "color": TEXT, "width": 1.5},
            annotation={"text": f"Random guess {value:.2f}", "font": {"color": TEXT, "size": 11}},
            annotation_position="bottom right",
        )
    if not models:
        return fig, "No models shown."
    note = f"{len(placed)} of {len(models)} models placed by parameter count."
    if unknown:
        note += f" Size unknown (not plotted): {', '.join(unknown)}."
    return fig, note


def model_radar(
    entry: Entry, pool: Sequence[Entry], group_keys: Sequence[str] = DEFAULT_GROUPS
) -> tuple[go.Figure, str]:
    """One model across the chosen categories against the best and the median value of
    each category over `pool` (the board's rows; baselines and pending rows left out).
    The best trace's hover names the row holding it."""
    rows = [e for e in pool if not (e.is_baseline or e.is_pending)]
    names = display_names(rows)
    cells = category_cells(group_keys)
    labels = [c.label for _, c in cells]
    best, best_by, median = [], [], []
    for table, cell in cells:
        vals = [
            (e.value(table, cell.name), n)
            for n, e in zip(names, rows, strict=True)
            if e.value(table, cell.name) is not None
        ]
        if not vals:
            best.append(np.nan), best_by.append(""), median.append(np.nan)
            continue
        top = max(v for v, _ in vals)
        best.append(top)
        best_by.append(", ".join(n for v, n in vals if v == top))
        median.append(float(np.median([v for v, _ in vals])))
    own = [entry.value(t, c.name) for t, c in cells]
    own = [np.nan if v is None else v for v in own]
    fig = go.Figure()
    closed = labels + labels[:1]
    fig.add_trace(
        go.Scatterpolar(
            r=best + best[:1],
            theta=closed,
            name=f"best of {len(rows)} rows",
            mode="lines",
            line={"color": PALETTE[2], "dash": "dot"},
            customdata=[plotly_text(b) for b in best_by + best_by[:1]],
            hovertemplate="best · %{theta}: %{r:.2f}<br>%{customdata}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatterpolar(
            r=median + median[:1],
            theta=closed,
            name=f"median of {len(rows)} rows",
            mode="lines",
            line={"color": TEXT, "dash": "dash"},
            hovertemplate="median · %{theta}: %{r:.2f}<extra></extra>",
        )
    )
    name = plotly_text(entry.name)
    fig.add_trace(
        go.Scatterpolar(
            r=own + own[:1],
            theta=closed,
            name=f"{name} ({entry.kind})",
            fill="toself",
            mode="lines+markers",
            line={"color": KIND_COLOURS.get(entry.kind, PALETTE[0])},
            opacity=0.8,
            hovertemplate=f"{name} · %{{theta}}: %{{r:.2f}}<extra></extra>",
        )
    )
    _layout(fig, "Accuracy (%) by category against the board", height=500)
    fig.update_polars(radialaxis_range=_radial_range(own + best + median))
    _between_spokes(fig, len(labels))
    return fig, model_radar_summary(labels, own, best, median)


def model_radar_summary(
    labels: Sequence[str], own: Sequence[float], best: Sequence[float], median: Sequence[float]
) -> str:
    """How the model sits between the median and the best, in one sentence."""
    known = [
        (lab, o, b, m)
        for lab, o, b, m in zip(labels, own, best, median, strict=True)
        if not (math.isnan(o) or math.isnan(b))
    ]
    if not known:
        return "No category values to compare."
    above = sum(1 for _, o, _, m in known if o >= m)
    gap = max(known, key=lambda t: t[2] - t[1])
    text = f"At or above the median in {above} of {len(known)} categories"
    if gap[2] - gap[1] > 0:
        text += f"; furthest from the best: {gap[0]} ({gap[1]:.2f} vs {gap[2]:.2f})"
    else:
        text += "; the best in every category"
    return text + "."
