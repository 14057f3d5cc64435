"""A judge outage is not stored for good: the answers it could not score are judged again from
the stored items (no re-upload), on request, on a repeated upload and in the background, and
only those are sent; while the judge is still down one probe call is all it costs."""

from __future__ import annotations

import json

import pytest

from leaderboard.errors import InputError
from leaderboard.judges import ApproxJudge
from leaderboard.submission import SubmissionPipeline, judge_failures
from tests.support.outage import ANSWERS, FILE, N_OE, outage_world, stored_during_outage
from tests.support.storekit import NO_RATE_LIMIT, upload


@pytest.fixture
def world(tmp_path):
    with outage_world(tmp_path) as parts:
        yield parts


def test_failures_are_rejudged_from_the_stored_items_and_the_old_result_kept(world):
    pipeline, switch, stub = world
    sub = stored_during_outage(pipeline)
    switch.up = True
    calls = len(stub.calls)
    updated = pipeline.rejudge(sub)
    assert updated is not None and updated.id == sub.id
    assert judge_failures(updated) == 0 and updated.result["status_counts"]["judged"] == N_OE
    assert updated.result["tables"]["table3"]["Overall"] is not None
    assert len(stub.calls) - calls == N_OE  # only the failed answers, once each
    assert updated.result["rescored"]["reason"].startswith("re-judged 5 of 5 judge failure(s)")
    assert updated.result["rescored"]["change"]  # a change record says what moved
    kept = json.loads((sub.path / updated.result["rescored"]["previous"]).read_text())
    assert kept["status_counts"]["judge_failed"] == N_OE
    assert updated.result["parse_report"] == sub.result["parse_report"]
    assert updated.upload_path.read_bytes() == FILE  # the upload is never touched
    assert pipeline.rejudge(updated) is None  # nothing left to re-judge


def test_while_the_judge_is_down_one_probe_call_and_nothing_written(world):
    pipeline, switch, stub = world
    sub = stored_during_outage(pipeline)
    before = (sub.path / "result.json").read_bytes()
    calls = len(stub.calls)
    assert pipeline.rejudge(sub) is None
    assert len(stub.calls) - calls == 1
    assert (sub.path / "result.json").read_bytes() == before
    assert not (sub.path / "history").exists()


def test_the_same_file_again_rejudges_instead_of_already_stored(world):
    pipeline, switch, stub = world
    sub = stored_during_outage(pipeline)
    switch.up = True
    again = pipeline.submit(FILE, "p.jsonl", {"model": "Outage-VL"})
    assert again.duplicate and again.id == sub.id
    assert judge_failures(again) == 0
    assert len(pipeline.store.versions("Outage-VL")) == 1


def test_a_round_stops_at_the_first_probe_that_fails(world):
    pipeline, switch, stub = world
    first = stored_during_outage(pipeline)
    second = pipeline.submit(
        upload({k: v + " Again." for k, v in ANSWERS.items()}), "q.jsonl", {"model": "Outage-VL 2"}
    )
    assert judge_failures(second) == N_OE
    calls = len(stub.calls)
    assert pipeline.rejudge_failed() == [] and len(stub.calls) - calls == 1
    switch.up = True
    assert pipeline.rejudge_failed() == [first.id, second.id]
    assert [judge_failures(s) for s in pipeline.store.scan()] == [0, 0]


def test_another_judge_does_not_rejudge_part_of_a_row(world, tmp_path):
    pipeline, switch, stub = world
    sub = stored_during_outage(pipeline)
    other = SubmissionPipeline(
        pipeline.benchmark, pipeline.store, judge=ApproxJudge(), limits=NO_RATE_LIMIT
    )
    with pytest.raises(
        InputError, match="judged by openai · stub-judge and the judge now is approx"
    ):
        other.rejudge(sub)
    no_judge = SubmissionPipeline(pipeline.benchmark, pipeline.store, limits=NO_RATE_LIMIT)
    with pytest.raises(InputError, match="no judge is configured"):
        no_judge.rejudge(sub)
