"""Settings from the environment, with sane defaults, read in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_BUNDLE = REPO_ROOT / "data" / "demo"
PAPER_DIR = REPO_ROOT / "data" / "paper"


def mb(n_bytes: float) -> str:
    """A byte count as the MB figure users see (MiB, as the QBP_MAX_UPLOAD_MB setting)."""
    value = n_bytes / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


class SettingError(ValueError):
    """An environment setting has a value we cannot use; the message names the variable."""


def _int(name: str, default: int, minimum: int = 1) -> int:
    """A whole-number setting; a bad value stops start-up with a message naming it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name} must be a whole number, got {value!r}") from None
    if number < minimum:
        raise SettingError(f"{name} must be at least {minimum}, got {number}")
    return number


def _float(
    name: str, default: float, minimum: float = 0.0, env: Mapping[str, str] | None = None
) -> float:
    value = (os.environ if env is None else env).get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingError(f"{name} must be a number, got {value!r}") from None
    if not number >= minimum:  # also refuses NaN
        raise SettingError(f"{name} must be at least {minimum}, got {value}")
    return number


@dataclass(frozen=True)
class Limits:
    """Caps on what one upload may hold and how often a client may submit.

    Rows are capped by the benchmark itself (more rows than items is an error).
    """

    max_file_bytes: int = 20 * 1024 * 1024  # QBP_MAX_UPLOAD_MB
    max_answer_chars: int = 20_000  # QBP_MAX_ANSWER_CHARS
    max_rows_factor: float = 1.0  # more rows than the benchmark has items is an error
    max_id_chars: int = 200  # an id longer than this cannot be a benchmark id
    # Decoded size of any format: Parquet uncompressed and dictionary-expanded, XLSX unzipped.
    max_expanded_bytes: int = 128 * 1024 * 1024
    submits_per_hour: int = 10  # QBP_SUBMITS_PER_HOUR, per client; 0 turns the limit off
    attempts_per_hour: int = 50  # QBP_ATTEMPTS_PER_HOUR, rejected uploads included
    # Bounded work per request, whatever the format (a prediction file needs two columns;
    # harness files carry a few dozen).
    max_columns: int = 256  # columns of a table, distinct keys of JSON rows
    max_cells: int = 500_000  # table cells, or JSON values, in one file
    max_line_chars: int = 2_000_000  # one CSV/TSV/JSONL line or one concatenated JSON value
    max_xlsx_bytes: int = 64 * 1024 * 1024  # XLSX: its ZIP members unpacked, all together
    max_archive_members: int = 64  # XLSX: members of its ZIP container

    @classmethod
    def unlimited(cls) -> Limits:
        """For re-scoring files that were already accepted: the caps applied at upload."""
        big = 1 << 62
        return cls(
            max_file_bytes=big,
            max_answer_chars=big,
            max_id_chars=big,
            max_expanded_bytes=big,
            submits_per_hour=0,
            attempts_per_hour=0,
            max_columns=big,
            max_cells=big,
            max_line_chars=big,
            max_xlsx_bytes=big,
            max_archive_members=big,
        )

    @classmethod
    def from_env(cls) -> Limits:
        per_hour = _int("QBP_SUBMITS_PER_HOUR", 10, minimum=0)
        return cls(
            max_file_bytes=_int("QBP_MAX_UPLOAD_MB", 20) * 1024 * 1024,
            max_answer_chars=_int("QBP_MAX_ANSWER_CHARS", 20_000),
            submits_per_hour=per_hour,
            attempts_per_hour=_int("QBP_ATTEMPTS_PER_HOUR", 5 * per_hour, minimum=0),
        )


@dataclass(frozen=True)
class JudgeLimits:
    """What the open-ended judge may be sent for one submission: each answer cut to
    `max_answer_chars` (the item says so), and a budget of calls, characters and wall time
    (`judges.budget`); items past it are `judge_failed` and re-judged later, every
    `rejudge_interval_s` seconds while the app runs (0: only at start-up and on request)."""

    max_answer_chars: int = 2000  # QBP_JUDGE_MAX_ANSWER_CHARS
    max_calls: int = 3000  # QBP_JUDGE_MAX_CALLS (retries included)
    max_chars: int = 4_000_000  # QBP_JUDGE_MAX_CHARS (prompt characters, all calls)
    max_seconds: float = 1800.0  # QBP_JUDGE_MAX_SECONDS
    rejudge_interval_s: int = 1800  # QBP_REJUDGE_INTERVAL_S

    @classmethod
    def from_env(cls) -> JudgeLimits:
        return cls(
            max_answer_chars=_int("QBP_JUDGE_MAX_ANSWER_CHARS", 2000),
            max_calls=_int("QBP_JUDGE_MAX_CALLS", 3000),
            max_chars=_int("QBP_JUDGE_MAX_CHARS", 4_000_000),
            max_seconds=_float("QBP_JUDGE_MAX_SECONDS", 1800.0, minimum=1.0),
            rejudge_interval_s=_int("QBP_REJUDGE_INTERVAL_S", 1800, minimum=0),
        )


@dataclass(frozen=True)
class ServerLimits:
    """What one client may put on the server's disk and in one request, checked at the HTTP
    layer before Gradio reads a byte (`ui.request_guard`), and how long Gradio keeps uploads.

    Disk used by uploads stays under about upload_mb_per_hour_all x upload_cache_minutes/60:
    Gradio deletes uploads older than `upload_cache_minutes` (its `delete_cache`)."""

    uploads_per_hour: int = 60  # QBP_UPLOADS_PER_HOUR, per client; 0 turns the limit off
    upload_mb_per_hour: int = 200  # QBP_UPLOAD_MB_PER_HOUR, per client
    upload_mb_per_hour_all: int = 2048  # QBP_UPLOAD_MB_PER_HOUR_ALL, every client together
    upload_cache_minutes: int = 60  # QBP_UPLOAD_CACHE_MINUTES: uploads older are deleted
    max_request_bytes: int = 128 * 1024  # QBP_MAX_REQUEST_KB: any other request body

    @classmethod
    def from_env(cls) -> ServerLimits:
        return cls(
            uploads_per_hour=_int("QBP_UPLOADS_PER_HOUR", 60, minimum=0),
            upload_mb_per_hour=_int("QBP_UPLOAD_MB_PER_HOUR", 200, minimum=0),
            upload_mb_per_hour_all=_int("QBP_UPLOAD_MB_PER_HOUR_ALL", 2048, minimum=0),
            upload_cache_minutes=_int("QBP_UPLOAD_CACHE_MINUTES", 60),
            max_request_bytes=_int("QBP_MAX_REQUEST_KB", 128) * 1024,
        )

    @property
    def delete_cache(self) -> tuple[int, int]:
        """gr.Blocks(delete_cache=(every, age)) in seconds: look every tenth of the age (at
        least every minute, at most every ten), delete what is older than the age."""
        age = self.upload_cache_minutes * 60
        return (max(60, min(600, age // 10)), age)


@dataclass(frozen=True)
class AppSettings:
    """What the Space reads from its environment; every default runs offline on the demo."""

    benchmark: str = str(DEMO_BUNDLE)  # local folder or Hub dataset repo id
    revision: str | None = None
    mapping: str | None = None
    submissions_dir: str = "submissions"
    judge: str = "auto"  # none | approx | openai | auto (approx when available)
    seed_demo: bool = True  # fill an empty store from the bundle's models.json
    trust_forwarded: bool = False  # behind a proxy (Spaces): rate-limit by X-Forwarded-For
    title: str = "Q-Bench-Portrait Leaderboard"

    @classmethod
    def from_env(cls) -> AppSettings:
        env = os.environ
        return cls(
            benchmark=env.get("QBP_BENCHMARK", "").strip() or str(DEMO_BUNDLE),
            revision=env.get("QBP_BENCHMARK_REVISION", "").strip() or None,
            mapping=env.get("QBP_MAPPING", "").strip() or None,
            submissions_dir=env.get("QBP_SUBMISSIONS_DIR", "").strip() or "submissions",
            judge=(env.get("QBP_JUDGE", "").strip().lower() or "auto"),
            seed_demo=env.get("QBP_SEED_DEMO", "1").strip().lower() not in ("0", "false", "no"),
            trust_forwarded=(
                env.get("QBP_TRUST_FORWARDED", "").strip().lower() in ("1", "true", "yes")
                or bool(env.get("SPACE_ID"))
            ),
        )
