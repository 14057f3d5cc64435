"""Share links in the launched app, through headless Debian chromium (Playwright).

A link written by the app carries the item, the chosen models (a name with a comma
included) and the list's filters; opened in a fresh page it shows that same view.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from analysis import drilldown
from analysis.drilldown import ItemFilters
from analysis.links import ItemQuery, item_link, parse_item_query
from leaderboard.taxonomy import LABELS
from tests.conftest import DEMO, SCREENSHOTS
from tests.e2e.test_app_browser import open_app, wait_until

pytestmark = pytest.mark.browser

COMMA_MODEL = "Foo, v2 (link test)"


@pytest.fixture(scope="module")
def comma_model(client, tmp_path_factory) -> str:
    """A verified model whose name holds a comma (stored once for the module)."""
    from gradio_client import handle_file

    lines = (DEMO / "predictions" / "bilingualvl.jsonl").read_text().splitlines()
    preds = tmp_path_factory.mktemp("links") / "comma.jsonl"
    preds.write_text("\n".join(lines[:-7]) + "\n")  # not byte-identical to the demo file
    out = client.predict(file=handle_file(str(preds)), model=COMMA_MODEL, api_name="/submit")
    assert out["submission_id"], out["message"]
    return COMMA_MODEL


def share_link(page) -> str:
    return page.locator("#dd-link textarea, #dd-link input").first.input_value()


def matching(state, models: list[str], filters: ItemFilters) -> list[str]:
    """The ids the drill-down lists for these models and filters, computed directly."""
    frame = drilldown.item_list(state.bench, state.model_frames(models), filters)
    return frame["ID"].tolist()


def shows_view(page, state, item_id: str, models: list[str], filters: ItemFilters) -> None:
    """The page shows the item with every model's answer, the filters set, and the list
    counted over those filters."""
    detail = page.locator("#dd-detail")
    wait_until(
        lambda: (
            f"Item {item_id}" in detail.inner_text()
            and all(m in detail.inner_text() for m in models)
        ),
        what="item with both models",
    )
    chosen = page.locator("#dd-models").inner_text()
    assert all(m in chosen for m in models), chosen
    n = len(matching(state, models, filters))
    wait_until(
        lambda: page.inner_text("#dd-count").startswith(f"{n} of {len(state.bench)} items match"),
        what=f"{n} matching items",
    )
    for name in drilldown.FILTER_FIELDS:
        value = getattr(filters, name)
        shown = page.locator(f"#dd-{name} input").first.input_value()
        assert shown == (LABELS.get(value, value) if value else "All"), (name, shown)
    label = drilldown.OUTCOMES[filters.outcome]
    assert page.locator("#dd-outcome label", has_text=label).locator("input").is_checked()
    assert page.get_by_role("tab", name="Drill-down").get_attribute("aria-selected") == "true"


def test_a_share_link_with_a_comma_model_and_filters_opens_that_view(
    page, browser, app_server, comma_model
):
    state = app_server.state
    other = next(m for m in state.verified_models() if m != comma_model)
    models = [comma_model, other]
    filters = ItemFilters(dimension="Tech", scope="global", outcome="any_wrong")
    ids = matching(state, models, filters)
    assert len(ids) > 2
    item_id = ids[1]

    open_app(page, app_server.url, item_link(item_id, models, filters)[1:])
    shows_view(page, state, item_id, models, filters)
    # The app writes the same view back, as an absolute link to this page.
    link = wait_until(
        lambda: (lambda v: v if v.startswith("http") else None)(share_link(page)),
        what="absolute share link",
    )
    assert link.startswith(app_server.url + "?")
    assert parse_item_query(dict(parse_qsl(urlsplit(link).query))) == ItemQuery(
        item_id, models, filters
    )
    page.screenshot(path=str(SCREENSHOTS / "share_link_opened.png"), full_page=True)

    # A filter changed in the page changes the link; that link opens the changed view.
    page.locator("#dd-outcome label", has_text=drilldown.OUTCOMES["all_wrong"]).click()
    changed = ItemFilters(dimension="Tech", scope="global", outcome="all_wrong")
    link = wait_until(
        lambda: (lambda v: v if "outcome=all_wrong" in v else None)(share_link(page)),
        what="link with the new filter",
    )
    assert parse_item_query(dict(parse_qsl(urlsplit(link).query))) == ItemQuery(
        item_id, models, changed
    )
    wait_until(lambda: "outcome=all_wrong" in page.url, what="address bar follows")

    fresh = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    try:
        fresh.set_default_timeout(60_000)  # see test_app_browser.PAGE_WAIT
        fresh.goto(link)
        fresh.wait_for_selector("#dd-detail .qbp-item")
        shows_view(fresh, state, item_id, models, changed)
        fresh.screenshot(path=str(SCREENSHOTS / "share_link_reopened.png"), full_page=True)
    finally:
        fresh.context.close()
