"""The board's downloads: a spreadsheet opening the CSV runs nothing a visitor named, and
the LaTeX table typesets every name literally (analysis/export.py on leaderboard/safe_text)."""

from __future__ import annotations

import csv
import io

import pytest

from analysis import board, export
from analysis.entries import VERIFIED, Entry
from leaderboard.safe_text import csv_safe
from leaderboard.taxonomy import TABLES

HOSTILE = [
    '＝HYPERLINK("http://evil.example","x")',
    " =1+1",
    "|cmd /c calc",
    "\t=1",
    "＋1",
    "－1",
    "＠SUM(A1)",
    "｜cmd",
    "\u3000=1",
    "\u00a0+1",
    " \t=1",
    "﹦1",
    "=cmd|' /C calc'!A0",
]
PLAIN = ["Qwen2-VL (7B)", "a|b", "Foo, v2", "模型", "x=1"]


def entry(name: str, overall: float | None, **extra) -> Entry:
    values = {"table3": {c: None for c in TABLES["table3"].columns}}
    values["table3"]["Overall"] = overall
    return Entry(name, VERIFIED, values, **extra)


def csv_rows(view: board.BoardView) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(export.to_csv(view), newline="")))
    return rows[0], rows[1:]


@pytest.mark.parametrize("cell", HOSTILE)
def test_the_text_guard_quotes_every_formula_start(cell):
    assert csv_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", PLAIN)
def test_the_text_guard_leaves_ordinary_names_alone(cell):
    assert csv_safe(cell) == cell


def test_the_csv_download_neutralises_hostile_names_params_and_links():
    rows = [entry(n, 40.0 + i, params=n, link=n) for i, n in enumerate(HOSTILE)]
    rows += [
        entry(n, 10.0 + i, params="7B", link="https://example.org/m") for i, n in enumerate(PLAIN)
    ]
    header, body = csv_rows(board.build_view(rows, "table3"))
    by_name = {r[header.index("Model")]: r for r in body}
    for name in HOSTILE:
        row = by_name["'" + name]  # the cell reads back as the name behind an apostrophe
        assert row[header.index("Params")] == "'" + name
        assert row[header.index("Link")] == "'" + name
    for name in PLAIN:
        row = by_name[name]
        assert row[header.index("Params")] == "7B"
        assert row[header.index("Link")] == "https://example.org/m"
    assert by_name["'" + HOSTILE[0]][header.index("Overall")] == "40.00"  # numbers stay


def test_a_line_break_in_a_name_stays_inside_its_quoted_cell():
    header, body = csv_rows(board.build_view([entry("two\nlines", 50.0)], "table3"))
    assert len(body) == 1 and body[0][header.index("Model")] == "two\nlines"


def test_latex_escapes_every_special_character_of_a_name():
    name = "a|b & c_d 50% $x$ #1 {y} ~z ^w \\input{x} <t>\nnext"
    tex = export.to_latex(board.build_view([entry(name, 50.0)], "table3"))
    line = next(ln for ln in tex.splitlines() if ln.startswith("a"))
    assert line.startswith(
        "a\\textbar{}b \\& c\\_d 50\\% \\$x\\$ \\#1 \\{y\\} \\textasciitilde{}z "
        "\\textasciicircum{}w \\textbackslash{}input\\{x\\} \\textless{}t\\textgreater{} next"
        "$^\\dagger$ & "
    )
    assert "\\input" not in tex
