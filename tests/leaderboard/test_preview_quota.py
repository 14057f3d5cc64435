"""The preview is the same work as a submit (the file parsed, its closed-ended items scored),
so it is charged to the same per-client attempt quota; the submit that follows a preview of
the same bytes by the same client is not charged the attempt again, and parses nothing."""

from __future__ import annotations

import pytest

from leaderboard.limits import RateLimitError
from leaderboard.settings import Limits
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline
from tests.support.storekit import GOOD, small_bench, variant


@pytest.fixture
def pipeline(tmp_path):
    store = SubmissionStore(tmp_path / "s", small_bench(tmp_path / "b"))
    return SubmissionPipeline(
        store.benchmark, store, limits=Limits(attempts_per_hour=3, submits_per_hour=10)
    )


def test_previews_count_against_the_attempt_quota(pipeline):
    for n in range(3):
        pipeline.preview(variant(n), "p.jsonl", client="ip:1.2.3.4")
    with pytest.raises(RateLimitError, match="at most 3 upload attempts per hour"):
        pipeline.preview(GOOD, "p.jsonl", client="ip:1.2.3.4")
    with pytest.raises(RateLimitError):  # the cached preview of the same bytes too
        pipeline.preview(variant(0), "p.jsonl", client="ip:1.2.3.4")
    pipeline.preview(GOOD, "p.jsonl", client="ip:5.6.7.8")  # another client is not affected
    for _ in range(10):
        pipeline.preview(GOOD, "p.jsonl")  # the CLI (no client) is never limited


def test_a_submit_after_its_preview_is_one_attempt_and_one_parse(pipeline, counters):
    parse, _, _ = counters
    pipeline.preview(GOOD, "p.jsonl", client="ip:1.2.3.4")
    sub = pipeline.submit(GOOD, "p.jsonl", {"model": "Quota-VL"}, client="ip:1.2.3.4")
    assert not sub.duplicate and parse.calls == 1
    pipeline.preview(variant(1), "p.jsonl", client="ip:1.2.3.4")  # attempt 2
    pipeline.submit(variant(2), "p.jsonl", {"model": "Quota-VL"}, client="ip:1.2.3.4")  # 3
    with pytest.raises(RateLimitError, match="upload attempts"):
        pipeline.submit(variant(3), "p.jsonl", {"model": "Quota-VL"}, client="ip:1.2.3.4")
    # The preview of variant 1 paid its attempt: its submit still goes through.
    assert (
        pipeline.submit(
            variant(1), "p.jsonl", {"model": "Quota-VL"}, client="ip:1.2.3.4"
        ).meta.version
        == 3
    )
