"""Bounds at the HTTP layer, before Gradio reads a byte: upload quota and request size.

Gradio writes every upload to its upload folder before any handler runs, and answers every
queue or API call by reading its whole JSON body. So an ASGI middleware in front of it:

- on the upload route: the declared size (Content-Length; a body without one is refused,
  411) must fit one file of the upload limit; each client may upload `uploads_per_hour`
  times and `upload_mb_per_hour` megabytes an hour, and all clients together
  `upload_mb_per_hour_all` (token buckets, `leaderboard.limits.RateLimiter`); over either,
  429 with Retry-After and a sentence saying when to come back;
- on every other request with a body: at most `max_request_bytes` (413), counted as it
  arrives when no length is declared.

Gradio's `delete_cache` then removes uploads older than `upload_cache_minutes`, so the disk
the upload folder can take stays bounded. Plain ASGI (no Gradio, no Starlette needed).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from leaderboard.limits import RateLimiter, RateLimitError, client_key
from leaderboard.settings import Limits, ServerLimits, mb

log = logging.getLogger("qbp.requests")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_ROUTE = "/gradio_api/upload"
MULTIPART_SLACK = 64 * 1024  # multipart headers and boundaries around one file
MB = 1024 * 1024
ALL_CLIENTS = "all"


class RequestGuard:
    """ASGI middleware: the upload quota per client and overall, and a cap on every other
    request body. `clock` is for tests."""

    def __init__(
        self,
        app: ASGIApp,
        server: ServerLimits,
        limits: Limits,
        trust_forwarded: bool = False,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.app = app
        self.server = server
        self.max_upload_request = limits.max_file_bytes + MULTIPART_SLACK
        self.trust_forwarded = trust_forwarded
        extra = {"clock": clock} if clock else {}
        self.uploads = RateLimiter(server.uploads_per_hour, "uploads", **extra)
        self.upload_mb = RateLimiter(server.upload_mb_per_hour, "MB of uploads", **extra)
        self.all_mb = RateLimiter(
            server.upload_mb_per_hour_all, "MB of uploads from all visitors together", **extra
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []
        }
        length = _length(headers.get("content-length"))
        if str(scope.get("path", "")).rstrip("/").endswith(UPLOAD_ROUTE):
            refusal = self._upload_refusal(scope, headers, length)
            if refusal is not None:
                await _answer(send, *refusal)
                return
            await self.app(scope, receive, send)
            return
        cap = self.server.max_request_bytes
        if length is not None and length > cap:
            await _answer(
                send,
                413,
                f"request body of {length} bytes, over the {cap} byte limit of one request",
            )
            return
        await self.app(scope, _capped(receive, cap), send)

    def _upload_refusal(
        self, scope: Scope, headers: dict[str, str], length: int | None
    ) -> tuple[int, str, float | None] | None:
        """(status, message, retry after) when this upload may not start, else None (and
        the upload is charged to its client)."""
        if length is None:
            return 411, "an upload must declare its size (Content-Length)", None
        if length > self.max_upload_request:
            return (
                413,
                f"upload of {mb(length)} MB, over the "
                f"{mb(self.max_upload_request - MULTIPART_SLACK)} MB upload limit",
                None,
            )
        client = scope.get("client")
        key = client_key(
            client[0] if client else None, headers, trust_forwarded=self.trust_forwarded
        )
        size = length / MB
        taken: list[tuple[RateLimiter, str, float]] = []
        try:
            for limiter, who, amount in (
                (self.uploads, key, 1.0),
                (self.upload_mb, key, size),
                (self.all_mb, ALL_CLIENTS, size),
            ):
                limiter.take(who, amount)
                taken.append((limiter, who, amount))
        except RateLimitError as exc:
            for limiter, who, amount in taken:  # nothing is read: nothing is charged
                limiter.refund(who, amount)
            log.warning("upload refused for %s: %s", key, exc)
            return 429, f"upload refused: {exc}", exc.retry_after
        return None


def _length(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _capped(receive: Receive, cap: int) -> Receive:
    """`receive` that ends the request (as a disconnect) once its body passes `cap` bytes:
    a body sent without a declared length is bounded too."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body") or b"")
            if seen > cap:
                log.warning("request body over %d bytes: connection ended", cap)
                return {"type": "http.disconnect"}
        return message

    return wrapped


async def _answer(send: Send, status: int, text: str, retry_after: float | None = None) -> None:
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, math.ceil(retry_after))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
