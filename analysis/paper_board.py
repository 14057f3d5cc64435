"""The leaderboard as the paper prints it (issue 13): sections, two header rows, ranks and
best/runner-up marks over the whole table, and one JSON payload the browser sorts, searches,
filters and switches tables on without asking the server.

Plain Python (no Gradio), so every rule here is tested without a browser:

- **Columns.** Rank, Model, then Overall (Table 3's, the headline, in every table: in Table 3
  it moves from the last column to the third), then the table's cells in the paper's order
  under their groups (Image Sources / Quality Dimensions / Question Types, ...), then Params,
  Weights and OE judge.
- **Sections**, in the paper's order: Baseline, Open-source MLLMs, Closed-source MLLMs (the
  paper's reported rows), then the rows verified here (re-scored from a stored submission,
  on whatever bundle is loaded; the demo bundle is synthetic) with the uploads still being
  judged. Sorting orders rows within each section; sections never mix.
- **Ranks and marks** are computed over the whole table, never the filtered view, within a
  *pool* (`Entry.pool`): the paper's models (open and closed together, as the paper bolds the
  best of all 25), or the models verified here. So a verified row never displaces the paper's
  ranks or marks, and a search never makes every shown cell "best". Marks are on the printed
  two-decimal values, ties shared, as in the paper. The rule itself is `analysis.ranks`
  (the model page and a submit's message rank by it too).
- **One Random row.** The baseline is the loaded benchmark's analytic Random row. The paper's
  printed Random row describes the paper's benchmark; it is kept (as the same row) only when
  the loaded benchmark *is* that benchmark, decided by `same_as_paper`: every one of the 47
  cells of Tables 3-6 has the paper's item count (data/paper/counts.csv) AND the analytic
  Random row reproduces every Random cell the paper prints, to two decimals. Content hashes
  cannot decide it (the paper publishes none); item counts plus the Random row pin the
  category sizes and the SC/TF mix of every cell, which is what the paper's numbers are
  fractions of. The demo bundle is built to meet both (data/demo/README.md), so on the demo
  the baseline row is labelled as equal to the paper's; on any other bundle a note says the
  paper's Random row is not shown.
- **Sorting** is by the printed value (what the reader sees), nulls last in both directions,
  ties by name; the browser's comparator (ui/board_table.js) implements the same rule and the
  browser tests check both agree.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from leaderboard.safe_text import latex_escape
from leaderboard.taxonomy import TABLE_TITLES, TABLES

from .board import (
    MODEL,
    OVERALL,
    PARAMS,
    SIZE_CHOICES,
    WEIGHT_CHOICES,
    Filters,
    headers,
    size_bucket,
    weights_label,
)
from .entries import KINDS, PENDING, REPORTED, VERIFIED, Entry
from .export import cell_text, csv_text, latex_group_header
from .ranks import BEST, RUNNER_UP, pool_ranks_and_marks, printed

#: Sections in the paper's order: (key, label). The verified label names the bundle.
BASELINE, OPEN, CLOSED, HERE = "baseline", "open", "closed", "verified"
SECTION_LABELS: dict[str, str] = {
    BASELINE: "Baseline",
    OPEN: "Open-source MLLMs",
    CLOSED: "Closed-source MLLMs",
    HERE: "Verified here",
}
SECTION_ORDER: tuple[str, ...] = tuple(SECTION_LABELS)
RANK, WEIGHTS, JUDGE = "Rank", "Weights", "OE judge"
#: Fixed columns after the value cells (Params sorts; the other two are text).
TAIL: tuple[str, ...] = (PARAMS, WEIGHTS, JUDGE)


def section_of(e: Entry) -> str:
    """The section a row is shown in."""
    if e.is_baseline:
        return BASELINE
    if e.kind == REPORTED:
        return CLOSED if e.open is False else OPEN
    return HERE  # verified and pending


# ---------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One value column: where its number lives and how its headers read."""

    key: str  # sort key and payload key: the cell name ("NI_Tech"), "Overall" = headline
    table: str  # the table the value is read from ("table3" for the headline)
    cell: str
    label: str  # second header row, as printed ("Tech.")
    group: str  # first header row ("NIs"); equal to label for a one-cell group
    header: str  # unique one-line header ("NIs Tech."), for CSV, captions and titles

    @property
    def single(self) -> bool:
        """A column with no group above it (its header spans both rows)."""
        return self.label == self.group


def value_columns(table: str) -> list[Column]:
    """The headline Overall, then the table's cells in the paper's order (Table 3's own
    Overall is the headline, so it is not repeated)."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
    own = OVERALL in TABLES[table].columns
    cols = [
        Column(
            OVERALL, "table3", OVERALL, OVERALL, OVERALL, OVERALL if own else "Overall (Table 3)"
        )
    ]
    for head, cell in zip(headers(table), TABLES[table].cells, strict=True):
        if own and cell.name == OVERALL:
            continue
        cols.append(Column(cell.name, table, cell.name, cell.label, cell.group, head))
    return cols


@dataclass(frozen=True)
class HeadCell:
    """One header cell of the two header rows."""

    text: str
    key: str | None  # sort key when the header sorts, else None
    colspan: int = 1
    rowspan: int = 1
    title: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "t": self.text,
            "k": self.key,
            "cs": self.colspan,
            "rs": self.rowspan,
            "ti": self.title,
        }


def header_rows(
    table: str,
    counts: dict[str, dict[str, int]] | None = None,
    paper: dict[str, dict[str, int]] | None = None,
) -> tuple[list[HeadCell], list[HeadCell]]:
    """The paper's two header rows: Rank, Model and Overall span both; each group heads its
    cells; Params, Weights and OE judge close the row. `counts` / `paper` (items per cell
    on the loaded benchmark and in the paper) go into each header's tooltip."""

    def title(col: Column) -> str:
        where = "Table 3's Overall, " if col.table != table else ""
        if counts is None:
            return f"{where}{col.header}"
        n = counts.get(col.table, {}).get(col.cell, 0)
        p = (paper or {}).get(col.table, {}).get(col.cell, 0)
        return f"{where}{col.header}: {n} items here, {p} in the paper"

    top = [
        HeadCell(RANK, RANK, rowspan=2, title="Rank within its section's pool"),
        HeadCell(MODEL, MODEL, rowspan=2),
    ]
    second: list[HeadCell] = []
    cols = value_columns(table)
    top.append(HeadCell(OVERALL, OVERALL, rowspan=2, title=title(cols[0])))
    i = 1
    while i < len(cols):
        col = cols[i]
        if col.single:
            top.append(HeadCell(col.label, col.key, rowspan=2, title=title(col)))
            i += 1
            continue
        run = [c for c in cols[i:]]
        run = run[: next((j for j, c in enumerate(run) if c.group != col.group), len(run))]
        top.append(HeadCell(col.group, None, colspan=len(run), title=col.group))
        second += [HeadCell(c.label, c.key, title=title(c)) for c in run]
        i += len(run)
    top += [
        HeadCell(PARAMS, PARAMS, rowspan=2, title="Parameters (billions)"),
        HeadCell(WEIGHTS, None, rowspan=2),
        HeadCell(JUDGE, None, rowspan=2, title="Who scored the OE items"),
    ]
    return top, second


def sort_keys(table: str) -> list[str]:
    """Every key the board of `table` sorts by."""
    return [c.key for c in value_columns(table)] + [MODEL, PARAMS]


def default_descending(key: str) -> bool:
    """A first click sorts best first; names A to Z."""
    return key != MODEL


def carry_sort(table: str, key: str, descending: bool) -> tuple[str, bool]:
    """The sort after switching to `table`: kept when the key exists there (Overall, Model,
    Params and shared cells), else the default, Overall best first. The direction never
    outlives its key (issue 13: "worst first after switching")."""
    if key in sort_keys(table):
        return key, descending
    return OVERALL, True


def next_sort(table: str, key: str, current: str, descending: bool) -> tuple[str, bool]:
    """A header click: sort by that column, best first; a second click flips the order."""
    if key not in sort_keys(table):
        return current, descending
    if key == current:
        return key, not descending
    return key, default_descending(key)


# ---------------------------------------------------------------------------- the table


@dataclass
class BoardTable:
    """One table over every row (filters are applied later): printed values, ranks and
    marks per column, in the rows' canonical order."""

    table: str
    entries: list[Entry]
    columns: list[Column]
    values: dict[str, list[float | None]]  # key -> printed value per row
    ranks: dict[str, list[int | None]]  # key -> competition rank within the row's pool
    marks: dict[str, list[int]]  # key -> 0, BEST or RUNNER_UP per row
    sections: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{TABLE_TITLES[self.table]}: {TABLES[self.table].title}"

    def sort_value(self, i: int, key: str) -> float | str | None:
        e = self.entries[i]
        if key == MODEL:
            return e.name.casefold()
        if key == PARAMS:
            return e.params_b
        return self.values[key][i]

    def rank(self, i: int, key: str) -> int | None:
        """The rank shown for a sort by `key` (name and size sorts rank by Overall)."""
        return self.ranks[OVERALL if key in (MODEL, PARAMS) else key][i]


def build_table(entries: Sequence[Entry], table: str) -> BoardTable:
    """Printed values, ranks and marks of every row of one table."""
    rows = list(entries)
    cols = value_columns(table)
    values: dict[str, list[float | None]] = {}
    ranks: dict[str, list[int | None]] = {}
    marks: dict[str, list[int]] = {}
    for col in cols:
        values[col.key] = [printed(e.value(col.table, col.cell)) for e in rows]
        ranks[col.key], marks[col.key] = pool_ranks_and_marks(rows, values[col.key])
    return BoardTable(table, rows, cols, values, ranks, marks, [section_of(e) for e in rows])


def _comparator(board: BoardTable, sort_by: str, descending: bool, group: dict[str, int]):
    """The board's order as a comparison: group (section or pool), then the sort value
    (nulls last in both directions), then the name A to Z. ui/board_table.js mirrors it."""

    def cmp(a: int, b: int) -> int:
        ga, gb = group[board.sections[a]], group[board.sections[b]]
        if ga != gb:
            return -1 if ga < gb else 1
        va, vb = board.sort_value(a, sort_by), board.sort_value(b, sort_by)
        if va is not None and vb is not None and va != vb:
            less = va < vb  # type: ignore[operator]
            return (1 if less else -1) if descending else (-1 if less else 1)
        if (va is None) != (vb is None):
            return 1 if va is None else -1
        na, nb = board.entries[a].name.casefold(), board.entries[b].name.casefold()
        return -1 if na < nb else (1 if na > nb else 0)

    return functools.cmp_to_key(cmp)


def order(
    board: BoardTable,
    sort_by: str = OVERALL,
    descending: bool | None = None,
    filters: Filters | None = None,
) -> list[int]:
    """Row positions as the board shows them: sections in the paper's order, then the sort
    key's printed value (nulls last either way), ties by name."""
    if sort_by not in sort_keys(board.table):
        raise ValueError(
            f"cannot sort {board.table} by {sort_by!r}; one of {', '.join(sort_keys(board.table))}"
        )
    desc = default_descending(sort_by) if descending is None else descending
    filters = filters or Filters()
    keep = [i for i, e in enumerate(board.entries) if filters.keep(e)]
    sections = {s: n for n, s in enumerate(SECTION_ORDER)}
    return sorted(keep, key=_comparator(board, sort_by, desc, sections))


def api_order(
    board: BoardTable,
    sort_by: str = OVERALL,
    descending: bool | None = None,
    filters: Filters | None = None,
) -> list[int]:
    """The API's order, best first within each pool: the baseline, the paper's rows (open
    and closed together, as they are ranked), the rows verified here."""
    shown = order(board, sort_by, descending, filters)
    desc = default_descending(sort_by) if descending is None else descending
    pools = {BASELINE: 0, OPEN: 1, CLOSED: 1, HERE: 2}
    return sorted(shown, key=_comparator(board, sort_by, desc, pools))


# ---------------------------------------------------------------------------- baseline


def same_as_paper(
    loaded: Entry,
    paper: Entry,
    loaded_counts: dict[str, dict[str, int]],
    paper_counts: dict[str, dict[str, int]],
) -> bool:
    """Is the loaded benchmark the paper's? Every cell of Tables 3-6 has the paper's item
    count, and the loaded analytic Random row equals every Random cell the paper prints
    (two decimals). See the module docstring for why not a hash."""
    for table in TABLES.values():
        for cell in table.columns:
            if loaded_counts.get(table.key, {}).get(cell) != paper_counts.get(table.key, {}).get(
                cell
            ):
                return False
            want = paper.value(table.key, cell)
            if want is not None and printed(loaded.value(table.key, cell)) != printed(want):
                return False
    return True


@dataclass(frozen=True)
class BaselineChoice:
    """Which Random row the board shows, and the sentence that says why."""

    entries: list[Entry]
    same: bool
    note: str


def choose_baseline(
    reported: Sequence[Entry],
    verified: Sequence[Entry],
    loaded_counts: dict[str, dict[str, int]],
    paper_counts: dict[str, dict[str, int]],
) -> BaselineChoice:
    """The rows of the board with one Random row: the loaded benchmark's. The paper's Random
    row is dropped: when the benchmark is the paper's it is the same row (the note says
    so), otherwise it describes another benchmark."""
    paper_base = next((e for e in reported if e.is_baseline), None)
    loaded_base = next((e for e in verified if e.is_baseline), None)
    rows = [e for e in reported if not e.is_baseline] + list(verified)
    if loaded_base is None:  # nothing loaded to compute it from: keep the paper's
        return BaselineChoice(list(reported) + list(verified), False, "")
    n = loaded_counts.get("table3", {}).get(OVERALL, 0)
    if paper_base is None:
        return BaselineChoice(rows, False, "")
    if same_as_paper(loaded_base, paper_base, loaded_counts, paper_counts):
        return BaselineChoice(
            rows,
            True,
            (
                "Random guess: the expected accuracy of uniform guessing on the SC and TF items "
                "of the loaded benchmark. It equals the paper's Random row cell for cell: the "
                "loaded benchmark has the paper's item count in every category."
            ),
        )
    p = paper_counts.get("table3", {}).get(OVERALL, 0)
    return BaselineChoice(
        rows,
        False,
        (
            f"Random guess is computed on the loaded benchmark ({n:,} items). The paper's Random "
            f"row is not shown: it describes the paper's benchmark ({p:,} items), whose "
            "categories differ from the loaded one's."
        ),
    )


# ---------------------------------------------------------------------------- outputs


def _filter_attrs(e: Entry) -> dict[str, Any]:
    """What the browser needs to apply `Filters.keep` without the server."""
    return {
        "kind": VERIFIED if e.kind == PENDING else e.kind,
        "base": e.is_baseline,
        "w": weights_label(e.open),
        "sz": size_bucket(e.params_b),
    }


def _safe_link(link: str | None) -> str | None:
    """Only plain http(s) links become anchors (the store checks this too)."""
    if link and link.lower().startswith(("https://", "http://")) and len(link) <= 500:
        return link
    return None


def table_payload(
    board: BoardTable,
    counts: dict[str, dict[str, int]] | None = None,
    paper: dict[str, dict[str, int]] | None = None,
) -> dict[str, Any]:
    """One table for the browser: headers, columns, printed values, ranks, marks and the
    reason behind every null cell (columnar, so 1,000 rows stay small)."""
    top, second = header_rows(board.table, counts, paper)
    why: dict[str, dict[str, str]] = {}
    for col in board.columns:
        reasons = {}
        for i, e in enumerate(board.entries):
            if board.values[col.key][i] is None:
                reasons[str(i)] = e.null_reason(col.table, col.cell) or "no value"
        if reasons:
            why[col.key] = reasons
    return {
        "title": board.title,
        "head": [[h.as_json() for h in top], [h.as_json() for h in second]],
        "cols": [{"k": c.key, "h": c.header, "t": c.table} for c in board.columns],
        "keys": sort_keys(board.table),
        "v": board.values,
        "r": board.ranks,
        "m": board.marks,
        "why": why,
    }


def payload(
    entries: Sequence[Entry],
    token: str,
    *,
    verified_label: str,
    baseline_note: str = "",
    counts: dict[str, dict[str, int]] | None = None,
    paper: dict[str, dict[str, int]] | None = None,
    tables: Iterable[str] = TABLES,
) -> tuple[dict[str, Any], dict[str, BoardTable]]:
    """Everything the board shows, for all four tables (JSON-ready), and the tables built
    for it (kept for exports and the API). Text a visitor sent (names, params, links) is
    data here; the browser puts it into the page as text only."""
    rows = list(entries)
    boards = {t: build_table(rows, t) for t in tables}
    labels = dict(SECTION_LABELS, **{HERE: verified_label})
    data = {
        "token": token,
        "rows": [
            dict(
                _filter_attrs(e),
                n=e.name,
                nk=e.name.casefold(),
                sec=section_of(e),
                pend=e.is_pending,
                p=e.params,
                pb=e.params_b,
                ow="" if e.is_baseline else weights_label(e.open),
                j=e.judge_label,
                ax=e.approx_judge,
                sub=e.submission_id,
                link=_safe_link(e.link),
            )
            for e in rows
        ],
        "tables": {t: table_payload(b, counts, paper) for t, b in boards.items()},
        "sections": [[k, labels[k]] for k in SECTION_ORDER],
        "choices": {
            "kinds": list(KINDS),
            "weights": list(WEIGHT_CHOICES),
            "sizes": list(SIZE_CHOICES),
        },
        "baseline_note": baseline_note,
    }
    return data, boards


def api_rows(
    board: BoardTable, rows: Sequence[int], sort_by: str = OVERALL
) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (the /leaderboard API): full-precision numbers keyed by cell
    name, null as None with its reason, the section and the rank shown for this sort."""
    out = []
    for i in rows:
        e = board.entries[i]
        cells = TABLES[board.table].cells
        row: dict[str, Any] = {
            "rank": board.rank(i, sort_by),
            "model": e.name,
            "section": board.sections[i],
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
        for cell in cells:
            row[cell.name] = e.value(board.table, cell.name)
        row["null_reasons"] = {
            c.name: e.null_reason(board.table, c.name)
            for c in cells
            if e.value(board.table, c.name) is None
        }
        row["judging"] = {"done": e.judging[0], "total": e.judging[1]} if e.judging else None
        out.append(row)
    return out


def to_csv(board: BoardTable, rows: Sequence[int], sort_by: str = OVERALL) -> str:
    """The shown rows as CSV (`export.csv_text`), columns as on the board: 2-decimal values,
    empty for null, every text cell inert for spreadsheets."""

    def row(i: int) -> list[Any]:
        e = board.entries[i]
        rank = board.rank(i, sort_by)
        return (
            [SECTION_LABELS[board.sections[i]], "" if rank is None else rank, e.name]
            + [cell_text(board.values[c.key][i]) for c in board.columns]
            + [
                e.params or "",
                "" if e.is_baseline else weights_label(e.open),
                e.judge_label,
                e.link or "",
            ]
        )

    header = ["Section", RANK, MODEL] + [c.header for c in board.columns]
    return csv_text(header + [PARAMS, WEIGHTS, JUDGE, "Link"], (row(i) for i in rows))


def to_latex(board: BoardTable, rows: Sequence[int], verified_label: str = "") -> str:
    """The shown rows as a booktabs table in the paper's layout: its column order, two header
    rows, italic section rows, best bold and runner-up underlined (over the whole table, per
    pool), "-" for null; verified rows †, OE scored by the approximate judge ‡."""
    cells = TABLES[board.table].cells
    key_of = {(c.table, c.cell): c.key for c in board.columns}
    keys = [key_of.get((board.table, c.name), OVERALL) for c in cells]
    n = len(cells)
    lines = [
        f"% {board.title} (Q-Bench-Portrait leaderboard); † = verified (re-scored from "
        "a submission); ‡ = OE scored by the approximate judge",
        "% requires \\usepackage{booktabs}",
        "\\begin{tabular}{l" + "c" * n + "}",
        "\\toprule",
    ]
    lines += latex_group_header(board.table, model_row=1)
    labels = dict(SECTION_LABELS, **({HERE: verified_label} if verified_label else {}))
    section = None
    for i in rows:
        if board.sections[i] != section:
            section = board.sections[i]
            lines.append("\\midrule")
            lines.append(
                f"\\multicolumn{{{n + 1}}}{{l}}{{\\textit{{{latex_escape(labels[section])}}}}} \\\\"
            )
        e = board.entries[i]
        name = (
            latex_escape(e.name)
            + ("$^\\dagger$" if e.kind == VERIFIED else "")
            + ("$^\\ddagger$" if e.approx_judge else "")
        )
        out = []
        for key in keys:
            v = board.values[key][i]
            text = "-" if v is None else f"{v:.2f}"
            mark = board.marks[key][i]
            out.append(
                f"\\textbf{{{text}}}"
                if mark == BEST
                else f"\\underline{{{text}}}"
                if mark == RUNNER_UP
                else text
            )
        lines.append(" & ".join([name] + out) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}", ""]
    return "\n".join(lines)
