"""The leaderboard as a visitor sees it (issue 13), in headless Debian chromium: the paper's
layout, everything in the browser once the page is there, state in the URL, hostile names
as text, a phone's first screen. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from leaderboard.taxonomy import TABLES
from tests.conftest import SCREENSHOTS
from tests.e2e.test_app_browser import (
    BOARD,
    ROW,
    as_number,
    board_column,
    board_sections,
    by_section,
    caption,
    click_header,
    headers,
    open_app,
    search_board,
    switch_table,
    wait_until,
)

pytestmark = pytest.mark.browser


def top_headers(page) -> list[str]:
    return [
        t.strip().rstrip("▲▼ ").strip()
        for t in page.locator("#board thead tr:first-child th").all_inner_texts()
    ]


def bold_keys(page, name: str) -> list[str]:
    """The columns shown in bold (best) in the row of `name`."""
    return page.evaluate(
        """(name) => {
      const row = [...document.querySelectorAll('#board tbody tr.qbp-row')]
        .find(r => r.querySelector('.qbp-name').textContent === name);
      return [...row.querySelectorAll('td.qbp-best')].map(td => td.dataset.key); }""",
        name,
    )


def api(client, **kw) -> list[dict]:
    return client.predict(api_name="/leaderboard", **kw)


def test_first_board_comes_with_the_page_without_any_server_event(browser, app_server, client):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    calls: list[str] = []
    # No queue event and no server function may be needed to show the board.
    page.route(
        "**/gradio_api/queue/**", lambda route: (calls.append(route.request.url), route.abort())
    )
    page.route(
        "**/component_server**", lambda route: (calls.append(route.request.url), route.abort())
    )
    page.goto(app_server.url)
    page.wait_for_selector(f"{BOARD}[data-ready='1']")
    names = board_column(page, "Model")
    rows = api(client)
    shown = list(zip(board_sections(page), names, strict=True))
    for section in ("baseline", "open", "closed", "verified"):
        assert [n for s, n in shown if s == section] == [
            r["model"] for r in rows if r["section"] == section
        ], section
    assert board_sections(page)[0] == "baseline" and "Qwen3-VL (32B)" in names
    assert set(board_sections(page)) == {"baseline", "open", "closed", "verified"}
    # Rank, Model and Overall are on the first screen of a laptop, without scrolling.
    first = page.locator(ROW).nth(1)
    for key in ("Rank", "Model", "Overall"):
        box = first.locator(f"[data-key='{key}']").bounding_box()
        assert box and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800, key
    context.close()


def test_the_board_order_is_the_apis_order_for_every_sort(page, app_server, client):
    open_app(page, app_server.url)
    for key, clicks in (("MC", 2), ("Model", 1), ("NI", 1)):
        for _ in range(clicks):
            click_header(page, key)
        desc = key != "Model" and clicks % 2 == 1
        want = f"{key}:{'desc' if desc else 'asc'}"
        wait_until(
            lambda want=want: page.get_attribute(BOARD, "data-sort") == want,
            what=f"sorted by {key}",
        )
        shown = list(zip(board_sections(page), board_column(page, "Model"), strict=True))
        rows = api(client, sort_by=key)
        if not desc and key != "Model":
            continue  # the API sorts best first only
        for section in ("baseline", "open", "closed", "verified"):
            assert [n for s, n in shown if s == section] == [
                r["model"] for r in rows if r["section"] == section
            ], (key, section)


def test_header_clicks_sort_numerically_both_ways_within_sections(page, app_server):
    open_app(page, app_server.url)
    for word in ("descending", "ascending"):
        click_header(page, "SDI")
        wait_until(lambda word=word: f"sorted by SDIs ({word})" in caption(page), what=word)
        for section, texts in by_section(page, "SDI").items():
            numbers = [as_number(t) for t in texts if t != "-"]
            assert numbers == sorted(numbers, reverse=word == "descending"), section
            assert texts[len(numbers) :] == ["-"] * (len(texts) - len(numbers))  # nulls last
        head = page.locator("#board thead th[data-key='SDI']")
        assert head.get_attribute("aria-sort") == word
    assert board_sections(page) == sorted(
        board_sections(page), key=["baseline", "open", "closed", "verified"].index
    )


def test_switching_tables_changes_the_grouped_headers_and_resets_a_foreign_sort(page, app_server):
    open_app(page, app_server.url)
    assert top_headers(page)[:6] == [
        "Rank",
        "Model",
        "Overall",
        "Image Sources",
        "Quality Dimensions",
        "Question Types",
    ]
    click_header(page, "MC")
    click_header(page, "MC")
    wait_until(lambda: "sorted by MC (ascending)" in caption(page), what="MC ascending")
    switch_table(page, "table4")
    assert top_headers(page)[3:6] == [
        "Technical Distortions",
        "AIGC-specific Distortions",
        "Aesthetics",
    ]
    # Table 4 has no MC: best first by Overall, not worst first (issue 13).
    assert "sorted by Overall (Table 3) (descending)" in caption(page)
    overall = [as_number(t) for t in by_section(page, "Overall")["open"]]
    assert overall == sorted(overall, reverse=True)
    switch_table(page, "table6")
    assert top_headers(page)[3:7] == ["SC", "MC", "TF", "OE"]
    second = [
        t.strip().rstrip("▲▼ ").strip()
        for t in page.locator("#board thead tr:nth-child(2) th").all_inner_texts()
    ]
    assert second == ["Global", "Local"] * 4
    assert len(board_column(page, "SC_Local")) == len(board_column(page, "Model"))
    page.screenshot(path=str(SCREENSHOTS / "board_table6.png"), full_page=True)


def test_search_filters_rows_and_the_marks_stay_those_of_the_whole_table(page, app_server):
    open_app(page, app_server.url)
    best = bold_keys(page, "Qwen3-VL (32B)")
    assert "Overall" in best and len(best) >= 5
    search_board(page, "Qwen3-VL (32B)")
    wait_until(lambda: board_column(page, "Model") == ["Qwen3-VL (32B)"], what="one row")
    assert bold_keys(page, "Qwen3-VL (32B)") == best
    assert board_column(page, "Rank") == ["1"]
    search_board(page, "Qwen3-VL (8B)")
    wait_until(lambda: board_column(page, "Model") == ["Qwen3-VL (8B)"], what="another row")
    assert bold_keys(page, "Qwen3-VL (8B)") == []  # not best anywhere, even alone
    assert board_column(page, "Rank") == ["5"]
    search_board(page, "qwen3-vl")
    wait_until(lambda: len(board_column(page, "Model")) == 4, what="case-blind search")


def test_the_url_carries_the_boards_state_and_a_reload_restores_it(page, app_server, browser):
    open_app(page, app_server.url)
    switch_table(page, "table6")
    click_header(page, "SC_Global")
    click_header(page, "SC_Global")
    search_board(page, "qwen")
    page.locator("#board input[data-filter='kinds'][value='verified']").uncheck()
    page.locator("#show-ci").check()
    wait_until(lambda: "ci=1" in page.url and "q=qwen" in page.url, what="URL updated")
    query = parse_qs(urlparse(page.url).query)
    assert query["table"] == ["table6"] and query["sort"] == ["SC_Global"]
    assert query["order"] == ["asc"] and query["kinds"] == ["reported"]
    expected = board_column(page, "Model")
    assert expected and all("qwen" in n.lower() for n in expected)

    def same_state(pg) -> None:
        pg.wait_for_selector(f"{BOARD}[data-ready='1']")
        assert pg.get_attribute(BOARD, "data-table") == "table6"
        assert pg.get_attribute(BOARD, "data-sort") == "SC_Global:asc"
        assert pg.input_value("#board-search") == "qwen"
        assert not pg.locator("#board input[data-filter='kinds'][value='verified']").is_checked()
        assert pg.locator("#show-ci").is_checked()
        wait_until(lambda: board_column(pg, "Model") == expected, what="same rows")
        assert "Rank range" in headers(pg)

    page.reload()
    same_state(page)
    other = browser.new_context(viewport={"width": 1400, "height": 900})
    shared = other.new_page()
    shared.goto(page.url)  # the link, opened by someone else
    same_state(shared)
    other.close()
    # A crafted link falls back to the default view instead of breaking the board.
    page.goto(f"{app_server.url}?table=constructor&sort=__proto__&kinds=x&order=up")
    page.wait_for_selector(f"{BOARD}[data-ready='1']")
    assert page.get_attribute(BOARD, "data-table") == "table3"
    assert page.get_attribute(BOARD, "data-sort") == "Overall:desc"
    assert board_sections(page) == ["baseline"]  # no row kind chosen: only the baseline


def test_hostile_model_names_show_as_text(page, app_server, client, tmp_path):
    from gradio_client import handle_file

    names = ["<img src=x onerror=alert(1)>", "**bold** [x](http://a)"]
    for n, name in enumerate(names):
        preds = tmp_path / f"hostile{n}.jsonl"
        preds.write_text(f'{{"id": "qbp-0000{n + 2}", "prediction": "B"}}\n')
        out = client.predict(file=handle_file(str(preds)), model=name, api_name="/submit")
        assert out["submission_id"], out["message"]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, app_server.url)
    shown = board_column(page, "Model")
    for name in names:
        assert name in shown, name
    assert page.locator("#board img").count() == 0
    assert page.locator("#board a[href='http://a']").count() == 0
    assert page.locator("#board tbody :is(strong, b, em)").count() == 0  # no Markdown
    search_board(page, "onerror=alert(1)")
    wait_until(lambda: board_column(page, "Model") == [names[0]], what="the img row")
    page.locator("#show-ci").check()  # server-built texts go in as text too
    wait_until(lambda: "Rank range" in headers(page), what="intervals")
    assert page.locator("#board img").count() == 0 and dialogs == []
    page.screenshot(path=str(SCREENSHOTS / "board_hostile_names.png"), full_page=True)


def test_a_phone_shows_rank_model_and_overall_first_with_the_controls_folded(browser, app_server):
    for theme in ("light", "dark"):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        open_app(page, app_server.url, theme=theme)
        assert page.locator("#board-panel").is_hidden()  # filters folded away
        table = page.locator("#board .qbp-scroll").bounding_box()
        assert table["y"] < 844 * 0.6  # the table starts on the first screen
        row = page.locator(ROW).nth(1)
        boxes = {
            k: row.locator(f"[data-key='{k}']").bounding_box()
            for k in ("Rank", "Model", "Overall", "NI")
        }
        assert boxes["Rank"]["x"] < boxes["Model"]["x"] < boxes["Overall"]["x"]
        assert boxes["Overall"]["x"] + boxes["Overall"]["width"] <= 390
        assert boxes["Overall"]["y"] + boxes["Overall"]["height"] <= 844
        page.screenshot(path=str(SCREENSHOTS / f"board_390_{theme}.png"))
        # Scrolled sideways, Rank and Model stay put and the values slide under them.
        page.eval_on_selector("#board .qbp-scroll", "el => { el.scrollLeft = 400; }")
        start = boxes["NI"]["x"]
        ni = row.locator("[data-key='NI']")
        wait_until(lambda ni=ni, start=start: ni.bounding_box()["x"] < start - 100, what="scrolled")
        for key in ("Rank", "Model"):
            assert (
                abs(row.locator(f"[data-key='{key}']").bounding_box()["x"] - boxes[key]["x"]) < 1
            ), key
        page.locator("#board .qbp-toggle").click()
        assert page.locator("#board-panel").is_visible()
        page.screenshot(path=str(SCREENSHOTS / f"board_390_{theme}_filters.png"))
        context.close()


@pytest.mark.parametrize("width", [1600, 1280])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_nothing_overlaps_on_a_laptop_or_a_wide_screen(browser, app_server, width, theme):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    open_app(page, app_server.url, theme=theme)
    page.screenshot(path=str(SCREENSHOTS / f"board_{width}_{theme}.png"))
    boxes = page.eval_on_selector_all(
        "#board thead tr:first-child th, #board .qbp-bar > *, #board .qbp-caption",
        "els => els.map(e => { const b = e.getBoundingClientRect(); "
        "return [e.textContent.trim().slice(0, 20), b.left, b.right, b.top, b.bottom]; })",
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a[2] <= b[1] + 0.5 or b[2] <= a[1] + 0.5 or a[4] <= b[3] + 0.5 or b[4] <= a[3] + 0.5
            )
            assert apart, (a, b)
    overall = page.locator("#board thead th[data-key='Overall']").bounding_box()
    assert overall["x"] + overall["width"] <= width  # the headline without scrolling
    values = [c.name for c in TABLES["table3"].cells if c.name != "Overall"]
    visible = [
        k
        for k in values
        if (box := page.locator(f"#board thead th[data-key='{k}']").bounding_box())
        and box["x"] + box["width"] <= width
    ]
    assert len(visible) >= (12 if width >= 1600 else 8)
    context.close()


# ----------------------------------------------------------------------------- 300 rows


@pytest.fixture(scope="module")
def big_board(tmp_path_factory):
    """The app over 280 stored submissions: one demo model scored once, its folder copied
    under new ids and names with shifted results (a store as 280 uploads would leave it)."""
    import json
    import shutil

    import app as space
    from leaderboard.benchmark import load_benchmark
    from leaderboard.settings import DEMO_BUNDLE, AppSettings
    from leaderboard.store import SubmissionStore
    from tests.conftest import _free_port
    from tests.support.storekit import submit
    from ui.state import AppState

    root = tmp_path_factory.mktemp("big-store")
    bench = load_benchmark(str(DEMO_BUNDLE))
    store = SubmissionStore(root, bench)
    first = submit(
        store,
        (DEMO_BUNDLE / "predictions" / "tersenet.jsonl").read_bytes(),
        "tersenet.jsonl",
        {"model": "Copy 000", "params": "3B", "open": True},
    )
    for n in range(1, 280):
        sub_id = f"20990101T000000{n:06d}Z-{n:012x}"
        shutil.copytree(first.path, root / sub_id)
        meta = json.loads((root / sub_id / "meta.json").read_text())
        meta["model"] = f"Copy {n:03d}"
        (root / sub_id / "meta.json").write_text(json.dumps(meta))
        result = json.loads((root / sub_id / "result.json").read_text())
        for cells in result["tables"].values():
            for cell, v in cells.items():
                cells[cell] = None if v is None else (v + n * 0.01) % 100
        (root / sub_id / "result.json").write_text(json.dumps(result))
    state = AppState.start(
        AppSettings(
            benchmark=str(DEMO_BUNDLE), submissions_dir=str(root), judge="none", seed_demo=False
        )
    )
    demo = space.build(state)
    port = _free_port()
    demo.queue().launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **space.launch_kwargs(state),
    )
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_a_long_board_shows_its_rows_page_by_page_and_search_covers_them_all(page, big_board):
    from gradio_client import Client

    page.goto(big_board)
    page.wait_for_selector(f"{BOARD}[data-ready='1']")
    assert len(board_column(page, "Model")) == 200  # one page first
    assert "306 rows" in caption(page)  # 25 paper rows, 1 baseline, 280 verified
    # Asked for (keyboard or click, no scrolling): the next rows come.
    page.eval_on_selector("#board .qbp-more-btn", "button => button.click()")
    wait_until(lambda: len(board_column(page, "Model")) == 306, what="the rest")
    assert page.locator("#board .qbp-more-btn").count() == 0
    rows = Client(big_board, verbose=False).predict(api_name="/leaderboard")
    shown = list(zip(board_sections(page), board_column(page, "Model"), strict=True))
    assert [n for s, n in shown if s == "verified"] == [
        r["model"] for r in rows if r["section"] == "verified"
    ]
    click_header(page, "Model")  # a new order starts again from one page ...
    wait_until(lambda: len(board_column(page, "Model")) == 200, what="one page again")
    page.eval_on_selector("#board .qbp-scroll", "el => { el.scrollTop = el.scrollHeight; }")
    wait_until(lambda: len(board_column(page, "Model")) == 306, what="loaded on scroll")
    search_board(page, "Copy 279")  # ... and the search sees every row, shown or not
    wait_until(lambda: board_column(page, "Model") == ["Copy 279"], what="a far row")
