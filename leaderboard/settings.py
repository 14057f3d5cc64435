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
