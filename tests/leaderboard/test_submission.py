"""The one submission pipeline: previews are cached (bounded, keyed by bytes and name), the
staged API (prepare -> preview result -> finish) stores nothing until judged and gives the same
result as scoring in one call, racing uploads of one file store it once, and the quota only
counts what was stored. The app's side (parse once per upload) is in tests/ui/."""

from __future__ import annotations

import threading

import pytest

from leaderboard.errors import InputError
from leaderboard.judges import JudgeInfo, Judgement
from leaderboard.limits import RateLimitError
from leaderboard.scoring import score_predictions
from leaderboard.settings import Limits
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline
from tests.support.appdata import write_app_bundle
from tests.support.storekit import GOOD, listing, small_bench, upload, variant


def test_the_preview_cache_is_bounded_and_keyed_by_bytes_and_name(tmp_path, counters):
    parse, _, _ = counters
    bench = small_bench(tmp_path / "b")
    pipeline = SubmissionPipeline(bench, limits=Limits(), cache_size=2)
    pipeline.preview(variant(1), "p.jsonl")
    pipeline.preview(variant(1), "p.jsonl")
    assert parse.calls == 1
    pipeline.preview(variant(1), "renamed.jsonl")  # the name is in the report: parsed again
    pipeline.preview(variant(2), "p.jsonl")
    assert parse.calls == 3 and len(pipeline._previews) == 2
    pipeline.preview(variant(1), "p.jsonl")  # evicted: the oldest entry went first
    assert parse.calls == 4


def test_a_refused_file_is_not_cached(tmp_path, counters):
    parse, _, _ = counters
    pipeline = SubmissionPipeline(small_bench(tmp_path / "b"), limits=Limits())
    bad = b'{"id":"q001","prediction":"B"}\n{"id":"q001","prediction":"C"}'
    for _ in range(2):
        with pytest.raises(InputError, match="duplicate id"):
            pipeline.preview(bad, "p.jsonl")
    assert parse.calls == 2 and not pipeline._previews


def test_the_staged_api_stores_nothing_until_finished_and_ends_as_one_call(tmp_path):
    bench = small_bench(tmp_path / "b")
    store = SubmissionStore(tmp_path / "s", bench)

    class FullMarks:
        info = JudgeInfo(backend="test", model="full")

        def judge(self, requests, progress=None):
            if progress:
                progress(len(requests), len(requests))
            return [Judgement(2, "Score: 2", "judged") for _ in requests]

    pipeline = SubmissionPipeline(bench, store, judge=FullMarks(), limits=Limits())
    prepared = pipeline.prepare(GOOD, "p.jsonl", {"model": "Staged", "params": " 7B "})
    assert prepared.form["params"] == "7B" and prepared.duplicate is None
    assert prepared.preview.to_judge == 1 and prepared.preview.result.judge is None
    assert prepared.preview.result.tables.values["table3"]["OE"] is None
    assert listing(store.root) == []  # parsed and scored, nothing stored yet
    ticks = []
    sub = pipeline.finish(prepared, progress=lambda d, t: ticks.append((d, t)))
    assert ticks == [(1, 1)] and sub.result["tables"]["table3"]["OE"] == 100.0
    assert prepared.preview.result.items["status"].tolist().count("unjudged") == 1  # unchanged
    direct = score_predictions(
        bench,
        prepared.preview.upload.predictions,
        judge=FullMarks(),
        report=prepared.preview.upload.report,
    )
    assert sub.result["tables"] == direct.tables.values
    assert sub.result["status_counts"] == direct.status_counts
    again = pipeline.prepare(GOOD, "other.jsonl", {"model": " staged "})
    assert again.duplicate is not None and again.duplicate.id == sub.id
    assert pipeline.finish(again).duplicate and len(store.scan()) == 1


def test_a_judge_failure_or_a_repeat_gives_the_submission_back_to_the_quota(tmp_path):
    bench = small_bench(tmp_path / "b")
    store = SubmissionStore(tmp_path / "s", bench)

    class Breaks:
        info = JudgeInfo(backend="test", model="breaks")

        def judge(self, requests, progress=None):
            raise RuntimeError("judge down")

    pipeline = SubmissionPipeline(
        bench, store, judge=Breaks(), limits=Limits(submits_per_hour=2, attempts_per_hour=10)
    )
    for _ in range(2):
        with pytest.raises(RuntimeError, match="judge down"):
            pipeline.submit(GOOD, "p.jsonl", {"model": "A"}, client="ip:1")
    assert store.scan() == []
    pipeline.judge = None
    first = pipeline.submit(GOOD, "p.jsonl", {"model": "A"}, client="ip:1")  # still allowed
    assert pipeline.submit(GOOD, "p.jsonl", {"model": "A"}, client="ip:1").duplicate
    pipeline.submit(variant(5), "p.jsonl", {"model": "A"}, client="ip:1")  # the second one
    with pytest.raises(RateLimitError):
        pipeline.submit(upload({"q001": "C"}), "p.jsonl", {"model": "B"}, client="ip:1")
    assert [s.id for s in store.scan()][0] == first.id and len(store.scan()) == 2


def test_a_form_error_is_raised_before_the_quota_or_the_parser_is_touched(tmp_path, counters):
    parse, _, _ = counters
    bench = small_bench(tmp_path / "b")
    pipeline = SubmissionPipeline(
        bench,
        SubmissionStore(tmp_path / "s", bench),
        limits=Limits(submits_per_hour=1, attempts_per_hour=1),
    )
    with pytest.raises(InputError, match="Model name is required"):
        pipeline.submit(GOOD, "p.jsonl", {"model": " "}, client="ip:1")
    assert parse.calls == 0
    assert not pipeline.submit(GOOD, "p.jsonl", {"model": "A"}, client="ip:1").duplicate


def test_concurrent_submits_of_one_file_store_it_once(tmp_path):
    bench = small_bench(tmp_path / "b")
    store = SubmissionStore(tmp_path / "s", bench)
    pipeline = SubmissionPipeline(bench, store, limits=Limits())
    prepared = [pipeline.prepare(GOOD, "p.jsonl", {"model": "Twin"}) for _ in range(4)]
    assert all(p.duplicate is None for p in prepared)  # none stored yet when prepared
    start = threading.Barrier(len(prepared))
    results = []

    def finish(p):
        start.wait()
        results.append(pipeline.finish(p))

    threads = [threading.Thread(target=finish, args=(p,)) for p in prepared]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(store.scan()) == 1 and sum(not r.duplicate for r in results) == 1
    assert {r.id for r in results} == {store.scan()[0].id}


def test_a_pipeline_for_another_benchmark_version_refuses_the_store(tmp_path):
    store = SubmissionStore(tmp_path / "s", small_bench(tmp_path / "a"))
    other = write_app_bundle(tmp_path / "other")
    from leaderboard.benchmark import load_local

    with pytest.raises(ValueError, match="another benchmark version"):
        SubmissionPipeline(load_local(other), store)
