"""The board's view-model in the paper's layout (issue 13): grouped headers, sections, ranks
and marks over the whole table, one Random row, exports and the API order."""

from __future__ import annotations

import csv
import io
import json

import pytest

from analysis import board
from analysis import paper_board as pb
from analysis.entries import BASELINE_NAME, PENDING, REPORTED, VERIFIED, Entry, reported_entries
from leaderboard.settings import PAPER_DIR
from leaderboard.taxonomy import TABLES


def verified(name: str, overall: float | None, **cells: float | None) -> Entry:
    """A verified row with Table 3's Overall (and any named Table 3 cells)."""
    values = {"table3": {c: None for c in TABLES["table3"].columns}}
    values["table3"].update(Overall=overall, **cells)
    return Entry(
        name, VERIFIED, values, submission_id=f"sub-{name}", params="7B", params_b=7.0, open=True
    )


@pytest.fixture(scope="module")
def paper() -> list[Entry]:
    return reported_entries(PAPER_DIR)


@pytest.fixture(scope="module")
def rows(paper) -> list[Entry]:
    """The paper's rows (without its Random row), a loaded Random row and verified rows,
    one scoring far above every paper model."""
    base = Entry(BASELINE_NAME, VERIFIED, paper[0].values, is_baseline=True)
    return (
        [e for e in paper if not e.is_baseline]
        + [base]
        + [
            verified("SimVL-Large (simulated)", 99.0, NI=99.0, MC=99.0),
            verified("Small", 20.0, NI=10.0, MC=5.0),
            Entry("Judging", PENDING, verified("x", None, MC=50.0).values, judging=(1, 4)),
        ]
    )


def names(table: pb.BoardTable, order: list[int]) -> list[str]:
    return [table.entries[i].name for i in order]


# ----------------------------------------------------------------------------- headers


def test_table3_has_the_papers_two_header_rows_with_overall_next_to_model():
    top, second = pb.header_rows("table3")
    assert [(h.text, h.colspan, h.rowspan) for h in top] == [
        ("Rank", 1, 2),
        ("Model", 1, 2),
        ("Overall", 1, 2),
        ("Image Sources", 5, 1),
        ("Quality Dimensions", 3, 1),
        ("Question Types", 4, 1),
        ("Params", 1, 2),
        ("Weights", 1, 2),
        ("OE judge", 1, 2),
    ]
    assert [h.text for h in second] == [
        "NIs",
        "SDIs",
        "AGIs",
        "AIs",
        "CGIs",
        "Tech.",
        "AIGC",
        "Aes.",
        "SC",
        "MC",
        "TF",
        "OE",
    ]
    assert [h.key for h in second][:2] == ["NI", "SDI"]
    # Overall is not repeated at the end, and every value column is under one header.
    keys = [c.key for c in pb.value_columns("table3")]
    assert keys[0] == "Overall" and keys.count("Overall") == 1
    assert sum(h.colspan for h in top if h.rowspan == 1) == len(second) == len(keys) - 1


def test_other_tables_keep_their_groups_and_show_table3s_overall_as_headline():
    top4, second4 = pb.header_rows("table4", counts={"table3": {"Overall": 2765}})
    assert [h.text for h in top4 if h.rowspan == 1] == [
        "Technical Distortions",
        "AIGC-specific Distortions",
        "Aesthetics",
    ]
    assert [h.text for h in second4] == list(TABLES["table4"].columns)
    headline = next(h for h in top4 if h.key == "Overall")
    assert "Table 3" in headline.title and "2765 items here" in headline.title
    top5, second5 = pb.header_rows("table5")
    groups = {h.text: h.colspan for h in top5 if h.rowspan == 1}
    assert groups == {"NIs": 3, "SDIs": 3, "AGIs": 4, "AIs": 1, "CGIs": 3}
    assert [h.text for h in second5][:3] == ["Tech.", "Aes.", "Overall"]
    assert {h.key for h in second5} >= {"NI_Overall", "AI_Aes"}
    top6, _ = pb.header_rows("table6")
    assert [h.text for h in top6 if h.rowspan == 1] == ["SC", "MC", "TF", "OE"]


# ----------------------------------------------------------------------------- sections


def test_sections_come_in_the_papers_order_and_sorting_stays_within_them(rows):
    table = pb.build_table(rows, "table3")
    for key, desc in (("Overall", True), ("Overall", False), ("MC", True), ("Model", False)):
        order = pb.order(table, key, desc)
        sections = [table.sections[i] for i in order]
        assert sections == sorted(sections, key=pb.SECTION_ORDER.index), (key, desc)
    order = pb.order(table, "Overall")
    assert names(table, order)[0] == BASELINE_NAME
    closed = [table.entries[i].name for i in order if table.sections[i] == pb.CLOSED]
    assert closed == [
        "Grok-4",
        "Claude-Sonnet-4.5",
        "Qwen3-VL-Plus",
        "GPT-5.2",
        "Gemini-2.5-Pro",
    ]  # by Overall within the section
    assert names(table, order)[-3:] == ["SimVL-Large (simulated)", "Small", "Judging"]


def test_demo_rows_never_displace_the_papers_ranks_or_marks(rows):
    table = pb.build_table(rows, "table3")
    at = {e.name: i for i, e in enumerate(table.entries)}
    qwen, sim = at["Qwen3-VL (32B)"], at["SimVL-Large (simulated)"]
    assert table.rank(qwen, "Overall") == 1 and table.marks["Overall"][qwen] == pb.BEST
    assert table.marks["Overall"][at["Grok-4"]] == pb.RUNNER_UP  # 62.51, as in the paper
    assert table.rank(sim, "Overall") == 1 and table.marks["Overall"][sim] == pb.BEST
    assert table.rank(at["Small"], "Overall") == 2
    ranked = [table.rank(i, "Overall") for i, e in enumerate(table.entries) if e.pool == "paper"]
    assert sorted(r for r in ranked if r) == sorted(ranked) and max(ranked) == 25
    # The baseline and the row still being judged are neither ranked nor marked.
    for name in (BASELINE_NAME, "Judging"):
        assert table.rank(at[name], "Overall") is None and table.marks["Overall"][at[name]] == 0


def test_marks_are_over_the_whole_table_so_a_search_does_not_bold_every_cell(rows):
    table = pb.build_table(rows, "table3")
    found = pb.order(table, filters=board.Filters(search="Qwen3-VL (8B)"))
    assert names(table, found) == ["Qwen3-VL (8B)"]
    i = found[0]
    assert all(table.marks[c.key][i] != pb.BEST for c in table.columns)
    assert table.rank(i, "Overall") == 5  # not 1 of 1
    best = pb.order(table, filters=board.Filters(search="Qwen3-VL (32B)"))[0]
    assert table.marks["NI"][best] == pb.BEST and table.marks["CGI"][best] == pb.RUNNER_UP


def test_ties_share_rank_and_mark_on_printed_values():
    es = [verified("a", 70.004), verified("b", 69.996), verified("c", 60.0), verified("d", 55.0)]
    table = pb.build_table(es, "table3")
    assert [table.rank(i, "Overall") for i in range(4)] == [1, 1, 3, 4]
    assert table.marks["Overall"] == [pb.BEST, pb.BEST, pb.RUNNER_UP, 0]


def test_nulls_sort_last_both_ways_and_names_break_ties(rows):
    table = pb.build_table(rows, "table3")
    for desc in (True, False):
        order = [i for i in pb.order(table, "NI", desc) if table.sections[i] == pb.HERE]
        values = [table.values["NI"][i] for i in order]
        assert values[-1] is None  # the pending row has no NI value yet
        known = [v for v in values if v is not None]
        assert known == sorted(known, reverse=desc)
    t = pb.build_table([verified("b", 50.0), verified("A", 50.0), verified("c", 50.0)], "table3")
    assert names(t, pb.order(t, "Overall")) == ["A", "b", "c"]
    assert names(t, pb.order(t, "Model", True)) == ["c", "b", "A"]


def test_sort_direction_does_not_leak_across_tables():
    # Sorted by MC ascending in Table 3, then Table 4 (no MC column): best first by Overall.
    assert pb.carry_sort("table4", "MC", False) == ("Overall", True)
    assert pb.carry_sort("table6", "NI", False) == ("Overall", True)
    # A key the new table has keeps the direction the reader chose for it.
    assert pb.carry_sort("table4", "Model", False) == ("Model", False)
    assert pb.next_sort("table4", "Noise", "Overall", True) == ("Noise", True)
    assert pb.next_sort("table4", "Noise", "Noise", True) == ("Noise", False)
    assert pb.next_sort("table4", "Model", "Noise", True) == ("Model", False)
    assert pb.next_sort("table4", "MC", "Noise", False) == ("Noise", False)  # not a column
    with pytest.raises(ValueError, match="cannot sort table4 by 'MC'"):
        pb.order(pb.build_table([verified("a", 1.0)], "table4"), "MC")


def test_filters_keep_the_baseline_for_every_row_kind(rows):
    table = pb.build_table(rows, "table3")
    only_verified = names(table, pb.order(table, filters=board.Filters(kinds=(VERIFIED,))))
    assert only_verified[0] == BASELINE_NAME and "Qwen3-VL (32B)" not in only_verified
    only_paper = names(table, pb.order(table, filters=board.Filters(kinds=(REPORTED,))))
    assert only_paper[0] == BASELINE_NAME and "Small" not in only_paper
    assert "Judging" in only_verified  # pending rows show with the verified ones


# ----------------------------------------------------------------------------- Random row


def test_the_demo_bundle_is_the_papers_benchmark_so_one_random_row_stands_for_both(paper):
    from analysis.entries import baseline_entry
    from leaderboard.benchmark import load_benchmark
    from leaderboard.scoring import cell_masks
    from leaderboard.settings import DEMO_BUNDLE

    bench = load_benchmark(str(DEMO_BUNDLE))
    masks = cell_masks(bench)
    loaded = {
        t: {c: int(n) for c, n in cells.items()}
        for t, cells in masks.unflatten(masks.matrix.sum(axis=1)).items()
    }
    counts = board.read_paper_counts(PAPER_DIR)
    base = baseline_entry(bench)
    choice = pb.choose_baseline(paper, [base], loaded, counts)
    randoms = [e for e in choice.entries if e.is_baseline]
    assert randoms == [base] and choice.same and "equals the paper's Random row" in choice.note
    # One category off by one item: no longer the paper's benchmark.
    other = {t: dict(cells) for t, cells in loaded.items()}
    other["table4"]["Blur"] -= 1
    choice = pb.choose_baseline(paper, [base], other, counts)
    assert not choice.same and [e for e in choice.entries if e.is_baseline] == [base]
    assert "The paper's Random row is not shown" in choice.note


def test_a_small_bundle_keeps_only_its_own_random_row(paper):
    small = Entry(
        BASELINE_NAME, VERIFIED, {"table3": {"SC": 25.0, "Overall": 30.0}}, is_baseline=True
    )
    choice = pb.choose_baseline(
        paper,
        [small, verified("m", 50.0)],
        {"table3": {"Overall": 8}},
        {"table3": {"Overall": 2765}},
    )
    assert [e for e in choice.entries if e.is_baseline] == [small]
    assert "(8 items)" in choice.note and "(2,765 items)" in choice.note
    assert len(choice.entries) == 25 + 2


# ----------------------------------------------------------------------------- outputs


def test_payload_carries_every_table_and_names_only_as_data(rows):
    evil = verified('<img src=x onerror="alert(1)">**bold** [x](http://a)', 40.0)
    data, boards = pb.payload(rows + [evil], "tok", verified_label="Verified here: demo")
    text = json.dumps(data)
    assert set(data["tables"]) == set(TABLES) and data["token"] == "tok"
    row = next(r for r in data["rows"] if r["n"] == evil.name)
    assert row["nk"] == evil.name.casefold() and row["sec"] == pb.HERE
    assert dict(data["sections"])[pb.HERE] == "Verified here: demo"
    t4 = data["tables"]["table4"]
    assert t4["cols"][0] == {"k": "Overall", "h": "Overall (Table 3)", "t": "table3"}
    assert len(t4["v"]["Noise"]) == len(data["rows"])
    i = [r["n"] for r in data["rows"]].index("Small")
    assert data["tables"]["table3"]["why"]["SDI"][str(i)]  # every "-" says why
    assert json.loads(text) == data  # plain JSON: no NaN, nothing executable


def test_csv_and_latex_follow_the_board_order_and_keep_text_inert(rows):
    evil = verified('=HYPERLINK("http://x")', 45.0)
    table = pb.build_table(rows + [evil], "table3")
    order = pb.order(table, "MC", False)
    got = list(csv.reader(io.StringIO(pb.to_csv(table, order, "MC"), newline="")))
    header, body = got[0], got[1:]
    assert header[:6] == ["Section", "Rank", "Model", "Overall", "NIs", "SDIs"]
    assert [r[2] for r in body] == [csv_name(table.entries[i].name) for i in order]
    assert any(r[2] == '\'=HYPERLINK("http://x")' for r in body)
    assert body[0][0] == "Baseline" and body[-1][0] == "Verified here"
    tex = pb.to_latex(table, order, "Verified here: demo")
    assert "\\multicolumn{5}{c}{Image Sources}" in tex
    assert "\\multicolumn{14}{l}{\\textit{Open-source MLLMs}}" in tex
    assert "\\textit{Verified here: demo}" in tex and "\\textbf{64.00}" in tex
    assert tex.index("Qwen3-VL (32B)") < tex.index("SimVL-Large")


def csv_name(name: str) -> str:
    return "'" + name if name.startswith(("=", "+", "-", "@")) else name


def test_api_order_is_best_first_within_each_pool(rows):
    table = pb.build_table(rows, "table3")
    out = pb.api_rows(table, pb.api_order(table, "Overall"), "Overall")
    assert out[0]["model"] == BASELINE_NAME and out[0]["section"] == "baseline"
    paper_ranks = [r["rank"] for r in out if r["kind"] == REPORTED and not r["baseline"]]
    assert paper_ranks == sorted(paper_ranks) and paper_ranks[0] == 1
    assert {r["section"] for r in out if r["kind"] == REPORTED} == {
        "baseline",
        "open",
        "closed",
    } - {"baseline"}
    here = [r for r in out if r["section"] == "verified"]
    assert [r["model"] for r in here] == ["SimVL-Large (simulated)", "Small", "Judging"]
    assert here[0]["rank"] == 1 and here[-1]["rank"] is None
