"""Judge failures judged again while the app runs: at start-up, then on a schedule.

A judge outage leaves stored submissions with `judge_failed` answers (their cells show "-").
`RejudgeLoop` runs `SubmissionPipeline.rejudge_failed` in one background thread: once right
after start-up, then every `interval` seconds, so the rows fill in when the judge answers
again; each round stops at the first submission whose probe still fails. After a round that
changed something, `on_change` (the app state's `invalidate`) lets the board follow. `stop`
ends the thread cleanly (a round in progress finishes its current call first).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from leaderboard.submission import SubmissionPipeline

log = logging.getLogger("qbp.rejudge")


class RejudgeLoop:
    """One daemon thread re-judging judge failures; `interval` seconds between rounds
    (0: only the start-up round)."""

    def __init__(
        self,
        pipeline: SubmissionPipeline,
        interval: float,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.interval = float(interval)
        self.on_change = on_change
        self.rounds = 0  # finished rounds (tests and the log follow them)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> RejudgeLoop:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="qbp-rejudge", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to end and wait for it (at most `timeout` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run_once(self) -> list[str]:
        """One round: the ids re-judged (their rows updated)."""
        try:
            done = self.pipeline.rejudge_failed()
        except Exception:  # noqa: BLE001 - a round must never end the loop
            log.exception("re-judging failed")
            done = []
        if done:
            log.info("re-judged judge failures of %s", ", ".join(done))
            if self.on_change is not None:
                self.on_change()
        self.rounds += 1
        return done

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            if self.interval <= 0 or self._stop.wait(self.interval):
                return
