"""On-disk cache of LLM judgements, so a crash loses nothing and a re-score costs no calls.

One SQLite file (stdlib `sqlite3`, WAL journal) holds one row per final judgement, written the
moment it arrives. Rows are keyed by a sha256 over (judge model, prompt version, question,
reference answer, model answer): changing any of them, including the prompt version, misses the
cache on purpose. Only successful judgements are stored; a `judge_failed` item is retried on the
next run instead of being remembered as final.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

#: Environment variable that overrides the default cache location.
CACHE_ENV = "QBP_JUDGE_CACHE"
_REPO_ROOT = Path(__file__).resolve().parents[2]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS judgements (
    key TEXT PRIMARY KEY,
    judge_model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score IN (0, 1, 2)),
    raw TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""
_CHUNK = 500  # keys per SELECT, well under SQLite's bound-parameter limit


def default_cache_path() -> Path:
    """`$QBP_JUDGE_CACHE`, else `.cache/judge.sqlite` under the repository (git-ignored)."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else _REPO_ROOT / ".cache" / "judge.sqlite"


def cache_key(
    judge_model: str, prompt_version: str, question: str, reference: str, answer: str
) -> str:
    """sha256 hex of the five inputs; JSON-encoded so field boundaries cannot collide."""
    payload = json.dumps(
        [judge_model, prompt_version, question, reference, answer],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedJudgement:
    score: int
    raw: str


class JudgeCache:
    """Thread-safe SQLite store of judgements; every `put` is committed at once."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection shared by the worker threads, serialised by a lock: writes are tiny
        # and the network call dominates, so a connection per thread buys nothing.
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30.0
        )
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a killed process; only a power cut can lose the
            # last few commits, which would merely be judged again.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(_SCHEMA)

    def get(self, key: str) -> CachedJudgement | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, CachedJudgement]:
        """The cached judgements among `keys` (missing keys are simply absent)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, CachedJudgement] = {}
        with self._lock:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT key, score, raw FROM judgements WHERE key IN ({marks})", chunk
                )
                found.update((k, CachedJudgement(int(s), r)) for k, s, r in rows)
        return found

    def put(self, key: str, *, judge_model: str, prompt_version: str, score: int, raw: str) -> None:
        """Store one final judgement (score 0-2) and commit it immediately."""
        if score not in (0, 1, 2):
            raise ValueError(f"judge score must be 0, 1 or 2, got {score!r}")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO judgements VALUES (?, ?, ?, ?, ?, ?)",
                (key, judge_model, prompt_version, score, raw, now),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM judgements").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> JudgeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
