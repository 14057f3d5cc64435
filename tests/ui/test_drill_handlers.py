"""The drill-down's handlers over a tiny store: ◀ Previous and Next ▶ (one handler) step
through the filtered list and wrap, a clicked row opens the row its ID cell names, a list is
computed once per store generation, and a share link is absolute whichever route the event
came by (the queue, or a direct call of an unqueued event)."""

from __future__ import annotations

import gradio as gr
import pytest

from analysis.drilldown import ItemFilters
from tests.support.appstate import PAGE, gr_request, tiny_state
from ui.tabs import drilldown as tab
from ui.tabs.drilldown import DrillHandlers, page_url

WRONG = ("NI", "", "", "", "", "any_wrong")  # the filter widgets: natural images, wrong


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    return tiny_state(tmp_path_factory.mktemp("drill"))


def request(path: str, referer: str | None = None, query: str = "") -> gr.Request:
    return gr_request(path, query, referer)


def place(card: str) -> str:
    return card.split("<span class='qbp-place'>")[1].split("</span>")[0]


def test_previous_and_next_step_through_the_filtered_list_and_wrap(state):
    h = DrillHandlers(state)
    _, _, ids = h.list_items(["M2"], *WRONG)
    assert ids == ["q002", "q007"]  # natural images M2 gets wrong
    back = h.step(-1, "q002", ids, ["M2"], *WRONG)
    assert back[2] == "q007" and place(back[1]) == "2 of 2"
    ahead = h.step(1, "q007", ids, ["M2"], *WRONG)
    assert ahead[2] == "q002" and place(ahead[1]) == "1 of 2"
    # An item opened by id outside the list: Next goes to the list's first, Previous to
    # its last.
    assert h.step(1, "q004", ids, ["M2"], *WRONG)[2] == "q002"
    assert h.step(-1, "q004", ids, ["M2"], *WRONG)[2] == "q007"


def test_a_clicked_row_opens_the_item_its_id_cell_names(state):
    h = DrillHandlers(state)
    frame, _, ids = h.list_items(["M1 (7B)"], "", "", "", "", "", "all")
    row = frame.iloc[5].tolist()
    # The grid sorted in the page: the 1st row shown is the list's 6th.
    evt = gr.SelectData(None, {"index": [0, 1], "value": row[1], "row_value": row})
    out = h.pick(evt, ids, ["M1 (7B)"])
    assert out[2] == ids[5] and place(out[1]) == f"6 of {len(ids)}"
    bare = gr.SelectData(None, {"index": [2, 1], "value": ids[2]})  # no row sent: its place
    assert h.pick(bare, ids, ["M1 (7B)"])[2] == ids[2]


def test_a_list_is_computed_once_per_store_generation(state, monkeypatch):
    calls = []
    real = tab.drilldown.item_list

    def counted(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(tab.drilldown, "item_list", counted)
    h = DrillHandlers(state)
    filters = ItemFilters(image_source="NI", outcome="any_wrong")
    first = h.list_items(["M2"], "NI", "", "", "", "", "any_wrong")
    again = h.list_items(["M2"], "NI", "", "", "", "", "any_wrong")
    assert calls == [filters] and again[2] == first[2] == ["q002", "q007"]
    again[2].append("q999")  # a caller's copy: the kept list is not changed
    assert h.list_items(["M2"], "NI", "", "", "", "", "any_wrong")[2] == ["q002", "q007"]
    h.list_items(["M2"], "", "", "", "", "", "any_wrong")  # other filters: listed
    state.invalidate()  # the store changed: listed again
    h.list_items(["M2"], "NI", "", "", "", "", "any_wrong")
    assert len(calls) == 3


@pytest.mark.parametrize("route", ["/gradio_api/queue/join", "/gradio_api/run/predict"])
def test_a_share_link_is_absolute_by_either_route(route):
    assert page_url(request(route, referer=PAGE + "?item=q001")) == PAGE
    # No Referer (a privacy setting): the app's root from the request, the route stripped.
    assert page_url(request(route, query="item=q001")) == PAGE
