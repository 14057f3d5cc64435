"""The app's background re-judging: a judge outage fills in by itself once the judge is back,
and the thread stops cleanly."""

from __future__ import annotations

import threading

import pytest

from leaderboard.submission import judge_failures
from tests.support.outage import outage_world, stored_during_outage
from ui.rejudging import RejudgeLoop


@pytest.fixture
def world(tmp_path):
    with outage_world(tmp_path) as parts:
        yield parts


def test_the_background_loop_rejudges_when_the_judge_is_back_and_stops_cleanly(world):
    pipeline, switch, stub = world
    sub = stored_during_outage(pipeline)
    changed = threading.Event()
    loop = RejudgeLoop(pipeline, interval=0.05, on_change=changed.set).start()
    try:
        switch.up = True
        assert changed.wait(30), "the loop did not re-judge"
        assert judge_failures(pipeline.store.get(sub.id)) == 0
    finally:
        loop.stop(timeout=30)
    assert not loop.running and loop.rounds >= 1
