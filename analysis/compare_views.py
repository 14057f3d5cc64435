"""Display frames, text and JSON for the Compare tab (issue 6).

`analysis.compare` computes; this module shapes its result for a grid (the item id first, so
a selected row names its item however the grid was sorted), for Markdown (model names escaped
with `md_escape`) and for the API (NaN as null). Model names never go into column headers:
the tables say "A" and "B", the summary says who.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from leaderboard.safe_text import md_escape

from .charts import plotly_text
from .compare import COMPARE_NOTE, Comparison, comparison_summary, delta_figure
from .intervals import SIGNIFICANT as SIGNIFICANT  # re-exported: the mark the views show
from .intervals import display_labels, paired_columns
from .item_views import category_text

#: Columns of `cells_frame` and `discordant_frame`.
CELL_HEADERS = ("Category", "Items", "A", "B", "A − B", "95% CI", "Significant")
DISCORDANT_HEADERS = ("ID", "Type", "Categories", "A score", "B score", "Ahead")


def _num(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x) else float(x)


def cells_frame(cmp: Comparison, table: str) -> pd.DataFrame:
    """One row per cell of a table: both values, A minus B, its interval, a mark when the
    interval excludes 0. Numbers stay numbers (rounded to 2 decimals) so columns sort."""
    rows = cmp.cells[cmp.cells["table"] == table]
    labels = display_labels(table)
    ci, mark = paired_columns(rows, "diff")
    return pd.DataFrame(
        {
            "Category": [labels[c] for c in rows["cell"]],
            "Items": rows["n_items"].to_numpy(dtype="int64"),
            "A": rows["a_value"].round(2).to_numpy(),
            "B": rows["b_value"].round(2).to_numpy(),
            "A − B": rows["diff"].round(2).to_numpy(),
            "95% CI": ci,
            "Significant": mark,
        },
        columns=list(CELL_HEADERS),
    )


CELL_TYPES = ["str", "number", "number", "number", "number", "str", "str"]


def discordant_frame(cmp: Comparison) -> pd.DataFrame:
    """The items one model scores higher on than the other, benchmark order."""
    d = cmp.discordant
    return pd.DataFrame(
        {
            "ID": d["id"].tolist(),
            "Type": d["qtype"].tolist(),
            "Categories": category_text(d),
            "A score": d["a_score"].to_numpy(dtype=float),
            "B score": d["b_score"].to_numpy(dtype=float),
            "Ahead": [
                "A" if a > b else "B" for a, b in zip(d["a_score"], d["b_score"], strict=False)
            ],
        },
        columns=list(DISCORDANT_HEADERS),
    )


DISCORDANT_TYPES = ["str", "str", "str", "number", "number", "str"]


def summary_markdown(cmp: Comparison) -> str:
    """Who A and B are, the plain-sentence summary, and how to read it; names escaped."""
    safe = dataclasses.replace(cmp, a=md_escape(cmp.a), b=md_escape(cmp.b))
    who = f"**A** = {safe.a} · **B** = {safe.b}"
    return f"{who}\n\n{comparison_summary(safe)}\n\n<small>{COMPARE_NOTE}</small>"


def mcnemar_markdown(cmp: Comparison) -> str:
    """McNemar's exact test in one line (counts, p-value), or why there is none."""
    m = cmp.mcnemar
    if not m.n_items:
        return "McNemar's exact test: no closed-ended item scored for both models."
    p = "< 0.001" if m.p < 0.001 else f"= {m.p:.3f}"
    verdict = (
        "the two differ on closed-ended items"
        if m.p < 1 - cmp.level
        else "no significant difference on closed-ended items"
    )
    return (
        f"**McNemar's exact test** on {m.n_items:,} closed-ended items: A right and B "
        f"wrong on **{m.b:,}**, B right and A wrong on **{m.c:,}**; p {p} "
        f"({verdict}). {len(cmp.discordant):,} items scored differently in all "
        "(open-ended included) are listed below; select one to open it in the "
        "Drill-down tab with both models."
    )


def comparison_json(cmp: Comparison) -> dict[str, Any]:
    """The comparison for the API: per-cell values, differences and intervals (points,
    null where a cell is null), McNemar (b, c, p) and the discordant item ids."""
    cells = [
        {
            k: (_num(v) if k in ("a_value", "b_value", "diff", "low", "high") else v)
            for k, v in rec.items()
        }
        for rec in cmp.cells.to_dict(orient="records")
    ]
    for rec in cells:
        rec["n_items"] = int(rec["n_items"])
        rec["significant"] = bool(rec["significant"]) and rec["diff"] is not None
    d = cmp.discordant
    return {
        "model_a": cmp.a,
        "model_b": cmp.b,
        "level": cmp.level,
        "resamples": cmp.resamples,
        "clustered": cmp.clustered,
        "cells": cells,
        "closed_ended": None
        if cmp.closed is None
        else dict(zip(("diff", "low", "high"), cmp.closed, strict=False)),
        "mcnemar": {
            "b": cmp.mcnemar.b,
            "c": cmp.mcnemar.c,
            "p": cmp.mcnemar.p,
            "n_items": cmp.mcnemar.n_items,
        },
        "discordant_ids": d["id"].tolist(),
        "a_ahead_ids": d.loc[d["a_score"] > d["b_score"], "id"].tolist(),
        "b_ahead_ids": d.loc[d["a_score"] < d["b_score"], "id"].tolist(),
        "summary": comparison_summary(cmp),
    }


# ----------------------------------------------------------------------------- tab text

#: What the Compare tab says until two verified models are chosen.
CHOOSE_TWO = "Choose two verified models (A and B) to compare."


def problem_markdown(message: str) -> str:
    """Why there is no comparison (the message may name a model: escaped)."""
    return f"*{md_escape(message)}*"


def cells_styler(cmp: Comparison, table: str) -> Styler:
    """`cells_frame` for the grid: values to 2 decimals, the difference signed, "-" null."""
    return (
        cells_frame(cmp, table)
        .style.format({"A": "{:.2f}", "B": "{:.2f}", "A − B": "{:+.2f}"}, na_rep="-")
        .hide(axis="index")
    )


def delta_chart(cmp: Comparison, table: str) -> go.Figure:
    """`compare.delta_figure` with the model names as plotly text (entities, not tags)."""
    return delta_figure(dataclasses.replace(cmp, a=plotly_text(cmp.a), b=plotly_text(cmp.b)), table)
