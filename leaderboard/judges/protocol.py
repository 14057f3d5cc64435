"""The judge interface the scorer talks to for open-ended (OE) items.

Backends (reference LLM judge, offline approximate judge) implement `Judge`; the scorer only
knows this protocol, so a run without any judge still works and marks OE items `unjudged`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

#: progress(done, total): called as judgements arrive, for progress bars.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JudgeRequest:
    question: str
    reference: str  # the benchmark's reference answer
    answer: str  # the model's (normalised) answer text


@dataclass(frozen=True)
class Judgement:
    score: int | None  # 0, 1 or 2; None when the judge failed
    raw: str  # the judge's raw text, or the error that made it fail
    status: str  # "judged" or "judge_failed"
    cached: bool = False


@dataclass
class JudgeInfo:
    backend: str  # "none", "approx", "openai"
    model: str | None = None
    prompt_version: str | None = None
    approximate: bool = False
    calls: int = 0
    cache_hits: int = 0
    failures: int = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "backend": self.backend,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "approximate": self.approximate,
            "calls": self.calls,
            "cache_hits": self.cache_hits,
            "failures": self.failures,
            **self.extra,
        }


class Judge(Protocol):
    """A judge backend. `judge` may also take a keyword `budget` (a `budget.BudgetMeter`):
    a backend that makes calls asks it before each one and fails the items it no longer
    covers; `scoring.judge_open` passes it only to a judge whose `judge` takes it."""

    info: JudgeInfo

    def judge(
        self, requests: Sequence[JudgeRequest], progress: Progress | None = None
    ) -> list[Judgement]:
        """One judgement per request, in order. Never raises for a single item's failure."""
        ...
