"""Red team, Markdown: a model named like a Markdown image is shown as text in the
drill-down's count line (the line that rendered it as an image), and no viewer's browser
fetches the URL it names (Playwright's request log)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

PIXEL = "http://127.0.0.1:9/pixel.png"
NAME = f"![x]({PIXEL})"


def test_a_markdown_image_in_a_model_name_is_text_and_never_fetched(
    page, app_server, client, tmp_path
):
    from gradio_client import handle_file

    preds = tmp_path / "pixel.jsonl"
    preds.write_text('{"id": "qbp-00001", "prediction": "C"}\n')
    out = client.predict(file=handle_file(str(preds)), model=NAME, api_name="/submit")
    assert out["submission_id"], out["message"]
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    other = next(m for m in app_server.state.verified_models() if m != NAME)
    page.goto(f"{app_server.url}?item=qbp-00001&models={quote(NAME)},{quote(other)}")
    page.wait_for_selector("#dd-detail .qbp-item")
    count = page.locator("#dd-count")
    page.wait_for_function(
        "() => (document.querySelector('#dd-count') || {}).innerText?.includes('items match')"
        f" && document.querySelector('#dd-count').innerText.includes({other!r})"
    )
    assert NAME in count.inner_text()  # the name as typed, as text
    assert count.locator("img").count() == 0 and count.locator("a").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "markdown_name_as_text.png"), full_page=True)
    assert page.locator("img[src*='127.0.0.1:9']").count() == 0
    assert not [u for u in fetched if "127.0.0.1:9/" in u], fetched
