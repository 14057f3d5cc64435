"""The one submission pipeline: an upload is parsed once and extracted once however many
stages look at it (preview, pending row, judge, store), the staged API lets the app show a
pending row with no callback from the core, and the quota only counts what was stored."""
from __future__ import annotations

import threading

import pytest

from leaderboard import scoring, submission
from leaderboard.errors import InputError
from leaderboard.judges import JudgeInfo, Judgement
from leaderboard.limits import RateLimitError
from leaderboard.scoring import score_predictions
from leaderboard.settings import AppSettings, Limits
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline
from tests.support.appdata import jsonl, write_app_bundle
from tests.support.storekit import GOOD, listing, small_bench, upload, variant
from ui.state import AppState

# The tiny app bundle's answers: item 6 is its only OE item.
ALL_RIGHT = ["B", "C", "A, C", "True", "False", "Slight blur around the eyes.", "D", "B, D"]


class Counter:
    """Wraps a function and counts its calls (monkeypatched over the pipeline's stages)."""

    def __init__(self, fn) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


@pytest.fixture()
def counters(monkeypatch):
    """Calls of the parser, of the closed-ended scorer, and of the per-item extraction."""
    parse = Counter(submission.read_predictions)
    score = Counter(submission.score_closed)
    extract = Counter(scoring._extract_cached)
    monkeypatch.setattr(submission, "read_predictions", parse)
    monkeypatch.setattr(submission, "score_closed", score)
    monkeypatch.setattr(scoring, "_extract_cached", extract)
    return parse, score, extract


class WatchingJudge:
    """Scores every OE answer 2/2 and records what the board showed while it worked."""

    def __init__(self, state: AppState) -> None:
        self.info = JudgeInfo(backend="test", model="watching")
        self.state = state
        self.seen: list[list[str]] = []

    def judge(self, requests, progress=None):
        self.seen.append([r["kind"] for r in self.state.leaderboard_rows(search="Mine")])
        return [Judgement(2, "Score: 2", "judged") for _ in requests]


@pytest.fixture()
def state(tmp_path):
    bundle = write_app_bundle(tmp_path / "bundle")
    return AppState.start(AppSettings(benchmark=str(bundle), seed_demo=False,
                                      submissions_dir=str(tmp_path / "subs"), judge="none"))


def test_a_previewed_then_submitted_upload_is_parsed_once_and_extracted_once(state, counters):
    parse, score, extract = counters
    judge = state.judge = WatchingJudge(state)
    data = jsonl(ALL_RIGHT)
    summary = state.preview(data, "mine.jsonl")
    assert summary["status_counts"]["unjudged"] == 1
    out = state.submit(data, "mine.jsonl", {"model": "Mine"})
    assert out.ok and out.submission.result["tables"]["table3"]["Overall"] == 100.0
    assert judge.seen == [["pending"]]  # the pending row was on the board while judging
    assert (parse.calls, score.calls) == (1, 1)
    assert extract.calls == len(state.bench)  # one extraction per item, in all
    assert state.leaderboard_rows(search="Mine")[0]["kind"] == "verified"


def test_a_submit_without_preview_parses_once_and_another_file_parses_again(state, counters):
    parse, score, extract = counters
    state.judge = WatchingJudge(state)
    assert state.submit(jsonl(ALL_RIGHT), "a.jsonl", {"model": "Mine"}).ok
    assert (parse.calls, score.calls, extract.calls) == (1, 1, len(state.bench))
    other = ALL_RIGHT[:-1] + ["A"]
    assert state.submit(jsonl(other), "a.jsonl", {"model": "Mine"}).ok
    assert (parse.calls, score.calls) == (2, 2)


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
    direct = score_predictions(bench, prepared.preview.upload.predictions, judge=FullMarks(),
                               report=prepared.preview.upload.report)
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

    pipeline = SubmissionPipeline(bench, store, judge=Breaks(),
                                  limits=Limits(submits_per_hour=2, attempts_per_hour=10))
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


def test_a_form_error_is_raised_before_the_quota_or_the_parser_is_touched(tmp_path,
                                                                          counters):
    parse, _, _ = counters
    bench = small_bench(tmp_path / "b")
    pipeline = SubmissionPipeline(bench, SubmissionStore(tmp_path / "s", bench),
                                  limits=Limits(submits_per_hour=1, attempts_per_hour=1))
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
