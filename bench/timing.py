"""The one timing helper the bench scripts share: a median over repeated runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(
    fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> float:
    """Median wall time of `fn` over `runs` calls; `before` runs untimed ahead of each."""
    times = []
    for _ in range(runs):
        if before:
            before()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def median_ms(
    fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> float:
    return 1000 * median_seconds(fn, runs, before)
