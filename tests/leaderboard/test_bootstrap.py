"""Statistics of the leaderboard checked against known values (normal approximation,
scipy's binomial test) and constructed cases whose answer is obvious."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from leaderboard.bootstrap import (
    bootstrap_cell_means,
    bootstrap_counts,
    cell_intervals,
    cell_means,
    difficulty_by_category,
    discordant_items,
    indistinguishable_groups,
    item_difficulty,
    items_all_fail,
    mcnemar_exact,
    paired_difference,
    rank_ranges,
    rank_ranges_from_resamples,
)

N = 2765


def bernoulli(p: float, n: int = N, seed: int = 1) -> np.ndarray:
    """0/1 scores with exactly round(p*n) ones, shuffled."""
    x = np.zeros(n)
    x[: round(p * n)] = 1.0
    return np.random.default_rng(seed).permutation(x)


def everything(n: int = N) -> dict[str, np.ndarray]:
    return {"Overall": np.ones(n, dtype=bool)}


# ----------------------------------------------------------------------------- plan


def test_plan_draws_n_items_per_resample_and_is_seeded():
    c = bootstrap_counts(100, 50, seed=3)
    assert c.shape == (50, 100) and c.dtype == np.float32
    assert (c.sum(axis=1) == 100).all()
    assert np.array_equal(c, bootstrap_counts(100, 50, seed=3))
    assert not np.array_equal(c, bootstrap_counts(100, 50, seed=4))


def test_clustered_plan_keeps_the_items_of_an_image_together():
    clusters = np.repeat(np.arange(25), 4)  # 25 images with 4 questions each
    c = bootstrap_counts(100, 200, seed=0, clusters=clusters)
    per_image = c.reshape(200, 25, 4)
    assert (per_image == per_image[:, :, :1]).all()  # all 4 items drawn equally often
    assert (per_image[:, :, 0].sum(axis=1) == 25).all()  # 25 images per resample


# ----------------------------------------------------------------------------- intervals


@pytest.mark.parametrize("p", [0.6, 0.35, 0.85])
def test_bernoulli_interval_matches_the_normal_approximation(p):
    ci = cell_intervals(bernoulli(p), everything(), resamples=4000, seed=0)
    half = 100 * 1.96 * np.sqrt(p * (1 - p) / N)
    low, high = ci.interval(0, "Overall")
    assert ci.estimate[0, 0] == pytest.approx(100 * round(p * N) / N)
    assert low == pytest.approx(100 * p - half, abs=0.3)
    assert high == pytest.approx(100 * p + half, abs=0.3)


def test_interval_of_a_cell_uses_only_its_items():
    scores = np.r_[np.ones(500), np.zeros(500)]
    masks = {
        "right": np.r_[np.ones(500, bool), np.zeros(500, bool)],
        "wrong": np.r_[np.zeros(500, bool), np.ones(500, bool)],
    }
    ci = cell_intervals(scores, masks, resamples=300, seed=0)
    assert ci.interval(0, "right") == (100.0, 100.0)
    assert ci.interval(0, "wrong") == (0.0, 0.0)


def test_cell_with_an_unknown_item_is_null_for_that_model_only():
    a = bernoulli(0.6, 400)
    b = a.copy()
    b[7] = np.nan  # one unjudged OE item
    masks = {"Overall": np.ones(400, bool), "OE": np.arange(400) < 50, "SC": np.arange(400) >= 50}
    ci = cell_intervals(np.vstack([a, b]), masks, resamples=200, seed=0)
    assert ci.interval(1, "Overall") is None and ci.interval(1, "OE") is None
    assert ci.interval(1, "SC") == ci.interval(0, "SC")
    assert ci.interval(0, "OE") is not None
    assert cell_means(b, masks)["OE"] is None


def test_empty_cell_is_null():
    ci = cell_intervals(bernoulli(0.5, 100), {"none": np.zeros(100, bool)}, resamples=50)
    assert ci.interval(0, "none") is None


def test_resamples_that_miss_a_tiny_cell_are_skipped_not_null():
    # one item: about a third of the resamples do not draw it at all
    scores = np.r_[1.0, np.zeros(99)]
    ci = cell_intervals(scores, {"one": np.arange(100) == 0}, resamples=500, seed=0)
    assert ci.interval(0, "one") == (100.0, 100.0)
    boot = bootstrap_cell_means(
        scores, {"one": np.arange(100) == 0}, bootstrap_counts(100, 500, seed=0)
    )
    assert boot.shape == (1, 500, 1) and 0.2 < np.isnan(boot).mean() < 0.5


def test_cell_masks_object_with_names_and_matrix_is_accepted():
    class CellMasks:  # the shape of leaderboard.tables.CellMasks
        names = [("table3", "Overall"), ("table3", "SC")]
        matrix = np.vstack([np.ones(200, bool), np.arange(200) < 80])

    ci = cell_intervals(bernoulli(0.5, 200), CellMasks(), resamples=100)
    assert set(ci.to_dicts()[0]["table3"]) == {"Overall", "SC"}


def test_nested_masks_come_back_nested():
    masks = {
        "table3": {"Overall": np.ones(300, bool), "SC": np.arange(300) < 100},
        "table6": {"SC_Global": np.arange(300) < 40},
    }
    ci = cell_intervals(np.vstack([bernoulli(0.5, 300), bernoulli(0.7, 300)]), masks, resamples=100)
    out = ci.to_dicts()
    assert len(out) == 2 and set(out[1]) == {"table3", "table6"}
    low, high = out[1]["table3"]["Overall"]
    assert low < 70 < high
    assert ci.interval(1, ("table6", "SC_Global")) == out[1]["table6"]["SC_Global"]


def test_same_seed_same_bounds_other_seed_close_bounds():
    scores = np.vstack([bernoulli(0.6), bernoulli(0.4, seed=2)])
    one = cell_intervals(scores, everything(), resamples=2000, seed=11)
    again = cell_intervals(scores, everything(), resamples=2000, seed=11)
    other = cell_intervals(scores, everything(), resamples=2000, seed=12)
    assert np.array_equal(one.low, again.low) and np.array_equal(one.high, again.high)
    assert not np.array_equal(one.low, other.low)
    assert np.allclose(one.low, other.low, atol=0.3)
    assert np.allclose(one.high, other.high, atol=0.3)


def test_clustered_bootstrap_is_wider_when_an_image_decides_all_its_items():
    # 500 images x 4 questions; a model gets all 4 right or all 4 wrong
    per_image = bernoulli(0.6, 500)
    scores = np.repeat(per_image, 4)
    clusters = np.repeat(np.arange(500), 4)
    items = cell_intervals(scores, everything(2000), resamples=2000, seed=0)
    images = cell_intervals(scores, everything(2000), resamples=2000, seed=0, clusters=clusters)
    width_items = items.high[0, 0] - items.low[0, 0]
    width_images = images.high[0, 0] - images.low[0, 0]
    # perfectly correlated items: the effective sample is 500, not 2000 -> twice as wide
    assert width_images == pytest.approx(2 * width_items, rel=0.15)


def test_level_controls_the_width():
    s = bernoulli(0.6)
    wide = cell_intervals(s, everything(), level=0.99, resamples=2000)
    narrow = cell_intervals(s, everything(), level=0.80, resamples=2000)
    assert wide.high[0, 0] - wide.low[0, 0] > narrow.high[0, 0] - narrow.low[0, 0]


# ----------------------------------------------------------------------------- ranks


def test_models_clearly_apart_get_a_single_rank_each():
    scores = np.vstack([bernoulli(p, seed=i) for i, p in enumerate([0.3, 0.9, 0.6])])
    rr = rank_ranges(scores, resamples=500, seed=0)
    assert rr.rank == [3, 1, 2]
    assert rr.best == rr.rank and rr.worst == rr.rank
    assert [rr.label(i) for i in range(3)] == ["3", "1", "2"]
    assert rr.groups == [[1], [2], [0]]


def test_identical_models_share_a_range_and_a_group():
    a = bernoulli(0.6)
    scores = np.vstack([bernoulli(0.9), a, a, bernoulli(0.2)])
    rr = rank_ranges(scores, resamples=500, seed=0)
    assert rr.rank == [1, 2, 2, 4]
    assert rr.label(1) == rr.label(2)
    assert rr.group_of(1) == rr.group_of(2) != rr.group_of(0)
    assert rr.groups == [[0], [1, 2], [3]]


def test_close_models_get_overlapping_ranges():
    # 60.0% vs 60.5% on 2765 items, answering independently: well inside the noise
    rr = rank_ranges(
        np.vstack([bernoulli(0.600, seed=5), bernoulli(0.605, seed=6)]), resamples=1000, seed=0
    )
    assert rr.rank == [2, 1]
    assert rr.label(0) == rr.label(1) == "1-2"
    assert rr.groups == [[0, 1]]


def test_a_model_right_wherever_another_is_ranks_above_it_in_every_resample():
    # same 0.5-point gap, but B = A plus 14 more right answers: pairing sees it every time
    base = bernoulli(0.600, seed=5)
    better = base.copy()
    better[np.flatnonzero(base == 0)[:14]] = 1.0
    rr = rank_ranges(np.vstack([base, better]), resamples=1000, seed=0)
    assert (rr.label(0), rr.label(1)) == ("2", "1")


def test_null_model_is_not_ranked():
    a = bernoulli(0.6)
    b = bernoulli(0.5, seed=3)
    b[0] = np.nan
    rr = rank_ranges(np.vstack([a, b]), resamples=200, seed=0)
    assert rr.rank == [1, None] and rr.label(1) == "" and rr.groups == [[0]]


def test_groups_chain_overlapping_ranges():
    # 1-2 overlaps 2-3 overlaps 3-3: one chain; 5-5 alone; None skipped
    best = [1, 2, 3, 5, None]
    worst = [2, 3, 3, 5, None]
    assert indistinguishable_groups(best, worst) == [[0, 1, 2], [3]]


def test_rank_ranges_from_resamples_drop_the_tails():
    # model 0 is best in 97 of 100 resamples and worst in 3: level 0.9 drops those 3
    boot = np.tile([2.0, 1.0], (100, 1))
    boot[:3] = [0.0, 1.0]
    rr = rank_ranges_from_resamples([2.0, 1.0], boot, level=0.9)
    assert rr.label(0) == "1" and rr.label(1) == "2"
    rr = rank_ranges_from_resamples([2.0, 1.0], boot, level=0.99)
    assert rr.label(0) == "1-2"


# ----------------------------------------------------------------------------- pairs


def test_paired_difference_of_a_model_with_itself_is_exactly_zero():
    a = bernoulli(0.6)
    masks = {"Overall": np.ones(N, bool), "part": np.arange(N) < 300}
    pd = paired_difference(a, a, masks, resamples=500)
    assert (pd.diff == 0).all() and (pd.low == 0).all() and (pd.high == 0).all()
    assert not pd.significant().any()


def test_model_better_on_every_item_has_a_positive_interval():
    b = bernoulli(0.5)
    a = np.ones(N)
    masks = {"Overall": np.ones(N, bool), "part": np.arange(N) < 300}
    pd = paired_difference(a, b, masks, resamples=500)
    assert pd.diff[0] == pytest.approx(100 * (1 - b.mean()))
    assert (pd.low > 0).all() and pd.significant().all()
    diff, low, high = pd.to_dict()["Overall"]
    assert low <= diff <= high


def test_paired_interval_is_narrower_than_separate_intervals():
    # B = A with 30 random items flipped to wrong: the paired interval is tight
    a = bernoulli(0.7, seed=8)
    b = a.copy()
    b[np.flatnonzero(a == 1)[:30]] = 0.0
    pd = paired_difference(a, b, everything(), resamples=2000, seed=0)
    ci = cell_intervals(np.vstack([a, b]), everything(), resamples=2000, seed=0)
    assert pd.low[0] > 0  # significant although the two intervals overlap
    assert ci.low[0, 0] < ci.high[1, 0]


def test_paired_difference_null_where_either_is_unknown():
    a = bernoulli(0.6, 100)
    b = bernoulli(0.6, 100, seed=4)
    b[90] = np.nan
    masks = {"first": np.arange(100) < 50, "last": np.arange(100) >= 50}
    out = paired_difference(a, b, masks, resamples=100).to_dict()
    assert out["last"] is None and out["first"] is not None


@pytest.mark.parametrize(
    "b,c,both,neither",
    [(10, 3, 50, 20), (0, 0, 30, 5), (7, 7, 0, 0), (0, 12, 3, 3), (25, 1, 100, 40)],
)
def test_mcnemar_matches_scipy_binomtest(b, c, both, neither):
    a_right = np.r_[np.ones(b), np.zeros(c), np.ones(both), np.zeros(neither)].astype(bool)
    b_right = np.r_[np.zeros(b), np.ones(c), np.ones(both), np.zeros(neither)].astype(bool)
    got_b, got_c, p = mcnemar_exact(a_right, b_right)
    assert (got_b, got_c) == (b, c)
    expected = 1.0 if b + c == 0 else binomtest(b, b + c, 0.5).pvalue
    assert p == pytest.approx(expected)


def test_mcnemar_takes_0_1_scores_and_refuses_half_scores():
    assert mcnemar_exact(np.array([1.0, 0.0, 1.0]), np.array([0.0, 0.0, 1.0]))[:2] == (1, 0)
    with pytest.raises(ValueError, match="closed-ended"):
        mcnemar_exact(np.array([0.5, 1.0]), np.array([1.0, 1.0]))


def test_discordant_items_lists_each_direction():
    a = np.array([1, 0, 1, 0, 1, np.nan, 0.5])
    b = np.array([1, 1, 0, 0, 0, 0.0, 1.0])
    a_better, b_better = discordant_items(a, b)
    assert a_better.tolist() == [2, 4] and b_better.tolist() == [1, 6]
    a_better, _ = discordant_items(a, b, mask=np.arange(7) < 3)
    assert a_better.tolist() == [2]


# ----------------------------------------------------------------------------- items


def test_item_difficulty_and_all_fail_items():
    scores = np.array([[1, 0, 0.5, np.nan, 0], [1, 0, 1.0, np.nan, np.nan], [0, 0, 0.0, np.nan, 0]])
    assert np.allclose(item_difficulty(scores)[:3], [2 / 3, 0, 0.5])
    assert np.isnan(item_difficulty(scores)[3])
    assert items_all_fail(scores).tolist() == [1, 4]


def test_difficulty_by_category_nested():
    scores = np.array([[1, 1, 0, 0], [1, 0, 0, 0]], dtype=float)
    masks = {
        "t": {
            "easy": np.array([1, 1, 0, 0], bool),
            "hard": np.array([0, 0, 1, 1], bool),
            "empty": np.zeros(4, bool),
        }
    }
    out = difficulty_by_category(scores, masks)
    assert out == {"t": {"easy": 75.0, "hard": 0.0, "empty": None}}


def test_masks_of_the_wrong_length_are_refused():
    with pytest.raises(ValueError, match="items"):
        cell_intervals(np.ones((2, 10)), {"x": np.ones(9, bool)}, resamples=10)
