"""A share link, another tab's "open in the drill-down" and a ?model= link each come back
as one response holding the whole view (no chain of events to wait for)."""

from __future__ import annotations

import gradio as gr
import pytest

from analysis import drilldown
from analysis.drilldown import ItemFilters
from analysis.links import ItemQuery, item_link, model_link
from tests.support.appstate import PAGE, gr_request, tiny_state
from ui.tabs.drilldown import VIEW_OUTPUTS, DrillHandlers
from ui.tabs.model import PAGE_OUTPUTS, ModelHandlers


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    return tiny_state(tmp_path_factory.mktemp("one"))


def request(query: str) -> gr.Request:
    """The page-load event's request: the page's query, the page as Referer."""
    return gr_request(query=query.lstrip("?"), referer=PAGE + query)


def test_a_share_link_is_answered_with_the_whole_view(state):
    """The item, placed in its filtered list, in the first response; the list's rows in
    the one after it (the page draws the linked item before thousands of rows)."""
    models = ["M2", "M1 (7B)"]
    filters = ItemFilters(image_source="NI", outcome="any_wrong")
    h = DrillHandlers(state)
    link = request(item_link("q007", models, filters))
    out = h.on_load(link)
    assert len(out) == VIEW_OUTPUTS + 1
    chosen, *fields, outcome, frame, count, ids, image, card, item, shared, tabs = out
    assert chosen.value == models and fields[0] == "NI" and outcome == "any_wrong"
    assert frame == gr.skip() and ids == ["q002", "q007"]  # M2 misses both
    assert count.startswith("**2** of 8 items match")
    assert "Item <b>q007</b> (<span class='qbp-place'>2 of 2</span>)" in card
    assert item == "q007" and image and shared == PAGE + item_link("q007", models, filters)
    assert tabs.selected == "drill"
    rows = h.link_list(ids, chosen.value, *fields, outcome, request=link)
    assert rows["ID"].tolist() == ids
    assert h.link_list(ids, chosen.value, *fields, outcome, request=request("")) == gr.skip()
    # The visitor listed other items before the link's rows came: those stay.
    assert h.link_list(["q001"], chosen.value, *fields, outcome, request=link) == gr.skip()


def test_a_page_without_a_link_lists_nothing_until_the_tab_opens(state):
    out = DrillHandlers(state).on_load(request(""))
    assert len(out) == VIEW_OUTPUTS + 1
    assert out[0].value == state.verified_models()[:2]
    skipped = [
        o for o in out[1:] if isinstance(o, dict) and o.get("__type__") == "update" and len(o) == 1
    ]
    assert len(skipped) == VIEW_OUTPUTS  # every other output left as it is
    h = DrillHandlers(state)
    listed = h.list_once([], "", ["M2"], "", "", "", "", "", "all")
    assert len(listed[2]) == 8 and listed[4] == drilldown.EMPTY_ITEM_HTML
    again = h.list_once(listed[2], "", ["M2"], "", "", "", "", "", "all")
    assert all(o == gr.skip() for o in again)  # listed already: nothing re-sent


def test_another_tab_opens_an_item_in_one_response(state):
    view = DrillHandlers(state).open_view(ItemQuery("q003", ["m2"]), request(""))
    assert len(view) == VIEW_OUTPUTS
    assert view[0].value == ["M2"]  # the name as the store spells it
    assert "(<span class='qbp-place'>3 of 8</span>)" in view[-3]


def test_a_model_link_opens_its_page_with_the_tab_selected(state):
    h = ModelHandlers(state, DrillHandlers(state))
    out = h.on_load(request(model_link("m1 (7b)")))
    assert len(out) == PAGE_OUTPUTS + 2
    picker, header, tables, radar, _, note, fails, links, versions, prov, link, tabs = out
    assert picker.value == "M1 (7B)" and tabs.selected == "model"
    assert "<h2 class='qbp-model-name'>M1 (7B)</h2>" in header and "Table 6" in tables
    assert radar is not None and len(fails.value["data"]) == 24
    assert links == {} and note == "Every scored item fully right."  # M1 misses nothing
    assert link == PAGE + model_link("M1 (7B)")
    assert all(o == gr.skip() for o in h.on_load(request("")))


def test_a_failure_row_opens_its_items_in_the_drill_down(state):
    h = ModelHandlers(state, DrillHandlers(state))
    page = h.render("M2", request(""))
    fail_links = page[6]
    evt = gr.SelectData(
        None,
        {"index": [0, 1], "value": "NIs", "row_value": ["Image Sources", "NIs", 2, 3, 66.67, ""]},
    )
    out = h.open_failure(evt, fail_links, request(""))
    assert len(out) == VIEW_OUTPUTS + 1 and out[-1].selected == "drill"
    assert out[0].value == ["M2"] and out[1] == "NI" and out[6] == "any_wrong"
    assert out[9] == ["q002", "q007"] and "1 of 2" in out[11]
