"""Leaderboard entries: one model's cell values plus what the board needs to show about it.

Two kinds, kept visibly apart everywhere: *reported* rows copied from the paper's tables
(no per-item data, never drillable) and *verified* rows re-scored by the reference scorer
from a stored submission. A third, transient kind, *pending*, is an upload whose open-ended
answers are still being judged: its closed-ended cells are shown, it is neither ranked nor
stored, and it becomes a verified row when judging ends. Values are percent at full
precision; display rounds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from leaderboard.benchmark import Benchmark
from leaderboard.review import review_reasons, under_review
from leaderboard.scoring import baseline
from leaderboard.store import Submission
from leaderboard.tables import TableResult
from leaderboard.taxonomy import TABLES

from .trust_views import unreadable_column

REPORTED = "reported"
VERIFIED = "verified"
UNDER_REVIEW = "under review"
PENDING = "pending"  # being judged; filtered with the verified rows, never ranked
KINDS: tuple[str, ...] = (REPORTED, VERIFIED)
APPROX_LABEL = "approx. OE judge"
BASELINE_NAME = "Random guess"

CellValues = dict[str, dict[str, float | None]]


@dataclass(frozen=True)
class Entry:
    """One leaderboard row across all four tables."""

    name: str
    kind: str  # REPORTED or VERIFIED
    values: CellValues  # table key -> cell name -> percent (None = null)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    null_reasons: dict[str, dict[str, str]] = field(default_factory=dict)
    params: str | None = None  # as given ("7B"), display only
    params_b: float | None = None  # billions, for filters and numeric sorting
    open: bool | None = None  # open weights?
    link: str | None = None
    approx_judge: bool = False  # OE items scored by the offline approximate judge
    judge: str | None = None  # OE judge backend of a verified row ("approx", "openai", "none")
    judge_model: str | None = None  # the judge's model ("gpt-4o-mini"), when it has one
    judge_failed: int = 0  # OE items the judge could not score (their cells are null)
    judging: tuple[int, int] | None = None  # pending rows: (OE items judged, to judge)
    is_baseline: bool = False
    submission_id: str | None = None  # verified rows only: drillable
    owner: str | None = None  # verified rows: the account the model name belongs to
    #: closed-ended answers unreadable, refused or missing, percent (verified rows only)
    unreadable_pct: float | None = None
    #: why a verified row is held for review (empty: it is not); unranked while non-empty
    review: tuple[str, ...] = ()

    @property
    def is_pending(self) -> bool:
        return self.kind == PENDING

    @property
    def under_review(self) -> bool:
        return bool(self.review)

    @property
    def ranked(self) -> bool:
        """Rows that take a rank: not a baseline, not pending, not held for review."""
        return not (self.is_baseline or self.is_pending or self.under_review)

    @property
    def review_text(self) -> str:
        """ "under review: <reason>; <reason>", or "" (plain text: the reasons may name
        another model)."""
        return f"{UNDER_REVIEW}: " + "; ".join(self.review) if self.review else ""

    @property
    def pool(self) -> str | None:
        """Which rows this row is ranked and marked among: the paper's reported models, or
        the models verified here; baselines, rows still being judged and rows held for
        review are in neither. So a row scored on another bundle never displaces the paper's
        ranks or marks, and a held row takes no rank and no mark."""
        if not self.ranked:
            return None
        return "paper" if self.kind == REPORTED else "verified"

    @property
    def label(self) -> str:
        """What the board's "Type" column says (a baseline is told by its name)."""
        return f"{self.kind} · {UNDER_REVIEW}" if self.review else self.kind

    @property
    def judge_label(self) -> str:
        """Who scored the OE items: the approximate judge is always named as such, so its
        rows are never confused with the reference judge's."""
        if self.is_baseline:
            return "-"
        if self.kind == REPORTED:
            return "paper"
        if self.judging is not None:  # short enough for the column; counts are in the notes
            done, total = self.judging
            return f"pending {100 * done // max(total, 1)}%"
        if self.approx_judge:
            label = APPROX_LABEL
        elif self.judge in (None, "none"):
            return "none (OE unjudged)" if self.judge else "none"
        else:
            label = " · ".join(p for p in (self.judge, self.judge_model) if p)
        return label + (f" · {self.judge_failed} failed" if self.judge_failed else "")

    def value(self, table: str, cell: str) -> float | None:
        return self.values.get(table, {}).get(cell)

    def null_reason(self, table: str, cell: str) -> str | None:
        if self.value(table, cell) is not None:
            return None
        if self.null_reasons.get(table, {}).get(cell):
            return self.null_reasons[table][cell]
        if self.is_baseline:
            return "random guessing is defined for SC and TF items only"
        return "not reported in the paper" if self.kind == REPORTED else "no value"


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMBT]?)\s*$", re.IGNORECASE)
_SCALE = {"": 1.0, "K": 1e-6, "M": 1e-3, "B": 1.0, "T": 1e3}


def params_billions(text: str | float | None) -> float | None:
    """'7B' -> 7.0, '800M' -> 0.8, '1.2T' -> 1200, '72' -> 72; anything else -> None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    if isinstance(text, (int, float)):
        return float(text)
    m = _SIZE.match(str(text))
    if not m:
        return None
    return float(m.group(1)) * _SCALE[m.group(2).upper()]


def _number(text: Any) -> float | None:
    """A paper cell ('64.00' or '-') as a float or None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    s = str(text).strip()
    return None if s in ("", "-") else float(s)


def reported_entries(paper_dir: str | Path) -> list[Entry]:
    """The paper's 25 models and its Random row, from data/paper/table*.csv and models.csv.

    Rows are matched across tables by model name; the Random row (named differently in
    different tables) is each table's first "Random guess" row.
    """
    paper_dir = Path(paper_dir)
    models = pd.read_csv(paper_dir / "models.csv", dtype=str, keep_default_na=False)
    values: dict[str, CellValues] = {}
    for key, table in TABLES.items():
        frame = pd.read_csv(paper_dir / f"{key}.csv", dtype=str, keep_default_na=False)
        for rec in frame.to_dict(orient="records"):
            name = rec["model"]
            if name.startswith(BASELINE_NAME):
                name = BASELINE_NAME
            values.setdefault(name, {})[key] = {c: _number(rec.get(c)) for c in table.columns}
    out = [Entry(BASELINE_NAME, REPORTED, values.pop(BASELINE_NAME), is_baseline=True)]
    for rec in models.to_dict(orient="records"):
        name = rec["model"]
        size = params_billions(rec["params_b"]) if rec["params_b"] else None
        out.append(
            Entry(
                name=name,
                kind=REPORTED,
                values=values.get(name, {}),
                params=f"{rec['params_b']}B" if rec["params_b"] else None,
                params_b=size,
                open={"true": True, "false": False}.get(rec["open"].strip().lower()),
                link=rec["link"] or None,
            )
        )
    return out


def baseline_entry(bench: Benchmark) -> Entry:
    """The analytic Random row of the loaded benchmark, as a verified row."""
    result: TableResult = baseline(bench)
    return Entry(
        BASELINE_NAME,
        VERIFIED,
        result.values,
        counts=result.counts,
        null_reasons=result.null_reasons,
        is_baseline=True,
    )


def submission_entry(
    sub: Submission, owner: str | None = None, unreadable: float | None = None
) -> Entry:
    """A stored, re-scored submission as a verified row (`owner`: its name's account, as
    `leaderboard.ownership` resolves it, default what meta.json records; `unreadable`: its
    "Unreadable %", from `trust_views.unreadable_column`)."""
    res, meta = sub.result, sub.meta
    judge = res.get("judge") or {}
    return Entry(
        name=meta.model,
        kind=VERIFIED,
        values=res.get("tables", {}),
        counts=res.get("counts", {}),
        null_reasons=res.get("null_reasons", {}),
        params=meta.params,
        params_b=params_billions(meta.params),
        open=meta.open,
        link=meta.link,
        approx_judge=bool(judge.get("approximate")),
        judge=judge.get("backend") or "none",
        judge_model=judge.get("model") or None,
        judge_failed=int((res.get("status_counts") or {}).get("judge_failed", 0)),
        submission_id=sub.id,
        owner=owner if owner is not None else meta.owner,
        unreadable_pct=unreadable,
        review=tuple(review_reasons(sub.review)) if under_review(sub.review) else (),
    )


def verified_entries(
    bench: Benchmark,
    subs: Iterable[Submission],
    owner_of: Callable[[Submission], str | None] | None = None,
) -> list[Entry]:
    """The loaded benchmark's Random row, then every visible submission (`owner_of`: the
    owner of each, e.g. `Ownership.owner`, which fills in the legacy owner)."""
    subs = list(subs)
    unreadable = unreadable_column(subs)
    return [baseline_entry(bench)] + [
        submission_entry(s, owner_of(s) if owner_of else None, unreadable.get(s.id)) for s in subs
    ]
