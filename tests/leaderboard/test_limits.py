"""Abuse limits: per-client rate limit with a clear message, settings with checked values."""

from __future__ import annotations

import pytest

from leaderboard.errors import InputError
from leaderboard.limits import RateLimiter, RateLimitError, client_key
from leaderboard.settings import Limits, SettingError
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline
from tests.support.storekit import GOOD, listing, small_bench, variant


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_allows_n_per_hour_then_says_when_to_come_back():
    clock = Clock()
    limiter = RateLimiter(10, clock=clock)
    for _ in range(10):
        limiter.take("ip:1.2.3.4")
    with pytest.raises(RateLimitError, match=r"rate limit: try again in 6 minutes") as err:
        limiter.take("ip:1.2.3.4")
    assert "at most 10 submissions per hour" in str(err.value)
    limiter.take("ip:5.6.7.8")  # another client is not affected
    clock.now += 360  # one token back after 6 minutes
    limiter.take("ip:1.2.3.4")
    with pytest.raises(RateLimitError, match="try again in 6 minutes"):
        limiter.take("ip:1.2.3.4")
    clock.now += 3 * 3600  # never more than the burst of 10
    for _ in range(10):
        limiter.take("ip:1.2.3.4")
    with pytest.raises(RateLimitError):
        limiter.take("ip:1.2.3.4")


def test_zero_per_hour_turns_the_limit_off():
    limiter = RateLimiter(0)
    for _ in range(1000):
        limiter.take("x")


def test_pipeline_counts_stored_submissions_not_rejected_or_repeated_ones(tmp_path):
    limits = Limits(submits_per_hour=2, attempts_per_hour=6)
    store = SubmissionStore(tmp_path / "s", small_bench(tmp_path / "b"))
    pipeline = SubmissionPipeline(store.benchmark, store, limits=limits)
    pipeline.submit(variant(1), "p.jsonl", {"model": "A"}, client="ip:1")
    pipeline.submit(variant(1), "p.jsonl", {"model": "A"}, client="ip:1")  # repeat: not counted
    with pytest.raises(InputError, match="duplicate id"):  # rejected: not counted
        pipeline.submit(b"id,prediction\nq001,A\nq001,B\n", "p.csv", {"model": "B"}, client="ip:1")
    pipeline.submit(variant(2), "p.jsonl", {"model": "B"}, client="ip:1")
    before = listing(store.root)
    with pytest.raises(RateLimitError, match="rate limit: try again in 30 minutes"):
        pipeline.submit(variant(3), "p.jsonl", {"model": "C"}, client="ip:1")
    assert listing(store.root) == before
    pipeline.submit(variant(3), "p.jsonl", {"model": "C"}, client="ip:2")
    pipeline.submit(variant(4), "p.jsonl", {"model": "D"})  # no client: the CLI, tests


def test_attempts_are_capped_too(tmp_path):
    limits = Limits(submits_per_hour=10, attempts_per_hour=3)
    store = SubmissionStore(tmp_path / "s", small_bench(tmp_path / "b"))
    pipeline = SubmissionPipeline(store.benchmark, store, limits=limits)
    for _ in range(3):
        with pytest.raises(InputError, match="the file is empty"):
            pipeline.submit(b"", "p.jsonl", {"model": "A"}, client="ip:9")
    with pytest.raises(RateLimitError, match="at most 3 upload attempts per hour"):
        pipeline.submit(GOOD, "p.jsonl", {"model": "A"}, client="ip:9")


def test_client_key_prefers_the_user_then_the_trusted_proxy_then_the_address():
    headers = {"X-Forwarded-For": "6.6.6.6, 10.0.0.7"}
    assert client_key("10.0.0.1", headers, username="alice") == "user:alice"
    assert client_key("10.0.0.1", headers, trust_forwarded=True) == "ip:10.0.0.7"
    assert client_key("10.0.0.1", headers) == "ip:10.0.0.1"
    assert client_key(None) == "ip:unknown"


def test_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("QBP_SUBMITS_PER_HOUR", "3")
    monkeypatch.setenv("QBP_MAX_UPLOAD_MB", "5")
    limits = Limits.from_env()
    assert (limits.submits_per_hour, limits.attempts_per_hour) == (3, 15)
    assert limits.max_file_bytes == 5 * 1024 * 1024
    monkeypatch.setenv("QBP_SUBMITS_PER_HOUR", "ten")
    with pytest.raises(SettingError, match="QBP_SUBMITS_PER_HOUR must be a whole number"):
        Limits.from_env()
    monkeypatch.setenv("QBP_SUBMITS_PER_HOUR", "10")
    monkeypatch.setenv("QBP_MAX_UPLOAD_MB", "0")
    with pytest.raises(SettingError, match="QBP_MAX_UPLOAD_MB must be at least 1"):
        Limits.from_env()


def test_defaults_are_sane():
    limits = Limits()
    assert limits.max_file_bytes == 20 * 1024 * 1024 and limits.submits_per_hour == 10
