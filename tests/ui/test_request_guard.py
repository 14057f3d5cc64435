"""The HTTP-level bounds in front of Gradio (`ui.request_guard`): uploads counted per client
and overall per hour and refused with 429 and Retry-After before a byte is read, an upload
without a declared size refused, and every other request body capped."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from leaderboard.settings import Limits, ServerLimits
from ui.request_guard import RequestGuard

MB = 1024 * 1024


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_client(server: ServerLimits, clock: Clock, **kw) -> tuple[TestClient, list[int]]:
    seen: list[int] = []

    async def echo(request: Request) -> PlainTextResponse:
        body = await request.body()
        seen.append(len(body))
        return PlainTextResponse("ok")

    inner = Starlette(
        routes=[
            Route("/gradio_api/upload", echo, methods=["POST"]),
            Route("/gradio_api/queue/join", echo, methods=["POST"]),
        ]
    )
    app = RequestGuard(inner, server, Limits(max_file_bytes=2 * MB), clock=clock, **kw)
    return TestClient(app), seen


def upload(client: TestClient, size: int, ip: str | None = None):
    headers = {"x-forwarded-for": ip} if ip else {}
    return client.post(
        "/gradio_api/upload", files={"files": ("p.jsonl", b"x" * size)}, headers=headers
    )


def test_uploads_per_client_per_hour_then_429_saying_when(tmp_path):
    clock = Clock()
    client, seen = make_client(ServerLimits(uploads_per_hour=3, upload_mb_per_hour=100), clock)
    assert [upload(client, 1000).status_code for _ in range(3)] == [200, 200, 200]
    refused = upload(client, 1000)
    assert refused.status_code == 429 and len(seen) == 3  # never reached the app
    assert "at most 3 uploads per hour from one client" in refused.text
    assert refused.headers["retry-after"] == "1200"
    clock.now += 1200  # one upload back after 20 minutes
    assert upload(client, 1000).status_code == 200


def test_megabytes_per_client_and_for_everyone(tmp_path):
    clock = Clock()
    server = ServerLimits(uploads_per_hour=100, upload_mb_per_hour=3, upload_mb_per_hour_all=5)
    client, _ = make_client(server, clock, trust_forwarded=True)
    assert upload(client, int(1.5 * MB), "1.1.1.1").status_code == 200
    assert upload(client, int(1.4 * MB), "1.1.1.1").status_code == 200
    refused = upload(client, int(1.4 * MB), "1.1.1.1")
    assert refused.status_code == 429 and "MB of uploads per hour" in refused.text
    assert upload(client, int(1.5 * MB), "2.2.2.2").status_code == 200
    everyone = upload(client, int(1.5 * MB), "3.3.3.3")  # 5.8 MB in all
    assert everyone.status_code == 429 and "all visitors together" in everyone.text


def test_an_upload_over_the_file_limit_or_without_a_size_is_refused_unread(tmp_path):
    client, seen = make_client(ServerLimits(), Clock())
    too_big = upload(client, 3 * MB)
    assert too_big.status_code == 413 and "over the 2 MB upload limit" in too_big.text
    chunked = client.post(
        "/gradio_api/upload",
        content=iter([b"--x\r\n", b"data"]),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert chunked.status_code == 411 and seen == []


@pytest.mark.parametrize("declared", [True, False])
def test_other_request_bodies_are_capped(declared):
    client, seen = make_client(ServerLimits(max_request_bytes=1000), Clock())
    assert client.post("/gradio_api/queue/join", content=b"{}" * 400).status_code == 200
    body = b"x" * 5000
    if declared:
        big = client.post("/gradio_api/queue/join", content=body)
        assert big.status_code == 413 and "over the 1000 byte limit" in big.text
    else:  # no Content-Length: the body is counted as it arrives and the request ended
        with pytest.raises(Exception):  # noqa: B017 - the app sees a disconnect
            client.post(
                "/gradio_api/queue/join",
                content=iter([body[i : i + 500] for i in range(0, 5000, 500)]),
            )
    assert seen == [800]


def test_the_upload_cache_age_becomes_gradios_delete_cache():
    assert ServerLimits(upload_cache_minutes=60).delete_cache == (360, 3600)
    assert ServerLimits(upload_cache_minutes=5).delete_cache == (60, 300)
    assert ServerLimits(upload_cache_minutes=600).delete_cache == (600, 36000)
