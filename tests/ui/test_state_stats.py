"""The app state's statistics (issue 6): the score matrix behind every interval, the board
with intervals and rank ranges (the state's view, and what the board's service sends the
browser), comparisons and the handlers of the Compare/Items tabs."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import board, board_uncertainty
from leaderboard.judges import JudgeInfo, Judgement
from leaderboard.settings import AppSettings
from tests.support.appdata import jsonl, write_app_bundle
from ui.board_table import BoardRequest, BoardService
from ui.state import AppState


@pytest.fixture()
def state(tmp_path):
    bundle = write_app_bundle(tmp_path / "bundle")
    st = AppState.start(
        AppSettings(benchmark=str(bundle), submissions_dir=str(tmp_path / "subs"), judge="none")
    )
    st.resamples = 400  # plenty for 8 items; keeps the suite fast
    return st


class FullMarks:
    info = JudgeInfo(backend="test", model="full-marks")

    def judge(self, requests, progress=None):
        return [Judgement(2, "Score: 2", "judged") for _ in requests]


def test_score_matrix_rows_follow_the_verified_models_in_benchmark_order(state):
    names, scores = state.score_matrix()
    assert names == state.verified_models() and len(names) == 3
    assert scores.shape == (3, len(state.bench))
    subs = {s.meta.model: s for s in state.store.submissions()}
    ids = state.bench.items["id"].tolist()
    for name, row in zip(names, scores, strict=False):
        stored = subs[name].items().set_index("id").loc[ids, "score"].to_numpy(dtype=float)
        np.testing.assert_array_equal(row, stored)
    assert np.isnan(scores[names.index("M1 (7B)"), ids.index("q006")])  # OE not judged
    assert scores[names.index("M1 (7B)"), ids.index("q001")] == 1.0
    with pytest.raises(ValueError):
        scores[0, 0] = 0.5  # shared by every view: read-only


def test_score_matrix_is_cached_until_the_store_changes(state):
    first = state.score_matrix()
    assert state.score_matrix() is first
    state.judge = FullMarks()
    out = state.submit(
        jsonl(["B", "C", "A, C", "True", "False", "x", "D", "A"]), "n.jsonl", {"model": "Newcomer"}
    )
    assert out.ok
    names, scores = state.score_matrix()
    assert "Newcomer" in names and scores.shape[0] == 4 and names[0] == "Newcomer"
    assert scores[0].tolist() == [1, 1, 1, 1, 1, 1, 1, 0]  # the judge gave the OE item 2/2


def test_board_with_intervals_shows_them_in_verified_cells_only_and_sorts_by_value(state):
    plain = state.view("table3", sort_by="SC")
    shown = state.view("table3", sort_by="SC", intervals=True)
    assert [e.name for e in shown.entries] == [e.name for e in plain.entries]
    for head in plain.headers:  # the grid still holds (and sorts) numbers
        np.testing.assert_array_equal(shown.frame[head].to_numpy(), plain.frame[head].to_numpy())
    cols = list(shown.frame.columns)
    assert cols[:4] == [board.RANK, board.MODEL, board.RANK_RANGE, board.GROUP]
    assert board.datatypes(shown)[cols.index("SC")] == "number"
    rows = {e.name: i for i, e in enumerate(shown.entries)}
    m1 = shown.display[rows["M1 (7B)"]]
    assert m1["SC"].startswith("100.0 ± ") and m1["OE"] == "-"
    mc = shown.entries[rows["M2"]].value("table3", "MC")
    assert shown.display[rows["M2"]]["MC"].startswith(f"{mc:.1f} ± ")
    reported = [i for i, e in enumerate(shown.entries) if e.kind == "reported"]
    assert reported and not set(reported) & set(shown.display)
    assert all(shown.frame[board.RANK_RANGE].iat[i] == "-" for i in reported)
    assert shown.frame[board.GROUP].iloc[reported].isna().all()
    assert shown.frame[board.RANK_RANGE].iat[rows["M1 (7B)"]] != "-"
    html = board.styler(shown).to_html()
    assert "100.0 ± " in html and "Qwen3-VL (32B)" in html

    import gradio as gr

    data = gr.DataFrame().postprocess(board.styler(shown))
    sc = cols.index("SC")
    assert isinstance(data.data[rows["M1 (7B)"]][sc], float)
    assert "±" in data.metadata["display_value"][rows["M1 (7B)"]][sc]
    assert "±" not in data.metadata["display_value"][reported[0]][sc]


def test_compare_handles_a_pair_and_a_model_against_itself(state):
    out = state.compare("M1 (7B)", "M2")
    assert out.mcnemar.b > 0 and state.compare("M1 (7B)", "M2") is out  # cached
    same = state.compare("M2", "M2")
    known = same.cells["diff"].dropna()
    assert len(known) and (known == 0).all() and same.mcnemar.p == 1.0
    assert same.discordant.empty and same.a == same.b == "M2"
    with pytest.raises(ValueError, match="not a verified model"):
        state.compare("M1 (7B)", "Ghost")


def test_compare_and_items_handlers_escape_names_and_keep_ids_first(state):
    import app as space

    h = space.Handlers(state)
    summary, fig, cells, mcnemar, items = h.render_compare("M1 (7B)", "M2", "table3")
    assert "M1 \\(7B\\)" in summary  # Markdown-escaped
    assert "McNemar" in mcnemar and fig is not None
    assert list(items.value["headers"])[0] == "ID"
    assert h.render_compare(None, "M2", "table3")[0].startswith("*Choose two")
    fig, diff, count, fails, every = h.render_items("table4")
    assert every.value["headers"][0] == "ID" and len(every.value["data"]) == len(state.bench)
    assert "items every counted verified model" in count


def test_rank_range_of_a_model_without_a_full_cell_is_marked_and_explained(state):
    view = state.view("table3", intervals=True)  # ranked on Overall: OE unjudged for all
    rows = {e.name: i for i, e in enumerate(view.entries)}
    assert view.frame[board.RANK_RANGE].iat[rows["M1 (7B)"]].endswith("*")
    service = BoardService(state)
    reply = service.intervals(BoardRequest("table3"))  # what the intervals toggle receives
    row = service.current().rows["M1 (7B)"]
    assert reply["ranges"][str(row)][0].endswith(board_uncertainty.CLOSED_MARK)
    notes = " ".join(reply["notes"])
    assert "closed-ended items only" in notes and "no per-item data" in notes


def test_html_in_a_model_name_stays_text_in_the_statistics_views(state):
    import app as space

    evil = '<img src=x onerror="alert(1)">**Evil**'
    assert state.submit(
        jsonl(["B", "A", "A", "True", "True", None, "A", "A"]), "e.jsonl", {"model": evil}
    ).ok
    h = space.Handlers(state)
    summary, fig, *_ = h.render_compare(evil, "M2", "table3")
    assert "<img" not in summary and "&lt;img" in summary and "\\*\\*Evil" in summary
    assert "<img" not in fig.layout.title.text and "&lt;img" in fig.layout.title.text
    chart = BoardService(state).chart(BoardRequest("table3", kinds=("verified",)), "SC")
    labels = list(chart.data[0].y)
    assert any("&lt;img" in y for y in labels) and not any("<img" in y for y in labels)
