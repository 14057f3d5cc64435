"""The reference LLM judge, driven through the real `openai` client against a loopback stub."""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from leaderboard.judges import JudgeRequest, add_judge_arguments, judge_from_args, make_judge
from leaderboard.judges.approx import ApproxJudge
from leaderboard.judges.cache import JudgeCache, cache_key, default_cache_path
from leaderboard.judges.reference import PROMPT_TEMPLATE, PROMPT_VERSION, OpenAIJudge, parse_score
from tests.support.openai_stub import Call, Reply, StubServer

QUESTION = "How does the noise affect the subject's skin?"
REFERENCE = "Heavy grain makes the skin look rough and blotchy."


def requests(n: int, prefix: str = "answer") -> list[JudgeRequest]:
    return [JudgeRequest(QUESTION, REFERENCE, f"{prefix} {i}") for i in range(n)]


def score_of(call: Call) -> int:
    """The stub's verdict: the item number modulo 3, so scores 0, 1 and 2 all occur."""
    return int(call.answer.split()[-1]) % 3


def by_item(call: Call) -> Reply:
    return Reply(f"The answer mentions grain.\nScore: {score_of(call)}")


@pytest.fixture
def cache_path(tmp_path):
    return tmp_path / "judge.sqlite"


@pytest.fixture
def make(cache_path):
    """An OpenAIJudge on the stub with quick retries; closed after the test."""
    made: list[OpenAIJudge] = []

    def _make(stub: StubServer, **kw) -> OpenAIJudge:
        options = dict(
            model="judge-model",
            base_url=stub.base_url,
            api_key="test-key",
            cache_path=cache_path,
            concurrency=4,
            timeout=5.0,
            max_retries=2,
            backoff=0.001,
        )
        judge = OpenAIJudge(**{**options, **kw})
        made.append(judge)
        return judge

    yield _make
    for judge in made:
        judge.close()


def test_scores_come_back_in_order_with_raw_text(make):
    with StubServer(by_item) as stub:
        judge = make(stub)
        progress: list[tuple[int, int]] = []
        out = judge.judge(requests(9), progress=lambda d, t: progress.append((d, t)))
    assert [j.score for j in out] == [i % 3 for i in range(9)]
    assert all(j.status == "judged" and not j.cached for j in out)
    assert out[4].raw == "The answer mentions grain.\nScore: 1"
    assert progress[-1] == (9, 9)
    assert judge.info.calls == 9 and judge.info.failures == 0 and judge.info.cache_hits == 0
    assert {c.model for c in stub.calls} == {"judge-model"}
    assert {c.temperature for c in stub.calls} == {0}
    prompt = stub.calls[0].prompt
    assert QUESTION in prompt and REFERENCE in prompt and "Score: N" in prompt


def test_rate_limited_call_is_retried(make):
    def behaviour(call: Call) -> Reply:
        if call.attempt == 1:
            return Reply("slow down", status=429, headers={"Retry-After": "0"})
        return Reply("Score: 2")

    with StubServer(behaviour) as stub:
        judge = make(stub)
        out = judge.judge(requests(3))
    assert [j.score for j in out] == [2, 2, 2]
    assert len(stub.calls) == 6 and judge.info.calls == 6
    assert judge.info.extra["retries"] == 3 and judge.info.failures == 0


def test_server_errors_until_the_last_try_give_judge_failed(make):
    def behaviour(call: Call) -> Reply:
        if call.answer == "answer 1":
            return Reply("upstream exploded", status=500)
        return Reply("Score: 1")

    with StubServer(behaviour) as stub:
        judge = make(stub, max_retries=3)
        out = judge.judge(requests(3))
    failed = out[1]
    assert failed.status == "judge_failed" and failed.score is None
    assert "500" in failed.raw and "upstream exploded" in failed.raw
    assert "4 attempts" in failed.raw
    assert sum(call.answer == "answer 1" for call in stub.calls) == 4
    assert [j.score for j in (out[0], out[2])] == [1, 1]  # the others are unaffected
    assert judge.info.failures == 1


def test_slow_endpoint_times_out_and_is_retried(make):
    def behaviour(call: Call) -> Reply:
        return Reply("Score: 2", delay=1.0 if call.attempt == 1 else 0.0)

    with StubServer(behaviour) as stub:
        judge = make(stub, timeout=0.2)
        out = judge.judge(requests(1))
    assert out[0].status == "judged" and out[0].score == 2
    assert len(stub.calls) == 2 and judge.info.extra["retries"] == 1


def test_timeouts_on_every_try_give_judge_failed(make):
    with StubServer(lambda call: Reply("Score: 2", delay=0.5)) as stub:
        judge = make(stub, timeout=0.1, max_retries=1)
        out = judge.judge(requests(1))
    assert out[0].status == "judge_failed" and "timed out" in out[0].raw
    assert len(stub.calls) == 2


@pytest.mark.parametrize(
    "reply",
    [
        "I think the answer is decent.",  # no score at all
        "Score: 3",  # out of range
        "Score: 1.5",  # not an integer
        "",
        None,  # no content at all
    ],
)
def test_unparseable_replies_are_retried_then_judge_failed(make, reply):
    with StubServer(lambda call: Reply(reply)) as stub:
        judge = make(stub, max_retries=2)
        out = judge.judge(requests(1))
    assert out[0].status == "judge_failed" and out[0].score is None
    assert "Score: N" in out[0].raw
    assert len(stub.calls) == 3  # first try + 2 retries
    assert judge.info.failures == 1


def test_a_garbled_reply_followed_by_a_good_one_is_judged(make):
    def behaviour(call: Call) -> Reply:
        return Reply("hmm" if call.attempt == 1 else "Fine.\nScore: 1")

    with StubServer(behaviour) as stub:
        out = make(stub).judge(requests(2))
    assert [j.score for j in out] == [1, 1] and len(stub.calls) == 4


def test_last_score_wins(make):
    reply = "At first glance Score: 0 seems right, but the grain is described.\nScore: 2"
    with StubServer(lambda call: Reply(reply)) as stub:
        out = make(stub).judge(requests(1))
    assert out[0].score == 2 and out[0].raw == reply


def test_parse_score_rules():
    assert parse_score("Score: 0") == 0
    assert parse_score("blah\n**Score:** 2") == 2
    assert parse_score("score: 1") == 1
    assert parse_score("Score: 2. Wait, no. Score: 1") == 1
    assert parse_score("Score: 2 then Score: 3") is None  # the last one is invalid
    assert parse_score("Score: -1") is None
    assert parse_score("Score: 1.5") is None
    assert parse_score("The score is two") is None
    assert parse_score(None) is None


def test_client_errors_fail_the_item_without_retrying(make):
    with StubServer(lambda call: Reply("context too long", status=400)) as stub:
        judge = make(stub, max_retries=3)
        out = judge.judge(requests(2))
    assert [j.status for j in out] == ["judge_failed"] * 2
    assert len(stub.calls) == 2 and "400" in out[0].raw


def test_bad_credentials_stop_the_run_instead_of_calling_for_every_item(make):
    with StubServer(lambda call: Reply("invalid api key", status=401)) as stub:
        judge = make(stub, concurrency=1)
        out = judge.judge(requests(20))
    assert all(j.status == "judge_failed" for j in out)
    assert len(stub.calls) == 1
    assert "401" in out[0].raw and "401" in out[-1].raw
    assert judge.info.failures == 20


def test_unreachable_endpoint_gives_judge_failed(make, cache_path):
    stub = StubServer(by_item)  # never started: its port is bound but nobody answers ...
    stub._server.server_close()  # ... and now not even bound
    judge = make(stub, max_retries=1)
    out = judge.judge(requests(2))
    assert [j.status for j in out] == ["judge_failed"] * 2
    assert "connection error" in out[0].raw


def test_rescoring_an_unchanged_submission_makes_no_call(make):
    with StubServer(by_item) as stub:
        first = make(stub).judge(requests(12))
        calls_before = len(stub.calls)
        judge = make(stub)  # a later run, same cache file
        again = judge.judge(requests(12))
    assert len(stub.calls) == calls_before == 12
    assert [j.score for j in again] == [j.score for j in first]
    assert [j.raw for j in again] == [j.raw for j in first]
    assert all(j.cached for j in again)
    assert judge.info.calls == 0 and judge.info.cache_hits == 12


def test_resumed_run_never_repeats_a_call(make):
    with StubServer(by_item) as stub:
        make(stub).judge(requests(10)[:5])
        judge = make(stub)
        out = judge.judge(requests(10))
    assert max(stub.seen.values()) == 1 and len(stub.seen) == 10
    assert [j.cached for j in out] == [True] * 5 + [False] * 5
    assert judge.info.cache_hits == 5 and judge.info.calls == 5


def test_interrupted_run_keeps_what_was_judged(make):
    def stop_midway(done: int, total: int) -> None:
        if done >= 6:
            raise KeyboardInterrupt

    with StubServer(lambda call: Reply(f"Score: {score_of(call)}", delay=0.01)) as stub:
        with pytest.raises(KeyboardInterrupt):
            make(stub, concurrency=2).judge(requests(30), progress=stop_midway)
        calls_when_killed = len(stub.calls)
        judge = make(stub)
        out = judge.judge(requests(30))
    assert 6 <= calls_when_killed < 30
    assert max(stub.seen.values()) == 1 and len(stub.seen) == 30
    assert [j.score for j in out] == [i % 3 for i in range(30)]
    assert judge.info.cache_hits == calls_when_killed


KILLED_CHILD = """
import sys
from leaderboard.judges.reference import OpenAIJudge
from tests.leaderboard.test_judge import requests
judge = OpenAIJudge(model="judge-model", base_url=sys.argv[1], api_key="k",
                    cache_path=sys.argv[2], concurrency=2)
judge.judge(requests(30))
"""


def test_hard_killed_run_resumes_from_the_cache(make, cache_path):
    """SIGKILL mid-run: every judgement received before the kill is kept; at most the calls in
    flight at that moment (<= concurrency) are made again."""
    repo = Path(__file__).resolve().parents[2]
    with StubServer(lambda call: Reply(f"Score: {score_of(call)}", delay=0.02)) as stub:
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_CHILD, stub.base_url, str(cache_path)], cwd=repo
        )
        try:
            deadline = time.monotonic() + 60
            while len(stub.calls) < 10 and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
        finally:
            child.kill()
            child.wait()
        assert len(stub.calls) >= 10, "the child never got going"
        kept = sqlite3.connect(cache_path).execute("SELECT COUNT(*) FROM judgements").fetchone()
        judge = make(stub)
        out = judge.judge(requests(30))
    assert 8 <= kept[0] < 30
    assert judge.info.cache_hits == kept[0]
    assert sum(n > 1 for n in stub.seen.values()) <= 2
    assert [j.score for j in out] == [i % 3 for i in range(30)]


def test_failures_are_not_cached_as_final(make):
    broken = threading.Event()
    broken.set()

    def behaviour(call: Call) -> Reply:
        return Reply("down", status=503) if broken.is_set() else by_item(call)

    with StubServer(behaviour) as stub:
        assert make(stub, max_retries=0).judge(requests(3))[0].status == "judge_failed"
        broken.clear()
        judge = make(stub)
        out = judge.judge(requests(3))
    assert [j.status for j in out] == ["judged"] * 3
    assert judge.info.calls == 3 and judge.info.cache_hits == 0


def test_concurrency_never_exceeds_the_setting(make):
    with StubServer(lambda call: Reply("Score: 1", delay=0.03)) as stub:
        make(stub, concurrency=3).judge(requests(24))
    assert 1 < stub.max_in_flight <= 3
    with StubServer(lambda call: Reply("Score: 1", delay=0.01)) as stub:
        make(stub, concurrency=1).judge(requests(5, prefix="other"))
    assert stub.max_in_flight == 1


def test_duplicate_items_are_judged_once_and_empty_answers_not_sent(make):
    reqs = requests(2) + requests(2) + [JudgeRequest(QUESTION, REFERENCE, "  ")]
    with StubServer(by_item) as stub:
        judge = make(stub)
        out = judge.judge(reqs)
    assert len(stub.calls) == 2
    assert [j.score for j in out] == [0, 1, 0, 1, 0]
    assert out[4].status == "judged" and "empty answer" in out[4].raw


def test_cache_key_covers_model_prompt_version_and_all_texts(cache_path):
    base = ("m", PROMPT_VERSION, "q", "ref", "ans")
    keys = {cache_key(*base)}
    for i in range(5):
        changed = list(base)
        changed[i] += "x"
        keys.add(cache_key(*changed))
    assert len(keys) == 6
    assert cache_key("m", "v", "a", "bc", "d") != cache_key("m", "v", "ab", "c", "d")
    with JudgeCache(cache_path) as cache:
        cache.put(
            cache_key(*base),
            judge_model="m",
            prompt_version=PROMPT_VERSION,
            score=2,
            raw="Score: 2",
        )
        with pytest.raises(ValueError):
            cache.put("k", judge_model="m", prompt_version="v", score=3, raw="Score: 3")
        assert len(cache) == 1 and cache.get(cache_key(*base)).score == 2
        assert cache.get(cache_key("other", *base[1:])) is None


def test_cache_file_is_wal_and_defaults_under_the_repo(cache_path, monkeypatch):
    with JudgeCache(cache_path):
        pass
    mode = sqlite3.connect(cache_path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    monkeypatch.delenv("QBP_JUDGE_CACHE", raising=False)
    repo = Path(__file__).resolve().parents[2]
    assert default_cache_path() == repo / ".cache" / "judge.sqlite"
    monkeypatch.setenv("QBP_JUDGE_CACHE", os.fspath(cache_path))
    assert default_cache_path() == cache_path


def test_another_judge_model_does_not_reuse_the_cache(make):
    with StubServer(by_item) as stub:
        make(stub).judge(requests(4))
        judge = make(stub, model="another-model")
        judge.judge(requests(4))
    assert judge.info.calls == 4 and len(stub.calls) == 8


def test_prompt_template_names_its_slots_and_rubric():
    assert PROMPT_VERSION
    for slot in ("{question}", "{reference}", "{answer}"):
        assert slot in PROMPT_TEMPLATE
    for rubric in ("Score 2", "Score 1", "Score 0", "Score: N"):
        assert rubric in PROMPT_TEMPLATE


def test_braces_in_texts_are_sent_verbatim(make):
    req = JudgeRequest("Is {this} blurry?", "Yes {0}", "It is {blurry}")
    with StubServer(lambda call: Reply("Score: 2")) as stub:
        assert make(stub).judge([req])[0].score == 2
    assert "Is {this} blurry?" in stub.calls[0].prompt and "It is {blurry}" in stub.calls[0].prompt


# -- factory and CLI ------------------------------------------------------------------------


def test_make_judge_backends(monkeypatch, cache_path):
    for var in ("OPENAI_BASE_URL", "QBP_JUDGE_MODEL", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    assert make_judge("none") is None
    assert isinstance(make_judge("approx"), ApproxJudge)
    with pytest.raises(ValueError, match="model"):
        make_judge("openai", base_url="http://127.0.0.1:9/v1", cache_path=cache_path)
    with pytest.raises(ValueError, match="base-url|OPENAI_BASE_URL"):
        make_judge("openai", model="m", cache_path=cache_path)
    with pytest.raises(ValueError, match="unknown judge backend"):
        make_judge("gpt")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("QBP_JUDGE_MODEL", "env-model")
    judge = make_judge("openai", cache_path=cache_path)
    assert judge.info.model == "env-model" and judge.info.backend == "openai"
    assert judge.info.prompt_version == PROMPT_VERSION and not judge.info.approximate
    judge.close()


def test_cli_arguments_build_the_judge(tmp_path, monkeypatch):
    monkeypatch.setenv("QBP_JUDGE_CACHE", str(tmp_path / "from-env.sqlite"))
    parser = argparse.ArgumentParser()
    add_judge_arguments(parser)
    assert judge_from_args(parser.parse_args([])) is None
    assert isinstance(judge_from_args(parser.parse_args(["--judge", "approx"])), ApproxJudge)
    args = parser.parse_args(
        [
            "--judge",
            "openai",
            "--judge-base-url",
            "http://127.0.0.1:9/v1",
            "--judge-model",
            "cli-model",
            "--judge-concurrency",
            "3",
        ]
    )
    judge = judge_from_args(args)
    assert judge.model == "cli-model" and judge.concurrency == 3
    assert judge.cache.path == tmp_path / "from-env.sqlite"  # default comes from the env
    judge.close()
    with pytest.raises(SystemExit):
        parser.parse_args(["--judge", "openai", "--judge-concurrency", "0"])
