"""The board as files a visitor downloads: CSV for spreadsheets, LaTeX in the paper's layout.

Both carry user-sent text (model names, links, parameter counts), so every text cell goes
through `leaderboard.safe_text`, the one owner of formula guards and LaTeX escaping; this
module only lays the view out.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

from leaderboard.safe_text import csv_safe, latex_escape
from leaderboard.taxonomy import TABLES

from .board import META_COLUMNS, RANK, WEIGHTS, BoardView
from .entries import VERIFIED, Entry


def cell_text(v: float | None) -> str:
    """A value cell: two decimals, empty for null (None or NaN)."""
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2f}"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A table as CSV (RFC 4180, CRLF; a cell holding CR or LF is quoted), every text cell
    made inert for spreadsheets (`safe_text.csv_safe`): the one CSV writer of the board's
    downloads, whichever layout they have."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(c) for c in row])
    return buf.getvalue()


def to_csv(view: BoardView) -> str:
    """The current view as CSV: 2-decimal values, empty for null, text cells inert."""

    def row(i: int, e: Entry) -> list[Any]:
        rank = view.frame[RANK].iat[i]
        text = [e.name, e.label, e.judge_label, view.frame[WEIGHTS].iat[i], e.params or ""]
        return (
            ["" if math.isnan(rank) else str(int(rank))]
            + [str(t) for t in text]
            + [cell_text(view.frame[h].iat[i]) for h in view.headers]
            + [e.link or ""]
        )

    return csv_text(
        list(META_COLUMNS) + view.headers + ["Link"],
        (row(i, e) for i, e in enumerate(view.entries)),
    )


def to_latex(view: BoardView) -> str:
    """The current view as a booktabs table in the paper's layout: two header rows (group,
    label), best in bold, runner-up underlined, "-" for null; verified rows marked †, rows
    whose OE items the approximate judge scored ‡."""
    n = len(view.cells)
    lines = [
        f"% {view.title} (Q-Bench-Portrait leaderboard); "
        "† = verified (re-scored from a submission); ‡ = OE scored by the approximate "
        "judge",
        "% requires \\usepackage{booktabs}",
        "\\begin{tabular}{l" + "c" * n + "}",
        "\\toprule",
    ]
    lines += latex_group_header(view.table, model_row=2)
    lines.append("\\midrule")
    for i, e in enumerate(view.entries):
        name = (
            latex_escape(e.name)
            + ("$^\\dagger$" if e.kind == VERIFIED else "")
            + ("$^\\ddagger$" if e.approx_judge else "")
        )
        values = []
        for head in view.headers:
            v = view.frame[head].iat[i]
            text = "-" if math.isnan(v) else f"{v:.2f}"
            if i in view.bold[head]:
                text = f"\\textbf{{{text}}}"
            elif i in view.underline[head]:
                text = f"\\underline{{{text}}}"
            values.append(text)
        lines.append(" & ".join([name] + values) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}", ""]
    return "\n".join(lines)


def latex_group_header(table: str, model_row: int) -> list[str]:
    """The paper's two header rows of a table in booktabs LaTeX (groups over their cells,
    with cmidrules), "Model" in the first column of header row `model_row` (1 or 2)."""
    top, rules, second, col = [""], [], [""], 2
    (top if model_row == 1 else second)[0] = "Model"
    for group, cells in TABLES[table].groups:
        width = len(cells)
        single = width == 1 and cells[0].label == group
        top.append(
            latex_escape(group)
            if width == 1
            else f"\\multicolumn{{{width}}}{{c}}{{{latex_escape(group)}}}"
        )
        if not single:
            rules.append(f"\\cmidrule(lr){{{col}-{col + width - 1}}}")
        second += ["" if single else latex_escape(c.label) for c in cells]
        col += width
    lines = [" & ".join(top) + " \\\\"]
    if rules:
        lines.append(" ".join(rules))
    lines.append(" & ".join(second) + " \\\\")
    return lines
