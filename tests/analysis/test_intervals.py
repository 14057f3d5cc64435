"""Intervals, rank ranges and their chart, as a user of the board would read them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from analysis.intervals import (
    INTERVAL_COLUMNS,
    RANK_COLUMNS,
    REPORTED_ROWS_NOTE,
    board_intervals,
    cache_info,
    clear_caches,
    errorbar_figure,
    format_with_interval,
    formatted_board,
    interval_text,
    method_note,
    rank_note,
    rank_table,
    shared_plan,
)
from leaderboard.scoring import score_predictions
from leaderboard.taxonomy import TABLES
from tests.support.viewdata import ScriptedJudge, accuracy, make_bench, predictions, score_models

R = 200  # resamples: enough for the assertions, fast


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    return make_bench(tmp_path_factory.mktemp("views") / "bundle", n=96)


@pytest.fixture(scope="module")
def board(bench):
    """Strong > middle > weak, a twin of middle, and a model whose OE was never judged."""
    n = len(bench)
    intended = {
        "Strong": accuracy(n, 0.9, 1),
        "Middle": accuracy(n, 0.55, 2),
        "Twin": accuracy(n, 0.55, 2),
        "Weak": accuracy(n, 0.15, 3),
        "NoJudge": accuracy(n, 0.6, 4),
    }
    return score_models(bench, intended, judged={"NoJudge": False})


@pytest.fixture(autouse=True)
def fresh_caches():
    clear_caches()
    yield
    clear_caches()


# ----------------------------------------------------------------------------- intervals


def test_estimates_equal_the_board_values_and_sit_inside_their_interval(bench, board):
    names, scores = board
    frame = board_intervals(names, scores, bench, None, resamples=R)
    assert tuple(frame.columns) == INTERVAL_COLUMNS
    assert len(frame) == len(names) * sum(len(t.cells) for t in TABLES.values())
    res = score_predictions(bench, predictions(bench, scores[0]), judge=ScriptedJudge())
    strong = frame[frame["model"] == "Strong"]
    for row in strong.itertuples():
        value = res.tables.values[row.table][row.cell]
        if value is None:
            assert np.isnan(row.estimate)
        else:
            assert row.estimate == pytest.approx(value)
            assert row.low <= row.estimate <= row.high
    known = frame.dropna(subset=["estimate"])
    assert (known["high"] - known["low"] > 0).any()


def test_one_table_at_a_time_in_the_tables_order(bench, board):
    names, scores = board
    t4 = board_intervals(names, scores, bench, "table4", resamples=R)
    assert set(t4["table"]) == {"table4"}
    assert t4[t4["model"] == "Strong"]["cell"].tolist() == TABLES["table4"].columns
    assert t4["model"].drop_duplicates().tolist() == names


def test_unjudged_open_ended_cells_are_null_and_print_a_dash(bench, board):
    names, scores = board
    t3 = board_intervals(names, scores, bench, "table3", resamples=R)
    nj = t3[t3["model"] == "NoJudge"].set_index("cell")
    assert nj.loc[["OE", "Overall", "NI"], ["estimate", "low", "high"]].isna().all().all()
    assert nj.loc[["SC", "MC", "TF"], "estimate"].notna().all()
    shown = formatted_board(t3).set_index("model")
    assert list(shown.columns) == TABLES["table3"].columns
    assert shown.loc["NoJudge", "Overall"] == "-" and shown.loc["NoJudge", "OE"] == "-"
    assert re.fullmatch(r"\d+\.\d ± \d+\.\d", shown.loc["NoJudge", "SC"])
    assert re.fullmatch(r"\d+\.\d ± \d+\.\d", shown.loc["Strong", "Overall"])


def test_interval_string_format():
    assert format_with_interval(61.23, 59.43, 63.03) == "61.2 ± 1.8"
    # asymmetric near the ceiling: the larger side, so the printed range covers the interval
    assert format_with_interval(98.0, 95.0, 100.0) == "98.0 ± 3.0"
    assert format_with_interval(61.23, 59.43, 63.03, style="range") == "61.2 (59.4-63.0)"
    assert format_with_interval(61.234, 59.4, 63.0, decimals=2) == "61.23 ± 1.83"
    assert format_with_interval(None, None, None) == "-"
    assert format_with_interval(float("nan"), float("nan"), float("nan")) == "-"
    assert format_with_interval(58.23, None, None) == "58.2"  # a reported row: no interval
    assert interval_text(61.234, 59.41, 63.02) == "61.23 (95% CI 59.41 to 63.02)"
    assert interval_text(None, None, None) == "-"
    with pytest.raises(ValueError):
        format_with_interval(1.0, 0.0, 2.0, style="brackets")


def test_notes_explain_reported_rows_and_the_method():
    assert "reported rows have no per-item data" in REPORTED_ROWS_NOTE
    assert "2,000 resamples" in method_note(2000)
    assert "images" in method_note(2000, clustered=True)


# ----------------------------------------------------------------------------- caching


def test_a_table_shown_again_recomputes_nothing(bench, board):
    names, scores = board
    first = board_intervals(names, scores, bench, "table3", resamples=R)
    assert cache_info()["intervals"]["misses"] == 1
    again = board_intervals(names, scores, bench, "table3", resamples=R)
    assert cache_info()["intervals"]["hits"] == 1
    pd.testing.assert_frame_equal(first, again)
    # Another table computes only its own cells (issue 13: the table shown), once.
    other = board_intervals(names, scores, bench, "table6", resamples=R)
    board_intervals(names, scores, bench, "table6", resamples=R)
    info = cache_info()["intervals"]
    assert info["misses"] == 2 and info["hits"] == 2
    assert set(other["table"]) == {"table6"}
    assert other["cell"].nunique() == len(TABLES["table6"].columns)
    # The same cells as from the all-tables pass, to the last digit.
    everything = board_intervals(names, scores, bench, None, resamples=R)
    six = everything[everything["table"] == "table6"].reset_index(drop=True)
    pd.testing.assert_frame_equal(other.reset_index(drop=True), six)
    headline = board_intervals(names, scores, bench, "table4", resamples=R, with_overall=True)
    assert headline["table"].iloc[-1] == "table3" and headline["cell"].iloc[-1] == "Overall"
    ranks = rank_table(names, scores, bench, resamples=R)
    assert rank_table(names, scores, bench, resamples=R).equals(ranks)
    assert cache_info()["ranks"] == {"hits": 1, "misses": 1, "entries": 1}
    assert cache_info()["plans"]["misses"] == 1  # one plan for intervals and ranks
    assert shared_plan(bench, R) is shared_plan(bench, R)


def test_editing_a_returned_frame_does_not_corrupt_the_cache(bench, board):
    names, scores = board
    first = board_intervals(names, scores, bench, "table3", resamples=R)
    expected = first["estimate"].copy()
    first.loc[:, "estimate"] = -1.0
    again = board_intervals(names, scores, bench, "table3", resamples=R)
    pd.testing.assert_series_equal(again["estimate"], expected)


def test_new_scores_are_a_cache_miss(bench, board):
    names, scores = board
    board_intervals(names, scores, bench, "table3", resamples=R)
    changed = scores.copy()
    changed[0, 0] = 1.0 - changed[0, 0]
    board_intervals(names, changed, bench, "table3", resamples=R)
    assert cache_info()["intervals"]["misses"] == 2


def test_deterministic_under_the_seed(bench, board):
    names, scores = board
    a = board_intervals(names, scores, bench, "table3", resamples=R, seed=7)
    clear_caches()
    b = board_intervals(names, scores, bench, "table3", resamples=R, seed=7)
    c = board_intervals(names, scores, bench, "table3", resamples=R, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["low"].fillna(0), c["low"].fillna(0))
    pd.testing.assert_series_equal(a["estimate"], c["estimate"])  # only intervals move


def test_bad_inputs_say_what_is_wrong(bench, board):
    names, scores = board
    with pytest.raises(ValueError, match="5 model name"):
        board_intervals(names, scores[:, :10], bench, "table3", resamples=R)
    with pytest.raises(ValueError, match="unique"):
        board_intervals(["A"] * 5, scores, bench, "table3", resamples=R)
    with pytest.raises(ValueError, match="unknown table"):
        board_intervals(names, scores, bench, "table9", resamples=R)


# ----------------------------------------------------------------------------- ranks


def test_ranks_ranges_and_groups(bench, board):
    names, scores = board
    ranks = rank_table(names, scores, bench, resamples=R)
    assert tuple(ranks.columns) == RANK_COLUMNS
    by = ranks.set_index("model")
    assert ranks["model"].tolist()[:4] == ["Strong", "Middle", "Twin", "Weak"]
    assert by.loc["Strong", "rank"] == 1 and by.loc["Strong", "rank_range"] == "1"
    # identical models: same rank, same range, same group
    assert by.loc["Middle", "rank"] == by.loc["Twin", "rank"] == 2
    assert by.loc["Middle", "rank_range"] == by.loc["Twin", "rank_range"]
    assert by.loc["Middle", "group"] == by.loc["Twin", "group"]
    assert by.loc["Strong", "group"] < by.loc["Middle", "group"] < by.loc["Weak", "group"]
    assert by.loc["Weak", "rank"] == 4 and by.loc["Weak", "rank_range"] == "4"
    assert all(re.fullmatch(r"\d+(-\d+)?", r) for r in ranks["rank_range"])
    assert by.loc["Strong", "score"] == pytest.approx(100 * 0.9, abs=1)


def test_a_model_without_overall_is_ranked_on_closed_ended_items_and_labelled(bench, board):
    names, scores = board
    ranks = rank_table(names, scores, bench, resamples=R)
    by = ranks.set_index("model")
    assert ranks["model"].iloc[-1] == "NoJudge"  # after the models ranked on Overall
    assert by.loc["NoJudge", "basis"] == "Overall, closed-ended items only"
    assert pd.isna(by.loc["NoJudge", "group"])
    closed = np.isin(bench.items["qtype"], ["SC", "MC", "TF"])
    closed_means = 100 * scores[:, closed].mean(axis=1)
    expected = 1 + int((closed_means > closed_means[names.index("NoJudge")]).sum())
    assert by.loc["NoJudge", "rank"] == expected
    assert by.loc["NoJudge", "score"] == pytest.approx(closed_means[names.index("NoJudge")])
    assert (by.drop("NoJudge")["basis"] == "Overall").all()
    assert "NoJudge" in rank_note(ranks) and "closed-ended" in rank_note(ranks)


def test_when_no_model_has_overall_all_are_ranked_on_closed_items_with_groups(bench, board):
    names, scores = board
    unjudged = scores.copy()
    unjudged[:, (bench.items["qtype"] == "OE").to_numpy()] = np.nan
    ranks = rank_table(names, unjudged, bench, resamples=R)
    assert (ranks["basis"] == "Overall, closed-ended items only").all()
    assert ranks["group"].notna().all() and ranks["rank"].notna().all()
    assert "all are ranked on its closed-ended items only" in rank_note(ranks)


def test_rank_on_another_cell(bench, board):
    names, scores = board
    ranks = rank_table(names, scores, bench, cell="SC", resamples=R)
    assert (ranks["basis"] == "SC").all() and ranks["rank"].notna().all()
    with pytest.raises(ValueError, match="unknown cell"):
        rank_table(names, scores, bench, cell="Nope", resamples=R)


# ----------------------------------------------------------------------------- figure


def test_errorbar_figure_sorted_with_exact_hover_values(bench, board):
    names, scores = board
    t3 = board_intervals(names, scores, bench, "table3", resamples=R)
    fig = errorbar_figure(names, t3, "Overall")
    assert len(fig.data) == 1 and fig.data[0].type == "bar"
    bar = fig.data[0]
    overall = t3[(t3["cell"] == "Overall") & t3["estimate"].notna()].set_index("model")
    assert list(bar.y) == overall.sort_values("estimate", ascending=False).index.tolist()
    assert list(bar.x) == pytest.approx(overall.loc[list(bar.y), "estimate"].tolist())
    assert list(bar.error_x.array) == pytest.approx(
        (overall.loc[list(bar.y), "high"] - overall.loc[list(bar.y), "estimate"]).tolist()
    )
    assert list(bar.error_x.arrayminus) == pytest.approx(
        (overall.loc[list(bar.y), "estimate"] - overall.loc[list(bar.y), "low"]).tolist()
    )
    assert [c[0] for c in bar.customdata] == pytest.approx(overall.loc[list(bar.y), "low"].tolist())
    assert "95% CI" in bar.hovertemplate
    assert "NoJudge" not in bar.y and "NoJudge" in fig.layout.title.subtitle.text
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert fig.layout.plot_bgcolor == "rgba(0,0,0,0)"


def test_errorbar_figure_limited_to_chosen_models(bench, board):
    names, scores = board
    t3 = board_intervals(names, scores, bench, "table3", resamples=R)
    fig = errorbar_figure(["Weak", "Strong"], t3, "SC")
    assert list(fig.data[0].y) == ["Strong", "Weak"]
    assert "SC" in fig.layout.title.text


def test_no_verified_model_yet_gives_empty_views(bench):
    empty = np.zeros((0, len(bench)))
    assert board_intervals([], empty, bench, "table3", resamples=R).empty
    assert tuple(rank_table([], empty, bench, resamples=R).columns) == RANK_COLUMNS
    assert formatted_board(board_intervals([], empty, bench, "table3")).empty


def test_null_of_any_float_type_prints_a_dash():
    assert format_with_interval(np.float32("nan"), 1.0, 2.0) == "-"
    assert format_with_interval(pd.NA, None, None) == "-"
    assert format_with_interval(np.float32(50.0), np.float32("nan"), None) == "50.0"
