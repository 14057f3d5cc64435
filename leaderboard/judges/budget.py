"""A per-submission judge budget: calls, characters sent and wall time.

One hostile upload must not buy unlimited judge calls: 542 open-ended answers each retried
five times against a slow endpoint, or each as long as the upload limit allows. The pipeline
gives every submission (and every re-judge) a fresh `BudgetMeter`; a backend that makes
calls (`reference.OpenAIJudge`) asks it before each call, retries included, and an item the
budget no longer covers is `judge_failed` with the reason, never a silent 0. Failures can be
re-judged later (`SubmissionPipeline.rejudge`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JudgeBudget:
    """What judging one submission may cost (0 turns a bound off)."""

    calls: int = 3000  # QBP_JUDGE_MAX_CALLS: calls to the judge, retries included
    chars: int = 4_000_000  # QBP_JUDGE_MAX_CHARS: prompt characters sent, all calls together
    seconds: float = 1800.0  # QBP_JUDGE_MAX_SECONDS: wall time of judging, backoff included

    def meter(self, clock: Callable[[], float] = time.monotonic) -> BudgetMeter:
        """A fresh meter for one submission, its clock started now."""
        return BudgetMeter(self, clock)


class BudgetMeter:
    """The running cost of judging one submission; thread-safe (the judge's workers share
    it). `spend` charges one call or says why it may not be made."""

    def __init__(self, budget: JudgeBudget, clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = budget
        self.clock = clock
        self.started = clock()
        self.calls = 0
        self.chars = 0
        self._lock = threading.Lock()

    def spend(self, chars: int) -> str | None:
        """Charge one call sending `chars` characters: None when the budget allows it (and
        it is charged), else the reason it may not be made (nothing charged)."""
        b = self.budget
        with self._lock:
            if b.seconds and self.clock() - self.started >= b.seconds:
                return (
                    f"not sent: the submission's judge budget of {b.seconds:g} s "
                    "(QBP_JUDGE_MAX_SECONDS) is spent"
                )
            if b.calls and self.calls + 1 > b.calls:
                return (
                    f"not sent: the submission's judge budget of {b.calls} calls "
                    "(QBP_JUDGE_MAX_CALLS) is spent"
                )
            if b.chars and self.chars + chars > b.chars:
                return (
                    f"not sent: the submission's judge budget of {b.chars} characters "
                    "sent (QBP_JUDGE_MAX_CHARS) is spent"
                )
            self.calls += 1
            self.chars += chars
            return None

    def seconds_left(self) -> float:
        """Wall time left (infinite without a time bound); a retry never sleeps past it."""
        if not self.budget.seconds:
            return float("inf")
        return max(0.0, self.budget.seconds - (self.clock() - self.started))
