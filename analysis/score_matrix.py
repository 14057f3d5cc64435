"""The verified models' item scores as one matrix, kept incrementally and on disk (issue 13).

Every statistic of the board (intervals, rank ranges, comparisons, item analysis) reads a
(models x items) score matrix. Rebuilding it by reading every stored items.parquet after each
submit cost 4.7 s at 1,000 submissions; a stored submission's scores never change unless it
is re-scored (which rewrites its items.parquet), so each row is read once and kept:

- in memory, keyed by submission id and the (mtime, size) stamp of its items.parquet;
- on disk, in one file under the store's root (`.score-matrix/<benchmark hash>.npz`: a dot
  folder the store and the Hub sync ignore), so a restart reads one file, not 1,000.

Scores are 0, 0.5, 1 or unknown, so a row is stored as int8 codes (2 x score, -1 unknown):
2.8 kB per submission. A file that cannot be read is ignored (rows are read again); it is
written atomically (temp file, then rename), so a crash leaves the old one or the new one.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from leaderboard.benchmark import Benchmark
from leaderboard.store import Submission

log = logging.getLogger("qbp.scores")

CACHE_DIR = ".score-matrix"
Stamp = tuple[int, int]


def _stamp(sub: Submission) -> Stamp | None:
    try:
        st = (sub.path / "items.parquet").stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def encode(scores: np.ndarray) -> np.ndarray:
    """Item scores (0, 0.5, 1, NaN) as int8 codes (0, 1, 2, -1)."""
    out = np.full(scores.shape, -1, dtype=np.int8)
    known = ~np.isnan(scores)
    out[known] = np.rint(scores[known] * 2).astype(np.int8)
    return out


def decode(codes: np.ndarray) -> np.ndarray:
    out = codes.astype(np.float64) / 2.0
    out[codes < 0] = np.nan
    return out


class ScoreRows:
    """Each stored submission's item scores in benchmark order, read once."""

    def __init__(self, store_root: str | Path, bench: Benchmark) -> None:
        self.bench = bench
        self.path = Path(store_root) / CACHE_DIR / f"{bench.hash.replace(':', '-')[:40]}.npz"
        self._rows: dict[str, tuple[Stamp, np.ndarray]] = {}  # id -> (stamp, int8 codes)
        self._loaded = False
        self._lock = threading.Lock()
        self.reads = 0  # items.parquet files read (for tests and benches)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            with np.load(self.path, allow_pickle=False) as data:
                ids, stamps, codes = data["ids"], data["stamps"], data["codes"]
        except (OSError, KeyError, ValueError):
            return  # no cache yet, or an unreadable one: rows are read again
        if (
            codes.ndim != 2
            or codes.shape[1] != len(self.bench)
            or len(ids) != len(codes)
            or stamps.shape != (len(ids), 2)
        ):
            return
        for sub_id, stamp, row in zip(ids.tolist(), stamps.tolist(), codes, strict=True):
            self._rows[str(sub_id)] = ((int(stamp[0]), int(stamp[1])), row)

    def _save(self) -> None:
        ids = sorted(self._rows)
        if not ids:
            return
        stamps = np.array([self._rows[i][0] for i in ids], dtype=np.int64)
        codes = np.vstack([self._rows[i][1] for i in ids])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, ids=np.array(ids), stamps=stamps, codes=codes)
            os.replace(tmp, self.path)
        except OSError as exc:  # a cache: the board works without it
            log.warning("score matrix cache not written (%s)", exc)

    def _read(self, sub: Submission) -> np.ndarray | None:
        """The submission's scores as codes, or None when its items do not line up with the
        loaded benchmark (a re-score pending): left out rather than mis-aligned."""
        self.reads += 1
        items = sub.item_scores()
        ids = self.bench.items["id"].to_numpy(dtype=object)
        if len(items) != len(ids) or not np.array_equal(items["id"].to_numpy(dtype=object), ids):
            log.warning("scores of %s skipped: items do not match the benchmark", sub.id)
            return None
        return encode(items["score"].to_numpy(dtype=np.float64))

    def matrix(self, subs: Iterable[Submission]) -> tuple[list[Submission], np.ndarray]:
        """(the submissions that line up, their scores (n, n_items) float64, NaN unknown),
        in the order given. Reads only submissions not seen before (or re-scored)."""
        with self._lock:
            self._load()
            kept, rows, changed = [], [], False
            for sub in subs:
                stamp = _stamp(sub)
                cached = self._rows.get(sub.id)
                if cached is None or cached[0] != stamp:
                    codes = self._read(sub)
                    if codes is None:
                        continue
                    if stamp is not None:
                        self._rows[sub.id] = (stamp, codes)
                        changed = True
                else:
                    codes = cached[1]
                kept.append(sub)
                rows.append(codes)
            if changed:
                self._save()
        scores = decode(np.vstack(rows)) if rows else np.zeros((0, len(self.bench)))
        return kept, scores
