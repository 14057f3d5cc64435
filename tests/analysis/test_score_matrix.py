"""The verified models' score matrix is read once per submission and kept on disk (issue 13:
the matrix re-read every items.parquet after each submit)."""

from __future__ import annotations

import os

import numpy as np

from analysis.score_matrix import CACHE_DIR, ScoreRows, decode, encode
from tests.support.appdata import ANSWERS, filled_store, jsonl
from tests.support.storekit import submit


def direct(store) -> np.ndarray:
    return np.vstack([s.items()["score"].to_numpy(dtype=float) for s in store.submissions()])


def test_codes_round_trip_every_score():
    scores = np.array([[0.0, 0.5, 1.0, np.nan]])
    assert encode(scores).dtype == np.int8
    np.testing.assert_array_equal(decode(encode(scores)), scores)


def test_rows_are_read_once_and_a_new_submission_reads_one_file(tmp_path):
    store = filled_store(tmp_path)
    rows = ScoreRows(store.root, store.benchmark)
    kept, scores = rows.matrix(store.submissions())
    assert rows.reads == 3 and [s.meta.model for s in kept] == list(ANSWERS)
    np.testing.assert_array_equal(scores, direct(store))
    rows.matrix(store.submissions())
    assert rows.reads == 3  # nothing read again
    submit(store, jsonl(["B"] * 8), "new.jsonl", {"model": "New"})
    kept, scores = rows.matrix(store.submissions())
    assert rows.reads == 4 and kept[-1].meta.model == "New"
    np.testing.assert_array_equal(scores, direct(store))


def test_a_restart_reads_the_matrix_from_disk_not_the_submissions(tmp_path):
    store = filled_store(tmp_path)
    ScoreRows(store.root, store.benchmark).matrix(store.submissions())
    assert list((store.root / CACHE_DIR).glob("*.npz"))
    assert len(store.scan()) == 3  # the cache folder is not taken for a submission
    again = ScoreRows(store.root, store.benchmark)
    _, scores = again.matrix(store.submissions())
    assert again.reads == 0
    np.testing.assert_array_equal(scores, direct(store))


def test_a_rewritten_items_file_is_read_again_and_a_broken_cache_is_ignored(tmp_path):
    store = filled_store(tmp_path)
    rows = ScoreRows(store.root, store.benchmark)
    rows.matrix(store.submissions())
    sub = store.submissions()[0]
    items = sub.items().copy()
    items["score"] = 1.0  # as a re-score would rewrite it
    path = sub.path / "items.parquet"
    items.to_parquet(path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    sub._items = None
    _, scores = rows.matrix(store.submissions())
    assert rows.reads == 4 and (scores[0] == 1.0).all()
    for f in (store.root / CACHE_DIR).glob("*.npz"):
        f.write_bytes(b"not a numpy file")
    fresh = ScoreRows(store.root, store.benchmark)
    _, again = fresh.matrix(store.submissions())
    assert fresh.reads == 3
    np.testing.assert_array_equal(again, scores)
