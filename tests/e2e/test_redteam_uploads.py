"""Red team, bounded work: through the launched app, as an attacker sends them (the upload
route, the queue by fn_index, /submit), hostile uploads are refused with a message and
within a memory bound measured on the server process; the preview is rate-limited like a
submit; and uploads cannot fill the disk."""

from __future__ import annotations

import httpx
import pytest

from tests.support import hostile
from tests.support.apierrors import refusal
from tests.support.applaunch import launched_app
from tests.support.rawqueue import (
    config,
    file_data,
    fn_index,
    folder_bytes,
    peak_rss_bytes,
    queue_call,
    rss_bytes,
    upload,
)

pytestmark = pytest.mark.app

MB = 1024 * 1024
RSS_BOUND = 200 * MB


def preview(url: str, index: int, name: str, data: bytes) -> str:
    """Upload a file and run the Submit tab's preview on it by fn_index: its HTML."""
    sent = upload(url, name, data)
    assert sent.status_code == 200, sent.text
    out = queue_call(url, index, [file_data(sent.json()[0], name)])
    assert out["success"], out
    return out["output"]["data"][0]


def submit(app, name: str, data: bytes, tmp_path, model: str = "Hostile-VL") -> dict:
    from gradio_client import handle_file

    path = tmp_path / name
    path.write_bytes(data)
    return app.client().predict(file=handle_file(str(path)), model=model, api_name="/submit")


def refused_submit(app, name: str, data: bytes, tmp_path, model: str = "Hostile-VL") -> str:
    """The AppError message of a refused /submit of `data` as `name`."""
    from gradio_client import handle_file

    path = tmp_path / name
    path.write_bytes(data)
    return refusal(app.client(), file=handle_file(str(path)), model=model, api_name="/submit")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("redteam-uploads")
    env = {
        "QBP_JUDGE": "none",
        "QBP_SUBMITS_PER_HOUR": "1000",
        "QBP_ATTEMPTS_PER_HOUR": "1000",
        "QBP_UPLOADS_PER_HOUR": "1000",
        "QBP_UPLOAD_MB_PER_HOUR": "1000",
    }
    with launched_app(root / "cwd", env) as launched:
        yield launched


def test_bombs_and_the_wide_csv_are_refused_within_a_memory_bound(app, tmp_path):
    pid, url = app.proc.pid, app.url
    index = fn_index(config(url), "preview")
    ids = hostile.demo_ids()
    # Warm up (first parse, first scoring): what a normal upload costs is not the attack.
    normal = "\n".join(f'{{"id": "{i}", "prediction": "B"}}' for i in ids[:50]).encode()
    assert "Parse report" in preview(url, index, "warm.jsonl", normal)
    before = max(rss_bytes(pid), peak_rss_bytes(pid))
    cases = [
        ("bomb.parquet", hostile.parquet_bomb(ids), "dictionary-encoded values expanded"),
        ("wide.csv", hostile.wide_csv(), "100000 columns, more than the 256"),
        ("bomb.xlsx", hostile.xlsx_bomb(), "the workbook unpacks to 191 MB, over the 64 MB"),
    ]
    assert len(cases[0][1]) < 9 * 1024 and 700_000 < len(cases[1][1]) < 900_000
    for name, data, why in cases:
        shown = preview(url, index, name, data)
        assert "Not accepted" in shown and why in shown, (name, shown[:300])
        text = refused_submit(app, name, data, tmp_path)
        assert text.startswith("file: ") and why in text, (name, text[:300])
    grown = peak_rss_bytes(pid) - before
    assert grown < RSS_BOUND, f"the server's peak RSS grew {grown // MB} MB"
    assert app.stored() == []


def test_a_lone_surrogate_is_refused_with_a_message_naming_the_row(app, tmp_path):
    index = fn_index(config(app.url), "preview")
    where = "p.jsonl line 2 (id 'qbp-00002'): the prediction contains a lone surrogate"
    shown = preview(app.url, index, "p.jsonl", hostile.SURROGATE)
    assert where.replace("'", "&#x27;") in shown
    text = refused_submit(app, "p.jsonl", hostile.SURROGATE, tmp_path)
    assert text == f"file: {where}" or text.startswith(f"file: {where}"), text
    assert app.stored() == []


def test_the_preview_is_rate_limited_like_a_submit(tmp_path):
    env = {"QBP_JUDGE": "none", "QBP_ATTEMPTS_PER_HOUR": "4", "QBP_SUBMITS_PER_HOUR": "10"}
    with launched_app(tmp_path / "cwd", env) as app:
        index = fn_index(config(app.url), "preview")
        data = b'{"id": "qbp-00001", "prediction": "B"}\n'
        sent = upload(app.url, "p.jsonl", data).json()[0]
        shown = [
            queue_call(app.url, index, [file_data(sent, "p.jsonl")])["output"]["data"][0]
            for _ in range(5)
        ]
        assert all("Parse report" in s for s in shown[:4])
        assert "rate limit: try again in" in shown[4] and "4 upload attempts per hour" in shown[4]
        other = b'{"id": "qbp-00001", "prediction": "C"}\n'
        text = refused_submit(app, "q.jsonl", other, tmp_path)  # the same quota as a submit
        assert text.startswith("rate limit: ") and "upload attempts per hour" in text, text
        # The file whose previews were paid for may still be submitted (its attempt is paid).
        assert submit(app, "p.jsonl", data, tmp_path)["submission_id"]


def test_uploads_cannot_fill_the_disk(tmp_path):
    """40 uploads of 7 MB from one client against a budget of 30 MB an hour: the upload
    folder holds at most the budget; the rest is refused before it is read."""
    gradio_tmp = tmp_path / "gradio-uploads"
    env = {
        "QBP_JUDGE": "none",
        "QBP_UPLOAD_MB_PER_HOUR": "30",
        "QBP_UPLOADS_PER_HOUR": "100",
        "GRADIO_TEMP_DIR": str(gradio_tmp),
    }
    with launched_app(tmp_path / "cwd", env) as app:
        data = hostile.filler(7 * MB)
        codes = []
        for i in range(40):
            try:
                codes.append(upload(app.url, f"f{i}.jsonl", data).status_code)
            except httpx.HTTPError:  # the server answered 429 and closed mid-body
                codes.append(429)
        stored = folder_bytes(gradio_tmp)
        assert codes.count(200) == 4 and codes.count(429) == 36, codes
        assert stored <= 30 * MB, f"{stored / MB:.0f} MB in the upload folder"
        # The refusal says when to come back.
        refused = upload(app.url, "late.jsonl", data)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert "MB of uploads per hour from one client" in refused.text
        assert app.proc.poll() is None


def test_a_request_body_over_the_cap_is_refused_before_gradio_reads_it(app):
    """Every UI event is reachable by fn_index; a body of any size would be parsed whole."""
    index = fn_index(config(app.url), "preview")
    huge = httpx.post(
        app.url + "gradio_api/queue/join",
        timeout=60,
        json={
            "data": [{"path": "x" * 200_000}],
            "fn_index": index,
            "session_hash": "abcdefghijk",
        },
    )
    assert huge.status_code == 413 and "byte limit of one request" in huge.text
    assert app.proc.poll() is None
