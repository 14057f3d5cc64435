"""The app's state over the demo bundle as `python app.py` starts it: seeded with the
simulated models, the approximate OE judge (for tests that read the board as shipped)."""

from __future__ import annotations

from pathlib import Path

from leaderboard.settings import AppSettings
from tests.conftest import DEMO
from ui.state import AppState


def demo_state(folder: Path) -> AppState:
    """A started AppState on the demo bundle, its store (seeded on start) in `folder`."""
    return AppState.start(
        AppSettings(benchmark=str(DEMO), submissions_dir=str(folder), judge="approx")
    )
