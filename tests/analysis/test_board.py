"""The leaderboard view: numeric sorting, ranks, marks, filters, CSV/LaTeX/JSON exports."""

from __future__ import annotations

import csv
import io
import math
import re

import pandas as pd
import pytest

from analysis import board, export
from analysis.entries import (
    BASELINE_NAME,
    REPORTED,
    VERIFIED,
    Entry,
    params_billions,
    reported_entries,
)
from leaderboard.settings import PAPER_DIR
from leaderboard.taxonomy import TABLES


def entry(name: str, overall: float | None, kind: str = VERIFIED, **cells: float | None):
    """An entry whose Table 3 Overall (and any named Table 3 cells) are given."""
    values = {"table3": {c: None for c in TABLES["table3"].columns}}
    values["table3"]["Overall"] = overall
    values["table3"].update(cells)
    extra = {k: v for k, v in cells.items() if k not in values["table3"]}
    assert not extra
    return Entry(name, kind, values)


def sized(name, params_b, open_, overall=50.0):
    e = entry(name, overall)
    return Entry(
        e.name,
        REPORTED,
        e.values,
        params=f"{params_b}B" if params_b else None,
        params_b=params_b,
        open=open_,
    )


def col(view, header):
    return view.frame[header].tolist()


def test_values_sort_as_numbers_not_text():
    es = [entry("a", 9.5), entry("b", 100.0), entry("c", 10.25)]
    view = board.build_view(es, "table3")
    assert col(view, "Overall") == [100.0, 10.25, 9.5]  # text order would put 9.5 first
    assert view.frame["Overall"].dtype == "float64"
    assert board.datatypes(view)[view.frame.columns.get_loc("Overall")] == "number"
    up = board.build_view(es, "table3", descending=False)
    assert col(up, "Overall") == [9.5, 10.25, 100.0]


def test_nulls_sort_last_in_both_directions_and_are_unranked():
    es = [entry("a", None), entry("b", 20.0), entry("c", 30.0)]
    for desc in (True, False):
        view = board.build_view(es, "table3", descending=desc)
        assert [e.name for e in view.entries][-1] == "a"
        assert math.isnan(view.frame["Rank"].iloc[-1])


def test_rank_is_competition_rank_on_printed_values_and_skips_baselines():
    base = Entry(BASELINE_NAME, VERIFIED, entry("x", 55.0).values, is_baseline=True)
    es = [entry("a", 60.001), entry("b", 59.999), entry("c", 50.0), base]
    view = board.build_view(es, "table3")
    ranks = dict(zip((e.name for e in view.entries), view.frame["Rank"], strict=False))
    assert ranks["a"] == ranks["b"] == 1  # both print as 60.00
    assert ranks["c"] == 3
    assert math.isnan(ranks[BASELINE_NAME])


def test_sort_by_any_cell_and_by_name():
    es = [entry("b", 50.0, NI=10.0), entry("a", 40.0, NI=90.0), entry("C", 30.0, NI=50.0)]
    assert [e.name for e in board.build_view(es, "table3", sort_by="NI").entries] == ["a", "C", "b"]
    assert [e.name for e in board.build_view(es, "table3", sort_by="Model").entries] == [
        "a",
        "b",
        "C",
    ]
    with pytest.raises(ValueError, match="cannot sort"):
        board.build_view(es, "table3", sort_by="nope")


def test_bold_best_and_underline_runner_up_per_column_ties_shared():
    base = Entry(BASELINE_NAME, VERIFIED, entry("x", 99.0).values, is_baseline=True)
    es = [entry("a", 70.0), entry("b", 70.004), entry("c", 65.0), entry("d", 60.0), base]
    view = board.build_view(es, "table3")
    names = [e.name for e in view.entries]
    bold = {names[i] for i in view.bold["Overall"]}
    under = {names[i] for i in view.underline["Overall"]}
    assert bold == {"a", "b"}  # equal when printed; the baseline never competes
    assert under == {"c"}
    html = board.styler(view).to_html()
    row_c = names.index("c")
    col_overall = view.frame.columns.get_loc("Overall")
    assert re.search(rf"row{row_c}_col{col_overall}[^{{]*\{{\s*text-decoration: underline", html)


def test_styler_shows_two_decimals_and_dash_for_null_but_keeps_numbers():
    view = board.build_view([entry("a", 61.239), entry("b", None)], "table3")
    html = board.styler(view).to_html()
    assert "61.24" in html and ">-<" in html
    assert view.frame["Overall"].iloc[0] == pytest.approx(61.239)


def test_filters_kind_search_weights_and_size():
    es = [
        sized("Small-Open", 2, True),
        sized("Big-Open", 72, True),
        sized("Closed-X", None, False),
        Entry(BASELINE_NAME, REPORTED, entry("r", 30.0).values, is_baseline=True),
    ]

    def names(**kw):
        return {e.name for e in board.build_view(es, "table3", board.Filters(**kw)).entries}

    assert names(search="open") == {"Small-Open", "Big-Open"}
    assert names(weights=("closed",)) == {"Closed-X", BASELINE_NAME}
    assert names(sizes=("< 5B",)) == {"Small-Open", BASELINE_NAME}
    assert names(sizes=(board.UNKNOWN_SIZE,)) == {"Closed-X", BASELINE_NAME}
    # The baseline is the reference row of both kinds (issue 13: one Random row).
    assert names(kinds=(VERIFIED,)) == {BASELINE_NAME}


def test_csv_neutralises_formula_cells_and_keeps_numbers():
    evil = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
    view = board.build_view(
        [entry(n, 50.0 + i) for i, n in enumerate(evil)] + [entry("Plain (7B)", None)], "table3"
    )
    rows = list(csv.reader(io.StringIO(export.to_csv(view), newline="")))
    header, body = rows[0], rows[1:]
    models = [r[header.index("Model")] for r in body]
    assert all(m.startswith("'") for m in models[:-1])
    assert models[-1] == "Plain (7B)"
    assert body[0][header.index("Overall")] == "55.00"
    assert body[-1][header.index("Overall")] == ""  # null
    assert body[0][header.index("Rank")] == "1"


def test_latex_is_booktabs_with_marks_escaping_and_groups():
    es = [entry("A&B_100%", 70.0), entry("c", 60.0), entry("d", None)]
    tex = export.to_latex(board.build_view(es, "table3"))
    assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
    assert "A\\&B\\_100\\%$^\\dagger$" in tex
    assert "\\textbf{70.00}" in tex and "\\underline{60.00}" in tex
    assert "\\multicolumn{5}{c}{Image Sources}" in tex
    last = [ln for ln in tex.splitlines() if ln.startswith("d")][0]
    assert last.rstrip(" \\").split(" & ")[-1] == "-"
    t5 = export.to_latex(board.build_view(reported_entries(PAPER_DIR), "table5"))
    assert "\\multicolumn{4}{c}{AGIs}" in t5 and "\\cmidrule(lr){8-11}" in t5


def test_html_in_a_model_name_stays_text():
    name = "<img src=x onerror=alert(1)><b>Evil</b>"
    view = board.build_view([entry(name, None)], "table3")
    assert board.datatypes(view)[view.frame.columns.get_loc("Model")] == "str"
    assert board.to_rows(view)[0]["model"] == name
    notes = board.null_notes_html(view)
    assert "<img" not in notes and "&lt;img src=x" in notes
    assert "\\textless{}img" in export.to_latex(view)


def test_null_cells_carry_their_reason():
    e = entry("m", None)
    e.null_reasons["table3"] = {"Overall": "75 open-ended item(s) unjudged"}
    view = board.build_view([e], "table3")
    notes = dict((m, why) for m, _, why in board.null_notes(view))
    assert notes["m"] == "75 open-ended item(s) unjudged"
    assert board.to_rows(view)[0]["null_reasons"]["Overall"] == "75 open-ended item(s) unjudged"


def test_reported_rows_match_the_paper_tables():
    es = reported_entries(PAPER_DIR)
    assert len(es) == 26 and sum(e.is_baseline for e in es) == 1
    by = {e.name: e for e in es}
    assert by["Qwen3-VL (32B)"].value("table3", "Overall") == 64.00
    assert by["Qwen3-VL (32B)"].params_b == 32 and by["Qwen3-VL (32B)"].open is True
    assert by["GPT-5.2"].open is False and by["GPT-5.2"].params_b is None
    assert by[BASELINE_NAME].value("table3", "MC") is None
    assert by[BASELINE_NAME].value("table6", "SC_Global") == 25.0
    for key, table in TABLES.items():
        paper = pd.read_csv(PAPER_DIR / f"{key}.csv", dtype=str).set_index("model")
        for name in paper.index:
            row = by[BASELINE_NAME if name.startswith("Random") else name]
            for c in table.columns:
                text = paper.loc[name, c]
                assert row.value(key, c) == (None if text == "-" else float(text))
    view = board.build_view(es, "table3")
    assert view.entries[0].name == "Qwen3-VL (32B)" and view.frame["Rank"].iloc[0] == 1


def test_headers_are_unique_per_table_and_map_back_to_sort_keys():
    for key in TABLES:
        heads = board.headers(key)
        assert len(set(heads)) == len(heads)
        for head, cell in zip(heads, TABLES[key].cells, strict=False):
            assert board.key_for_header(key, head) == cell.name
    assert board.headers("table5")[:3] == ["NIs Tech.", "NIs Aes.", "NIs Overall"]
    assert board.next_sort("table3", "SDIs", "Overall", True) == ("SDI", True)
    assert board.next_sort("table3", "SDIs", "SDI", True) == ("SDI", False)
    assert board.next_sort("table3", "Model", "SDI", True) == ("Model", False)
    assert board.next_sort("table3", "OE judge", "SDI", True) == ("SDI", True)


def test_tables_4_to_6_sort_by_overall_by_default():
    es = reported_entries(PAPER_DIR)
    view = board.build_view(es, "table4")
    assert view.entries[0].name == "Qwen3-VL (32B)"
    assert "Overall" not in view.headers


@pytest.mark.parametrize(
    "text, value",
    [
        ("7B", 7.0),
        ("4.5B", 4.5),
        ("800M", 0.8),
        ("1.2T", 1200.0),
        ("72", 72.0),
        ("big", None),
        (None, None),
    ],
)
def test_params_billions(text, value):
    assert params_billions(text) == value


def test_rank_of_a_new_row():
    # Ranked among the verified rows only: the paper's rows (b) never displace it (issue 13).
    es = [entry("a", 70.0), entry("b", 80.0, kind=REPORTED), entry("new", 65.0)]
    assert board.rank_of(es, "new") == (2, 2)
    assert board.rank_of(es, "b", REPORTED) == (1, 1)


def test_filters_never_renumber_ranks():
    es = [entry("a", 70.0), entry("b", 60.0), entry("c", 50.0)]
    view = board.build_view(es, "table3", board.Filters(search="c"))
    assert [e.name for e in view.entries] == ["c"] and view.frame["Rank"].tolist() == [3.0]
    assert view.bold["Overall"] == {0}  # marks are per view: the best shown value
