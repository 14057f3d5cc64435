"""The item card counts the item within the filtered list ("k of N"), not the benchmark."""

from __future__ import annotations

import pytest

from analysis import drilldown as dd
from tests.support.appdata import filled_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return filled_store(tmp_path_factory.mktemp("place"))


def test_the_card_says_k_of_n_over_the_filtered_list(store):
    frames = {s.meta.model: s.items() for s in store.submissions()}
    ids = dd.item_list(store.benchmark, frames, dd.ItemFilters(image_source="NI"))["ID"].tolist()
    assert ids == ["q001", "q002", "q007"]
    detail = dd.item_detail(store.benchmark, "q007", frames)
    card = dd.render_item_html(detail, dd.list_place(ids, "q007"))
    assert "(<span class='qbp-place'>3 of 3</span>)" in card
    outside = dd.render_item_html(
        dd.item_detail(store.benchmark, "q004", frames), dd.list_place(ids, "q004")
    )
    assert "not among the 3 listed; #4 of 8 in the benchmark" in outside
    assert ">4 of 8</span>)" in dd.render_item_html(dd.item_detail(store.benchmark, "q004", frames))


def test_list_place():
    assert dd.list_place(["a", "b", "c"], "b") == dd.ListPlace(2, 3)
    assert dd.list_place([], "b") == dd.ListPlace(None, 0)
    assert dd.ListPlace(2, 173).text(900, 2765) == "2 of 173"
