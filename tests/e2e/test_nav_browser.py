"""Links to everything and a page per model (issue 13), in headless Debian chromium: a model's
name on the board is a link to its page (opened in the page on a click, in a new tab on a
ctrl-click), the address bar always holds exactly the codec's link (analysis/links.py) of
the tab shown, never a mix, and reloading that link shows the same thing."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from analysis.drilldown import ItemFilters
from analysis.links import (
    BoardQuery,
    ItemQuery,
    board_link,
    model_link,
    parse_item_query,
)
from tests.conftest import SCREENSHOTS
from tests.e2e.test_app_browser import BOARD, ROW, board_column, wait_until

pytestmark = pytest.mark.browser

LONG = 90.0  # seconds: the machine running the suite is loaded
MODEL_H2 = "#model-header h2"
AWKWARD = [
    "Qwen3-VL (32B)",
    "Foo, v2",
    "100% & more=yes",
    "模型 ü",
    "a+b #1 /x?",
    "it's *(ok)!~",
    "emoji 🙂",
]


def goto(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(f"{BOARD}[data-ready='1']", timeout=LONG * 1000)


def selected_tab(page) -> str | None:
    return page.evaluate(
        """() => { const b = document.querySelector(
          '[role=tablist] > button[role=tab][data-tab-id][aria-selected=true]');
          return b && b.dataset.tabId; }"""
    )


def open_tab(page, tab: str) -> None:
    page.locator(f"[role=tablist] > button[role=tab][data-tab-id='{tab}']").click()
    wait_until(lambda: selected_tab(page) == tab, LONG, what=f"the {tab} tab")


def url_is(page, want: str, what: str) -> None:
    wait_until(lambda: page.url == want, LONG, what=f"{what}: {want} (is {page.url})")


def shows_model(page, name: str) -> None:
    heading = page.locator(MODEL_H2)
    wait_until(
        lambda: heading.count() and heading.inner_text() == name, LONG, what=f"{name}'s page"
    )
    assert selected_tab(page) == "model"


def name_link(page, name: str):
    return page.locator(f"{ROW} a.qbp-page", has_text=name).first


def board_rank(page, name: str) -> str:
    return page.evaluate(
        """(name) => [...document.querySelectorAll('#board tbody tr.qbp-row')]
          .find(r => r.querySelector('.qbp-name').textContent === name)
          .querySelector("[data-key='Rank']").textContent""",
        name,
    )


def drill_link(page) -> str:
    return page.locator("#dd-link textarea, #dd-link input").first.input_value()


def test_every_model_name_on_the_board_links_to_its_page_as_the_codec_writes_it(page, app_server):
    goto(page, app_server.url)
    pairs = page.eval_on_selector_all(
        f"{ROW} .qbp-name", "els => els.map(a => [a.textContent, a.getAttribute('href')])"
    )
    names = board_column(page, "Model")
    assert len(pairs) == len(names) > 30
    for name, href in pairs:
        if name == "Random guess":  # the baseline has no page
            assert href is None
        else:
            assert href == model_link(name), name
    # The browser's encoder is the codec's, for names and a board search alike.
    for text in AWKWARD:
        got = page.evaluate(
            "(t) => [qbpURL.query([['model', t]]), qbpURL.query([['q', t], ['ci', '1']])]", text
        )
        assert got == [model_link(text), board_link(BoardQuery(search=text, intervals=True))]
    # It looks like a link: the theme's link colour, underlined, on every paper and verified row.
    style = page.eval_on_selector(
        f"{ROW} a.qbp-page",
        "a => [getComputedStyle(a).textDecorationLine, getComputedStyle(a).cursor]",
    )
    assert style == ["underline", "pointer"]


def test_a_click_on_a_name_opens_its_page_with_the_boards_rank_in_the_same_pool(page, app_server):
    state = app_server.state
    simulated = next(n for n in state.verified_models() if "(simulated)" in n)
    goto(page, app_server.url)
    for name, pool in (
        (simulated, "among the models verified here"),
        ("Qwen3-VL (8B)", "among the paper's models"),
    ):
        open_tab(page, "board")
        rank = board_rank(page, name)
        assert rank.isdigit(), (name, rank)
        name_link(page, name).click()
        shows_model(page, name)
        url_is(page, app_server.url + model_link(name), "the page's link")
        header = page.inner_text("#model-header")
        assert f"rank {rank} of " in header and pool in header, header
    page.screenshot(path=str(SCREENSHOTS / "nav_model_from_board.png"), full_page=True)


def test_a_ctrl_click_opens_the_page_in_a_new_tab_and_leaves_the_board(page, app_server):
    name = "Qwen3-VL (32B)"
    goto(page, f"{app_server.url}?__theme=dark")
    with page.context.expect_page(timeout=LONG * 1000) as opened:
        name_link(page, name).click(modifiers=["Control"])
    other = opened.value
    other.set_default_timeout(LONG * 1000)
    other.wait_for_load_state()
    assert other.url == app_server.url + model_link(name)
    shows_model(other, name)
    assert "among the paper's models" in other.inner_text("#model-header")
    # The board stayed where it was, its link untouched (the theme kept).
    assert selected_tab(page) == "board" and page.url == f"{app_server.url}?__theme=dark"
    other.close()


def test_each_tab_writes_only_its_own_link_and_each_link_reopens_its_view(
    page, app_server, browser
):
    state = app_server.state
    base = app_server.url
    goto(page, base)

    # The board's state: table, sort (ascending), search, one row kind.
    page.locator("#board .qbp-tab[data-table='table6']").click()
    for _ in range(2):
        page.locator("#board thead th[data-key='SC_Global']").click()
    page.locator("#board-search").fill("simulated")
    page.locator("#board input[data-filter='kinds'][value='reported']").uncheck()
    board_url = base + board_link(
        BoardQuery("table6", "SC_Global", False, "simulated", ("verified",))
    )
    url_is(page, board_url, "the board's link")
    shown = board_column(page, "Model")
    assert shown and all("(simulated)" in n for n in shown)

    # The drill-down: no view yet, so no query at all (no board parameters left over) ...
    open_tab(page, "drill")
    url_is(page, base, "the bare page")
    cells = page.locator("#dd-list .virtual-row [data-col='1']")
    wait_until(lambda: cells.count() > 3, LONG, what="the item list")
    item_id = cells.nth(2).inner_text().strip()
    cells.nth(2).click()
    wait_until(lambda: f"Item {item_id}" in page.inner_text("#dd-detail"), LONG, what="item")
    # ... then exactly the view's share link.
    drill_url = wait_until(
        lambda: (lambda v: v if f"item={item_id}" in v else None)(drill_link(page)),
        LONG,
        what="share link",
    )
    url_is(page, drill_url, "the drill-down's link")
    assert parse_item_query(dict(parse_qsl(urlsplit(drill_url).query))) == ItemQuery(
        item_id, state.verified_models()[:2], ItemFilters()
    )

    # Back to the board: its own link again; a model's name opens its page.
    open_tab(page, "board")
    url_is(page, board_url, "the board's link, restored")
    assert board_column(page, "Model") == shown
    name = shown[0]
    name_link(page, name).click()
    shows_model(page, name)
    model_url = base + model_link(name)
    url_is(page, model_url, "the model page's link")

    # Each tab shown again puts back its own last link, and nothing else.
    open_tab(page, "drill")
    url_is(page, drill_url, "the drill-down's link, restored")
    assert f"Item {item_id}" in page.inner_text("#dd-detail")
    open_tab(page, "model")
    url_is(page, model_url, "the model page's link, restored")
    open_tab(page, "charts")
    url_is(page, base, "a tab without a link: the bare page")
    open_tab(page, "board")
    url_is(page, board_url, "the board's link, at the end")
    page.screenshot(path=str(SCREENSHOTS / "nav_board_state.png"), full_page=True)

    # Every link, opened afresh, shows the same thing and keeps its URL.
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    fresh.set_default_timeout(LONG * 1000)
    try:
        goto(fresh, board_url)
        assert fresh.get_attribute(BOARD, "data-table") == "table6"
        assert fresh.get_attribute(BOARD, "data-sort") == "SC_Global:asc"
        wait_until(lambda: board_column(fresh, "Model") == shown, LONG, what="same rows")
        assert fresh.url == board_url and selected_tab(fresh) == "board"

        fresh.goto(model_url)
        shows_model(fresh, name)
        assert fresh.url == model_url

        fresh.goto(drill_url)
        fresh.wait_for_selector("#dd-detail .qbp-item")
        wait_until(
            lambda: f"Item {item_id}" in fresh.inner_text("#dd-detail"), LONG, what="the item"
        )
        assert selected_tab(fresh) == "drill"
        url_is(fresh, drill_url, "the drill-down's link, kept")
    finally:
        fresh.context.close()
