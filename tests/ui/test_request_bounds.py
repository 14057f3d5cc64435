"""Bounded work per request: whatever a visitor sends to the board, an item or the charts
(long searches, thousands of repeated filters or model names, a megabyte of item id), the
work does not grow with it and the answer is the one the short request gets."""

from __future__ import annotations

import time

import pytest

from leaderboard.limits import MAX_MODELS_PER_REQUEST, MAX_SEARCH_CHARS
from tests.support.appdata import ANSWERS
from tests.support.appstate import tiny_state

FAST = 1.0  # seconds: generous on a loaded machine; unbounded work takes far longer


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    return tiny_state(tmp_path_factory.mktemp("bounds"), judge="none")


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def test_a_long_search_is_cut_where_no_name_can_match_any_more(state):
    assert MAX_SEARCH_CHARS > 80  # longer than any model name (forms.MAX_NAME)
    rows, took = timed(lambda: state.leaderboard_rows(search="M" + "x" * 1_000_000))
    assert rows == [] and took < FAST
    assert [r["model"] for r in state.leaderboard_rows(search="M1")] == ["M1 (7B)"]


def test_repeated_filter_values_cost_what_one_costs(state):
    few = state.leaderboard_rows(kinds=["verified"], weights=["closed", "open"])
    many, took = timed(
        lambda: state.leaderboard_rows(
            kinds=["verified"] * 200_000, weights=["closed"] * 200_000 + ["open"]
        )
    )
    assert many and took < FAST
    assert [r["model"] for r in many] == [r["model"] for r in few]


def test_item_requests_are_capped_in_models_and_id(state):
    names = list(ANSWERS)
    detail, took = timed(lambda: state.item("q001", names * 100_000))
    assert took < FAST and [m["model"] for m in detail["models"]] == names
    unknown = state.item("q001", [f"nobody {i}" for i in range(10_000)])["unknown_models"]
    assert len(unknown) == MAX_MODELS_PER_REQUEST
    with pytest.raises(KeyError) as err:
        state.item("q" * 1_000_000, names)
    assert len(str(err.value)) < 200
