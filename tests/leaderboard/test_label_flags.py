"""Label review by visitors (issue 12): a flag on an item's answer key is stored append-only,
rate-limited per client, with its owner and a cleaned reason, and listed for the admin."""

from __future__ import annotations

import json
import os
import threading

import pytest

from leaderboard.label_flags import ANONYMOUS, LabelFlagError, LabelFlags, flags_root
from leaderboard.limits import RateLimiter, RateLimitError

IDS = {"q001", "q002", "q003"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _files(root) -> list[str]:
    return sorted(os.listdir(root)) if root.exists() else []


@pytest.fixture()
def flags(tmp_path):
    return LabelFlags(flags_root(tmp_path), IDS, per_hour=0)


def test_a_flag_is_stored_with_owner_and_reason_and_listed_newest_first(flags):
    first = flags.add(
        "q002", "  Option C is also correct: the forehead is overexposed. ", owner="hf:ana"
    )
    second = flags.add("q001", "The gold letter does not match the image.")
    assert first["owner"] == "hf:ana" and second["owner"] == ANONYMOUS
    assert first["reason"] == "Option C is also correct: the forehead is overexposed."
    assert [f["id"] for f in flags.list()] == [second["id"], first["id"]]
    assert flags.list(item_id="q002")[0]["reason"].startswith("Option C")
    assert len(flags) == 2


def test_counts_per_item_for_the_admin(flags):
    flags.add("q001", "wrong key one", owner="a")
    flags.add("q001", "wrong key two", owner="a")
    flags.add("q001", "wrong key three")
    flags.add("q003", "wrong key four", owner="b")
    assert flags.counts() == {"q001": {"flags": 3, "owners": 2}, "q003": {"flags": 1, "owners": 1}}


@pytest.mark.parametrize(
    "item, reason, message",
    [
        ("q999", "looks wrong", "item 'q999' is not a benchmark item"),
        ("../meta", "looks wrong", "is not a benchmark item"),
        (7, "looks wrong", "item int is not a benchmark item"),
        ("q001", "", "Reason is required"),
        ("q001", "bad", "Reason is too short"),
        ("q001", "hidden\u202etext here", "Reason contains a control or invisible character"),
        ("q001", "two\nlines of text", "Reason contains a control"),
        ("q001", "x" * 501, "Reason is 501 characters long; at most 500"),
        ("q001", {"html": "<b>"}, "Reason must be text"),
    ],
)
def test_bad_flags_are_refused_and_nothing_is_stored(flags, item, reason, message):
    with pytest.raises(LabelFlagError, match=message):
        flags.add(item, reason)
    assert _files(flags.root) == []


def test_html_in_a_reason_is_kept_as_text(flags):
    f = flags.add("q001", "<img src=x onerror=alert(1)> wrong key")
    assert flags.list()[0]["reason"] == "<img src=x onerror=alert(1)> wrong key" == f["reason"]


def test_a_client_is_rate_limited_and_a_refused_flag_costs_nothing(tmp_path):
    clock = Clock()
    flags = LabelFlags(tmp_path, IDS, limiter=RateLimiter(2, "label flags", clock=clock))
    with pytest.raises(LabelFlagError):
        flags.add("q001", "", client="ip:1")  # refused before the rate limit counts
    flags.add("q001", "first reason", client="ip:1")
    flags.add("q002", "second reason", client="ip:1")
    with pytest.raises(RateLimitError, match="at most 2 label flags per hour"):
        flags.add("q003", "third reason", client="ip:1")
    flags.add("q003", "another client", client="ip:2")
    clock.now += 1800  # half an hour: one more allowed
    flags.add("q003", "third reason", client="ip:1")
    assert len(flags) == 4


def test_the_rate_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QBP_FLAGS_PER_HOUR", "1")
    flags = LabelFlags(tmp_path, IDS)
    flags.add("q001", "first reason", client="ip:1")
    with pytest.raises(RateLimitError):
        flags.add("q002", "second reason", client="ip:1")


def test_flags_are_never_rewritten_and_each_is_its_own_file(flags):
    a = flags.add("q001", "first reason")
    path = flags.root / f"{a['id']}.json"
    before = path.read_bytes()
    for n in range(5):
        flags.add("q001", f"more reasons {n}")
    assert path.read_bytes() == before
    assert json.loads(before)["reason"] == "first reason"
    assert len(_files(flags.root)) == 6 and not any(n.startswith(".") for n in _files(flags.root))


def test_many_threads_flagging_at_once_lose_nothing(flags):
    def work(t: int) -> None:
        for n in range(10):
            flags.add("q002", f"thread {t} flag {n}", owner=f"user{t}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    listed = flags.list(limit=None)
    assert len(listed) == 80 and len({f["id"] for f in listed}) == 80
    assert {f["reason"] for f in listed} == {
        f"thread {t} flag {n}" for t in range(8) for n in range(10)
    }
    assert flags.counts() == {"q002": {"flags": 80, "owners": 8}}


def test_a_failed_write_stores_nothing_and_gives_the_token_back(tmp_path, monkeypatch):
    clock = Clock()
    flags = LabelFlags(tmp_path / "f", IDS, limiter=RateLimiter(1, "label flags", clock=clock))

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "link", boom)
    with pytest.raises(OSError):
        flags.add("q001", "first reason", client="ip:1")
    assert _files(tmp_path / "f") == []
    monkeypatch.undo()
    flags.add("q001", "first reason", client="ip:1")  # the allowance was refunded
    assert len(flags) == 1
