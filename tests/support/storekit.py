"""Shared pieces for the submission store tests: a small benchmark, uploads, folder listings."""

from __future__ import annotations

import json
from pathlib import Path

from leaderboard.benchmark import Benchmark, load_local
from leaderboard.settings import Limits
from leaderboard.store import Submission, SubmissionStore
from leaderboard.submission import SubmissionPipeline
from tests.support.bundles import item, write_bundle

QTYPES = ["SC", "MC", "TF", "OE", "SC"]
IDS = [f"q{i:03d}" for i in range(1, len(QTYPES) + 1)]
NO_RATE_LIMIT = Limits(submits_per_hour=0, attempts_per_hour=0)


def small_bench(folder: Path) -> Benchmark:
    """Five items, one of each question type (two SC)."""
    rows = [item(i, q) for i, q in enumerate(QTYPES, start=1)]
    return load_local(write_bundle(folder, rows))


def upload(answers: dict[str, str]) -> bytes:
    """A JSONL prediction file."""
    return "\n".join(
        json.dumps({"id": k, "prediction": v}, ensure_ascii=False) for k, v in answers.items()
    ).encode()


GOOD = upload({"q001": "B", "q002": "A and C", "q003": "True", "q004": "Blurry.", "q005": "B"})


def variant(n: int) -> bytes:
    """The n-th distinct good upload (answers vary with n, so hashes and results differ)."""
    letters = "ABCD"
    return upload(
        {
            "q001": letters[n % 4],
            "q002": letters[(n // 4) % 4],
            "q003": "True" if n % 2 else "False",
            "q004": f"Answer {n}.",
            "q005": letters[(n // 16) % 4],
        }
    )


def listing(root: Path) -> list[str]:
    """Every file and folder under root (relative paths), without the lock file."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name != ".lock")


def submit(
    store: SubmissionStore, data: bytes, file_name: str, meta: dict, **options
) -> Submission:
    """Store one upload through the submission pipeline, as the app, the CLI and seeding do
    (no judge, limits from the environment unless given)."""
    judge, limits = options.pop("judge", None), options.pop("limits", None)
    return SubmissionPipeline(store.benchmark, store, judge=judge, limits=limits).submit(
        data, file_name, meta, **options
    )


def rescore_stale(store: SubmissionStore, judge=None) -> list[str]:
    """Re-score the store's stale submissions through the pipeline (as start-up does)."""
    return SubmissionPipeline(store.benchmark, store, judge=judge).rescore_stale()
