"""Item analysis: share of models right per item and per category, unanimous failures."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.items import (
    DIFFICULTY_COLUMNS,
    FAILURE_COLUMNS,
    ITEM_COLUMNS,
    difficulty_by_category,
    difficulty_figure,
    item_analysis,
    unanimous_failures,
)
from leaderboard.taxonomy import TABLES
from tests.support.bundles import OPTIONS
from tests.support.viewdata import make_bench, score_models

N = 24


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    return make_bench(tmp_path_factory.mktemp("items") / "bundle", n=N)


def intended(pattern: dict[int, tuple[float, float, float]]) -> dict[str, np.ndarray]:
    """Three models right everywhere except the items given (item -> their three scores)."""
    m = np.ones((3, N))
    for i, triple in pattern.items():
        m[:, i] = triple
    return {name: m[k] for k, name in enumerate(("A", "B", "C"))}


# q000 SC, q001 MC, q002 TF, q003 OE, ... (types cycle SC, MC, TF, OE)
PATTERN = {0: (0, 0, 0), 1: (0, 0, 0), 2: (1, 0, 0), 3: (0.5, 0, 1), 7: (0, 0, 0), 9: (0, 1, 0)}


@pytest.fixture(scope="module")
def board(bench):
    return score_models(bench, intended(PATTERN))


def test_share_right_and_models_scored_per_item(bench, board):
    names, scores = board
    frame = item_analysis(names, scores, bench)
    assert tuple(frame.columns) == ITEM_COLUMNS and len(frame) == N
    by = frame.set_index("id")
    assert by.loc["q000", "share_right"] == 0.0
    assert by.loc["q002", "share_right"] == pytest.approx(1 / 3)
    assert by.loc["q003", "share_right"] == pytest.approx(0.5)  # (0.5 + 0 + 1) / 3
    assert by.loc["q004", "share_right"] == 1.0
    assert (by["n_models"] == 3).all()
    assert by.loc["q001", "qtype"] == "MC" and by.loc["q001", "image_source"] == "NI"


def test_unknown_scores_are_left_out_of_the_share(bench, board):
    names, scores = board
    s = scores.copy()
    s[0, 3] = np.nan  # A's OE answer on q003 not judged
    by = item_analysis(names, s, bench).set_index("id")
    assert by.loc["q003", "share_right"] == pytest.approx(0.5)  # (0 + 1) / 2
    assert by.loc["q003", "n_models"] == 2


def test_unanimous_failures_for_label_review(bench, board):
    names, scores = board
    fails = unanimous_failures(names, scores, bench)
    assert tuple(fails.columns) == FAILURE_COLUMNS
    assert fails["id"].tolist() == ["q000", "q001", "q007"]
    by = fails.set_index("id")
    assert by.loc["q000", "answer"] == "B"
    assert by.loc["q000", "answer_text"] == f"B. {OPTIONS[1]}"
    assert by.loc["q001", "answer_text"] == f"A. {OPTIONS[0]}; C. {OPTIONS[2]}"
    assert by.loc["q001", "options"].splitlines()[3] == f"D. {OPTIONS[3]}"
    assert by.loc["q007", "answer"] == "The face shows slight motion blur around the eyes."
    assert by.loc["q000", "question"].startswith("Question 0:")
    assert by.loc["q000", "link"] == "?item=q000&models=A%2CB%2CC"
    assert (by["n_models"] == 3).all()


def test_one_model_failing_is_not_a_unanimous_failure(bench, board):
    names, scores = board
    solo = unanimous_failures(names[:1], scores[:1], bench)
    assert solo.empty and tuple(solo.columns) == FAILURE_COLUMNS
    assert unanimous_failures(names[:1], scores[:1], bench, min_models=1)["id"].tolist() == [
        "q000",
        "q001",
        "q007",
        "q009",
    ]  # q003: A half right, not failed


def test_difficulty_by_category_is_the_mean_share_right(bench, board):
    names, scores = board
    frame = difficulty_by_category(names, scores, bench, "table3")
    assert tuple(frame.columns) == DIFFICULTY_COLUMNS
    assert frame["cell"].tolist() == TABLES["table3"].columns
    by = frame.set_index("cell")
    share = scores.mean(axis=0)
    qtype = bench.items["qtype"].to_numpy()
    assert by.loc["Overall", "share_right"] == pytest.approx(share.mean())
    assert by.loc["SC", "share_right"] == pytest.approx(share[qtype == "SC"].mean())
    assert by.loc["OE", "n_items"] == N // 4
    empty = difficulty_by_category(names, scores, bench, "table5").set_index("cell")
    assert empty.loc["SDI_Aes", "n_items"] == 0 and np.isnan(empty.loc["SDI_Aes", "share_right"])
    assert len(difficulty_by_category(names, scores, bench)) == sum(
        len(t.cells) for t in TABLES.values()
    )


def test_difficulty_figure_shows_one_bar_per_cell(bench, board):
    names, scores = board
    frame = difficulty_by_category(names, scores, bench)
    fig = difficulty_figure(frame, "table6")
    bar = fig.data[0]
    t6 = frame[frame["table"] == "table6"]
    assert list(bar.y) == [f"{c.group} {c.label}" for c in TABLES["table6"].cells]
    assert list(bar.x) == pytest.approx(t6["share_right"].tolist(), nan_ok=True)
    assert fig.layout.xaxis.tickformat == ".0%"
    assert fig.layout.paper_bgcolor == "rgba(0,0,0,0)"


def test_unjudged_open_ended_answers_do_not_fake_failures(bench):
    """Without a judge a model's only known OE scores are its missing answers (0): those
    must not make an OE item look failed by everyone or drag its category to 0%."""
    names, scores = score_models(bench, intended({}), judged=False)  # every OE unjudged
    oe = (bench.items["qtype"] == "OE").to_numpy()
    assert np.isnan(scores[:, oe]).all()
    scores[:, 3] = 0.0  # q003: every model's answer missing, a known 0 (the scorer's rule)
    scores[0, 7] = 0.0  # q007: A's answer missing, B and C unjudged
    by = item_analysis(names, scores, bench).set_index("id")
    # a model with unjudged OE answers is out of every OE item's statistics
    assert (by.loc[["q003", "q007"], "n_models"] == 0).all()
    assert by.loc[["q003", "q007"], "share_right"].isna().all()
    fails = unanimous_failures(names, scores, bench, min_models=1)
    assert not set(fails["id"]) & set(bench.items["id"][oe])
    cells = difficulty_by_category(names, scores, bench, "table3").set_index("cell")
    assert np.isnan(cells.loc["OE", "share_right"])  # not 0%
    assert cells.loc["SC", "share_right"] == 1.0


def test_a_judged_model_still_counts_on_open_ended_items(bench):
    names, scores = score_models(
        bench, intended({3: (1, 1, 0.5)}), judged={"A": True, "B": False, "C": True}
    )
    by = item_analysis(names, scores, bench).set_index("id")
    assert by.loc["q003", "n_models"] == 2
    assert by.loc["q003", "share_right"] == pytest.approx(0.75)  # A 1, C 0.5; B left out
