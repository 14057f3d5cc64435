"""Moderation: only with the admin secret, recorded with time and reason, nothing deleted."""

from __future__ import annotations

import pytest

from leaderboard.moderation import admin_enabled, check_admin, moderate
from leaderboard.store import SubmissionStore
from tests.support.storekit import small_bench, submit, variant

SECRET = "s3cret-admin-token-0123456789"
ENV = {"QBP_ADMIN_TOKEN": SECRET}


@pytest.fixture()
def store(tmp_path):
    return SubmissionStore(tmp_path / "subs", small_bench(tmp_path / "b"))


@pytest.mark.parametrize(
    "env, enabled",
    [
        ({}, False),
        ({"QBP_ADMIN_TOKEN": ""}, False),
        ({"QBP_ADMIN_TOKEN": "short"}, False),
        (ENV, True),
    ],
)
def test_admin_is_enabled_only_with_a_real_secret(env, enabled):
    assert admin_enabled(env) is enabled


def test_hide_and_show_with_the_secret_keeps_the_submission_and_a_record(store):
    sub = submit(store, variant(1), "p.jsonl", {"model": "Spammy"})
    hidden = moderate(store, sub.id, True, SECRET, reason="duplicate of another row", env=ENV)
    assert hidden.hidden and store.submissions() == []
    assert store.get(sub.id).upload_path.read_bytes() == variant(1)  # still stored
    shown = moderate(store, sub.id, False, f"  {SECRET}\n", env=ENV)
    assert not shown.hidden and [s.id for s in store.submissions()] == [sub.id]
    history = shown.moderation["history"]
    assert [h["hidden"] for h in history] == [True, False]
    assert history[0]["reason"] == "duplicate of another row" and history[0]["at"]


@pytest.mark.parametrize(
    "token, env, message",
    [
        ("wrong", ENV, "wrong admin token"),
        ("", ENV, "wrong admin token"),
        (None, ENV, "wrong admin token"),
        (SECRET[:-1], ENV, "wrong admin token"),
        (SECRET, {}, "moderation is disabled: QBP_ADMIN_TOKEN is not set"),
        ("", {"QBP_ADMIN_TOKEN": ""}, "moderation is disabled"),
    ],
)
def test_without_the_secret_nothing_changes(store, token, env, message):
    sub = submit(store, variant(1), "p.jsonl", {"model": "M"})
    with pytest.raises(PermissionError, match=message):
        moderate(store, sub.id, True, token, env=env)
    assert not store.get(sub.id).hidden and not (sub.path / "moderation.json").exists()


def test_unknown_or_path_like_ids_are_not_found(store):
    for bad in ("20990101T000000000000Z-000000000000", "../subs", "", "x" * 500):
        with pytest.raises(KeyError):
            moderate(store, bad, True, SECRET, env=ENV)


def test_check_admin_accepts_non_ascii_tokens_without_error():
    with pytest.raises(PermissionError, match="wrong admin token"):
        check_admin("пароль-🔑", ENV)
