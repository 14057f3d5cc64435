"""Radar charts like the paper's Figure 4, as plotly figures, each with a one-line summary.

(a) Overall of every shown model; (b) chosen models across categories (image sources,
quality dimensions, question types by default). Figures use transparent backgrounds and a
neutral grey that reads on light and dark themes; model names are escaped before plotly sees
them, because plotly renders a subset of HTML in labels.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from leaderboard.taxonomy import TABLES, Cell

from .entries import VERIFIED, Entry

TEXT = "#8a8f98"  # mid grey: readable on white and on near-black
GRID = "rgba(138, 143, 152, 0.35)"
PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777",
           "#65a30d", "#ea580c", "#4f46e5")


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
    return [e.name + (" [verified]" if e.kind == VERIFIED and seen.count(e.name) > 1 else "")
            for e in entries]


def _layout(fig: go.Figure, title: str, height: int = 520) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.02, "font": {"size": 15}},
        paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
        font={"color": TEXT, "size": 12}, height=height, margin={"l": 70, "r": 70, "t": 60,
                                                                  "b": 40},
        polar={"bgcolor": "rgba(0,0,0,0)",
               "radialaxis": {"gridcolor": GRID, "linecolor": GRID, "tickfont": {"size": 10}},
               "angularaxis": {"gridcolor": GRID, "linecolor": GRID, "rotation": 90,
                               "direction": "clockwise"}},
        legend={"bgcolor": "rgba(0,0,0,0)", "orientation": "h", "y": -0.08},
        colorway=list(PALETTE), hoverlabel={"namelength": -1})
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


def overall_radar(entries: Sequence[Entry]) -> tuple[go.Figure, str]:
    """Figure 4(a): Overall of every shown model (baselines as a dashed reference; rows
    still being judged have no Overall yet and are left out)."""
    models = [e for e in entries if not (e.is_baseline or e.is_pending)]
    names = display_names(models)
    values = [e.value("table3", "Overall") for e in models]
    fig = go.Figure()
    if not models:
        return _layout(fig, "(a) Overall"), "No models shown."
    labels = [plotly_text(n) for n in names]
    r = [np.nan if v is None else v for v in values]
    fig.add_trace(go.Scatterpolar(
        r=r + r[:1], theta=labels + labels[:1], fill="toself", name="Overall",
        mode="lines+markers", line={"color": PALETTE[0]}, fillcolor="rgba(37,99,235,0.18)",
        hovertemplate="%{theta}<br>Overall %{r:.2f}<extra></extra>"))
    for e in entries:
        if e.is_baseline and e.value("table3", "Overall") is not None:
            base = e.value("table3", "Overall")
            fig.add_trace(go.Scatterpolar(
                r=[base] * (len(labels) + 1), theta=labels + labels[:1], mode="lines",
                name=f"Random guess ({e.kind})", line={"dash": "dash", "color": TEXT},
                hovertemplate=f"Random guess ({e.kind}) %{{r:.2f}}<extra></extra>"))
            break
    _layout(fig, "(a) Overall accuracy (%) of every shown model")
    fig.update_polars(radialaxis_range=_radial_range(r))
    _between_spokes(fig, len(labels))
    return fig, overall_summary(models)


def overall_summary(models: Sequence[Entry]) -> str:
    scored = [(e.value("table3", "Overall"), n) for e, n in zip(models, display_names(models))
              if e.value("table3", "Overall") is not None]
    if not scored:
        return "No Overall values among the shown models."
    scored.sort(key=lambda t: -t[0])
    vals = np.array([v for v, _ in scored])
    return (f"Best Overall: {scored[0][1]} {scored[0][0]:.2f}; lowest: {scored[-1][1]} "
            f"{scored[-1][0]:.2f}; median {np.median(vals):.2f} over {len(scored)} models "
            f"(spread {vals.max() - vals.min():.2f} points).")


def representative(entries: Sequence[Entry], k: int = 5) -> list[str]:
    """k models spread evenly over the Overall ranking (best, ..., lowest): a deterministic
    stand-in for the paper's "five representative MLLMs"."""
    ranked = sorted((e for e in entries if e.ranked
                     and e.value("table3", "Overall") is not None),
                    key=lambda e: (-e.value("table3", "Overall"), e.name))  # type: ignore
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


def category_radar(entries: Sequence[Entry], chosen: Sequence[str],
                   group_keys: Sequence[str] = DEFAULT_GROUPS) -> tuple[go.Figure, str]:
    """Figure 4(b): chosen models (by display name) across the chosen category groups."""
    entries = [e for e in entries if not e.is_pending]  # no OE cells yet
    names = display_names(entries)
    picked = [(n, e) for n, e in zip(names, entries) if n in chosen or e.name in chosen]
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
        fig.add_trace(go.Scatterpolar(
            r=r + r[:1], theta=labels + labels[:1], name=plotly_text(name), fill="toself",
            mode="lines+markers", line={"color": color}, opacity=0.75,
            customdata=[c.group for _, c in cells] + [cells[0][1].group],
            hovertemplate=(f"{plotly_text(name)}<br>%{{customdata}} · %{{theta}}: "
                           "%{r:.2f}<extra></extra>")))
    fig.update_polars(radialaxis_range=_radial_range(all_values))
    _between_spokes(fig, len(labels))
    return fig, category_summary(picked, cells)


def category_summary(picked: Sequence[tuple[str, Entry]],
                     cells: Sequence[tuple[str, Cell]]) -> str:
    spreads = []
    for name, e in picked:
        vals = [(e.value(t, c.name), c.label) for t, c in cells
                if e.value(t, c.name) is not None]
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
    return (f"Widest spread: {w[1]} ({w[2][1]} {w[2][0]:.2f} to {w[3][1]} {w[3][0]:.2f}, "
            f"{w[0]:.2f} points); hardest category on average: {hard[1]} {hard[0]:.2f}; "
            f"easiest: {easy[1]} {easy[0]:.2f}.")
