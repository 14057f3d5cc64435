"""Shared fixtures: the launched app for the API and browser tests, and counters of the
submission pipeline's stages.

The app is launched once per test session (per xdist worker) in-process on a free 127.0.0.1
port, on the demo bundle with a temporary submissions folder, seeded as on a first start.
Browser tests need Debian's chromium: without it they are skipped with the reason, except on
CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "demo"
SCREENSHOTS = REPO / "artifacts" / "screenshots"


#: A stored submission's folder name (leaderboard.store._ID_RE): records such as changes/
#: and label_flags/ live beside them.
_SUB_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")


@dataclass
class LaunchedApp:
    url: str
    state: object  # ui.state.AppState
    submissions: Path

    def stored(self) -> list[str]:
        return sorted(p.name for p in self.submissions.iterdir() if _SUB_ID.match(p.name))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> LaunchedApp:
    """The Space as `python app.py` runs it (approximate OE judge), seeded on first start."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import app as space
    from leaderboard.settings import AppSettings
    from ui.state import AppState

    subs = tmp_path_factory.mktemp("submissions")
    state = AppState.start(
        AppSettings(benchmark=str(DEMO), submissions_dir=str(subs), judge="approx")
    )
    demo = space.build(state)
    port = _free_port()
    demo.queue(default_concurrency_limit=4).launch(
        server_name="127.0.0.1",
        server_port=port,
        prevent_thread_lock=True,
        quiet=True,
        **space.launch_kwargs(state),
    )
    yield LaunchedApp(f"http://127.0.0.1:{port}/", state, subs)
    demo.close()


@pytest.fixture(scope="session")
def client(app_server):
    from gradio_client import Client

    return Client(app_server.url, verbose=False, download_files=False)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Debian chromium not found on PATH (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; browser tests must run on CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = context.new_page()
    pg.set_default_timeout(60_000)  # see test_app_browser.PAGE_WAIT
    yield pg
    context.close()


@pytest.fixture()
def counters(monkeypatch):
    """Calls of the parser, of the closed-ended scorer, and of the per-item extraction, as
    the submission pipeline makes them: (parse, score, extract) counters."""
    from leaderboard import scoring, submission
    from tests.support.counting import Counter

    parse = Counter(submission.read_predictions)
    score = Counter(submission.score_closed)
    extract = Counter(scoring._extract_cached)
    monkeypatch.setattr(submission, "read_predictions", parse)
    monkeypatch.setattr(submission, "score_closed", score)
    monkeypatch.setattr(scoring, "_extract_cached", extract)
    return parse, score, extract
