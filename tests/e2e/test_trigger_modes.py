"""What the page does with a second click or change made while the last is answered,
read from the launched app's config (Gradio's `trigger_mode` per event):

- a widget that redraws a view (`.input`) never keeps Gradio's default "once", which drops
  that change and leaves a view that no longer matches its widgets (`ui.tabs.VIEW`);
- an event that carries event data (a clicked row, a board view) is never "always_last":
  Gradio 6.31 re-sends the first trigger's data, showing the first row clicked again.

The browser tests in test_drilldown_browser.py show both in the page."""

from __future__ import annotations

from tests.support.rawqueue import config


def events(url: str) -> list[tuple[str, str, str]]:
    """(event name, elem_id of its target, trigger mode) for every UI event."""
    cfg = config(url)
    elem = {c["id"]: c.get("props", {}).get("elem_id") or str(c["id"]) for c in cfg["components"]}
    return [
        (name, elem.get(target, str(target)), d["trigger_mode"])
        for d in cfg["dependencies"]
        for target, name in d["targets"]
    ]


def test_no_view_widget_drops_a_change_made_while_its_view_is_drawn(app_server):
    inputs = [(target, mode) for name, target, mode in events(app_server.url) if name == "input"]
    assert {"dd-outcome", "dd-models", "cmp-a", "cmp-b"} <= {t for t, _ in inputs}, inputs
    dropped = [target for target, mode in inputs if mode == "once"]
    assert not dropped, f"these widgets drop a change made while their view is drawn: {dropped}"


def test_no_event_with_event_data_is_resent_with_the_first_triggers_data(app_server):
    resent = [
        (name, target)
        for name, target, mode in events(app_server.url)
        if mode == "always_last" and name in {"select", "click", "submit", "board_state"}
    ]
    assert not resent, f"these would re-send the first trigger's data: {resent}"


def test_no_row_that_opens_an_item_drops_a_click_made_while_the_last_one_opens(app_server):
    """Rows of the drill-down list, Compare, Items and the model page's failures: every
    click is sent with its own row (`ui.tabs.OPEN`, `item_event`); the server orders them."""
    cfg = config(app_server.url)
    elem = {c["id"]: c.get("props", {}).get("elem_id") for c in cfg["components"]}
    grids = {c["id"] for c in cfg["components"] if c.get("type") == "dataframe"}
    opening = [
        (elem.get(target), d["trigger_mode"])
        for d in cfg["dependencies"]
        if any(elem.get(o) == "dd-detail" for o in d["outputs"])
        for target, name in d["targets"]
        if name == "select" and target in grids  # a tab's own select only lists once
    ]
    assert {"dd-list", "cmp-items", "model-failures"} <= {t for t, _ in opening}, opening
    assert all(mode == "multiple" for _, mode in opening), opening
