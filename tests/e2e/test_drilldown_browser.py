"""The Drill-down tab in headless Debian chromium (Playwright), as issue 13 asks: an item
opens in one round trip, counted within the filtered list, and a share link draws its item
with the list of its filters. Every wait is on what the page shows."""

from __future__ import annotations

import json
import threading

import pytest

from analysis import drilldown
from analysis.drilldown import ItemFilters
from analysis.links import item_link
from tests.e2e.test_app_browser import column, open_app, wait_until
from tests.support.rawqueue import config
from ui.tabs import drilldown as tab

pytestmark = pytest.mark.browser

CARD = "#dd-detail"
ID_CELLS = "#dd-list .virtual-row [data-col='1']"


def matching(state, models: list[str], filters: ItemFilters) -> list[str]:
    """The ids the drill-down lists for these models and filters, computed directly."""
    frame = drilldown.item_list(state.bench, state.model_frames(models), filters)
    return frame["ID"].tolist()


def drill_events(url: str) -> set[int]:
    """The ids of the events that update the drill-down (an output named dd-...)."""
    cfg = config(url)
    named = {c["id"] for c in cfg["components"] if c["props"].get("elem_id", "").startswith("dd-")}
    return {d["id"] for d in cfg["dependencies"] if named & set(d["outputs"])}


def event_requests(page, events: set[int]) -> list[int]:
    """The events of `events` the page asks the server to run from now on (queue joins
    and direct calls of unqueued events), by id; the page's other tabs are left out."""
    sent: list[int] = []

    def seen(request) -> None:
        if "/gradio_api/queue/join" in request.url or "/gradio_api/run/" in request.url:
            fn = json.loads(request.post_data or "{}").get("fn_index")
            if fn in events:
                sent.append(fn)

    page.on("request", seen)
    return sent


def shows(page, item_id: str, place: str) -> bool:
    text = page.locator(CARD).inner_text()
    return f"Item {item_id} ({place})" in text


def image_loaded(page) -> bool:
    return page.evaluate(
        "() => { const i = document.querySelector('#dd-image img');"
        " return !!i && i.complete && i.naturalWidth > 0; }"
    )


def counted(page, want: str) -> None:
    """The count line reads `want` once its request is done (while the list's follow-up is
    under way the line also carries Gradio's progress text, "processing | 0.2s")."""
    wait_until(
        lambda: page.inner_text("#dd-count").startswith(want), 60, what=f"the count {want!r}"
    )


def open_filtered_list(page, app_server, models: list[str], filters: ItemFilters) -> list[str]:
    """Open a link to the first matching item with these filters; wait until the list of
    its filters is drawn. Returns the matching ids."""
    ids = matching(app_server.state, models, filters)
    assert len(ids) > 3, ids
    open_app(page, app_server.url, item_link(ids[0], models, filters)[1:])
    wait_until(lambda: shows(page, ids[0], f"1 of {len(ids)}"), what="the linked item")
    wait_until(
        lambda: page.locator(ID_CELLS).all_inner_texts()[:3] == ids[:3], what="its list rows"
    )
    return ids


def test_a_row_click_is_one_request_and_counts_within_the_filtered_list(page, app_server):
    state = app_server.state
    models = state.verified_models()[:2]
    filters = ItemFilters(dimension="Tech", outcome="any_wrong")
    ids = open_filtered_list(page, app_server, models, filters)
    assert len(ids) < len(state.bench)  # the filter narrows the list
    counted(page, f"{len(ids)} of {len(state.bench)} items match")

    events = drill_events(app_server.url)
    for row in (2, 3):
        sent = event_requests(page, events)
        page.locator(ID_CELLS).nth(row).click()
        wait_until(lambda row=row: shows(page, ids[row], f"{row + 1} of {len(ids)}"), what="row")
        assert len(sent) == 1, sent  # one round trip, nothing chained after it
        wait_until(lambda: image_loaded(page), what="the row's image")
        assert all(m in page.locator(CARD).inner_text() for m in models)


def test_previous_and_next_wrap_around_the_filtered_list(page, app_server):
    state = app_server.state
    models = state.verified_models()[:2]
    filters = ItemFilters(scope="global", outcome="disagree")
    ids = open_filtered_list(page, app_server, models, filters)
    n = len(ids)

    sent = event_requests(page, drill_events(app_server.url))
    page.locator("#dd-prev").click()
    wait_until(lambda: shows(page, ids[-1], f"{n} of {n}"), what="previous wraps to the last")
    page.locator("#dd-next").click()
    wait_until(lambda: shows(page, ids[0], f"1 of {n}"), what="next wraps to the first")
    page.locator("#dd-next").click()
    wait_until(lambda: shows(page, ids[1], f"2 of {n}"), what="next")
    assert len(sent) == 3, sent  # one request per step
    shown = page.locator("#dd-item textarea, #dd-item input").first.input_value()
    assert shown == ids[1]
    # The link follows the item shown and keeps the filters.
    wait_until(lambda: f"item={ids[1]}" in page.url, what="address bar follows")
    assert "scope=global" in page.url and "outcome=disagree" in page.url


def test_a_share_link_draws_its_item_then_the_list_of_its_filters(page, app_server):
    state = app_server.state
    models = state.verified_models()[:2]
    filters = ItemFilters(image_source="NI", qtype="SC")
    ids = matching(state, models, filters)
    item_id = ids[4]
    open_app(page, app_server.url, item_link(item_id, models, filters)[1:])
    wait_until(lambda: shows(page, item_id, f"5 of {len(ids)}"), what="the linked item")
    wait_until(lambda: image_loaded(page), what="its image")
    wait_until(
        lambda: page.locator(ID_CELLS).all_inner_texts()[:5] == ids[:5], what="its list rows"
    )
    counted(page, f"{len(ids)} of {len(state.bench)} items match")
    types = page.locator("#dd-list .virtual-row [data-col='2']").all_inner_texts()
    assert types and set(types) == {"SC"}


def test_a_row_of_a_grid_sorted_in_the_page_opens_that_row(page, app_server):
    state = app_server.state
    models = state.verified_models()[:2]
    ids = open_filtered_list(page, app_server, models, ItemFilters(qtype="TF"))
    header = page.locator("#dd-list th[data-heading='1']")
    header.hover()
    header.locator("button.cell-menu-button").click(force=True)  # shown on hover
    page.get_by_text("Sort descending").first.click()
    wait_until(lambda: page.locator(ID_CELLS).first.inner_text() == ids[-1], what="sorted")
    page.locator(ID_CELLS).first.click()
    wait_until(lambda: shows(page, ids[-1], f"{len(ids)} of {len(ids)}"), what="that row")


class Held:
    """The server's look-up of one item waits until released (the app runs in this
    process): a slow answer made on purpose, so a later click overtakes it."""

    def __init__(self, state, monkeypatch, item_id: str) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        real = state.item

        def item(wanted, models):
            if wanted == item_id:
                self.entered.set()
                self.release.wait(60)
            return real(wanted, models)

        monkeypatch.setattr(state, "item", item)


def answered(events: set[int]):
    """A predicate for `page.expect_response`: the server's answer to a direct call of one
    of `events` (the drill-down's item events are unqueued)."""

    def check(response) -> bool:
        request = response.request
        return "/gradio_api/run/" in request.url and (
            json.loads(request.post_data or "{}").get("fn_index") in events
        )

    return check


def test_two_quick_nexts_move_two_places_whichever_answer_comes_first(
    page, app_server, monkeypatch
):
    """Item events are unqueued (one round trip each), so quick clicks run side by side:
    the second Next steps from the item the first is about to show, and the first's late
    answer does not replace the second's (ui.latest)."""
    state = app_server.state
    models = state.verified_models()[:2]
    ids = open_filtered_list(page, app_server, models, ItemFilters(outcome="disagree"))
    n = len(ids)
    events = drill_events(app_server.url)
    sent = event_requests(page, events)
    held = Held(state, monkeypatch, ids[1])
    try:
        page.locator("#dd-next").click()
        wait_until(held.entered.is_set, what="the first Next reaches the server")
        with page.expect_response(answered(events), timeout=60_000):  # the second's
            page.locator("#dd-next").click()
        with page.expect_response(answered(events), timeout=60_000):  # the first's, late
            held.release.set()
    finally:
        held.release.set()
    assert len(sent) == 2, sent
    wait_until(lambda: shows(page, ids[2], f"3 of {n}"), what="two places on")
    assert page.locator("#dd-item textarea, #dd-item input").first.input_value() == ids[2]
    wait_until(lambda: f"item={ids[2]}" in page.url, what="the address bar on the same item")


def test_a_row_clicked_while_the_last_click_is_answered_wins(page, app_server, monkeypatch):
    """Gradio's "always_last" held the second click and re-sent the first click's row."""
    state = app_server.state
    models = state.verified_models()[:2]
    ids = open_filtered_list(page, app_server, models, ItemFilters(outcome="any_wrong"))
    events = drill_events(app_server.url)
    held = Held(state, monkeypatch, ids[2])
    try:
        page.locator(ID_CELLS).nth(2).click()
        wait_until(held.entered.is_set, what="the first row's click reaches the server")
        with page.expect_response(answered(events), timeout=60_000):  # the second's
            page.locator(ID_CELLS).nth(3).click()
        with page.expect_response(answered(events), timeout=60_000):  # the first's, late
            held.release.set()
    finally:
        held.release.set()
    wait_until(lambda: shows(page, ids[3], f"4 of {len(ids)}"), what="the row clicked last")
    assert f"Item {ids[2]} " not in page.locator(CARD).inner_text()


def test_an_outcome_changed_while_the_last_list_is_made_is_the_list_shown(
    page, app_server, monkeypatch
):
    """A filter changed while the list of the one before is still being made: the list
    shown at the end is the last filter's (Gradio's default for `.input`, "once", dropped
    that change, leaving the list of a filter no longer chosen)."""
    state = app_server.state
    models = state.verified_models()[:2]
    open_filtered_list(page, app_server, models, ItemFilters(outcome="any_wrong"))
    entered, release = threading.Event(), threading.Event()
    real = tab.drilldown.item_list

    def item_list(bench, frames, filters):
        if filters.outcome == "all_wrong":
            entered.set()
            release.wait(60)
        return real(bench, frames, filters)

    monkeypatch.setattr(tab.drilldown, "item_list", item_list)
    monkeypatch.setattr(tab.Listings, "get", lambda self, key: None)  # every list made anew
    want = matching(state, models, ItemFilters(outcome="disagree"))
    try:
        page.locator("#dd-outcome label", has_text=drilldown.OUTCOMES["all_wrong"]).click()
        wait_until(entered.is_set, what="the first change reaches the server")
        page.locator("#dd-outcome label", has_text=drilldown.OUTCOMES["disagree"]).click()
    finally:
        release.set()
    counted(page, f"{len(want)} of {len(state.bench)} items match")
    wait_until(lambda: page.locator(ID_CELLS).all_inner_texts()[:3] == want[:3], what="its rows")


def test_a_compare_row_clicked_while_the_last_one_opens_is_the_item_opened(
    page, app_server, monkeypatch
):
    """Compare's discordant items open in the drill-down (`OPEN`): a second row clicked
    while the first is still opening is the one shown (Gradio's "once" dropped it)."""
    state = app_server.state
    a, b = state.score_matrix()[0][:2]
    open_app(page, app_server.url)
    page.get_by_role("tab", name="Compare").click()
    ids = wait_until(lambda: column(page, 0, "#cmp-items")[:3], what="discordant items")
    held = Held(state, monkeypatch, ids[0])
    rows = page.locator("#cmp-items .virtual-row [data-col='0']")
    try:
        rows.nth(0).click()
        wait_until(held.entered.is_set, what="the first row reaches the server")
        rows.nth(2).click()
        wait_until(lambda: f"Item {ids[2]} " in page.locator(CARD).inner_text(), what="row 3")
    finally:
        held.release.set()
    assert page.get_by_role("tab", name="Drill-down").get_attribute("aria-selected") == "true"
    wait_until(lambda: f"item={ids[2]}" in page.url, what="the address bar on that item")
    # That the first row's late answer is dropped: tests/ui/test_drill_latest.py.
