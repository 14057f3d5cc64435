"""A submitting process killed (SIGKILL) anywhere while it stores, re-scores or moderates: a
fresh store then finds every submission whole or absent, reports the leftovers, and every
earlier submission is intact byte for byte."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import signal
import time

import pandas as pd
import pytest

from leaderboard import store as store_mod
from leaderboard.store import SUBMISSION_FILES, TMP_PREFIX, WRITE_POINTS, SubmissionStore
from tests.support.storekit import rescore_stale, small_bench, submit, variant

CTX = multiprocessing.get_context("fork")


@pytest.fixture()
def setup(tmp_path):
    """A store with two earlier submissions, and a snapshot of their files."""
    bench = small_bench(tmp_path / "bundle")
    store = SubmissionStore(tmp_path / "subs", bench)
    earlier = [submit(store, variant(i), "p.jsonl", {"model": f"Earlier {i}"}) for i in (1, 2)]
    snapshot = {
        s.id: {f: (s.path / f).read_bytes() for f in SUBMISSION_FILES + ("upload.jsonl",)}
        for s in earlier
    }
    return store, bench, snapshot


def _kill_at(point: str):
    def hook(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    return hook


def _child(root, bench, point: str, action: str, target: str | None) -> None:
    store_mod._crash_hook = _kill_at(point)
    store = SubmissionStore(root, bench)
    if action == "put":
        submit(store, variant(7), "new.jsonl", {"model": "Crashing"})
    elif action == "rescore":
        store_mod.SCORER_VERSION = "99.0"
        rescore_stale(store)
    else:
        store.set_hidden(target, True, reason="crash test")
    os._exit(0)  # the point was never reached


def run_killed(store, bench, point: str, target: str | None = None) -> int:
    action = point.split(":")[0]
    proc = CTX.Process(target=_child, args=(store.root, bench, point, action, target))
    proc.start()
    proc.join(60)
    return proc.exitcode


def check_whole_or_absent(root, bench, snapshot, results_may_change: bool = False):
    """The invariants a user relies on after any crash; returns the fresh store."""
    fresh = SubmissionStore(root, bench)
    subs = fresh.scan()
    assert fresh.problems == []
    on_disk_tmp = sorted(p.name for p in root.iterdir() if p.name.startswith(TMP_PREFIX))
    assert fresh.leftovers == on_disk_tmp  # reported, and ignored by the listing
    for sub in subs:  # whole: every file present and readable, the upload matches its hash
        for name in SUBMISSION_FILES:
            assert (sub.path / name).is_file(), (sub.id, name)
        assert hashlib.sha256(sub.upload_path.read_bytes()).hexdigest() == sub.meta.file_sha256
        assert len(pd.read_parquet(sub.path / "items.parquet")) == len(bench)
        assert "table3" in json.loads((sub.path / "result.json").read_text())["tables"]
        if (sub.path / "moderation.json").exists():
            assert isinstance(json.loads((sub.path / "moderation.json").read_text()), dict)
    ids = {s.id for s in subs}
    for sub_id, files in snapshot.items():  # earlier submissions intact
        assert sub_id in ids
        path = root / sub_id
        assert (path / "upload.jsonl").read_bytes() == files["upload.jsonl"]
        assert (path / "meta.json").read_bytes() == files["meta.json"]
        if results_may_change:
            old = json.loads(files["result.json"])
            assert json.loads((path / "result.json").read_text())["tables"] == old["tables"]
        else:
            assert (path / "result.json").read_bytes() == files["result.json"]
            assert (path / "items.parquet").read_bytes() == files["items.parquet"]
    assert fresh.verify() == []
    return fresh


@pytest.mark.parametrize("point", [p for p in WRITE_POINTS if p.startswith("put:")])
def test_killed_while_adding(setup, point):
    store, bench, snapshot = setup
    assert run_killed(store, bench, point) == -signal.SIGKILL
    fresh = check_whole_or_absent(store.root, bench, snapshot)
    crashed = fresh.versions("Crashing")
    landed = point in ("put:renamed", "put:root_synced")
    assert len(crashed) == (1 if landed else 0)
    assert bool(fresh.leftovers) == (point not in ("put:start", "put:renamed", "put:root_synced"))
    leftovers = list(fresh.leftovers)
    assert fresh.clean_leftovers() == leftovers
    assert not any(p.name.startswith(TMP_PREFIX) for p in store.root.iterdir())
    again = submit(fresh, variant(7), "new.jsonl", {"model": "Crashing"})  # still serves
    assert again.duplicate == landed
    check_whole_or_absent(store.root, bench, snapshot)


@pytest.mark.parametrize("point", [p for p in WRITE_POINTS if p.startswith("rescore:")])
def test_killed_while_rescoring(setup, point, monkeypatch):
    store, bench, snapshot = setup
    assert run_killed(store, bench, point) == -signal.SIGKILL
    check_whole_or_absent(store.root, bench, snapshot, results_may_change=True)
    monkeypatch.setattr(store_mod, "SCORER_VERSION", "99.0")
    fresh = SubmissionStore(store.root, bench)
    rescore_stale(fresh)  # the next start-up finishes the job
    assert fresh.problems == []
    assert {s.result["scorer_version"] for s in fresh.scan()} == {"99.0"}
    check_whole_or_absent(store.root, bench, snapshot, results_may_change=True)


@pytest.mark.parametrize("point", [p for p in WRITE_POINTS if p.startswith("moderate:")])
def test_killed_while_moderating(setup, point):
    store, bench, snapshot = setup
    target = next(iter(snapshot))
    assert run_killed(store, bench, point, target) == -signal.SIGKILL
    fresh = check_whole_or_absent(store.root, bench, snapshot)
    assert fresh.get(target).hidden == (point == "moderate:written")


def _busy_child(root, bench, ready) -> None:
    store = SubmissionStore(root, bench)
    ready.set()
    for i in range(100, 10_000):
        submit(store, variant(i), "busy.jsonl", {"model": f"Busy {i}"})


def test_killed_after_random_delays_while_submitting_in_a_loop(setup):
    """Kills at random moments leave every submission whole or absent. How long one submit
    takes depends on the machine's load, so kills go on (at most 80) until some did land in
    the middle of a write: the check is about what a torn write leaves, not about timing."""
    store, bench, snapshot = setup
    rng = random.Random(20240607)
    kills, torn = 0, 0
    while kills < 80 and (kills < 20 or torn < 2):
        kills += 1
        ready = CTX.Event()
        proc = CTX.Process(target=_busy_child, args=(store.root, bench, ready))
        proc.start()
        assert ready.wait(30)
        time.sleep(rng.uniform(0, 0.03 * (1 + kills // 20)))  # anywhere inside some submit()
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
        assert proc.exitcode == -signal.SIGKILL
        fresh = check_whole_or_absent(store.root, bench, snapshot)
        torn += bool(fresh.leftovers)
        fresh.clean_leftovers()
    assert len(WRITE_POINTS) + kills >= 40
    assert torn > 0  # some kills did land in the middle of a write
