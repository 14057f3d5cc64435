"""Item analysis across the verified models: which questions are easy, hard, or suspicious.

An item every model fails is either very hard or mislabelled; listing those with their
question and gold answer is the cheapest label review a benchmark can get. The share of
models right per item (the classical item "facility") also shows which categories are hard
for everyone rather than for one model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from leaderboard.benchmark import Benchmark
from leaderboard.bootstrap import difficulty_by_category as _difficulty_by_cell
from leaderboard.bootstrap import item_difficulty, items_all_fail
from leaderboard.scoring import cell_masks
from leaderboard.taxonomy import OPTION_LETTERS, TABLE_TITLES, TABLES, TF_VALUES

from .figstyle import BLUE, style_figure
from .intervals import _cell_info, check_inputs, display_labels
from .links import item_link

_CATEGORY_FIELDS: tuple[str, ...] = (
    "qtype",
    "scope",
    "image_source",
    "source_dataset",
    "dimension",
    "subdimension",
)
#: Columns of `item_analysis`.
ITEM_COLUMNS: tuple[str, ...] = ("id",) + _CATEGORY_FIELDS + ("share_right", "n_models")
#: Columns of `unanimous_failures`.
FAILURE_COLUMNS: tuple[str, ...] = (
    "id",
    "qtype",
    "question",
    "options",
    "answer",
    "answer_text",
    "n_models",
    "image_source",
    "dimension",
    "subdimension",
    "scope",
    "link",
)
#: Columns of `difficulty_by_category`.
DIFFICULTY_COLUMNS: tuple[str, ...] = ("table", "cell", "label", "group", "n_items", "share_right")


def usable_scores(names: Sequence[str], scores: Any, bench: Benchmark) -> np.ndarray:
    """The scores item statistics may use: a model's scores on a question type are dropped
    (NaN) when any of its items of that type is unknown.

    Why: unknown scores are not missing at random. Without a judge, a model's only known
    open-ended scores are its unreadable, refused or missing answers (all 0), so counting
    them would make every open-ended item look failed. Only OE items can be unknown, so in
    practice a model whose open-ended answers were not all judged is left out of the
    open-ended items' statistics, and nothing else changes.
    """
    s = check_inputs(names, scores, bench).copy()
    qtype = bench.arrays["qtype"]
    for q in np.unique(qtype):
        cols = qtype == q
        partial = np.isnan(s[:, cols]).any(axis=1)
        s[np.ix_(partial, cols)] = np.nan
    return s


def item_analysis(names: Sequence[str], scores: Any, bench: Benchmark) -> pd.DataFrame:
    """Per item: id, categories, share of verified models right (0-1), models scored on it.

    share_right is the mean item score over the models counted on the item (see
    `usable_scores`), so on OE items a half-right answer counts half; NaN (and n_models 0)
    where no model counts.
    """
    s = usable_scores(names, scores, bench)
    items = bench.items
    frame = pd.DataFrame({f: items[f].tolist() for f in ("id",) + _CATEGORY_FIELDS})
    frame["share_right"] = item_difficulty(s) if len(names) else np.nan
    frame["n_models"] = (~np.isnan(s)).sum(axis=0)
    return frame.reindex(columns=list(ITEM_COLUMNS))


def unanimous_failures(
    names: Sequence[str], scores: Any, bench: Benchmark, min_models: int = 2
) -> pd.DataFrame:
    """Items every verified model scored 0 on, with what a label reviewer needs.

    Only items at least `min_models` models count on (see `usable_scores`; n_models says
    how many) are listed: with a single model "everyone fails" says nothing about the label.
    Options are listed "A. ..." one per line, answer_text spells the gold letters out; link
    opens the drill-down with every model.
    """
    s = usable_scores(names, scores, bench)
    idx = items_all_fail(s) if len(names) else np.array([], dtype=int)
    n_scored = (~np.isnan(s)).sum(axis=0)
    idx = idx[n_scored[idx] >= min_models]
    items = bench.items.iloc[idx]
    rows = []
    for pos, row in zip(idx, items.itertuples(index=False), strict=False):
        options = list(row.options)
        rows.append(
            {
                "id": row.id,
                "qtype": row.qtype,
                "question": row.question,
                "options": "\n".join(f"{OPTION_LETTERS[i]}. {o}" for i, o in enumerate(options)),
                "answer": row.answer,
                "answer_text": _answer_text(row.answer, options),
                "n_models": int(n_scored[pos]),
                "image_source": row.image_source,
                "dimension": row.dimension,
                "subdimension": row.subdimension,
                "scope": row.scope,
                "link": item_link(row.id, names),
            }
        )
    return pd.DataFrame(rows, columns=list(FAILURE_COLUMNS))


def _answer_text(answer: str, options: list[str]) -> str:
    """ "AC" -> "A. first option; C. third option" for choice items; the answer otherwise
    (also "True"/"False" of a TF item asked with lettered Yes/No options)."""
    if not options or answer in TF_VALUES:
        return answer
    return "; ".join(
        f"{ch}. {options[OPTION_LETTERS.index(ch)]}"
        for ch in answer
        if ch in OPTION_LETTERS[: len(options)]
    )


def difficulty_by_category(
    names: Sequence[str], scores: Any, bench: Benchmark, table_key: str | None = None
) -> pd.DataFrame:
    """Per cell of a table (None: all four): mean share of verified models right (0-1).

    The mean is over the cell's items that at least one model was scored on, each item
    weighted equally, so it equals the average model's accuracy on the cell when every
    model is scored on every item (models with unjudged open-ended answers are left out of
    the open-ended items, see `usable_scores`). NaN for a cell with no such item.
    """
    if table_key is not None and table_key not in TABLES:
        raise ValueError(f"unknown table {table_key!r}; tables: {', '.join(TABLES)}")
    s = usable_scores(names, scores, bench)
    masks = cell_masks(bench)
    if len(names):
        by_cell = _difficulty_by_cell(s, masks)
        share = [by_cell[t][c] for t, c in masks.names]
    else:
        share = [None] * len(masks.names)
    info = _cell_info()
    frame = pd.DataFrame(
        {
            "table": [t for t, _ in masks.names],
            "cell": [c for _, c in masks.names],
            "label": [info[k][0] for k in masks.names],
            "group": [info[k][1] for k in masks.names],
            "n_items": masks.matrix.sum(axis=1),
            "share_right": [np.nan if v is None else v / 100.0 for v in share],
        },
        columns=list(DIFFICULTY_COLUMNS),
    )
    if table_key is not None:
        frame = frame[frame["table"] == table_key].reset_index(drop=True)
    return frame


def difficulty_figure(difficulty: pd.DataFrame, table_key: str) -> go.Figure:
    """Horizontal bars of the mean share right per cell of one table, in the table's order
    top to bottom, 0-100%; hover shows the exact share and the item count. Cells with no
    scored item keep their slot with no bar."""
    rows = difficulty[difficulty["table"] == table_key]
    if rows.empty:
        raise ValueError(f"table {table_key!r} is not in this frame")
    labels = display_labels(table_key)
    y = [labels[c] for c in rows["cell"]]
    fig = go.Figure(
        go.Bar(
            x=rows["share_right"].to_numpy(dtype=float),
            y=y,
            orientation="h",
            marker={"color": BLUE},
            customdata=rows["n_items"].to_numpy(),
            hovertemplate="%{y}: %{x:.1%} right on average<br>%{customdata} items<extra></extra>",
            name="share right",
        )
    )
    fig.update_xaxes(
        title={"text": "share of verified models right (mean over items)"},
        tickformat=".0%",
        range=[0, 1],
    )
    fig.update_yaxes(categoryorder="array", categoryarray=y, autorange="reversed")
    title = f"How hard each category is, {TABLE_TITLES.get(table_key, table_key)}"
    return style_figure(fig, title, height=max(240, 100 + 26 * len(rows)))
