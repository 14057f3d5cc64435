"""One CSV writer for the board's downloads (`analysis.export.csv_text`): the board's file
(paper layout) and the server-side view's file come out byte for byte as their own writers
wrote them before, on the demo board (every table, several sorts and filters) and on hostile
names. The two former writers are kept here, verbatim, as the reference."""

from __future__ import annotations

import csv
import io
import math

import pytest

from analysis import board, export
from analysis import paper_board as pb
from analysis.entries import VERIFIED, Entry
from leaderboard.safe_text import csv_safe
from leaderboard.taxonomy import TABLES
from tests.support.demostate import demo_state
from ui.board_table import BoardRequest, BoardService


def former_board_csv(table: pb.BoardTable, rows, sort_by: str = board.OVERALL) -> str:
    """paper_board.to_csv before it used export.csv_text."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(
        ["Section", pb.RANK, pb.MODEL]
        + [c.header for c in table.columns]
        + [pb.PARAMS, pb.WEIGHTS, pb.JUDGE, "Link"]
    )
    for i in rows:
        e = table.entries[i]
        rank = table.rank(i, sort_by)
        writer.writerow(
            [pb.SECTION_LABELS[table.sections[i]], "" if rank is None else rank, csv_safe(e.name)]
            + [
                "" if table.values[c.key][i] is None else f"{table.values[c.key][i]:.2f}"
                for c in table.columns
            ]
            + [
                csv_safe(e.params or ""),
                "" if e.is_baseline else board.weights_label(e.open),
                csv_safe(e.judge_label),
                csv_safe(e.link or ""),
            ]
        )
    return buf.getvalue()


def former_view_csv(view: board.BoardView) -> str:
    """export.to_csv before it used export.csv_text."""

    def cell(v):
        return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2f}"

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(list(board.META_COLUMNS) + view.headers + ["Link"])
    for i, e in enumerate(view.entries):
        rank = view.frame[board.RANK].iat[i]
        text = [e.name, e.label, e.judge_label, view.frame[board.WEIGHTS].iat[i], e.params or ""]
        row = ["" if math.isnan(rank) else str(int(rank))] + [csv_safe(str(t)) for t in text]
        row += [cell(view.frame[h].iat[i]) for h in view.headers]
        row.append(csv_safe(e.link or ""))
        writer.writerow(row)
    return buf.getvalue()


REQUESTS = [
    {},
    {"sort": "Model", "desc": False},
    {"sort": "Params"},
    {"kinds": ["verified"], "q": "sim"},
    {"weights": ["closed"], "sizes": ["unknown size"]},
]
HOSTILE = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\t=1", "a\r\nb", 'q"uote', "模型"]


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> BoardService:
    return BoardService(demo_state(tmp_path_factory.mktemp("csv-subs")))


@pytest.mark.parametrize("table", list(TABLES))
def test_the_boards_download_is_byte_identical_on_the_demo(service, table):
    built = service.current()
    for extra in REQUESTS:
        req = BoardRequest.parse({"table": table, **extra})
        rows = pb.order(built.boards[table], req.sort, req.descending, req.filters)
        assert rows  # every request shows rows
        got = service.export(req, "csv")["text"]
        assert got.encode() == former_board_csv(built.boards[table], rows, req.sort).encode()


@pytest.mark.parametrize("table", list(TABLES))
def test_the_views_download_is_byte_identical_on_the_demo(service, table):
    for sort in (board.OVERALL, board.MODEL, board.PARAMS):
        view = service.state.view(table, sort_by=sort)
        assert export.to_csv(view).encode() == former_view_csv(view).encode()


def test_both_layouts_stay_identical_and_inert_on_hostile_text():
    def entry(name: str, overall: float) -> Entry:
        values = {"table3": {c: None for c in TABLES["table3"].columns}}
        values["table3"]["Overall"] = overall
        return Entry(name, VERIFIED, values, params=name, link=name, submission_id=name)

    rows = [entry(n, 40.0 + i) for i, n in enumerate(HOSTILE)]
    table = pb.build_table(rows, "table3")
    order = pb.order(table)
    text = pb.to_csv(table, order)
    assert text == former_board_csv(table, order)
    view = board.build_view(rows, "table3")
    assert export.to_csv(view) == former_view_csv(view)
    body = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert {r[2] for r in body} == {csv_safe(n) for n in HOSTILE}
    assert all(not r[2].startswith(("=", "+", "-", "@", "\t")) for r in body)
