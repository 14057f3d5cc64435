"""A judge outage on a small benchmark: five open-ended items judged by the reference judge
against the loopback stub, which answers HTTP 503 until it is switched up."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from leaderboard.benchmark import load_local
from leaderboard.judges.reference import OpenAIJudge
from leaderboard.settings import JudgeLimits
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline, judge_failures
from tests.support.bundles import item, write_bundle
from tests.support.openai_stub import Reply, StubServer
from tests.support.storekit import NO_RATE_LIMIT, upload

N_OE = 5
ROWS = [item(i, "OE") for i in range(1, N_OE + 1)] + [item(N_OE + 1, "SC")]
ANSWERS = {f"q{i:03d}": f"Blur around the eyes, number {i}." for i in range(1, N_OE + 1)}
FILE = upload({**ANSWERS, f"q{N_OE + 1:03d}": "B"})


class Switch:
    """Stub behaviour: HTTP 503 while down, "Score: 2" once up."""

    def __init__(self) -> None:
        self.up = False

    def __call__(self, call) -> Reply:
        return Reply("Matches the reference.\nScore: 2") if self.up else Reply("down", 503)


@contextlib.contextmanager
def outage_world(tmp_path: Path) -> Iterator[tuple[SubmissionPipeline, Switch, StubServer]]:
    """(pipeline, stub switch, stub) with a judge that does not retry (quick failures)."""
    switch = Switch()
    with StubServer(switch) as stub:
        bench = load_local(write_bundle(tmp_path / "bundle", ROWS))
        store = SubmissionStore(tmp_path / "subs", bench)
        judge = OpenAIJudge(
            model="stub-judge",
            base_url=stub.base_url,
            api_key="k",
            cache_path=tmp_path / "judge.sqlite",
            concurrency=2,
            timeout=5.0,
            max_retries=0,
            backoff=0.001,
        )
        pipeline = SubmissionPipeline(
            bench,
            store,
            judge=judge,
            limits=NO_RATE_LIMIT,
            judge_limits=JudgeLimits(rejudge_interval_s=0),
        )
        yield pipeline, switch, stub
        judge.close()


def stored_during_outage(pipeline):
    sub = pipeline.submit(FILE, "p.jsonl", {"model": "Outage-VL"})
    assert judge_failures(sub) == N_OE and sub.result["tables"]["table3"]["Overall"] is None
    return sub
