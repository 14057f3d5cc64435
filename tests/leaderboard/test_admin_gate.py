"""Admin-token guesses are throttled per client, a right token costs nothing, and the list of
submissions (hidden ones included) is only given behind the same gate (issue 10)."""

from __future__ import annotations

import pytest

from leaderboard.limits import RateLimiter, RateLimitError
from leaderboard.moderation import (
    ADMIN_ATTEMPTS,
    ADMIN_PERIOD,
    AdminGate,
    moderate,
    moderation_list,
)
from leaderboard.store import SubmissionStore
from tests.support.storekit import small_bench, submit, variant

SECRET = "s3cret-admin-token-0123456789"
ENV = {"QBP_ADMIN_TOKEN": SECRET}


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock():
    return Clock()


@pytest.fixture()
def gate(clock):
    return AdminGate(
        limiter=RateLimiter(
            ADMIN_ATTEMPTS, "admin-token attempts", clock=clock, period=ADMIN_PERIOD
        )
    )


@pytest.fixture()
def store(tmp_path):
    return SubmissionStore(tmp_path / "subs", small_bench(tmp_path / "b"))


def test_five_wrong_guesses_then_the_client_waits_even_with_the_right_token(gate, clock):
    for _ in range(ADMIN_ATTEMPTS):
        with pytest.raises(PermissionError, match="wrong admin token"):
            gate.check("guess", "ip:6.6.6.6", ENV)
    with pytest.raises(RateLimitError, match="at most 5 admin-token attempts per 15 minutes"):
        gate.check(SECRET, "ip:6.6.6.6", ENV)
    gate.check(SECRET, "ip:10.0.0.1", ENV)  # another client is not locked out
    clock.now += ADMIN_PERIOD / ADMIN_ATTEMPTS  # one more try earned
    gate.check(SECRET, "ip:6.6.6.6", ENV)


def test_the_right_token_never_runs_out(gate):
    for _ in range(10 * ADMIN_ATTEMPTS):
        gate.check(SECRET, "ip:10.0.0.1", ENV)


def test_moderation_off_says_so_without_spending_tries(gate):
    for _ in range(2 * ADMIN_ATTEMPTS):
        with pytest.raises(PermissionError, match="moderation is disabled"):
            gate.check(SECRET, "ip:1.1.1.1", {})


def test_the_hidden_list_needs_the_token_and_moderation_records_who(store, gate):
    shown = submit(store, variant(1), "p.jsonl", {"model": "Shown"})
    spam = submit(store, variant(2), "p.jsonl", {"model": "Spam"})
    moderate(store, spam.id, True, SECRET, "spam", env=ENV, gate=gate, client="ip:1")
    assert store.get(spam.id).moderation["by"] == "moderator"
    with pytest.raises(PermissionError):
        moderation_list(store, "", gate, "ip:2", ENV)
    listed = moderation_list(store, SECRET, gate, "ip:2", ENV)
    assert [(s.id, s.hidden) for s in listed] == [(spam.id, True), (shown.id, False)]


def test_moderate_through_the_gate_is_throttled_and_changes_nothing(store, gate):
    sub = submit(store, variant(1), "p.jsonl", {"model": "M"})
    for _ in range(ADMIN_ATTEMPTS):
        with pytest.raises(PermissionError):
            moderate(store, sub.id, True, "guess", env=ENV, gate=gate, client="ip:6")
    with pytest.raises(RateLimitError):
        moderate(store, sub.id, True, SECRET, env=ENV, gate=gate, client="ip:6")
    assert not store.get(sub.id).hidden and not (sub.path / "moderation.json").exists()
