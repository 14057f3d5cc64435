"""Ranks and best/runner-up marks within a row's pool (issue 13), one rule for the board
(`paper_board`), the server-side view (`board`), the model page and a submit's message.

A pool (`Entry.pool`) is the paper's models or the models verified here; baselines, rows
still being judged and rows held for review are in neither, so they take no rank and no mark.
Ranks are competition ranks (1 = best, ties share: "1, 2, 2, 4") on the printed two-decimal
values, over the whole table whatever the filters; marks are the pool's best and runner-up
printed values, ties shared, as the paper prints them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .entries import REPORTED, VERIFIED, Entry

BEST, RUNNER_UP = 1, 2  # mark codes
#: How each pool is named where a rank is shown ("rank 3 of 25 among the paper's models").
POOL_LABELS: dict[str, str] = {
    "paper": "among the paper's models",
    "verified": "among the models verified here",
}
#: The same pools in a count ("best of 25 paper models").
POOL_NOUNS: dict[str, str] = {"paper": "paper models", "verified": "verified here"}
HEADLINE = ("table3", "Overall")  # the rank a model page and a submit report


def printed(v: float | None) -> float | None:
    """The value as the board prints it (two decimals); None and NaN are None."""
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(v, 2)


def _count_above(descending: list[float], v: float) -> int:
    """How many values of a descending list are greater than v (binary search)."""
    lo, hi = 0, len(descending)
    while lo < hi:
        mid = (lo + hi) // 2
        if descending[mid] > v:
            lo = mid + 1
        else:
            hi = mid
    return lo


def pool_ranks_and_marks(
    entries: Sequence[Entry], values: Sequence[float | None]
) -> tuple[list[int | None], list[int]]:
    """Competition rank and mark (0, BEST or RUNNER_UP) of each row's printed value within
    its pool; rows outside any pool, or without a value, get neither."""
    by_pool: dict[str, list[float]] = {}
    for e, v in zip(entries, values, strict=True):
        if e.pool and v is not None:
            by_pool.setdefault(e.pool, []).append(v)
    ordered = {p: sorted(vs, reverse=True) for p, vs in by_pool.items()}
    distinct = {p: sorted(set(vs), reverse=True)[:2] for p, vs in by_pool.items()}
    ranks: list[int | None] = []
    marks: list[int] = []
    for e, v in zip(entries, values, strict=True):
        if not e.pool or v is None:
            ranks.append(None)
            marks.append(0)
            continue
        ranks.append(1 + _count_above(ordered[e.pool], v))
        top = distinct[e.pool]
        marks.append(BEST if v == top[0] else RUNNER_UP if len(top) > 1 and v == top[1] else 0)
    return ranks, marks


def pool_of(kind: str) -> str:
    """The pool a row of this kind is ranked in when it takes a rank (`Entry.pool`)."""
    return "paper" if kind == REPORTED else "verified"


def headline_ranks(entries: Sequence[Entry]) -> list[int | None]:
    """Each row's rank by Table 3's Overall (the board's Rank column when it is sorted by
    Overall, by name or by size)."""
    return pool_ranks_and_marks(entries, [printed(e.value(*HEADLINE)) for e in entries])[0]


def _ranked_in(entries: Sequence[Entry], ranks: Sequence[int | None], pool: str) -> int:
    return sum(1 for e, r in zip(entries, ranks, strict=True) if e.pool == pool and r is not None)


def headline_rank(entries: Sequence[Entry], row: Entry) -> tuple[int | None, int]:
    """(rank of `row`, one of `entries` (the same object), by Table 3's Overall within its
    pool; how many rows of that pool are ranked). The rank is None when the row takes none
    (a baseline, pending, held for review, or no Overall)."""
    ranks = headline_ranks(entries)
    rank = next((r for e, r in zip(entries, ranks, strict=True) if e is row), None)
    return rank, _ranked_in(entries, ranks, row.pool or pool_of(row.kind))


def rank_of(entries: Sequence[Entry], name: str, kind: str = VERIFIED) -> tuple[int | None, int]:
    """`headline_rank` of the ranked row called `name` (exactly) of this kind: (None, n)
    when there is none, n the rows ranked in that kind's pool."""
    ranks = headline_ranks(entries)
    pool = pool_of(kind)
    rank = next(
        (
            r
            for e, r in zip(entries, ranks, strict=True)
            if e.name == name and e.kind == kind and e.pool == pool
        ),
        None,
    )
    return rank, _ranked_in(entries, ranks, pool)
