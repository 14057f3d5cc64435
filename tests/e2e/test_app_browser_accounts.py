"""Accounts and moderation as a visitor and the admin see them (issue 10), in headless Debian
chromium: the Submit tab says who submits, a hidden submission is not listed to a visitor, the
admin's list needs the token, and withdrawing one's model takes its row off the board."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO, SCREENSHOTS
from tests.e2e.test_app_browser import open_app, wait_until
from tests.support.applaunch import launched_app

pytestmark = [pytest.mark.browser, pytest.mark.app]

SECRET = "s3cret-admin-token-0123456789"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    env = {"QBP_ADMIN_TOKEN": SECRET, "QBP_SEED_DEMO": "1"}
    with launched_app(tmp_path_factory.mktemp("accounts-ui"), env=env) as proc:
        yield proc


def test_hidden_rows_are_listed_only_after_the_admin_token_and_owners_withdraw(
    page, app, chromium_path
):
    from gradio_client import Client, handle_file

    api = Client(app.url, verbose=False, download_files=False, analytics_enabled=False)
    out = api.predict(
        file=handle_file(str(DEMO / "predictions" / "tersenet.jsonl")),
        model="Mine-VL",
        api_name="/submit",
    )
    assert out["row"]["owner"] == "local", out["message"]
    spam = api.predict(
        file=handle_file(str(DEMO / "predictions" / "chattyvlm.jsonl")),
        model="Spam-VL",
        api_name="/submit",
    )
    api.predict(
        submission_id=spam["submission_id"],
        hidden=True,
        token=SECRET,
        reason="spam",
        api_name="/moderate",
    )

    open_app(page, app.url)
    page.get_by_role("tab", name="Submit").click()
    assert "you submit as the local user “local”" in page.locator("#sub-who").inner_text()
    page.get_by_text("Moderation (admin)").click()
    page.locator("#mod-list").click()
    wait_until(
        lambda: "wrong admin token" in page.locator("#mod-out").inner_text(), what="the refusal"
    )
    page.locator("#mod-pick input").click()
    assert "Spam-VL" not in page.locator("body").inner_text()  # no option lists it
    page.keyboard.press("Escape")
    page.screenshot(path=str(SCREENSHOTS / "moderation_without_token.png"))

    page.locator("#mod-token input").fill(SECRET)
    page.locator("#mod-list").click()
    wait_until(lambda: page.locator("#mod-out").inner_text().strip() == "", what="the list")
    page.locator("#mod-pick input").click()
    wait_until(
        lambda: page.get_by_role("option").filter(has_text="Spam-VL").count() == 1,
        what="the hidden row in the admin's list",
    )
    assert "hidden" in page.get_by_role("option").filter(has_text="Spam-VL").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "moderation_with_token.png"))
    page.keyboard.press("Escape")

    page.get_by_text("Withdraw your model").click()
    page.locator("#wd-model").get_by_role("textbox").fill("mine-vl")
    page.locator("#wd-btn").click()
    wait_until(
        lambda: "Withdrawn: Mine-VL" in page.locator("#wd-out").inner_text(), what="the withdrawal"
    )
    page.screenshot(path=str(SCREENSHOTS / "withdrawn.png"))
    assert api.predict(table="table3", search="Mine-VL", api_name="/leaderboard") == []
    assert out["submission_id"] in app.stored()  # withdrawn, not deleted
