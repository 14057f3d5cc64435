"""Uploads being judged: shown on the board as *pending* rows until they are stored.

Judging an upload's open-ended answers with the reference LLM judge takes seconds to minutes,
and the store writes nothing until it has finished (so a crash mid-judging stores nothing,
and the judge cache makes the retry cheap). Meanwhile the upload lives here, in memory: its
closed-ended cells, taken from the pipeline's `Preview` (scored once, before judging; nothing
is scored here), and the judge's progress counters. Every board built while it is judged
shows it; when the store returns, it is dropped and the stored, verified row takes its place.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.entries import PENDING, Entry, params_billions
from leaderboard.judges import Judge
from leaderboard.scoring import cell_masks
from leaderboard.submission import Preview

NOT_STORED = "pending rows are not stored until judged"


@dataclass
class PendingSubmission:
    """One upload being judged: what the board shows for it, and how far judging is."""

    form: dict[str, Any]  # the cleaned form (forms.clean_form): model, params, open, link
    values: dict[str, dict[str, float | None]]  # closed-ended result; OE cells null
    counts: dict[str, dict[str, int]]
    null_reasons: dict[str, dict[str, str]]
    waiting: dict[str, set[str]]  # table -> cells holding OE answers still to judge
    total: int  # OE answers to judge
    judge: str  # "openai · gpt-4o-mini": who is judging
    done: int = 0

    def update(self, done: int, total: int) -> None:
        """The judge's progress callback (called from the judging thread)."""
        self.done, self.total = int(done), int(total)

    @property
    def reason(self) -> str:
        return f"OE judging in progress {self.done}/{self.total} ({self.judge}); {NOT_STORED}"

    def entry(self) -> Entry:
        """The board row as it stands now (unranked; OE-dependent cells null)."""
        reasons = {t: dict(cells) for t, cells in self.null_reasons.items()}
        for table, cells in self.waiting.items():
            for cell in cells:
                reasons.setdefault(table, {})[cell] = self.reason
        form = self.form
        return Entry(
            name=form["model"],
            kind=PENDING,
            values=self.values,
            counts=self.counts,
            null_reasons=reasons,
            params=form.get("params"),
            params_b=params_billions(form.get("params")),
            open=form.get("open"),
            link=form.get("link"),
            judge=self.judge,
            judging=(self.done, self.total),
        )


def judge_name(judge: Judge) -> str:
    info = judge.info
    return " · ".join(p for p in (info.backend, info.model) if p)


def start_pending(
    preview: Preview, form: Mapping[str, Any], judge: Judge | None
) -> PendingSubmission | None:
    """The pending row of a prepared upload, from its closed-ended result. None when there
    is nothing to wait for (no judge, or no readable open-ended answer)."""
    if judge is None or not preview.to_judge:
        return None
    partial = preview.result
    unjudged = partial.items["status"].to_numpy() == "unjudged"
    masks = cell_masks(partial.benchmark)
    waiting: dict[str, set[str]] = {}
    for (table, cell), hit in zip(masks.names, masks.matrix[:, unjudged].any(axis=1), strict=False):
        if hit:
            waiting.setdefault(table, set()).add(cell)
    return PendingSubmission(
        dict(form),
        partial.tables.values,
        partial.tables.counts,
        partial.tables.null_reasons,
        waiting,
        int(np.sum(unjudged)),
        judge_name(judge),
    )


@dataclass
class PendingBoard:
    """The uploads being judged right now, in the order they started (thread-safe)."""

    _rows: dict[int, PendingSubmission] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next: int = 0

    def add(self, row: PendingSubmission) -> int:
        with self._lock:
            self._next += 1
            self._rows[self._next] = row
            return self._next

    def drop(self, key: int | None) -> None:
        if key is not None:
            with self._lock:
                self._rows.pop(key, None)

    def entries(self) -> list[Entry]:
        with self._lock:
            rows = list(self._rows.values())
        return [r.entry() for r in rows]

    def __len__(self) -> int:
        return len(self._rows)
