"""Concurrent submissions, from threads on one store and from processes on one folder: every
submission lands once, none is mixed up with another, and the listing shows them all."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

from leaderboard.predictions import read_predictions
from leaderboard.scoring import score_predictions
from leaderboard.store import SubmissionStore
from tests.support.storekit import small_bench, submit, variant

N = 20


@pytest.fixture()
def bench(tmp_path):
    return small_bench(tmp_path / "bundle")


def expected(bench, data: bytes) -> tuple[dict, pd.DataFrame]:
    """What scoring this file on its own gives: the tables and the per-item frame."""
    pred = read_predictions(data, "p.jsonl", bench)
    result = score_predictions(bench, pred.predictions)
    return result.tables.values, result.items


def assert_each_landed_once_unmixed(store: SubmissionStore, bench, files: dict[str, bytes]):
    subs = store.submissions()
    assert sorted(s.meta.model for s in subs) == sorted(files)
    assert len({s.id for s in subs}) == len(files)
    assert store.leftovers == [] and store.problems == []
    for sub in subs:
        data = files[sub.meta.model]
        assert sub.upload_path.read_bytes() == data
        tables, items = expected(bench, data)
        assert sub.result["tables"] == tables
        stored = sub.items()
        for column in ("id", "raw", "parsed", "status", "score"):
            pd.testing.assert_series_equal(stored[column], items[column], check_dtype=False)
        assert sub.meta.version == 1


def test_twenty_threads_submitting_at_once_all_land_once_unmixed(tmp_path, bench):
    store = SubmissionStore(tmp_path / "subs", bench)
    files = {f"Model-{i:02d}": variant(i) for i in range(N)}
    start = threading.Barrier(N)

    def submit_one(model: str):
        start.wait()
        return submit(store, files[model], f"{model}.jsonl", {"model": model})

    with ThreadPoolExecutor(N) as pool:
        results = list(pool.map(submit_one, files))
    assert not any(r.duplicate for r in results)
    assert_each_landed_once_unmixed(store, bench, files)
    assert len(SubmissionStore(store.root, bench).submissions()) == N  # a fresh reader agrees


def test_same_file_for_same_model_from_many_threads_is_stored_once(tmp_path, bench):
    store = SubmissionStore(tmp_path / "subs", bench)
    start = threading.Barrier(10)

    def submit_one(_):
        start.wait()
        return submit(store, variant(3), "p.jsonl", {"model": "Twin"})

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(submit_one, range(10)))
    assert len({r.id for r in results}) == 1
    assert sum(not r.duplicate for r in results) == 1
    assert len(store.submissions(all_versions=True)) == 1


def test_new_files_for_one_model_from_many_threads_become_distinct_versions(tmp_path, bench):
    store = SubmissionStore(tmp_path / "subs", bench)
    start = threading.Barrier(10)

    def submit_one(i):
        start.wait()
        return submit(store, variant(i), "p.jsonl", {"model": "Versioned"})

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(submit_one, range(10)))
    versions = store.versions("versioned")
    assert [v.meta.version for v in versions] == list(range(1, 11))
    assert len(store.submissions()) == 1 and store.submissions()[0].id == versions[-1].id


def _process_worker(root, bench, worker: int, per_worker: int, barrier) -> None:
    store = SubmissionStore(root, bench)
    barrier.wait()
    for j in range(per_worker):
        i = worker * per_worker + j
        submit(store, variant(i), f"{i}.jsonl", {"model": f"Model-{i:02d}"})
    submit(store, variant(99), "same.jsonl", {"model": "Shared"})  # every process, same file


def test_processes_on_one_folder_all_land_once_unmixed(tmp_path, bench):
    ctx = multiprocessing.get_context("fork")
    workers, per_worker = 4, N // 4
    barrier = ctx.Barrier(workers)
    root = tmp_path / "subs"
    procs = [
        ctx.Process(target=_process_worker, args=(root, bench, w, per_worker, barrier))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    store = SubmissionStore(root, bench)
    files = {f"Model-{i:02d}": variant(i) for i in range(N)}
    files["Shared"] = variant(99)
    assert_each_landed_once_unmixed(store, bench, files)
    assert len(store.versions("Shared")) == 1  # the same file from 4 processes, stored once


def test_the_demo_prediction_files_submitted_at_once_score_as_on_their_own(tmp_path):
    from leaderboard.benchmark import load_local
    from leaderboard.settings import DEMO_BUNDLE

    demo = sorted((DEMO_BUNDLE / "predictions").glob("*.jsonl"))
    if not demo:
        pytest.skip("demo bundle not present")
    bench = load_local(DEMO_BUNDLE)
    store = SubmissionStore(tmp_path / "subs", bench)
    files = {p.stem: p.read_bytes() for p in demo}
    with ThreadPoolExecutor(len(files)) as pool:
        list(pool.map(lambda m: submit(store, files[m], f"{m}.jsonl", {"model": m}), files))
    assert_each_landed_once_unmixed(store, bench, files)
