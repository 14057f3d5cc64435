"""The upload size limit as a user meets it, in headless Debian chromium (Playwright)."""

from __future__ import annotations

import pytest

from leaderboard.settings import mb
from tests.conftest import SCREENSHOTS
from tests.e2e.test_app_browser import open_app, wait_until

pytestmark = pytest.mark.browser


def test_a_file_over_the_upload_limit_is_refused_with_the_limit_named(page, app_server, tmp_path):
    limit = app_server.state.limits.max_file_bytes
    big = tmp_path / "too_big.jsonl"
    with open(big, "wb") as fh:  # sparse: no disk cost
        fh.truncate(limit + 1024)
    before = app_server.stored()
    open_app(page, app_server.url)
    page.get_by_role("tab", name="Submit").click()
    assert f"max {mb(limit)} MB" in page.locator("#sub-file").inner_text()
    page.locator("#sub-file input[type=file]").set_input_files(str(big))
    toast = wait_until(
        lambda: " ".join(page.locator(".toast-body").all_inner_texts()), what="the size error"
    )
    assert f"exceed the maximum allowed size of {limit / 2**20:.1f} Mb" in toast
    assert "too_big.jsonl" in toast
    page.screenshot(path=str(SCREENSHOTS / "upload_too_big.png"))
    assert app_server.stored() == before
