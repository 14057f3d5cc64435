"""Drill-down: category and outcome filters with counts, item detail, escaping, navigation."""

from __future__ import annotations

import pytest

from analysis import drilldown as dd
from tests.support.appdata import OE_TEXT, filled_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return filled_store(tmp_path_factory.mktemp("dd"))


def frames(store, *names):
    subs = {s.meta.model: s for s in store.submissions()}
    return {n: subs[n].items() for n in names}


def ids(store, names, **filters):
    return dd.item_list(store.benchmark, frames(store, *names), dd.ItemFilters(**filters))[
        "ID"
    ].tolist()


def test_category_filters_and_counts(store):
    assert len(ids(store, ["M1 (7B)"])) == 8
    assert ids(store, ["M1 (7B)"], image_source="NI") == ["q001", "q002", "q007"]
    assert ids(store, [], dimension="AIGC") == ["q005", "q008"]
    assert ids(store, [], subdimension="Noise", qtype="MC") == ["q003"]
    assert ids(store, [], scope="local") == ["q002", "q005"]


def test_outcome_filters(store):
    pair = ["M1 (7B)", "M2"]
    # M2 misses 2, 3, 5, 7 and is unreadable on 8; OE item 6 is unjudged: neither way.
    assert ids(store, pair, outcome="any_wrong") == ["q002", "q003", "q005", "q007", "q008"]
    assert ids(store, pair, outcome="all_wrong") == []
    assert ids(store, pair, outcome="disagree") == ["q002", "q003", "q005", "q007", "q008"]
    assert ids(store, ["M2", "M3 (72B)"], outcome="all_wrong") == ["q002"]
    # M3's missing OE answer scores 0 while M2's is unjudged: that is a disagreement.
    assert "q006" in ids(store, ["M2", "M3 (72B)"], outcome="disagree")
    assert ids(store, ["M2"], outcome="any_wrong", image_source="NI") == ["q002", "q007"]
    assert ids(store, [], outcome="any_wrong") == []
    with pytest.raises(ValueError, match="unknown outcome"):
        ids(store, pair, outcome="bogus")


def test_item_list_columns(store):
    frame = dd.item_list(store.benchmark, frames(store, "M1 (7B)", "M2"), dd.ItemFilters())
    row = frame.set_index("ID").loc["q002"]
    assert row["Right"] == "1/2" and row["Scores"] == "1 · 0"
    assert frame.set_index("ID").loc["q006", "Scores"] == "? · ?"
    assert list(frame.columns) == list(dd.LIST_COLUMNS)


def test_item_detail_has_gold_and_every_models_answer(store):
    d = dd.item_detail(store.benchmark, "q003", frames(store, "M1 (7B)", "M2", "M3 (72B)"))
    assert [o["gold"] for o in d["options"]] == [True, False, True, False]
    assert d["answer"] == "AC" and d["qtype"] == "MC"
    m1, m2, _ = d["models"]
    assert (m1["raw"], m1["parsed"], m1["status"], m1["score"]) == ("A, C", "AC", "ok", 1.0)
    assert (m2["parsed"], m2["score"]) == ("A", 0.0)
    oe = dd.item_detail(store.benchmark, "q006", frames(store, "M1 (7B)", "M3 (72B)"))
    assert oe["models"][0]["status"] == "unjudged" and oe["models"][0]["score"] is None
    assert oe["models"][0]["raw"] == OE_TEXT
    assert oe["models"][1]["status"] == "missing" and oe["models"][1]["raw"] is None
    with pytest.raises(KeyError):
        dd.item_detail(store.benchmark, "nope", {})


def test_rendered_item_escapes_raw_model_text(store):
    d = dd.item_detail(store.benchmark, "q001", frames(store, "M1 (7B)"))
    d["models"][0]["raw"] = "<script>alert(1)</script> **B**"
    d["models"][0]["model"] = "<img src=x onerror=alert(2)>"
    html = dd.render_item_html(d)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; **B**" in html
    assert "<img" not in html and "&lt;img src=x" in html
    assert "✔ gold" in html


def test_neighbour_wraps_and_starts_from_the_list():
    ids_ = ["a", "b", "c"]
    assert dd.neighbour(ids_, "b", 1) == "c" and dd.neighbour(ids_, "c", 1) == "a"
    assert dd.neighbour(ids_, "a", -1) == "c"
    assert dd.neighbour(ids_, "zzz", 1) == "a" and dd.neighbour(ids_, None, -1) == "c"
    assert dd.neighbour([], "a", 1) is None


def test_resolve_models_from_a_url_parameter():
    avail = ["Sim-Alpha (7B)", "M, with comma", "M2"]
    assert dd.resolve_models("sim-alpha  (7b),m2,ghost", avail) == (
        ["Sim-Alpha (7B)", "M2"],
        ["ghost"],
    )
    assert dd.resolve_models("M, with comma", avail) == (["M, with comma"], [])
    assert dd.resolve_models(["M2", "M2"], avail) == (["M2"], [])
    assert dd.resolve_models(None, avail) == ([], [])


def test_misaligned_items_are_refused(store):
    f = frames(store, "M1 (7B)")
    f["M1 (7B)"] = f["M1 (7B)"].iloc[::-1].reset_index(drop=True)
    with pytest.raises(ValueError, match="do not match"):
        dd.item_list(store.benchmark, f, dd.ItemFilters(outcome="any_wrong"))
