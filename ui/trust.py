"""The trust features of the Space (issue 12) over an AppState, without any UI: a row's
provenance and parse report, its versions and version N vs N-1, the change records, judge
agreement between two judgings of the same answers, review clearing and re-judging by the
admin, and visitors' label flags.

The tabs (ui/tabs/row_details.py, changes.py, drilldown.py, items.py) and the API
(ui/api.py) call these and shape nothing themselves beyond widgets; the computations are the
core's (leaderboard.provenance / changes / version_diff / agreement / review / label_flags)
and the display frames analysis.trust_views'. Every lookup that a visitor names (a submission
id, a model, a record id, an item) fails with `TrustError`, whose message the API returns as
{"error": ...}. No Gradio here.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis import report, trust_views
from analysis.drilldown import ItemFilters
from analysis.entries import REPORTED, Entry
from analysis.intervals import shared_plan
from analysis.links import item_link
from leaderboard.agreement import JudgeAgreement, judge_agreement
from leaderboard.changes import ChangeLog
from leaderboard.errors import InputError
from leaderboard.judges import JUDGE_BACKENDS, make_judge
from leaderboard.label_flags import FLAGS_DIR, LabelFlags, flags_root
from leaderboard.moderation import check_admin
from leaderboard.names import name_key as model_key
from leaderboard.provenance import UNUSABLE_STATUSES, judge_label, provenance, reported_provenance
from leaderboard.review import clear_review, review_reasons, under_review
from leaderboard.store import _ID_RE, Submission
from leaderboard.version_diff import VersionDiff, version_diff

if TYPE_CHECKING:
    from ui.state import AppState

#: Judges the admin may re-judge with ("none" would only throw judgements away).
REJUDGE_BACKENDS: tuple[str, ...] = tuple(b for b in JUDGE_BACKENDS if b != "none")
ADMIN = "admin"


class TrustError(LookupError):
    """A row, version, record or judging the request names does not exist (or cannot be
    compared); the message says which."""


@dataclass(frozen=True)
class Judging:
    """One judging of a submission's answers: the current result or one kept in history/."""

    label: str  # "approx · lexical-v1 (approximate)", "openai · gpt-4o (prompt v2)"
    stamp: str  # "current", or the history stamp of the result it replaced
    result: dict[str, Any]
    items: pd.DataFrame


def _judge_key(result: Mapping[str, Any]) -> tuple[str, Any]:
    judge = result.get("judge") or {}
    return judge_label(judge), judge.get("prompt_version")


def _judged(items: pd.DataFrame) -> bool:
    return bool(items["judge_score"].notna().any()) if "judge_score" in items else False


class TrustService:
    """The trust features over one AppState (created once, on first use: `state.trust`)."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._diffs: dict[tuple[Any, ...], VersionDiff] = {}

    # ------------------------------------------------------------------ stores
    @property
    def changes(self) -> ChangeLog:
        """The change log the pipeline writes (one per store)."""
        log = self.state.pipeline.changes
        if log is None:
            raise RuntimeError("the pipeline has no store, so no change log")
        return log

    @cached_property
    def flags(self) -> LabelFlags:
        """Visitors' label flags, next to the submissions."""
        return LabelFlags(flags_root(self.state.store.root), self.state.bench.index_of)

    # ------------------------------------------------------------------ rows
    def find(self, key: str | None) -> Submission | Entry:
        """A row named by a submission id (any visible version) or a model name (the latest
        visible version of a verified model, else the paper's row of that name)."""
        text = (key or "").strip()
        if not text:
            raise TrustError("name a row: a submission id or a model name")
        store = self.state.store
        if _ID_RE.match(text):
            try:
                sub = store.get(text)
            except KeyError:
                sub = None
            if sub is None or sub.hidden:
                raise TrustError(f"no visible submission with id {text!r}")
            return sub
        wanted = model_key(text)
        for sub in store.submissions():
            if sub.model_key == wanted:
                return sub
        for entry in self.state.reported:
            if model_key(entry.name) == wanted:
                return entry
        raise TrustError(f"no model named {text[:80]!r} on the board")

    def submission(self, key: str | None) -> Submission:
        """`find`, refusing a paper row (it has no per-item data)."""
        row = self.find(key)
        if isinstance(row, Entry):
            raise TrustError(
                f"{row.name} is reported from the paper: it has no stored "
                "submission, no versions and no per-item data"
            )
        return row

    def versions(self, sub: Submission) -> list[Submission]:
        """The visible versions of a submission's model, oldest first."""
        return [s for s in self.state.store.versions(sub.meta.model) if not s.hidden]

    def provenance(self, sub_or_entry: Submission | Entry) -> dict[str, Any]:
        """`leaderboard.provenance` of a stored row, or the paper's row's."""
        if isinstance(sub_or_entry, Entry):
            return reported_provenance("table3")
        sub = sub_or_entry
        return provenance(dataclasses.asdict(sub.meta), sub.result, submission_id=sub.id)

    def parse_report(self, sub: Submission) -> dict[str, Any]:
        """The stored row's parse report, as the uploader saw it (`report.summarise`)."""
        return report.summarise(
            sub.result.get("parse_report") or {}, sub.result.get("status_counts") or {}, sub.items()
        )

    def review(self, sub: Submission) -> dict[str, Any]:
        """Whether the row is held for review, why, and who cleared it."""
        record = sub.review or {}
        return {
            "under_review": under_review(record),
            "reasons": review_reasons(record),
            "flagged_at": record.get("flagged_at"),
            "cleared_by": record.get("cleared_by"),
            "cleared_at": record.get("cleared_at"),
            "note": record.get("note"),
        }

    def unreadable_ids(self, sub: Submission) -> list[str]:
        """Ids of this row's answers that could not be read (unreadable, refused, missing),
        benchmark order: what the drill-down's "unreadable" outcome lists for it."""
        items = sub.items()
        return items.loc[items["status"].isin(UNUSABLE_STATUSES), "id"].astype(str).tolist()

    def unreadable_link(self, sub: Submission) -> str | None:
        """A drill-down link to this model's answers that could not be read (its first one
        shown), or None when every answer was read."""
        bad = self.unreadable_ids(sub)
        if not bad:
            return None
        return item_link(bad[0], [sub.meta.model], ItemFilters(outcome="unreadable"))

    def row_json(self, key: str | None) -> dict[str, Any]:
        """Everything the row-details panel shows, JSON-ready (the /provenance endpoint)."""
        row = self.find(key)
        if isinstance(row, Entry):
            return {"kind": REPORTED, "model": row.name, "provenance": self.provenance(row)}
        sub = row
        return {
            "kind": "verified",
            "model": sub.meta.model,
            "submission_id": sub.id,
            "provenance": self.provenance(sub),
            "parse_report": self.parse_report(sub),
            "review": self.review(sub),
            "versions": [
                {
                    "version": s.meta.version,
                    "submission_id": s.id,
                    "uploaded_at": s.meta.created,
                    "file_sha256": s.meta.file_sha256,
                    "overall": ((s.result.get("tables") or {}).get("table3") or {}).get("Overall"),
                }
                for s in self.versions(sub)
            ],
            "unreadable_link": self.unreadable_link(sub),
            "changes": [r["id"] for r in self.changes.list(model=sub.meta.model, limit=20)],
        }

    # ------------------------------------------------------------------ version diff
    def version_diff(self, key: str | None) -> VersionDiff:
        """The named version against the visible version before it (paired, on the board's
        bootstrap plan). TrustError when there is none."""
        sub = self.submission(key)
        versions = self.versions(sub)
        at = next((i for i, s in enumerate(versions) if s.id == sub.id), None)
        if at is None or at == 0:
            raise TrustError(
                f"{sub.meta.model} version {sub.meta.version} has no earlier "
                "visible version to compare with"
            )
        old = versions[at - 1]
        key_ = (
            old.id,
            sub.id,
            (old.result.get("rescored") or {}).get("at"),
            (sub.result.get("rescored") or {}).get("at"),
            self.state.resamples,
        )
        with self._lock:
            hit = self._diffs.get(key_)
        if hit is not None:
            return hit
        bench = self.state.bench
        try:
            diff = version_diff(
                bench,
                sub.meta.model,
                old.items(),
                sub.items(),
                old_version=old.meta.version,
                new_version=sub.meta.version,
                counts=shared_plan(bench, self.state.resamples),
            )
        except ValueError as exc:
            raise TrustError(str(exc)) from None
        with self._lock:
            if len(self._diffs) >= 16:
                self._diffs.pop(next(iter(self._diffs)))
            self._diffs[key_] = diff
        return diff

    # ------------------------------------------------------------------ changes
    def change_list(self, model: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Change record summaries, newest first (only `model`'s when given)."""
        return self.changes.list(limit=max(1, min(int(limit), 1000)), model=model or None)

    def change(self, record_id: str | None) -> dict[str, Any]:
        """One whole change record (cells and flips)."""
        try:
            return self.changes.get((record_id or "").strip())
        except KeyError:
            raise TrustError(f"no change record with id {str(record_id)[:60]!r}") from None

    # ------------------------------------------------------------------ judge agreement
    def judgings(self, sub: Submission) -> list[Judging]:
        """The current judging and every earlier one kept with its items, newest first."""
        out = [Judging(judge_label(sub.result.get("judge")), "current", sub.result, sub.items())]
        for h in self.state.store.history(sub):
            if h.items_path is None:
                continue
            try:
                result = h.result()
                out.append(Judging(judge_label(result.get("judge")), h.stamp, result, h.items()))
            except (OSError, ValueError):
                continue
        return out

    def agreement_pair(self, sub: Submission) -> tuple[Judging, Judging]:
        """(earlier, current): the current judging and the latest earlier one made by
        another judge (or prompt). TrustError when the answers were judged only once."""
        judgings = [j for j in self.judgings(sub) if _judged(j.items)]
        if not judgings or judgings[0].stamp != "current":
            raise TrustError(f"{sub.meta.model}: its open-ended answers are not judged")
        current = judgings[0]
        other = next(
            (j for j in judgings[1:] if _judge_key(j.result) != _judge_key(current.result)), None
        )
        if other is None:
            raise TrustError(
                f"{sub.meta.model}: its answers were judged by one judge only "
                f"({current.label}); the admin can re-judge it with another"
            )
        return other, current

    def agreement(self, key: str | None) -> tuple[Submission, JudgeAgreement]:
        """Judge A (the earlier judging) against judge B (the current one) on this row's
        open-ended answers, with the OE cells and the Overall rank under each."""
        sub = self.submission(key)
        a, b = self.agreement_pair(sub)
        label_a, label_b = a.label, b.label
        if label_a == label_b:  # same judge, another prompt
            label_a += f" (prompt {_judge_key(a.result)[1]})"
            label_b += f" (prompt {_judge_key(b.result)[1]})"
        others = [
            e.value("table3", "Overall")
            for e in self.state.entries()
            if e.ranked and e.submission_id != sub.id and model_key(e.name) != sub.model_key
        ]
        try:
            ag = judge_agreement(
                a.items,
                b.items,
                label_a=label_a,
                label_b=label_b,
                bench=self.state.bench,
                others_overall=others,
            )
        except ValueError:  # an earlier judging of another benchmark version: no cells
            ag = judge_agreement(a.items, b.items, label_a=label_a, label_b=label_b)
        return sub, ag

    def agreement_json(self, key: str | None) -> dict[str, Any]:
        sub, ag = self.agreement(key)
        return {
            "model": sub.meta.model,
            "submission_id": sub.id,
            **ag.as_dict(),
            "summary": trust_views.agreement_summary(ag),
        }

    # ------------------------------------------------------------------ label flags
    def flag_item(
        self, item_id: Any, reason: Any, owner: str | None = None, client: str | None = None
    ) -> dict[str, Any]:
        """Store a visitor's doubt about an item's answer key (InputError: refused, nothing
        stored); the record goes to the Hub with the submissions."""
        flag = self.flags.add(item_id, reason, owner=owner, client=client)
        self.state.store.announce(f"{FLAGS_DIR}/{flag['id']}.json")
        return flag

    def flag_counts(self) -> pd.DataFrame:
        """Public: per flagged item, how many flags and distinct owners (no reasons)."""
        counts = self.flags.counts()
        return pd.DataFrame(
            {
                "ID": list(counts),
                "Flags": [c["flags"] for c in counts.values()],
                "Owners": [c["owners"] for c in counts.values()],
            },
            columns=["ID", "Flags", "Owners"],
        )

    def flag_list(self, token: str | None, limit: int = 500) -> list[dict[str, Any]]:
        """Every flag with its reason and owner, newest first: for the admin only."""
        check_admin(token)
        return self.flags.list(limit=limit)

    # ------------------------------------------------------------------ admin
    def clear(
        self, sub_id: str | None, token: str | None, note: str | None = None, by: str | None = None
    ) -> Submission:
        """The admin clears a row held for review: it is ranked again; the flags and who
        cleared it are kept in review.json. PermissionError for a wrong token."""
        check_admin(token)
        sub = self.submission(sub_id)
        if not under_review(sub.review):
            raise InputError(f"{sub.meta.model} version {sub.meta.version} is not under review")
        try:
            record = clear_review(sub.review, by or ADMIN, note or None)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        out = self.state.store.set_review(sub.id, record)
        self.state.invalidate()
        return out

    def rejudge(self, sub_id: str | None, backend: str | None, token: str | None) -> dict[str, Any]:
        """The admin re-judges a stored row with another judge (no new upload): the board
        takes the new judging, the old one is kept for the agreement view and the change
        record says what moved. Returns the record's summary."""
        check_admin(token)
        sub = self.submission(sub_id)
        name = (backend or "").strip().lower()
        if name not in REJUDGE_BACKENDS:
            raise InputError(
                f"judge must be one of {', '.join(REJUDGE_BACKENDS)}, got {str(backend)[:20]!r}"
            )
        current = self.state.judge  # the Space's own judge keeps its cache and budget
        try:
            judge = (
                current
                if current is not None and current.info.backend == name
                else make_judge(name)
            )
        except ValueError as exc:  # the reference judge is not configured
            raise InputError(f"the {name} judge cannot be used here: {exc}") from None
        if not self.state.pipeline.rejudge_with(sub, judge):
            raise InputError("nothing was re-judged")
        self.state.invalidate()
        after = self.state.store.get(sub.id)
        record_id = (after.result.get("rescored") or {}).get("change")
        return next(
            (
                r
                for r in self.changes.list(limit=50, model=sub.meta.model)
                if r.get("id") == record_id
            ),
            {"id": record_id},
        )
