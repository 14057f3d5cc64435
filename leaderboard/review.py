"""Flags for review: a submission that looks too good or copied is stored but not ranked.

Three checks, each cheap and each a reason a person can verify:
- `gold_match`: the closed-ended answers equal the answer key on at least 99% of the
  closed-ended items (a leaked key, or a file made from the benchmark's own column);
- `copy`: at least 98% of the answers are identical (raw text, normalised: NFKC, think
  blocks and markdown dropped, case and spacing folded) to a stored submission of another
  owner, over the items either of them answered;
- `outlier`: Overall beats the best stored row by more than a margin (QBP_REVIEW_MARGIN,
  default 10 points).
Each check needs at least MIN_ITEMS items behind it (closed-ended items for the key, answered
items for a copy, the items behind Overall for the outlier): on a handful of items a perfect or
identical
file says nothing. A flagged submission is stored but shown "under review: <reason>" and
unranked until the admin clears it. The record is `review.json` next to meta.json:
    {"flags": [Flag...], "flagged_at": ISO, "cleared_by": str|null, "cleared_at": ISO|null,
     "note": str|null, "history": [{"action", "at", "by", "note"}...]}

Where it is called from (integration): the pipeline, after scoring and before storing,
calls `review_flags(result.items, payload, bench, others, best_overall, review_margin())`
with `others` = [(owner, cache.get(sub.id, sub.items), sub.meta.model)] of every other
owner's stored visible submission (`cache`: a long-lived `FingerprintCache`) and
`best_overall` = the best stored verified Overall; when flags come back the store writes
`review_record(flags)` as review.json in the same
atomic write. The store's loader reads it with `parse_review`; the board leaves rows with
`under_review(record)` unranked and shows `analysis.trust_views.review_badge`; the admin
action (behind moderation.check_admin) writes `clear_review(record, by)`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from .benchmark import Benchmark
from .extract import normalise
from .forms import MAX_NAME, MAX_REASON, clean_text
from .settings import _float
from .store import REVIEW_FILE
from .taxonomy import CLOSED_QTYPES

__all__ = [
    "REVIEW_FILE",
    "Flag",
    "FingerprintCache",
    "clear_review",
    "parse_review",
    "review_flags",
    "review_margin",
    "review_reasons",
    "review_record",
    "under_review",
]
MARGIN_ENV = "QBP_REVIEW_MARGIN"
DEFAULT_MARGIN = 10.0  # points of Overall
GOLD_SHARE = 0.99
COPY_SHARE = 0.98
FLAG_CODES: tuple[str, ...] = ("gold_match", "copy", "outlier")
MIN_ITEMS = 50  # items a check must rest on (see the module docstring)


@dataclass(frozen=True)
class Flag:
    """One reason to hold a submission for review."""

    code: str  # one of FLAG_CODES
    reason: str  # the sentence shown after "under review: "
    value: float  # what was measured (share in percent, or points above the best)
    threshold: float  # the limit it crossed (same unit)
    other: str | None = None  # copy: the other stored submission (its label)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Flag:
        if data.get("code") not in FLAG_CODES or not isinstance(data.get("reason"), str):
            raise ValueError(f"not a review flag: {dict(data)!r:.120}")
        return Flag(
            str(data["code"]),
            str(data["reason"]),
            float(data["value"]),
            float(data["threshold"]),
            data.get("other"),
        )


def review_margin(env: Mapping[str, str] | None = None) -> float:
    """QBP_REVIEW_MARGIN (points, >= 0), default 10; a bad value stops start-up naming it."""
    return _float(MARGIN_ENV, DEFAULT_MARGIN, minimum=0.0, env=env)


# ----------------------------------------------------------------------------- checks


def _gold_map(gold: Benchmark | pd.DataFrame | Mapping[str, str]) -> Mapping[str, str]:
    if isinstance(gold, Benchmark):
        gold = gold.items
    if isinstance(gold, pd.DataFrame):
        return dict(zip(gold["id"].tolist(), gold["answer"].tolist(), strict=False))
    return gold


def gold_match_share(
    items: pd.DataFrame, gold: Benchmark | pd.DataFrame | Mapping[str, str]
) -> tuple[float, int]:
    """(share of closed-ended items whose parsed answer equals the key, in percent; how many
    closed-ended items). Unreadable, refused and missing answers count as not matching."""
    key = _gold_map(gold)
    closed = items[items["qtype"].isin(CLOSED_QTYPES)]
    n = len(closed)
    if n == 0:
        return 0.0, 0
    hits = sum(
        1
        for i, p in zip(closed["id"].tolist(), closed["parsed"].tolist(), strict=False)
        if isinstance(p, str) and key.get(i) == p
    )
    return 100.0 * hits / n, n


def normalised_answers(items: pd.DataFrame) -> pd.Series:
    """Each item's raw answer as compared for copies (index: item id; None when empty or
    missing)."""
    out = []
    for raw in items["raw"].tolist():
        text = normalise(raw).casefold() if isinstance(raw, str) else ""
        out.append(text or None)
    return pd.Series(out, index=items["id"].tolist(), dtype=object)


def answer_fingerprints(items: pd.DataFrame) -> pd.Series:
    """A 64-bit fingerprint of each normalised answer (index: item id; 0 = no answer):
    what `others` should hold, 8 bytes per item, the same in every process."""
    values = [
        0
        if t is None
        else int.from_bytes(
            hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "big", signed=True
        )
        or 1
        for t in normalised_answers(items).tolist()
    ]
    return pd.Series(np.asarray(values, dtype=np.int64), index=items["id"].tolist())


class FingerprintCache:
    """Answer fingerprints of stored submissions, computed once per submission id: a stored
    upload never changes (a re-score re-reads the same bytes), so neither do they."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[str, pd.Series] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sub_id: str, load_items: Callable[[], pd.DataFrame]) -> pd.Series:
        with self._lock:
            hit = self._data.get(sub_id)
            if hit is not None:
                self._data.move_to_end(sub_id)
                return hit
        value = answer_fingerprints(load_items())
        with self._lock:
            self._data[sub_id] = value
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return value


def _answered(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind in "iu":
        return values != 0
    return np.array([x is not None and x == x and x != 0 for x in values], dtype=bool)


def identical_share(a: pd.Series, b: pd.Series) -> tuple[float, int]:
    """(percent of items with the same answer, over the items either answered; how many
    such items), for two `normalised_answers` or two `answer_fingerprints`. Two missing
    answers are not "identical": they say nothing."""
    b = b.reindex(a.index)
    av, bv = a.to_numpy(), b.to_numpy()
    a_has, b_has = _answered(av), _answered(bv)
    either = a_has | b_has
    n = int(either.sum())
    if n == 0:
        return 0.0, 0
    same = a_has & b_has & (av == bv)
    return 100.0 * int(same.sum()) / n, n


def review_flags(
    candidate_items: pd.DataFrame,
    candidate_result: Mapping[str, Any],
    gold: Benchmark | pd.DataFrame | Mapping[str, str],
    others: Sequence[tuple[Any, ...]],
    best_overall: float | None,
    margin: float = DEFAULT_MARGIN,
    *,
    owner: str | None = None,
    gold_share: float = GOLD_SHARE,
    copy_share: float = COPY_SHARE,
    min_items: int = MIN_ITEMS,
) -> list[Flag]:
    """The reasons to hold a candidate for review (empty: none).

    `others`: (owner, items) or (owner, items, label) of stored submissions, where items
    is an items frame (id, raw) or its `answer_fingerprints` (cache them with a
    `FingerprintCache`: normalising every stored answer is the slow part); entries whose owner is
    `owner` are skipped (a new version of one's own model may repeat it). `best_overall`:
    the best Overall among stored verified rows (None: nothing stored yet). A check resting
    on fewer than `min_items` items is not made.
    """
    flags: list[Flag] = []
    share, n = gold_match_share(candidate_items, gold)
    if n and n >= min_items and share >= 100.0 * gold_share:
        flags.append(
            Flag(
                "gold_match",
                f"closed-ended answers match the answer key on "
                f"{share:.1f}% of {n:,} items (review from {100 * gold_share:g}%)",
                share,
                100.0 * gold_share,
            )
        )
    if others:
        mine = answer_fingerprints(candidate_items)
        best: tuple[float, int, str] | None = None
        for entry in others:
            other_owner, items = entry[0], entry[1]
            label = str(entry[2]) if len(entry) > 2 else str(other_owner)
            if owner is not None and other_owner == owner:
                continue
            theirs = items if isinstance(items, pd.Series) else answer_fingerprints(items)
            s, m = identical_share(mine, theirs)
            if m >= max(min_items, 1) and s >= 100.0 * copy_share and (best is None or s > best[0]):
                best = (s, m, label)
        if best is not None:
            flags.append(
                Flag(
                    "copy",
                    f"{best[0]:.1f}% of {best[1]:,} answers are identical "
                    f"to another owner's submission ({best[2]})",
                    best[0],
                    100.0 * copy_share,
                    best[2],
                )
            )
    overall = ((candidate_result.get("tables") or {}).get("table3") or {}).get("Overall")
    behind = ((candidate_result.get("counts") or {}).get("table3") or {}).get("Overall")
    if (
        overall is not None
        and best_overall is not None
        and (behind is None or behind >= min_items)
        and overall - best_overall > margin
    ):
        flags.append(
            Flag(
                "outlier",
                f"Overall {overall:.2f} beats the best stored row "
                f"({best_overall:.2f}) by {overall - best_overall:.1f} points "
                f"(review above {margin:g})",
                overall - best_overall,
                margin,
            )
        )
    return flags


# ----------------------------------------------------------------------------- records


def _now(at: datetime | None) -> str:
    return (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def review_record(flags: Sequence[Flag], at: datetime | None = None) -> dict[str, Any]:
    """The review.json of a newly flagged submission."""
    if not flags:
        raise ValueError("a review record needs at least one flag")
    when = _now(at)
    return {
        "flags": [f.as_dict() for f in flags],
        "flagged_at": when,
        "cleared_by": None,
        "cleared_at": None,
        "note": None,
        "history": [
            {"action": "flagged", "at": when, "by": None, "note": "; ".join(f.code for f in flags)}
        ],
    }


def clear_review(
    record: Mapping[str, Any], by: str, note: str | None = None, at: datetime | None = None
) -> dict[str, Any]:
    """A new record with the submission cleared by `by` (the admin's name); the flags stay,
    so the reason it was held is kept. Raises InputError for a bad name or note, ValueError
    when it is already cleared."""
    who = clean_text(by, MAX_NAME, "Cleared by", required=True)
    why = clean_text(note, MAX_REASON, "Note")
    current = parse_review(record)
    if current["cleared_at"] is not None:
        raise ValueError(f"already cleared by {current['cleared_by']} at {current['cleared_at']}")
    when = _now(at)
    return {
        **current,
        "cleared_by": who,
        "cleared_at": when,
        "note": why,
        "history": list(current["history"])
        + [{"action": "cleared", "at": when, "by": who, "note": why}],
    }


def parse_review(data: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    """A stored review.json, checked (ValueError names what is wrong)."""
    if isinstance(data, (bytes, str)):
        data = json.loads(data)
    if not isinstance(data, Mapping):
        raise ValueError("review.json must hold a JSON object")
    flags = [Flag.from_dict(f) for f in data.get("flags") or []]
    if not flags:
        raise ValueError("review.json holds no flags")
    history = data.get("history") or []
    if not isinstance(history, list):
        raise ValueError("review.json history must be a list")
    return {
        "flags": [f.as_dict() for f in flags],
        "flagged_at": data.get("flagged_at"),
        "cleared_by": data.get("cleared_by"),
        "cleared_at": data.get("cleared_at"),
        "note": data.get("note"),
        "history": list(history),
    }


def under_review(record: Mapping[str, Any] | None) -> bool:
    """True while a flagged submission waits for the admin (it is not ranked)."""
    if not record:
        return False
    return bool(record.get("flags")) and not record.get("cleared_at")


def review_reasons(record: Mapping[str, Any] | None) -> list[str]:
    """The flags' sentences, in check order."""
    return [str(f.get("reason")) for f in (record or {}).get("flags") or []]
