"""Display frames for the Items tab (issue 6): item difficulty per category, items every
model fails (for label review), and every item's share of models right.

`analysis.items` computes; this module shapes its results for a grid, the item id first so
a selected row names its item however the grid was sorted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from leaderboard.taxonomy import LABELS

from .intervals import display_labels

#: Columns of `failures_frame`, `analysis_frame`, `difficulty_frame`.
FAILURE_HEADERS = ("ID", "Question", "Gold answer", "Categories", "Models")
ANALYSIS_HEADERS = (
    "ID",
    "Type",
    "Source",
    "Dimension",
    "Sub-dimension",
    "Scope",
    "Right (%)",
    "Models",
)
DIFFICULTY_HEADERS = ("Category", "Group", "Items", "Right (%)")


def category_text(frame: pd.DataFrame) -> list[str]:
    """Each row's categories as one label: source · dimension · sub-dimension · scope."""
    return [
        " · ".join([LABELS.get(src, src), dim, sub, scope])
        for src, dim, sub, scope in zip(
            frame["image_source"],
            frame["dimension"],
            frame["subdimension"],
            frame["scope"],
            strict=False,
        )
    ]


def difficulty_frame(difficulty: pd.DataFrame, table: str) -> pd.DataFrame:
    """`items.difficulty_by_category` of one table as percent, the table's order."""
    rows = difficulty[difficulty["table"] == table]
    labels = display_labels(table)
    return pd.DataFrame(
        {
            "Category": [labels[c] for c in rows["cell"]],
            "Group": rows["group"].tolist(),
            "Items": rows["n_items"].to_numpy(dtype="int64"),
            "Right (%)": (100 * rows["share_right"]).round(1).to_numpy(),
        },
        columns=list(DIFFICULTY_HEADERS),
    )


DIFFICULTY_TYPES = ["str", "str", "number", "number"]


def failures_frame(failures: pd.DataFrame) -> pd.DataFrame:
    """`items.unanimous_failures` for label review: id, question, gold answer spelled out,
    categories, and how many models were counted."""
    return pd.DataFrame(
        {
            "ID": failures["id"].tolist(),
            "Question": failures["question"].tolist(),
            "Gold answer": failures["answer_text"].tolist(),
            "Categories": [
                f"{q} · {c}"
                for q, c in zip(failures["qtype"], category_text(failures), strict=False)
            ],
            "Models": failures["n_models"].to_numpy(dtype="int64"),
        },
        columns=list(FAILURE_HEADERS),
    )


FAILURE_TYPES = ["str", "str", "str", "str", "number"]


def analysis_frame(analysis: pd.DataFrame) -> pd.DataFrame:
    """`items.item_analysis` as percent right, hardest first (ties: benchmark order)."""
    frame = pd.DataFrame(
        {
            "ID": analysis["id"].tolist(),
            "Type": analysis["qtype"].tolist(),
            "Source": [LABELS.get(s, s) for s in analysis["image_source"]],
            "Dimension": analysis["dimension"].tolist(),
            "Sub-dimension": analysis["subdimension"].tolist(),
            "Scope": analysis["scope"].tolist(),
            "Right (%)": (100 * analysis["share_right"]).round(1).to_numpy(),
            "Models": analysis["n_models"].to_numpy(dtype="int64"),
        },
        columns=list(ANALYSIS_HEADERS),
    )
    order = np.lexsort((np.arange(len(frame)), frame["Right (%)"].fillna(np.inf).to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


ANALYSIS_TYPES = ["str", "str", "str", "str", "str", "str", "number", "number"]


# ----------------------------------------------------------------------------- tab text


def difficulty_styler(difficulty: pd.DataFrame, table: str) -> Styler:
    """`difficulty_frame` for the grid: percent to one decimal, "-" where unknown."""
    return (
        difficulty_frame(difficulty, table)
        .style.format({"Right (%)": "{:.1f}"}, na_rep="-")
        .hide(axis="index")
    )


def failures_markdown(n_failures: int, n_models: int) -> str:
    """The line above the unanimous failures: how many, over how many models."""
    if n_models < 2:
        return "At least two verified models are needed to list items everyone fails."
    return (
        f"**{n_failures}** items every counted verified model scores 0 on "
        f"({n_models} verified models; an item is listed when at least 2 were "
        "scored on it). Select one to open it in the Drill-down tab."
    )
