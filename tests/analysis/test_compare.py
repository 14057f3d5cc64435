"""Comparing two verified models: paired differences, McNemar, discordant items, links."""

from __future__ import annotations

import re

import numpy as np
import pytest
from scipy.stats import binomtest

from analysis.compare import (
    CELL_COLUMNS,
    DISCORDANT_COLUMNS,
    compare_models,
    comparison_summary,
    delta_figure,
    discordant_table,
)
from analysis.figstyle import BLUE, ORANGE
from analysis.intervals import clear_caches
from analysis.links import item_link
from leaderboard.taxonomy import TABLES
from tests.support.viewdata import accuracy, make_bench, score_models

R = 200
N = 96


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    return make_bench(tmp_path_factory.mktemp("compare") / "bundle", n=N)


@pytest.fixture(scope="module")
def board(bench):
    half = np.where(np.arange(N) % 2 == 0, 1.0, 0.0)
    half[(bench.items["qtype"] == "OE").to_numpy() & (np.arange(N) % 8 == 3)] = 0.5
    intended = {
        "Good": accuracy(N, 0.9, 1),
        "Poor": accuracy(N, 0.3, 2),
        "Half": half,
        "HalfCopy": half.copy(),
        "NoJudge": accuracy(N, 0.3, 2),
    }
    return score_models(bench, intended, judged={"NoJudge": False})


@pytest.fixture(autouse=True)
def fresh_caches():
    clear_caches()
    yield


def test_a_clearly_better_model_is_significantly_ahead(bench, board):
    names, scores = board
    cmp = compare_models("Good", "Poor", names, scores, bench, resamples=R)
    assert tuple(cmp.cells.columns) == CELL_COLUMNS
    assert len(cmp.cells) == sum(len(t.cells) for t in TABLES.values())
    diff, low, high = cmp.overall()
    g, p = scores[names.index("Good")], scores[names.index("Poor")]
    assert diff == pytest.approx(100 * (g.mean() - p.mean()))
    assert 0 < low < diff < high
    row = cmp.cells.set_index(["table", "cell"]).loc[("table3", "Overall")]
    assert bool(row["significant"]) and row["a_value"] == pytest.approx(100 * g.mean())
    closed = np.isin(bench.items["qtype"], ["SC", "MC", "TF"])
    b = int(((g == 1) & (p == 0) & closed).sum())
    c = int(((g == 0) & (p == 1) & closed).sum())
    assert (cmp.mcnemar.b, cmp.mcnemar.c, cmp.mcnemar.n_items) == (b, c, int(closed.sum()))
    assert cmp.mcnemar.p == pytest.approx(binomtest(b, b + c, 0.5).pvalue)
    assert cmp.mcnemar.p < 0.05


def test_swapping_the_models_flips_the_signs(bench, board):
    names, scores = board
    ab = compare_models("Good", "Poor", names, scores, bench, resamples=R)
    ba = compare_models("Poor", "Good", names, scores, bench, resamples=R)
    assert ba.overall()[0] == pytest.approx(-ab.overall()[0])
    assert ba.overall()[1] == pytest.approx(-ab.overall()[2])  # same paired resamples
    assert (ba.mcnemar.b, ba.mcnemar.c) == (ab.mcnemar.c, ab.mcnemar.b)


def test_identical_models_differ_nowhere(bench, board):
    names, scores = board
    cmp = compare_models("Half", "HalfCopy", names, scores, bench, resamples=R)
    known = cmp.cells.dropna(subset=["diff"])
    assert (known["diff"] == 0).all() and (known["low"] == 0).all()
    assert not known["significant"].any()
    assert (cmp.mcnemar.b, cmp.mcnemar.c, cmp.mcnemar.p) == (0, 0, 1.0)
    assert cmp.discordant.empty and tuple(cmp.discordant.columns) == DISCORDANT_COLUMNS
    text = comparison_summary(cmp)
    assert text.startswith("Half and HalfCopy are level overall (0.0 points")
    assert "McNemar p=1 " in text and "No category differs significantly" in text


def test_discordant_items_are_exactly_the_items_scored_differently(bench, board):
    names, scores = board
    cmp = compare_models("Good", "Half", names, scores, bench, resamples=R)
    g, h = scores[names.index("Good")], scores[names.index("Half")]
    ids = bench.items["id"].to_numpy()
    expected = {(ids[i], g[i], h[i]) for i in range(N) if g[i] != h[i]}
    got = set(
        zip(
            cmp.discordant["id"], cmp.discordant["a_score"], cmp.discordant["b_score"], strict=False
        )
    )
    assert got == expected
    assert any(0.5 in (a, b) for _, a, b in got)  # OE half-right against right or wrong
    d = cmp.discordant.set_index("id")
    for item_id, a, b in expected:
        assert d.loc[item_id, "ahead"] == ("Good" if a > b else "Half")
        assert d.loc[item_id, "link"] == item_link(item_id, ["Good", "Half"])
        assert d.loc[item_id, "qtype"] == bench.items.set_index("id").loc[item_id, "qtype"]
    shown = discordant_table(cmp)
    assert list(shown.columns) == ["item", "type", "categories", "Good", "Half", "ahead"]
    assert re.fullmatch(r"\[q\d{3}\]\(\?item=q\d{3}&models=Good%2CHalf\)", shown["item"][0])


def test_delta_figure_bars_coloured_by_sign_with_a_zero_line(bench, board):
    names, scores = board
    cmp = compare_models("Good", "Half", names, scores, bench, resamples=R)
    fig = delta_figure(cmp, "table3")
    traces = {t.name: t for t in fig.data}
    rows = cmp.cells[cmp.cells["table"] == "table3"].set_index("label")
    ahead, behind = rows[rows["diff"] > 0], rows[rows["diff"] < 0]
    assert set(traces) == {
        n for n, part in (("Good ahead", ahead), ("Half ahead", behind)) if len(part)
    }
    good = traces["Good ahead"]
    assert good.marker.color == BLUE and good.orientation == "h"
    assert dict(zip(good.y, good.x, strict=False)) == pytest.approx(ahead["diff"].to_dict())
    assert list(good.error_x.array) == pytest.approx(
        (ahead.loc[list(good.y), "high"] - ahead.loc[list(good.y), "diff"]).tolist()
    )
    if len(behind):
        assert traces["Half ahead"].marker.color == ORANGE
        assert all(x < 0 for x in traces["Half ahead"].x)
    assert any(s.type == "line" and s.x0 == 0 and s.x1 == 0 for s in fig.layout.shapes)
    assert list(fig.layout.yaxis.categoryarray) == [c.label for c in TABLES["table3"].cells]


def test_delta_figure_names_null_cells_and_keeps_table5_labels_unique(bench, board):
    names, scores = board
    cmp = compare_models("Good", "NoJudge", names, scores, bench, resamples=R)
    fig = delta_figure(cmp, "table5")
    labels = list(fig.layout.yaxis.categoryarray)
    assert len(labels) == len(set(labels)) == len(TABLES["table5"].cells)
    assert "NIs Tech." in labels and "SDIs Tech." in labels
    assert "No value" in fig.layout.title.subtitle.text


def test_summary_reads_like_a_sentence(bench, board):
    names, scores = board
    cmp = compare_models("Poor", "Good", names, scores, bench, resamples=R)
    text = comparison_summary(cmp)
    d, lo, hi = cmp.overall()
    assert text.startswith(
        f"Good is ahead of Poor by {-d:.1f} points overall (95% CI {-hi:.1f} to {-lo:.1f})"
    )
    assert re.search(r"McNemar p(<0\.001|=0\.0\d+) on 72 closed-ended items", text)
    n_cats = int(cmp.cells["diff"].notna().sum()) - 1
    better = int((cmp.cells["high"] < 0).sum()) - 1  # minus Overall itself
    assert f"Good is significantly better on {better} of {n_cats} categories" in text


def test_summary_falls_back_to_closed_ended_items_when_overall_is_null(bench, board):
    names, scores = board
    cmp = compare_models("Good", "NoJudge", names, scores, bench, resamples=R)
    assert cmp.overall() is None and cmp.closed is not None
    text = comparison_summary(cmp)
    assert "points on closed-ended items" in text
    assert "Overall is null for NoJudge" in text


def test_comparison_is_deterministic_and_checks_its_inputs(bench, board):
    names, scores = board
    one = compare_models("Good", "Poor", names, scores, bench, resamples=R, seed=3)
    clear_caches()
    two = compare_models("Good", "Poor", names, scores, bench, resamples=R, seed=3)
    assert one.cells.equals(two.cells)
    with pytest.raises(ValueError, match="not a verified model"):
        compare_models("Good", "Ghost", names, scores, bench, resamples=R)
    with pytest.raises(ValueError, match="two different"):
        compare_models("Good", "Good", names, scores, bench, resamples=R)
