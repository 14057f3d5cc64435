"""`python app.py` in a subprocess with its own environment, for the API tests that need
settings the session app (tests/conftest.py) does not have: the OpenAI judge against a
loopback stub, other upload and rate limits, or a process that can be killed mid-submission.

The child gets a clean environment: no Hub sync, no judge endpoint, no limits, other than
what the test passes; the demo is not seeded unless asked for.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import REPO, _free_port

#: Settings the parent may have that must not leak into a launched app.
SCRUBBED = ("QBP_", "OPENAI_", "HF_TOKEN", "HF_ENDPOINT", "SPACE_ID", "GRADIO_")
STARTUP_TIMEOUT = 90.0  # seconds for the app to answer; start-up is a few seconds


#: A stored submission's folder name (leaderboard.store._ID_RE): records such as changes/
#: and label_flags/ live beside them.
_SUB_ID = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")


@dataclass
class AppProcess:
    url: str
    proc: subprocess.Popen
    submissions: Path
    log: Path

    def stored(self) -> list[str]:
        """Stored submission folders (lock file and temp folders left out)."""
        if not self.submissions.is_dir():
            return []
        return sorted(p.name for p in self.submissions.iterdir() if _SUB_ID.match(p.name))

    def client(self):
        from gradio_client import Client

        return Client(self.url, verbose=False, download_files=False, analytics_enabled=False)

    def crash(self) -> None:
        """SIGKILL: the process gets no chance to clean up, as in a power cut or OOM kill."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _wait_until_serving(app: AppProcess) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if app.proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {app.proc.returncode}:\n{app.output()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(app.url + "config", timeout=2.0).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"app.py did not serve within {STARTUP_TIMEOUT:g} s:\n{app.output()}")


@contextlib.contextmanager
def launched_app(
    workdir: Path, env: dict[str, str] | None = None, submissions: Path | None = None
) -> Iterator[AppProcess]:
    """Run app.py on a free 127.0.0.1 port until the block ends (then stop it)."""
    workdir.mkdir(parents=True, exist_ok=True)
    submissions = submissions or workdir / "submissions"
    port = _free_port()
    child = {k: v for k, v in os.environ.items() if not k.startswith(SCRUBBED)}
    child.update(
        {
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(port),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "QBP_SUBMISSIONS_DIR": str(submissions),
            "QBP_SEED_DEMO": "0",
            "QBP_JUDGE_CACHE": str(workdir / "judge.sqlite"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    child.update(env or {})
    log = workdir / f"app-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "app.py")],
            cwd=workdir,
            env=child,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    app = AppProcess(f"http://127.0.0.1:{port}/", proc, submissions, log)
    try:
        _wait_until_serving(app)
        yield app
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(15)
