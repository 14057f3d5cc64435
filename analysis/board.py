"""The leaderboard view: filter, sort, rank and mark entries (files: `analysis.export`).

Everything here is plain pandas so it is tested without a browser. Cell values stay floats
(NaN = null) so every column sorts as numbers, in the app and in exports; only display
formats them. Best and runner-up per column are judged on the printed (2-decimal) values,
as in the paper, over the shown models (baseline rows excluded).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderboard.safe_text import md_escape
from leaderboard.taxonomy import TABLE_TITLES, TABLES, Cell

from .entries import KINDS, PENDING, VERIFIED, Entry
from .ranks import pool_ranks_and_marks, printed
from .ranks import rank_of as rank_of  # the headline rank, as a submit reports it

# Fixed columns ahead of the table's cells.
RANK, MODEL, TYPE, JUDGE, WEIGHTS, PARAMS = (
    "Rank",
    "Model",
    "Type",
    "OE judge",
    "Weights",
    "Params",
)
META_COLUMNS: tuple[str, ...] = (RANK, MODEL, TYPE, JUDGE, WEIGHTS, PARAMS)
# Shown after Model when the board shows intervals (see analysis/board_uncertainty.py).
RANK_RANGE, GROUP = "Rank range", "Group"
_META_TYPES = {
    RANK: "number",
    MODEL: "str",
    TYPE: "str",
    JUDGE: "str",
    WEIGHTS: "str",
    PARAMS: "number",
    RANK_RANGE: "str",
    GROUP: "number",
}
OVERALL = "Overall"  # Table 3's Overall: the default sort key of every table

WEIGHT_CHOICES: tuple[str, ...] = ("open", "closed", "unknown")
#: (label, lower bound inclusive, upper bound exclusive) in billions of parameters.
SIZE_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("< 5B", 0.0, 5.0),
    ("5-20B", 5.0, 20.0),
    ("20-50B", 20.0, 50.0),
    ("≥ 50B", 50.0, math.inf),
)
UNKNOWN_SIZE = "unknown size"
SIZE_CHOICES: tuple[str, ...] = tuple(b[0] for b in SIZE_BUCKETS) + (UNKNOWN_SIZE,)

BOLD_CSS = "font-weight: bold"
UNDERLINE_CSS = "text-decoration: underline"
VERIFIED_CSS = "color: #0d9488; font-weight: 600"
APPROX_CSS = "color: #d97706"
PENDING_CSS = "color: #d97706; font-style: italic"


def headers(table_key: str) -> list[str]:
    """Unique column headers: the paper's label, prefixed by its group where the label
    repeats within the table (Table 5's "Tech.", Table 6's "Global")."""
    cells = TABLES[table_key].cells
    labels = [c.label for c in cells]
    return [c.label if labels.count(c.label) == 1 else f"{c.group} {c.label}" for c in cells]


def size_bucket(params_b: float | None) -> str:
    if params_b is None or math.isnan(params_b):
        return UNKNOWN_SIZE
    return next(label for label, lo, hi in SIZE_BUCKETS if lo <= params_b < hi)


def weights_label(open_weights: bool | None) -> str:
    return {True: "open", False: "closed"}.get(open_weights, "unknown")


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the board to. Baseline rows ignore the row kind, weights and
    size (they are the reference of every row); pending rows (being judged) show with the
    verified ones."""

    kinds: tuple[str, ...] = KINDS
    search: str = ""
    weights: tuple[str, ...] = WEIGHT_CHOICES
    sizes: tuple[str, ...] = SIZE_CHOICES

    def keep(self, e: Entry) -> bool:
        if self.search.strip() and self.search.strip().casefold() not in e.name.casefold():
            return False
        if e.is_baseline:  # the reference row of both kinds
            return True
        if (VERIFIED if e.kind == PENDING else e.kind) not in self.kinds:
            return False
        return weights_label(e.open) in self.weights and size_bucket(e.params_b) in self.sizes


@dataclass
class BoardView:
    """One rendered state of the board: rows in display order and their marks."""

    table: str
    entries: list[Entry]
    frame: pd.DataFrame  # META_COLUMNS + headers; numbers as floats, NaN = null
    cells: list[Cell]
    headers: list[str]
    sort_by: str
    descending: bool
    bold: dict[str, set[int]] = field(default_factory=dict)  # header -> row positions
    underline: dict[str, set[int]] = field(default_factory=dict)
    #: Display text replacing a value cell's "61.23" (row position -> header -> text), e.g.
    #: "61.2 ± 1.8"; the frame keeps the number, so sorting stays numeric.
    display: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{TABLE_TITLES[self.table]}: {TABLES[self.table].title}"


def sort_keys(table_key: str) -> list[tuple[str, str]]:
    """(label, key) choices for the "sort by" control: the table's cells, then Overall,
    model name and size."""
    keys = [(h, c.name) for h, c in zip(headers(table_key), TABLES[table_key].cells, strict=False)]
    if OVERALL not in TABLES[table_key].columns:
        keys.append(("Overall (Table 3)", OVERALL))
    return keys + [("Model name", MODEL), ("Parameters", PARAMS)]


def key_for_header(table_key: str, header: str) -> str | None:
    """The sort key behind a clicked column header (None for unsortable ones)."""
    header = header.strip()
    for head, cell in zip(headers(table_key), TABLES[table_key].cells, strict=False):
        if head == header:
            return cell.name
    return {MODEL: MODEL, PARAMS: PARAMS, RANK: OVERALL, RANK_RANGE: OVERALL, GROUP: OVERALL}.get(
        header
    )  # others: no sort


def next_sort(table_key: str, header: str, current: str, descending: bool) -> tuple[str, bool]:
    """A header click: sort by that column, best first; a second click flips the order."""
    key = key_for_header(table_key, header)
    if key is None:
        return current, descending
    if key == current:
        return key, not descending
    return key, key != MODEL


def _sort_value(e: Entry, table: str, key: str) -> float | str | None:
    if key == MODEL:
        return e.name.casefold()
    if key == PARAMS:
        return e.params_b
    if key == OVERALL and OVERALL not in TABLES[table].columns:
        return e.value("table3", OVERALL)
    return e.value(table, key)


def _ranks(everyone: list[Entry], rows: list[Entry], table: str, key: str) -> np.ndarray:
    """Competition rank of each row's printed `key` value within its pool over all entries
    (`ranks.pool_ranks_and_marks`: the board's rule); NaN for rows that take no rank."""
    values = [printed(_sort_value(e, table, key)) for e in everyone]  # type: ignore[arg-type]
    ranks, _ = pool_ranks_and_marks(everyone, values)
    by_row = {id(e): r for e, r in zip(everyone, ranks, strict=True)}
    return np.array(
        [np.nan if by_row.get(id(e)) is None else by_row[id(e)] for e in rows], dtype="float64"
    )


def _marks(values: np.ndarray, eligible: np.ndarray) -> tuple[set[int], set[int]]:
    """Rows holding the best and the runner-up printed value among eligible rows."""
    shown = np.round(values, 2)
    ok = eligible & ~np.isnan(shown)
    distinct = sorted(set(shown[ok].tolist()), reverse=True)
    best = {i for i in np.flatnonzero(ok) if distinct and shown[i] == distinct[0]}
    second = {i for i in np.flatnonzero(ok) if len(distinct) > 1 and shown[i] == distinct[1]}
    return best, second


def build_view(
    entries: Iterable[Entry],
    table: str = "table3",
    filters: Filters | None = None,
    sort_by: str = OVERALL,
    descending: bool | None = None,
) -> BoardView:
    """Filter, sort (nulls last, ties by name) and rank entries for one table.

    Rank is the competition rank ("1, 2, 2, 4", 1 = highest) of the sort key on printed
    values among *all* entries, so filtering or searching never renumbers a model; baseline
    rows and rows without a value are unranked. Sorting by name or size ranks by Overall.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
    valid = {k for _, k in sort_keys(table)}
    if sort_by not in valid:
        raise ValueError(f"cannot sort {table} by {sort_by!r}; one of {', '.join(sorted(valid))}")
    filters = filters or Filters()
    if descending is None:
        descending = sort_by != MODEL
    everyone = list(entries)
    rows = [e for e in everyone if filters.keep(e)]

    def order(e: Entry) -> tuple:
        v = _sort_value(e, table, sort_by)
        missing = v is None or (isinstance(v, float) and math.isnan(v))
        if missing:
            return (1, 0, e.name.casefold())
        if isinstance(v, str):
            return (0, v, e.name.casefold())
        return (0, -v if descending else v, e.name.casefold())

    rows.sort(key=order)
    cells = list(TABLES[table].cells)
    heads = headers(table)
    ranks = _ranks(everyone, rows, table, OVERALL if sort_by in (MODEL, PARAMS) else sort_by)
    data: dict[str, Any] = {
        RANK: ranks,
        MODEL: pd.array([e.name for e in rows], dtype="string"),
        TYPE: pd.array([e.label for e in rows], dtype="string"),
        JUDGE: pd.array([e.judge_label for e in rows], dtype="string"),
        WEIGHTS: pd.array(
            ["" if e.is_baseline else weights_label(e.open) for e in rows], dtype="string"
        ),
        PARAMS: np.array(
            [np.nan if e.params_b is None else e.params_b for e in rows], dtype="float64"
        ),
    }
    for head, cell in zip(heads, cells, strict=False):
        data[head] = np.array(
            [
                np.nan if e.value(table, cell.name) is None else e.value(table, cell.name)
                for e in rows
            ],
            dtype="float64",
        )
    frame = pd.DataFrame(data, columns=list(META_COLUMNS) + heads)
    eligible = np.array([e.ranked for e in rows], dtype=bool)
    view = BoardView(table, rows, frame, cells, heads, sort_by, descending)
    for head in heads:
        view.bold[head], view.underline[head] = _marks(frame[head].to_numpy(), eligible)
    return view


# ---------------------------------------------------------------------------- display


def styler(view: BoardView):
    """A pandas Styler for gr.DataFrame: 2-decimal values, "-" for null, best bold and
    runner-up underlined; the underlying data stays numeric for sorting."""
    frame = view.frame

    def css(_: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for head in view.headers:
            for i in view.bold[head]:
                out.iat[i, frame.columns.get_loc(head)] = BOLD_CSS
            for i in view.underline[head]:
                out.iat[i, frame.columns.get_loc(head)] = UNDERLINE_CSS
        for i, e in enumerate(view.entries):
            if e.kind == VERIFIED:
                out.iat[i, frame.columns.get_loc(TYPE)] = VERIFIED_CSS
            if e.approx_judge:
                out.iat[i, frame.columns.get_loc(JUDGE)] = APPROX_CSS
            if e.is_pending:
                out.iat[i, frame.columns.get_loc(TYPE)] = PENDING_CSS
                out.iat[i, frame.columns.get_loc(JUDGE)] = APPROX_CSS  # not italic: fits
        return out

    fmt = {h: "{:.2f}" for h in view.headers}
    fmt[RANK] = "{:.0f}"
    fmt[PARAMS] = lambda v: f"{v:g}B"
    if GROUP in frame.columns:
        fmt[GROUP] = "{:.0f}"
    style = frame.style.format(fmt, na_rep="-").apply(css, axis=None).hide(axis="index")
    for row, texts in view.display.items():  # per row: Styler formats by (row, column)
        style = style.format(
            {h: (lambda _v, t=t: t) for h, t in texts.items()},
            subset=pd.IndexSlice[[frame.index[row]], list(texts)],
        )
    return style


def caption(view: BoardView) -> str:
    """One Markdown line above the table (no user text in it)."""
    label = dict((k, lab) for lab, k in sort_keys(view.table)).get(view.sort_by, view.sort_by)
    order = "descending" if view.descending else "ascending"
    return (
        f"**{view.title}** — {len(view.entries)} rows, sorted by {label} ({order}). "
        "Best value per column in **bold**, runner-up underlined; rank is among all rows, "
        "whatever the filters. Click a column header to sort by it (again to reverse)."
        + pending_note(view)
        + review_note(view)
    )


def pending_note(view: BoardView) -> str:
    """What the caption says while shown rows are still being judged."""
    n = sum(e.is_pending for e in view.entries)
    if not n:
        return ""
    return (
        f" *{n} row{'s are' if n > 1 else ' is'} pending*: open-ended answers still being "
        "judged, so only closed-ended cells are shown and the row is unranked; pending "
        "rows are not stored until judged (reload to follow)."
    )


def review_note(view: BoardView) -> str:
    """What the caption says about shown rows held for review: each one's reasons (model
    names are user text: Markdown-escaped)."""
    held = [e for e in view.entries if e.under_review]
    if not held:
        return ""
    each = "; ".join(f"{md_escape(e.name)}: {md_escape(' / '.join(e.review))}" for e in held)
    return (
        f" *{len(held)} row{'s are' if len(held) > 1 else ' is'} under review* (stored, "
        f"unranked until the admin clears it): {each}."
    )


def datatypes(view: BoardView) -> list[str]:
    """gr.DataFrame datatypes: numbers sort numerically on a header click (also when a
    cell shows an interval: the grid sorts the value, not the text shown)."""
    return [_META_TYPES.get(c, "number") for c in view.frame.columns]


def column_widths(view: BoardView) -> list[str]:
    def width(header: str, least: int = 60) -> str:  # header text plus the menu button
        return f"{max(least, round(7.5 * len(header)) + 32)}px"

    fixed = {
        RANK: width(RANK),
        MODEL: "190px",
        TYPE: width(TYPE, 80),
        JUDGE: "132px",
        WEIGHTS: width(WEIGHTS),
        PARAMS: width(PARAMS),
        RANK_RANGE: width(RANK_RANGE),
        GROUP: width(GROUP),
    }
    least = 118 if view.display else 60  # room for a bold "100.0 ± 10.3"
    return [fixed.get(c) or width(c, least) for c in view.frame.columns]


def null_notes(view: BoardView) -> list[tuple[str, list[str], str]]:
    """(model, null column headers, reason) for every shown row with null cells, one entry
    per distinct reason, so "-" is never unexplained."""
    out = []
    for e in view.entries:
        by_reason: dict[str, list[str]] = {}
        for head, cell in zip(view.headers, view.cells, strict=False):
            why = e.null_reason(view.table, cell.name)
            if why is not None:
                by_reason.setdefault(why, []).append(head)
        out.extend((e.name, heads, why) for why, heads in by_reason.items())
    return out


def null_notes_html(view: BoardView, limit: int = 40) -> str:
    notes = null_notes(view)
    if not notes:
        return ""
    items = "".join(
        f"<li><b>{html.escape(m)}</b>: {html.escape(', '.join(h))} — {html.escape(why)}</li>"
        for m, h, why in notes[:limit]
    )
    more = f"<li>… and {len(notes) - limit} more</li>" if len(notes) > limit else ""
    return (
        f"<details class='qbp-notes'><summary>Why some cells show “-” ({len(notes)})"
        f"</summary><ul>{items}{more}</ul></details>"
    )


def read_paper_counts(paper_dir: str | Path) -> dict[str, dict[str, int]]:
    """Items behind each cell on the paper's full benchmark (data/paper/counts.csv)."""
    frame = pd.read_csv(Path(paper_dir) / "counts.csv", dtype={"items": "int64"})
    out: dict[str, dict[str, int]] = {}
    for rec in frame.to_dict(orient="records"):
        out.setdefault(rec["table"], {})[rec["cell"]] = int(rec["items"])
    return out


def column_info(
    table: str, loaded: dict[str, dict[str, int]], paper: dict[str, dict[str, int]]
) -> pd.DataFrame:
    """Per column: group, header, items in the loaded benchmark and in the paper."""
    cells = TABLES[table].cells
    return pd.DataFrame(
        {
            "Group": [c.group for c in cells],
            "Column": headers(table),
            "Items (loaded benchmark)": [loaded.get(table, {}).get(c.name, 0) for c in cells],
            "Items (paper)": [paper.get(table, {}).get(c.name, 0) for c in cells],
        }
    )


def column_info_html(
    table: str,
    loaded: dict[str, dict[str, int]],
    paper: dict[str, dict[str, int]],
    loaded_name: str,
) -> str:
    info = column_info(table, loaded, paper)
    groups = []
    for group, sub in info.groupby("Group", sort=False):
        cols = " · ".join(
            f"{html.escape(r['Column'])} <span class='qbp-n'>"
            f"n={r['Items (loaded benchmark)']}/{r['Items (paper)']}</span>"
            for r in sub.to_dict(orient="records")
        )
        groups.append(f"<b>{html.escape(str(group))}</b>: {cols}")
    return (
        f"<div class='qbp-colinfo'>Items per column (n = {html.escape(loaded_name)} / "
        f"paper): " + " &nbsp;|&nbsp; ".join(groups) + "</div>"
    )


# ---------------------------------------------------------------------------- API


def to_rows(view: BoardView) -> list[dict[str, Any]]:
    """The view as JSON-ready dicts (API): numbers as numbers, null as None, cells keyed by
    their canonical name (e.g. "NI", "SC_Global")."""
    out = []
    for i, e in enumerate(view.entries):
        rank = view.frame[RANK].iat[i]
        row: dict[str, Any] = {
            "rank": None if math.isnan(rank) else int(rank),
            "model": e.name,
            "kind": e.kind,
            "type": e.label,
            "judge": e.judge_label,
            "approx_judge": e.approx_judge,
            "baseline": e.is_baseline,
            "open": e.open,
            "params": e.params,
            "params_b": e.params_b,
            "link": e.link,
            "submission_id": e.submission_id,
            "owner": e.owner,
            "unreadable_pct": e.unreadable_pct,
            "under_review": e.under_review,
            "review": e.review_text or None,
        }
        for cell in view.cells:
            row[cell.name] = e.value(view.table, cell.name)
        reasons = {
            c.name: e.null_reason(view.table, c.name)
            for c in view.cells
            if e.value(view.table, c.name) is None
        }
        row["null_reasons"] = reasons
        row["judging"] = (
            {"done": e.judging[0], "total": e.judging[1]} if e.judging else None
        )  # pending rows: the judge's progress
        out.append(row)
    return out
