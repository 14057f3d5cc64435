"""Settings from the environment, with sane defaults, read in one place."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_BUNDLE = REPO_ROOT / "data" / "demo"
PAPER_DIR = REPO_ROOT / "data" / "paper"


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Limits:
    """Caps on what one uploaded prediction file may hold."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_answer_chars: int = 20_000
    max_rows_factor: float = 1.0  # more rows than the benchmark has items is an error

    @classmethod
    def from_env(cls) -> "Limits":
        return cls(
            max_file_bytes=_int("QBP_MAX_UPLOAD_MB", 20) * 1024 * 1024,
            max_answer_chars=_int("QBP_MAX_ANSWER_CHARS", 20_000),
        )


@dataclass(frozen=True)
class AppSettings:
    """What the Space reads from its environment; every default runs offline on the demo."""

    benchmark: str = str(DEMO_BUNDLE)  # local folder or Hub dataset repo id
    revision: str | None = None
    mapping: str | None = None
    submissions_dir: str = "submissions"
    judge: str = "auto"  # none | approx | openai | auto (approx when available)
    seed_demo: bool = True  # fill an empty store from the bundle's models.json
    title: str = "Q-Bench-Portrait Leaderboard"

    @classmethod
    def from_env(cls) -> "AppSettings":
        env = os.environ
        return cls(
            benchmark=env.get("QBP_BENCHMARK", "").strip() or str(DEMO_BUNDLE),
            revision=env.get("QBP_BENCHMARK_REVISION", "").strip() or None,
            mapping=env.get("QBP_MAPPING", "").strip() or None,
            submissions_dir=env.get("QBP_SUBMISSIONS_DIR", "").strip() or "submissions",
            judge=(env.get("QBP_JUDGE", "").strip().lower() or "auto"),
            seed_demo=env.get("QBP_SEED_DEMO", "1").strip().lower() not in ("0", "false", "no"),
        )
