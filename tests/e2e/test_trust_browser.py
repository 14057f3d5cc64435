"""The trust views as a user sees them (issue 12), in headless Debian chromium: a row's
provenance opened by its `?row=` link, then a change record's flipped item opened in the
Drill-down. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DEMO, SCREENSHOTS
from tests.e2e.test_app_browser import column, wait_until
from tests.support.trustkit import ShiftedJudge

pytestmark = pytest.mark.browser

MODEL = "Trust Browser (8B)"


@pytest.fixture(scope="module")
def rejudged(app_server, client, tmp_path_factory):
    """An own run stored through /submit, then re-judged by another judge (as the admin's
    /rejudge_with does): one change record with flipped open-ended items."""
    from gradio_client import handle_file

    rows = [
        json.loads(x) for x in (DEMO / "predictions" / "bilingualvl.jsonl").read_text().splitlines()
    ]
    for n, row in enumerate(rows):
        if n % 13 == 0:
            row["prediction"] = "The answer is (B)."
    path = tmp_path_factory.mktemp("trust") / "trust_browser.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = client.predict(file=handle_file(str(path)), model=MODEL, api_name="/submit")
    assert not out["under_review"], out["message"]
    state = app_server.state
    assert state.pipeline.rejudge_with(state.store.get(out["submission_id"]), ShiftedJudge())
    state.invalidate()
    return state.store.get(out["submission_id"])


def test_a_rows_provenance_then_a_changed_item_in_the_drill_down(page, app_server, rejudged):
    sub = rejudged
    page.goto(f"{app_server.url}?row={sub.id}&__theme=light")
    panel = page.locator("#rd-provenance")
    wait_until(lambda: sub.meta.file_sha256 in panel.inner_text(), what="the row's provenance")
    assert page.get_by_role("tab", name="Row details").get_attribute("aria-selected") == "true"
    text = panel.inner_text()
    for field in (
        "File sha256",
        "Format recognised",
        "Benchmark",
        "Scorer version",
        "Extractor version",
        "Open-ended judge",
        "Harness",
    ):
        assert field in text, field
    assert "shifted · approx+1" in text  # the judge now on the board
    assert MODEL in page.inner_text("#rd-status")
    wait_until(
        lambda: "Parse report of the stored file" in page.inner_text("#rd-parse"),
        what="parse report",
    )
    page.screenshot(path=str(SCREENSHOTS / "row_details.png"), full_page=True)

    # The Drill-down listed once (its first two models), so a view opened later must
    # bring its own list.
    page.get_by_role("tab", name="Drill-down").click()
    wait_until(lambda: "items match" in page.inner_text("#dd-count"), what="a first list")
    page.get_by_role("tab", name="Changes").click()
    models = wait_until(lambda: column(page, 1, "#ch-list"), what="change records")
    at = models.index(MODEL)
    page.locator("#ch-list .virtual-row [data-col='0']").nth(at).click()
    record = app_server.state.trust.change(sub.result["rescored"]["change"])
    flips = wait_until(lambda: column(page, 0, "#ch-flips"), what="flipped items")
    assert flips[0] == record["flips"][0]["id"]
    wait_until(
        lambda: "re-judged with shifted" in page.inner_text("#ch-summary"),
        what="the record's sentence",
    )
    page.screenshot(path=str(SCREENSHOTS / "changes_record.png"), full_page=True)
    page.locator("#ch-flips .virtual-row [data-col='0']").first.click()
    detail = page.locator("#dd-detail")
    wait_until(
        lambda: f"Item {flips[0]}" in detail.inner_text() and MODEL in detail.inner_text(),
        what="the flipped item in the drill-down",
    )
    assert page.get_by_role("tab", name="Drill-down").get_attribute("aria-selected") == "true"
    # The whole view comes with it: the list of that model's items, the item placed in it.
    n = len(app_server.state.bench)
    wait_until(
        lambda: (
            page.inner_text("#dd-count").startswith(f"{n} of {n} items match")
            and page.inner_text("#dd-count").strip().endswith(f"models: {MODEL}")
        ),
        what="the model's list",
    )
    place = app_server.state.bench.index_of[flips[0]] + 1
    assert f"Item {flips[0]} ({place} of {n})" in detail.inner_text()
    judge_raw = sub.items().set_index("id").loc[flips[0], "judge_raw"]
    assert str(judge_raw)[:20] in detail.inner_text()  # the new judging is shown
    page.screenshot(path=str(SCREENSHOTS / "changes_flip_drilldown.png"), full_page=True)
