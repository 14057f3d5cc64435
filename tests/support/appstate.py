"""The app's state over the tiny app bundle (`appdata.write_app_bundle`), and requests as
Gradio hands them to a handler: what the handler tests start from."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from starlette.requests import Request

from leaderboard.settings import AppSettings
from tests.support.appdata import write_app_bundle
from ui.state import AppState

#: The page the requests come from.
PAGE = "http://127.0.0.1:7860/"


def tiny_state(tmp: Path, judge: str = "approx") -> AppState:
    """A started AppState on the tiny bundle (written in `tmp`), its store in `tmp`."""
    bundle = write_app_bundle(tmp / "bundle")
    return AppState.start(
        AppSettings(benchmark=str(bundle), submissions_dir=str(tmp / "subs"), judge=judge)
    )


def gr_request(
    path: str = "/gradio_api/queue/join",
    query: str = "",
    referer: str | None = None,
    session: str | None = None,
) -> gr.Request:
    """A request to `path` (the query string without "?"), with the Referer and the Gradio
    session hash given, from the host of `PAGE`."""
    headers = [(b"host", b"127.0.0.1:7860")]
    if referer is not None:
        headers.append((b"referer", referer.encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": query.encode(),
        "root_path": "",
        "scheme": "http",
        "server": ("127.0.0.1", 7860),
        "headers": headers,
    }
    return gr.Request(request=Request(scope), session_hash=session)
