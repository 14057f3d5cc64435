"""What a crash leaves in the store (temp folders of a write, `*.tmp` files of a replaced
result or record) is removed at start-up, but never while another writer holds the lock."""

from __future__ import annotations

import fcntl

import pytest

from leaderboard.store import SubmissionStore
from tests.support.storekit import GOOD, small_bench, submit


@pytest.fixture
def crashed(tmp_path):
    store = SubmissionStore(tmp_path / "subs", small_bench(tmp_path / "b"))
    sub = submit(store, GOOD, "p.jsonl", {"model": "Crash-VL"})
    (store.root / ".tmp-20260101T000000000000Z-abcdefabcdef").mkdir()
    (store.root / ".tmp-20260101T000000000000Z-abcdefabcdef" / "upload.jsonl").write_bytes(
        b"x" * 1000
    )
    (sub.path / "result.json.tmp").write_text("{")
    (sub.path / "history").mkdir()
    (sub.path / "history" / "result-1.json.tmp").write_text("{")
    return store, sub


def test_leftovers_are_removed_and_the_submission_kept(crashed):
    store, sub = crashed
    fresh = SubmissionStore(store.root, store.benchmark)
    assert fresh.clean_leftovers(wait=False) == [
        ".tmp-20260101T000000000000Z-abcdefabcdef",
        f"{sub.id}/history/result-1.json.tmp",
        f"{sub.id}/result.json.tmp",
    ]
    assert sorted(p.name for p in store.root.iterdir()) == [".lock", sub.id]
    assert not list(store.root.rglob("*.tmp")) and fresh.get(sub.id).meta.model == "Crash-VL"
    assert fresh.verify() == []


def test_nothing_is_removed_while_another_writer_holds_the_lock(crashed):
    store, sub = crashed
    with open(store.root / ".lock", "a+") as fh:  # another writer (process) at work
        fcntl.flock(fh, fcntl.LOCK_EX)
        assert SubmissionStore(store.root, store.benchmark).clean_leftovers(wait=False) == []
        fcntl.flock(fh, fcntl.LOCK_UN)
    assert (sub.path / "result.json.tmp").exists()
    assert (store.root / ".tmp-20260101T000000000000Z-abcdefabcdef").is_dir()
