"""Issue 13 in the launched app, as a user sees it in headless chromium: chart (a) as bars
for many models and a radar whose labels never overlap for a few, the size scatter, a
model's page by URL (rows, radar, failures that open the drill-down), and a share link that
opens its item counted "(k of N)" within the filtered list. Screenshots per width and theme
go to artifacts/screenshots/."""

from __future__ import annotations

import pytest

from analysis import charts, drilldown, model_page
from analysis.drilldown import ItemFilters
from analysis.links import item_link, model_link
from tests.conftest import SCREENSHOTS
from tests.e2e.test_app_browser import open_app, wait_until

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1600, "laptop": 1280, "phone": 390}

#: Pairs of angular labels of a radar whose boxes intersect (none, if readable).
OVERLAPS_JS = """(sel) => {
  const boxes = [...document.querySelectorAll(sel + ' .angularaxistick text')]
    .map(t => t.getBoundingClientRect()).filter(b => b.width > 0);
  let hits = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) hits++;
  }
  return [boxes.length, hits];
}"""


def svg_text(page, selector: str) -> str:
    """The text of a figure's SVG parts (inner_text reads HTML elements only)."""
    return page.evaluate(
        "(sel) => [...document.querySelectorAll(sel)].map(n => n.textContent).join(' ')", selector
    )


@pytest.fixture()
def sized(browser):
    """new(width) -> a fresh page of that width (closed afterwards)."""
    contexts = []

    def new(width: int):
        ctx = browser.new_context(viewport={"width": width, "height": 1000})
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(60_000)  # see test_app_browser.PAGE_WAIT
        return pg

    yield new
    for ctx in contexts:
        ctx.close()


def chart_models(state) -> list:
    """The models chart (a) draws with the board's default filters."""
    return [
        e
        for e in state.view("table3").entries
        if not (e.is_baseline or e.is_pending) and e.value("table3", "Overall") is not None
    ]


def open_charts(page, url: str, theme: str) -> None:
    open_app(page, url, theme=theme)
    page.get_by_role("tab", name="Charts").click()
    wait_until(
        lambda: page.locator("#radar-a-summary textarea").input_value().startswith("Best Overall:"),
        what="chart (a) summary",
    )


@pytest.mark.parametrize("width, theme", [(1600, "light"), (1280, "dark"), (390, "light")])
def test_many_models_are_sorted_bars_with_the_random_row_and_a_size_scatter(
    sized, app_server, width, theme
):
    page = sized(width)
    models = chart_models(app_server.state)
    assert len(models) > charts.RADAR_MAX
    open_charts(page, app_server.url, theme)
    bars = page.locator("#bars-a .js-plotly-plot .barlayer .point")
    wait_until(lambda: bars.count() == len(models), what=f"{len(models)} bars")
    assert not page.locator("#radar-a").is_visible()
    # Top to bottom, best Overall first.
    labels = page.evaluate("""() => [...document.querySelectorAll('#bars-a .ytick text')]
        .map(t => [t.getBoundingClientRect().top, t.textContent])
        .sort((a, b) => a[0] - b[0]).map(x => x[1])""")
    want = sorted(models, key=lambda e: (-e.value("table3", "Overall"), e.name.casefold()))
    names = charts.display_names(want)
    assert labels == [charts.short_label(n) for n in names]
    assert "Random guess " in svg_text(page, "#bars-a .annotation-text")
    scatter = page.locator("#size-scatter .js-plotly-plot .scatterlayer .trace")
    wait_until(lambda: scatter.count() >= 2, what="scatter traces")
    legend = svg_text(page, "#size-scatter .legend")
    assert "reported · open" in legend and "verified · open" in legend
    note = page.locator("#size-note textarea").input_value()
    assert "Size unknown (not plotted): " in note and "GPT-5.2" in note
    page.screenshot(path=str(SCREENSHOTS / f"charts_bars_{width}_{theme}.png"), full_page=True)


@pytest.mark.parametrize("width, theme", [(1600, "dark"), (1280, "light")])
def test_a_few_models_are_a_radar_that_fills_its_panel_with_labels_apart(
    sized, app_server, width, theme
):
    page = sized(width)
    open_charts(page, app_server.url, theme)
    page.get_by_role("tab", name="Leaderboard").click()
    page.locator("#board .qbp-search").fill("(simulated)")
    page.get_by_role("tab", name="Charts").click()
    shown = [e for e in chart_models(app_server.state) if "(simulated)" in e.name]
    assert 3 <= len(shown) <= charts.RADAR_MAX
    wait_until(
        lambda: (
            f"over {len(shown)} models" in page.locator("#radar-a-summary textarea").input_value()
        ),
        what="the search's models",
    )
    ticks = page.locator("#radar-a .angularaxistick text")
    wait_until(lambda: ticks.count() == len(shown), what="radar labels")
    count, overlapping = page.evaluate(OVERLAPS_JS, "#radar-a")
    assert count == len(shown) and overlapping == 0
    panel = page.locator("#radar-a").bounding_box()
    polar = page.locator("#radar-a .polarlayer").bounding_box()
    assert polar["width"] > 0.45 * panel["width"]  # not a small circle in a wide box
    assert not page.locator("#bars-a").is_visible()  # bars only on a phone
    page.screenshot(path=str(SCREENSHOTS / f"charts_radar_{width}_{theme}.png"), full_page=True)


@pytest.mark.parametrize("width, theme", [(1600, "light"), (1280, "dark"), (390, "dark")])
def test_a_model_page_by_url_shows_its_rows_radar_failures_and_versions(
    sized, app_server, width, theme
):
    state = app_server.state
    name = state.verified_models()[0]
    row = next(e for e in state.entries() if e.name == name and e.kind == "verified")
    page = sized(width)
    page.goto(f"{app_server.url}{model_link(name)}&__theme={theme}")
    wait_until(
        lambda: (
            page.locator("#model-header h2").count() and page.inner_text("#model-header h2") == name
        ),
        what="the model's page",
    )
    assert page.get_by_role("tab", name="Model").get_attribute("aria-selected") == "true"
    rows = page.inner_text("#model-rows")
    for title in ("Table 3", "Table 4", "Table 5", "Table 6"):
        assert title in rows
    assert f"{row.value('table3', 'Overall'):.2f}" in rows and "median of" in rows
    traces = page.locator("#model-radar .js-plotly-plot .scatterlayer .trace")
    wait_until(lambda: traces.count() == 3, what="radar: model, best, median")
    assert f"{name} (verified)" in svg_text(page, "#model-radar .legend")
    count, overlapping = page.evaluate(OVERLAPS_JS, "#model-radar")
    assert count == 12 and overlapping == 0
    versions = page.inner_text("#model-versions")
    assert row.submission_id in versions and "◀ shown" in versions
    assert "File sha256" in page.inner_text("#model-provenance")
    wait_until(lambda: page.url.find("model=") > 0, what="the page's link in the address bar")
    page.screenshot(path=str(SCREENSHOTS / f"model_page_{width}_{theme}.png"), full_page=True)

    # A failure row opens that category's failed items in the drill-down, the first shown.
    sub = state.store.get(row.submission_id)
    fails = model_page.failures(state.bench, sub.items(), name)
    first = next(r for r in fails if r.wrong)
    cells = page.locator("#model-failures .virtual-row [data-col='1']")
    wait_until(lambda: cells.count() > 3, what="failure rows")
    cells.nth(fails.index(first)).click()
    detail = page.locator("#dd-detail")
    wait_until(lambda: f"Item {first.examples[0]}" in detail.inner_text(), what="drill-down")
    assert f"(1 of {first.wrong})" in detail.inner_text()
    wait_until(
        lambda: f"{first.wrong} of {len(state.bench)} items match" in page.inner_text("#dd-count"),
        what="the category's failed items listed",
    )


def test_a_paper_model_page_says_it_has_no_per_item_data(page, app_server):
    page.goto(f"{app_server.url}{model_link('qwen3-vl (32b)')}")
    wait_until(
        lambda: (
            page.locator("#model-header h2").count()
            and page.inner_text("#model-header h2") == "Qwen3-VL (32B)"
        ),
        what="page",
    )
    assert model_page.PAPER_NOTE in page.inner_text("#model-header")
    assert "64.00" in page.inner_text("#model-rows")
    assert model_page.PAPER_NOTE in page.locator("#model-failures-note textarea").input_value()
    wait_until(lambda: page.locator("#model-radar .scatterlayer .trace").count() == 3, what="radar")


def test_the_model_page_opens_its_stored_row_in_row_details(page, app_server):
    state = app_server.state
    name = state.verified_models()[1]
    row = next(e for e in state.entries() if e.name == name and e.kind == "verified")
    page.goto(f"{app_server.url}{model_link(name)}")
    wait_until(
        lambda: (
            page.locator("#model-header h2").count() and page.inner_text("#model-header h2") == name
        ),
        what="the model's page",
    )
    page.locator("#model-details").click()
    wait_until(lambda: row.submission_id in page.inner_text("#rd-status"), what="row details")
    assert page.get_by_role("tab", name="Row details").get_attribute("aria-selected") == "true"


def test_a_share_link_opens_its_item_counted_within_the_filtered_list(page, app_server):
    state = app_server.state
    models = state.verified_models()[:2]
    filters = ItemFilters(dimension="Tech", outcome="any_wrong")
    ids = drilldown.item_list(state.bench, state.model_frames(models), filters)["ID"].tolist()
    assert 10 < len(ids) < len(state.bench)
    open_app(page, app_server.url, item_link(ids[4], models, filters)[1:])
    place = page.locator("#dd-detail .qbp-place")
    wait_until(lambda: place.count() and place.inner_text() == f"5 of {len(ids)}", what="(5 of N)")
    wait_until(
        lambda: f"{len(ids)} of {len(state.bench)} items match" in page.inner_text("#dd-count"),
        what="the filtered list",
    )
    page.locator("#dd-next").click()
    wait_until(lambda: place.inner_text() == f"6 of {len(ids)}", what="(6 of N)")
    assert f"Item {ids[5]}" in page.inner_text("#dd-detail")
    page.screenshot(path=str(SCREENSHOTS / "share_link_k_of_n.png"), full_page=True)
