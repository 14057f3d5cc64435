"""The board with its uncertainty (issue 6): interval texts in verified cells, rank-range and
group columns, the notes that explain them, and the error-bar chart of one cell.

Only verified rows re-scored from a stored submission have per-item scores. Reported rows
(and the analytic Random row) keep their plain values and get "-" in the new columns; the
notes say why. The view's frame keeps the numbers and only the displayed text changes, so
the grid still sorts a column by its values when intervals are shown.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from leaderboard.bootstrap import DEFAULT_LEVEL
from leaderboard.taxonomy import TABLES

from .board import GROUP, MODEL, OVERALL, RANK_RANGE, BoardView
from .charts import plotly_text
from .entries import VERIFIED
from .figstyle import style_figure
from .intervals import (
    NULL,
    REPORTED_ROWS_NOTE,
    display_labels,
    errorbar_figure,
    format_with_interval,
    method_note,
    rank_note,
)

#: The error-bar chart shows at most this many models (the first verified rows of the view).
CHART_MODELS = 40
#: Marks a rank range taken on the cell's closed-ended items only (open-ended not judged).
CLOSED_MARK = "*"


def rank_cell(table: str, sort_by: str) -> tuple[str, str]:
    """The cell the board ranks on: the sort key when it is a cell of the table, else
    Table 3's Overall (as `board.build_view` ranks rows sorted by name or size)."""
    if sort_by in TABLES[table].columns:
        return table, sort_by
    return "table3", OVERALL


def chart_cells(table: str) -> list[tuple[str, str]]:
    """(label, cell) choices for the error-bar chart of one table, in the table's order."""
    return [(label, cell) for cell, label in display_labels(table).items()]


def default_chart_cell(table: str, sort_by: str = OVERALL) -> str:
    """The sorted-by cell when it is in the table, else Overall, else the first cell."""
    cells = TABLES[table].columns
    return sort_by if sort_by in cells else (OVERALL if OVERALL in cells else cells[0])


def _drillable(view: BoardView, names: Sequence[str]) -> list[int]:
    """Row positions of verified rows that have per-item scores."""
    known = set(names)
    return [
        i
        for i, e in enumerate(view.entries)
        if e.kind == VERIFIED and e.submission_id and e.name in known
    ]


def with_uncertainty(
    view: BoardView, intervals: pd.DataFrame, ranks: pd.DataFrame, decimals: int = 1
) -> BoardView:
    """The view with "61.2 ± 1.8" in verified cells and Rank range / Group after Model.

    `intervals` is `intervals.board_intervals` of the view's table, `ranks` its
    `rank_table` on the ranked cell. Rows without per-item data keep their values and
    show "-" in the new columns.
    """
    rows = _drillable(view, intervals["model"].unique().tolist() if len(intervals) else [])
    bounds = {
        (m, c): (lo, hi)
        for m, c, lo, hi in zip(
            intervals["model"], intervals["cell"], intervals["low"], intervals["high"], strict=False
        )
    }
    display: dict[int, dict[str, str]] = {}
    for i in rows:
        e = view.entries[i]
        display[i] = {
            head: format_with_interval(
                e.value(view.table, cell.name),
                *bounds.get((e.name, cell.name), (None, None)),
                decimals,
            )
            for head, cell in zip(view.headers, view.cells, strict=False)
        }
    by_model = {r["model"]: r for r in ranks.to_dict(orient="records")}
    rng, grp = [NULL] * len(view.entries), [math.nan] * len(view.entries)
    for i in rows:
        r = by_model.get(view.entries[i].name)
        if r is None or not r["rank_range"]:
            continue
        closed = str(r["basis"]).endswith("closed-ended items only")
        rng[i] = r["rank_range"] + (CLOSED_MARK if closed else "")
        grp[i] = math.nan if pd.isna(r["group"]) else float(r["group"])
    frame = view.frame.copy()
    at = frame.columns.get_loc(MODEL) + 1
    frame.insert(at, RANK_RANGE, pd.array(rng, dtype="string"))
    frame.insert(at + 1, GROUP, np.array(grp, dtype="float64"))
    return dataclasses.replace(view, frame=frame, display=display)


def notes_html(
    view: BoardView,
    ranks: pd.DataFrame,
    cell: tuple[str, str],
    resamples: int,
    clustered: bool,
    level: float = DEFAULT_LEVEL,
) -> str:
    """What the intervals, rank ranges and groups mean, and why some rows have none."""
    items = "".join(
        f"<li>{html.escape(p)}</li>"
        for p in note_lines(view, ranks, cell, resamples, clustered, level)
    )
    return (
        f"<details class='qbp-notes' open id='ci-notes'><summary>About the {level:.0%} "
        f"intervals, rank ranges and groups</summary><ul>{items}</ul></details>"
    )


def note_lines(
    view: BoardView,
    ranks: pd.DataFrame,
    cell: tuple[str, str],
    resamples: int,
    clustered: bool,
    level: float = DEFAULT_LEVEL,
) -> list[str]:
    """The notes as plain sentences (model names among them: show them as text)."""
    label = display_labels(cell[0])[cell[1]]
    n = int(ranks["rank"].notna().sum()) if len(ranks) else 0
    parts = [method_note(resamples, level, clustered)]
    if n:
        parts.append(
            f"Rank range and group are among the {n} verified models with per-item "
            f"scores, on {label}"
            + ("" if cell[0] == view.table else " (Table 3)")
            + f"; the Rank column counts every row. {rank_note(ranks)}"
        )
        if ranks["basis"].str.endswith("closed-ended items only").any():
            parts.append(f"{CLOSED_MARK} = ranked on the cell's closed-ended items only.")
    else:
        parts.append(
            "No verified model with per-item scores yet: upload predictions to get "
            "intervals and rank ranges."
        )
    parts.append(REPORTED_ROWS_NOTE)
    if any(e.is_baseline and e.kind == VERIFIED for e in view.entries):
        parts.append(
            "The Random guess row is an exact expectation, not a measurement: it has no interval."
        )
    return parts


def chart(
    view: BoardView, intervals: pd.DataFrame, cell: str, limit: int = CHART_MODELS
) -> go.Figure:
    """Error bars of one cell for the first `limit` verified rows of the view (model names
    escaped for plotly, which renders a subset of HTML in labels)."""
    rows = _drillable(view, intervals["model"].unique().tolist() if len(intervals) else [])
    names = [view.entries[i].name for i in rows][:limit]
    if not names:
        return style_figure(
            go.Figure(), "No verified model with per-item scores in view", height=220
        )
    labels = display_labels(view.table)  # "NIs Tech." where the paper's label repeats
    safe = intervals.assign(
        model=[plotly_text(m) for m in intervals["model"]],
        label=[labels.get(c, c) for c in intervals["cell"]],
    )
    return errorbar_figure([plotly_text(n) for n in names], safe, cell)
