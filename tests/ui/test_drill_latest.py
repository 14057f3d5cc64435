"""Quick clicks in the drill-down: its item events are unqueued, so two clicks are two
requests that run side by side, each reading the page as it was before either answered.
The page must end on what the last click asked for: a second Next ▶ steps from the item
the first is about to show (two clicks, two places), and an answer that arrives after a
later click's is dropped instead of replacing it. Pages (Gradio sessions) never interfere.

The race is made deterministic: the first request is held inside its item lookup until
the second has answered."""

from __future__ import annotations

import threading

import gradio as gr
import pytest

from analysis.links import ItemQuery
from tests.support.appstate import PAGE, gr_request, tiny_state
from ui.latest import Latest
from ui.state import AppState
from ui.tabs.drilldown import ITEM_SKIP, VIEW_OUTPUTS, DrillHandlers

ALL = ("", "", "", "", "", "all")  # the filter widgets: everything


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    return tiny_state(tmp_path_factory.mktemp("latest"))


def page(session: str) -> gr.Request:
    """A request from one open page (Gradio's session hash names it)."""
    return gr_request("/gradio_api/run/predict", referer=PAGE, session=session)


class Held:
    """`state.item` for `item_id` waits until released; other items answer at once."""

    def __init__(self, state: AppState, monkeypatch, item_id: str) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        real = state.item

        def item(wanted, models):
            if wanted == item_id:
                self.entered.set()
                assert self.release.wait(10), "the held request was never released"
            return real(wanted, models)

        monkeypatch.setattr(state, "item", item)


@pytest.fixture
def hold(state, monkeypatch):
    """`hold(item_id)` holds that item's lookups; all are let go when the test ends."""
    made: list[Held] = []
    yield lambda item_id: made.append(Held(state, monkeypatch, item_id)) or made[-1]
    for held in made:
        held.release.set()


def in_thread(fn, *args):
    out: dict = {}
    thread = threading.Thread(target=lambda: out.setdefault("answer", fn(*args)))
    thread.start()
    return thread, out


def test_two_quick_nexts_move_two_places_and_the_first_answer_is_dropped(state, hold):
    h = DrillHandlers(state)
    _, _, ids = h.list_items(["M1 (7B)"], *ALL)
    shown = h.show_item(ids[0], ids, ["M1 (7B)"], *ALL, request=page("p1"))
    assert shown[2] == ids[0]
    held = hold(ids[1])
    # Both clicks carry the page's item box as it was: the first item.
    first, out = in_thread(h.step, 1, ids[0], ids, ["M1 (7B)"], *ALL, page("p1"))
    assert held.entered.wait(10)
    second = h.step(1, ids[0], ids, ["M1 (7B)"], *ALL, request=page("p1"))
    assert second[2] == ids[2], "the second Next steps from the item the first one chose"
    held.release.set()
    first.join(10)
    assert out["answer"] == ITEM_SKIP, "the first click's late answer must not replace it"


def test_a_row_clicked_while_an_earlier_one_is_answered_wins(state, hold):
    h = DrillHandlers(state)
    _, _, ids = h.list_items(["M1 (7B)"], *ALL)
    held = hold(ids[3])
    first, out = in_thread(h.show_item, ids[3], ids, ["M1 (7B)"], *ALL, page("p2"))
    assert held.entered.wait(10)
    later = h.show_item(ids[5], ids, ["M1 (7B)"], *ALL, request=page("p2"))
    held.release.set()
    first.join(10)
    assert later[2] == ids[5] and out["answer"] == ITEM_SKIP


def test_a_filter_changed_during_a_step_keeps_the_item_the_step_chose(state, hold):
    h = DrillHandlers(state)
    _, _, ids = h.list_items(["M1 (7B)"], *ALL)
    h.show_item(ids[0], ids, ["M1 (7B)"], *ALL, request=page("p3"))
    held = hold(ids[1])
    step, out = in_thread(h.step, 1, ids[0], ids, ["M1 (7B)"], *ALL, page("p3"))
    assert held.entered.wait(10)
    held.release.set()  # the re-list looks the same item up: let both through
    # The models widget changed while the step was answered; its box still says ids[0].
    relisted = h.relist(ids[0], ["M1 (7B)", "M2"], *ALL, request=page("p3"))
    step.join(10)
    assert relisted[3 + 2] == ids[1], "the re-list shows the item the step moved to"
    assert out["answer"] == ITEM_SKIP


def test_a_view_opened_from_another_tab_while_the_last_opens_is_the_one_shown(state, hold):
    """Compare, Items and the model page open the drill-down with `open_view`; rows
    clicked quickly there are sent at once (ui.tabs.OPEN), the late view is dropped."""
    h = DrillHandlers(state)
    _, _, ids = h.list_items(["M1 (7B)"], *ALL)
    held = hold(ids[1])
    first, out = in_thread(h.open_view, ItemQuery(ids[1], ["M1 (7B)"]), page("p5"))
    assert held.entered.wait(10)
    later = h.open_view(ItemQuery(ids[6], ["M1 (7B)", "M2"]), page("p5"))
    held.release.set()
    first.join(10)
    assert later[-2] == ids[6] and later[0].value == ["M1 (7B)", "M2"]
    assert out["answer"] == (gr.skip(),) * VIEW_OUTPUTS


def test_a_list_that_answers_after_a_later_list_is_dropped_whole(state, hold):
    h = DrillHandlers(state)
    _, _, ids = h.list_items(["M1 (7B)"], *ALL)
    h.show_item(ids[2], ids, ["M1 (7B)"], *ALL, request=page("p6"))
    held = hold(ids[2])
    first, out = in_thread(h.relist, ids[2], ["M1 (7B)"], "NI", *ALL[1:], page("p6"))
    assert held.entered.wait(10)
    # Meanwhile a row of the old list is clicked, then the models change again.
    h.show_item(ids[4], ids, ["M1 (7B)"], *ALL, request=page("p6"))
    later = h.relist(ids[2], ["M1 (7B)", "M2"], *ALL, request=page("p6"))
    held.release.set()
    first.join(10)
    assert later[3 + 2] == ids[4], "the later list shows the row clicked"
    assert out["answer"] == (gr.skip(),) * 7, "the first list never lands last"


def test_pages_never_interfere(state, hold):
    h = DrillHandlers(state)
    _, _, ids = h.list_items(["M1 (7B)"], *ALL)
    held = hold(ids[1])
    a, out = in_thread(h.show_item, ids[1], ids, ["M1 (7B)"], *ALL, page("pa"))
    assert held.entered.wait(10)
    other = h.step(1, ids[4], ids, ["M1 (7B)"], *ALL, request=page("pb"))
    held.release.set()
    a.join(10)
    assert other[2] == ids[5], "another page steps from its own item"
    assert out["answer"][2] == ids[1], "and does not make this page's answer stale"


def test_a_caller_without_a_page_always_gets_its_answer(state):
    h = DrillHandlers(state)
    _, _, ids = h.list_items(["M1 (7B)"], *ALL)
    assert h.step(1, ids[0], ids, ["M1 (7B)"], *ALL)[2] == ids[1]
    assert h.step(1, ids[0], ids, ["M1 (7B)"], *ALL)[2] == ids[1]  # nothing remembered


def test_pages_are_forgotten_least_recently_used_first():
    latest = Latest(size=2)
    old = latest.take(page("a"), "item", lambda _: "q1")
    latest.take(page("b"), "item", lambda _: "q2")
    latest.take(page("c"), "item", lambda _: "q3")  # "a" is forgotten
    assert latest.current(old), "a forgotten page's running request still answers"
    again = latest.take(page("a"), "item", lambda before: before)
    assert again.value is None, "the page starts afresh"
    assert not latest.current(old), "and its new request still outdates the old one"
    assert latest.current(again)
