"""The one submission pipeline: form -> limits -> parse once -> score -> judge -> store.

The CLI (`score`, `rescore`), the app (preview, submit, seeding) and the benches all go
through `SubmissionPipeline`, so a file scores the same wherever it comes from. The stages:

1. `preview(data, file_name)`: parse the file once (`read_predictions`, where the integrity
   checks live) and score its closed-ended items (`score_closed`). Nothing is judged or
   stored. The result is cached by (sha256 of the bytes, benchmark hash, file name), a few
   entries, so the submit that follows a preview of the same bytes parses nothing again.
2. `prepare(data, file_name, meta, client, account)`: clean the form, charge the client's
   quota, check that `account` may store under the name (`ownership.Ownership.claim`: the
   account that first stored a name owns it; paper names are reserved), take the preview,
   and look for the same file already stored for this model. The
   `Prepared` upload is what the app shows as a pending row while the judge works; the core
   calls nothing back to get it there.
3. `finish(prepared, progress)`: judge the open-ended answers (`judge_open`, progress as
   they arrive), then hand the finished result to `SubmissionStore.put`, which asks the
   ownership rule again under its write lock and records the owner in meta.json.

`submit` is 2 + 3 in one call; `score` is 1 + judging without a store (the CLI's `score`
runs `preview` + `judge_preview`, so it meets a bad file before building a judge); `rescore` /
`rescore_stale` re-score stored files from their raw bytes, `rejudge_with` re-judges one with
another judge (an admin action), and all of them hand the new result to `replace`.

What the issue-12 trust features need is done here, once for every path:
- `prepare` cleans the optional declared fields (`provenance.clean_declared`) with the form;
- every stored result is `stamp`ed with the benchmark info, extractor version and status
  counts per question type (provenance and the "Unreadable %" column read them);
- `finish` runs the review checks (`review.review_flags`) before storing, and a flagged
  upload is stored with its review.json in the same atomic write (seeding skips them);
- `replace` writes a change record (`changes.change_record` into `self.changes`) under the
  store's write lock before the stored result is replaced: nothing changes unrecorded.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import extract as _extract  # EXTRACTOR_VERSION is read when used (tests change it)
from .benchmark import Benchmark
from .changes import CHANGES_DIR, ChangeLog, change_record, rejudge_reason
from .errors import InputError
from .forms import SubmissionError, clean_form
from .judges import Judge, JudgeBudget, Progress
from .limits import ClientQuota
from .names import name_key as model_key
from .ownership import Ownership
from .predictions import ParseReport, PredictionFile, display_name, read_predictions
from .provenance import benchmark_info, clean_declared, judge_label, status_by_qtype
from .review import (
    MIN_ITEMS,
    FingerprintCache,
    Flag,
    review_flags,
    review_margin,
    review_record,
    under_review,
)
from .scoring import ScoreResult, from_items, judge_open, score_closed
from .settings import JudgeLimits, Limits, mb
from .store import Submission, SubmissionStore

#: Previews kept for the submit that follows them (each holds one parsed upload).
PREVIEW_CACHE_SIZE = 4
#: Previews remembered as paid for, so the submit that follows is not charged twice.
PREPAID_KEPT = 1024
#: Judged statuses: a stored result with any of them needs a judge to be re-scored.
_JUDGED = ("judged", "judge_failed")
#: Keys of result.json the scorer writes; a re-judge keeps every other key as it was.
_RESULT_KEYS = frozenset(
    {
        "benchmark",
        "scorer_version",
        "tables",
        "counts",
        "null_reasons",
        "random_baseline",
        "status_counts",
        "parse_report",
        "judge",
        "items",
        "rescored",
    }
)

log = logging.getLogger(__name__)


def judge_failures(sub: Submission) -> int:
    """How many of a stored submission's open-ended answers the judge could not score."""
    return int((sub.result.get("status_counts") or {}).get("judge_failed", 0) or 0)


@dataclass(frozen=True)
class Preview:
    """An upload parsed once and its closed-ended items scored; OE answers `unjudged`.

    Shared by the cache, the parse report and the pending row: never changed in place
    (`judge_open` returns a new result)."""

    upload: PredictionFile
    result: ScoreResult  # closed-ended scored, OE unjudged
    digest: str  # sha256 of the uploaded bytes

    @property
    def to_judge(self) -> int:
        """Readable open-ended answers waiting for the judge."""
        return int(self.result.status_counts.get("unjudged", 0))


@dataclass
class Prepared:
    """An upload ready to be judged and stored: its cleaned form and preview, and the stored
    twin when this model already has this exact file (`finish` then stores nothing)."""

    data: bytes
    form: dict[str, Any]  # forms.clean_form, plus "declared" (provenance.clean_declared)
    preview: Preview
    client: str | None = None  # charged to this client's quota (None: not limited)
    duplicate: Submission | None = None
    account: str | None = None  # who stores it (None: the operator, as `Ownership` says)
    review: bool = True  # run the review checks before storing (False: the bundle's seeds)


class SubmissionPipeline:
    """Scores uploads against one benchmark and, with a store, keeps them.

    `judge` scores open-ended answers (None: they stay unjudged and their cells null);
    `limits` caps sizes and sets the per-client quota, `ownership` who may store under a
    model name (both default to the environment's settings); the review margin is
    QBP_REVIEW_MARGIN (a bad value stops start-up, naming it).
    Thread-safe: the app runs several submits at once."""

    def __init__(
        self,
        benchmark: Benchmark,
        store: SubmissionStore | None = None,
        judge: Judge | None = None,
        limits: Limits | None = None,
        cache_size: int = PREVIEW_CACHE_SIZE,
        ownership: Ownership | None = None,
        judge_limits: JudgeLimits | None = None,
    ) -> None:
        if store is not None and store.benchmark.hash != benchmark.hash:
            raise ValueError("the store holds results of another benchmark version")
        self.benchmark = benchmark
        self.store = store
        self.judge = judge
        self.limits = limits or Limits.from_env()
        self.judge_limits = judge_limits or JudgeLimits.from_env()
        self.quota = ClientQuota(self.limits)
        self.ownership = ownership or Ownership.from_env()
        self.cache_size = cache_size
        self._previews: OrderedDict[tuple[str, str, str], Preview] = OrderedDict()
        # (preview key, client) of previews whose attempt the next submit need not pay
        self._prepaid: OrderedDict[tuple[tuple[str, str, str], str | None], None] = OrderedDict()
        self._lock = threading.Lock()
        self.review_margin = review_margin()
        self.fingerprints = FingerprintCache()  # stored answers, for the copy check
        self.changes: ChangeLog | None = (
            ChangeLog(store.root / CHANGES_DIR) if store is not None else None
        )

    # ------------------------------------------------------------------ stage 1
    def preview(self, data: bytes, file_name: str, client: str | None = None) -> Preview:
        """Parse and score the closed-ended items, judging and storing nothing (the parse
        report shown on upload). `client` (a `limits.client_key`; None: not limited) is
        charged one upload attempt first, as a submit is: a preview is the same work. The
        submit of the same bytes by the same client that follows is not charged the attempt
        again. Raises InputError naming what is wrong and where, RateLimitError for a client
        over its quota."""
        data = _as_bytes(data)
        key = self._key(data, file_name)
        if client is not None:
            self.quota.attempt(client)
            with self._lock:
                self._prepaid[(key, client)] = None
                while len(self._prepaid) > PREPAID_KEPT:
                    self._prepaid.popitem(last=False)
        return self._preview(data, file_name, key)

    def _key(self, data: bytes, file_name: str) -> tuple[str, str, str]:
        return (hashlib.sha256(data).hexdigest(), self.benchmark.hash, display_name(file_name))

    def _preview(self, data: bytes, file_name: str, key: tuple[str, str, str]) -> Preview:
        digest = key[0]
        with self._lock:
            cached = self._previews.get(key)
            if cached is not None:
                self._previews.move_to_end(key)
                return cached
        upload = read_predictions(data, file_name, self.benchmark, self.limits)
        preview = Preview(
            upload, score_closed(self.benchmark, upload.predictions, upload.report), digest
        )
        with self._lock:
            self._previews[key] = preview
            while len(self._previews) > self.cache_size:
                self._previews.popitem(last=False)
        return preview

    # ------------------------------------------------------------------ stage 2
    def prepare(
        self,
        data: bytes,
        file_name: str,
        meta: Any,
        client: str | None = None,
        account: str | None = None,
        review: bool = True,
    ) -> Prepared:
        """Clean the form (with its optional declared fields: flat in `meta`, or a mapping
        under "declared"), charge `client` (a `limits.client_key`; None for the CLI and
        seeding) one attempt and one submission, check that `account` (a proven account
        name, `identity`; None: the operator) may store under the model name, parse and
        score the closed-ended items, and find the stored twin. Raises InputError (nothing
        stored) for a bad form or file or a name of another owner (`OwnershipError`), and
        RateLimitError for a client over its quota; the submission charge is given back
        when the upload turns out to be a repeat or is refused. `review=False` skips the
        review checks (the bundle's own demo rows)."""
        form = clean_form(meta)
        nested = meta.get("declared")
        form["declared"] = clean_declared(nested if isinstance(nested, Mapping) else meta)
        data = _as_bytes(data)
        store = self._need_store()
        key = self._key(data, file_name)
        with self._lock:  # a preview of these bytes by this client paid the attempt
            prepaid = self._prepaid.pop((key, client), False) is None
        self.quota.charge(client, attempt=not prepaid)
        try:
            self.ownership.claim(form["model"], account, store.versions(form["model"]))
            preview = self.preview(data, file_name)  # charged above, not again
            twin = store.find_twin(form["model"], preview.digest)
        except BaseException:
            self.quota.refund(client)
            raise
        if twin is not None:
            self.quota.refund(client)
        return Prepared(data, form, preview, client, twin, account, review)

    # ------------------------------------------------------------------ stage 3
    def judge_preview(self, preview: Preview, progress: Progress | None = None) -> ScoreResult:
        """The final result: the preview's open-ended answers judged (as it is without a
        judge). `progress(done, total)` follows the judge."""
        return self._judge(preview.result, progress)

    @property
    def judge_budget(self) -> JudgeBudget:
        """What judging one submission may cost (settings: `JudgeLimits`)."""
        j = self.judge_limits
        return JudgeBudget(calls=j.max_calls, chars=j.max_chars, seconds=j.max_seconds)

    def _judge(self, result: ScoreResult, progress: Progress | None = None) -> ScoreResult:
        """`judge_open` with the judge's answer cap and a fresh budget for this submission."""
        return judge_open(
            result,
            self.judge,
            progress,
            max_answer_chars=self.judge_limits.max_answer_chars,
            budget=self.judge_budget.meter(),
        )

    def finish(self, prepared: Prepared, progress: Progress | None = None) -> Submission:
        """Judge and store a prepared upload; returns the stored submission, or the twin
        (`duplicate` set) for a repeat. Nothing is written before judging has finished, so
        a crash while judging stores nothing (and the judge cache makes the retry cheap)."""
        if prepared.duplicate is not None:
            return self._repeat(prepared.duplicate, progress)
        store = self._need_store()
        counted = False
        try:
            result = self.stamp(self.judge_preview(prepared.preview, progress))
            name, account = prepared.form["model"], prepared.account
            flags = (
                self.review_flags({**prepared.form, "owner": account}, result)
                if prepared.review
                else []
            )
            sub = store.put(
                prepared.data,
                prepared.form,
                result,
                claim=lambda versions: self.ownership.claim(name, account, versions),
                review=review_record(flags) if flags else None,
            )
            counted = not sub.duplicate
            return sub
        finally:
            if not counted:
                self.quota.refund(prepared.client)

    # ------------------------------------------------------------------ in one call
    def submit(
        self,
        data: bytes,
        file_name: str,
        meta: Any,
        progress: Progress | None = None,
        client: str | None = None,
        account: str | None = None,
        review: bool = True,
    ) -> Submission:
        """`prepare` then `finish`: parse, score, judge and store one upload."""
        return self.finish(self.prepare(data, file_name, meta, client, account, review), progress)

    # ------------------------------------------------------------------ trust
    def stamp(self, result: ScoreResult) -> ScoreResult:
        """The result as it is stored: plus the benchmark's hash and revision, the extractor
        version and the status counts per question type (provenance, "Unreadable %")."""
        extra = {
            **result.extra,
            "benchmark": benchmark_info(self.benchmark),
            "extractor_version": _extract.EXTRACTOR_VERSION,
            "status_by_qtype": status_by_qtype(result.items),
        }
        return dataclasses.replace(result, extra=extra)

    def review_flags(self, form: Mapping[str, Any], result: ScoreResult) -> list[Flag]:
        """Why this upload should be held for review (empty: it is not): the answer key,
        a copy of another model's stored answers (any version, hidden ones too, but not one
        held for review itself: a suspect is no reference), or an Overall far above the best
        ranked row. Other models' answers are fingerprinted once per submission
        (`self.fingerprints`)."""
        store = self._need_store()
        key, owner = model_key(form["model"]), form.get("owner")
        answered = int(result.items["raw"].notna().sum())
        others = []
        for s in store.submissions(include_hidden=True, all_versions=True):
            if s.model_key == key or answered < MIN_ITEMS or under_review(s.review):
                continue  # one's own versions may repeat themselves
            their_owner = getattr(s.meta, "owner", None)
            others.append(
                (
                    their_owner if their_owner is not None else f"model:{s.model_key}",
                    self.fingerprints.get(s.id, _answers_loader(s)),
                    f"{s.meta.model} v{s.meta.version}",
                )
            )
        ranked = [
            ((s.result.get("tables") or {}).get("table3") or {}).get("Overall")
            for s in store.submissions()
            if not under_review(s.review)
        ]
        best = max((v for v in ranked if v is not None), default=None)
        candidate = {"tables": result.tables.values, "counts": result.tables.counts}
        return review_flags(
            result.items, candidate, self.benchmark, others, best, self.review_margin, owner=owner
        )

    def submit_file(
        self,
        path: str | Path,
        meta: Any,
        progress: Progress | None = None,
        client: str | None = None,
        file_name: str | None = None,
        account: str | None = None,
    ) -> Submission:
        """`submit` for an upload saved on disk (the app's temp file), its size checked
        before a byte is read. `file_name` is the name the user gave (display only)."""
        data, name = self.read_file(path, file_name)
        return self.submit(data, name, meta, progress=progress, client=client, account=account)

    def score(
        self, data: bytes, file_name: str, progress: Progress | None = None
    ) -> tuple[Preview, ScoreResult]:
        """Parse, score and judge without storing: `preview` then `judge_preview`, the two
        stages the CLI's `score` and an app upload go through."""
        preview = self.preview(data, file_name)
        return preview, self.judge_preview(preview, progress)

    def read_file(self, path: str | Path, file_name: str | None = None) -> tuple[bytes, str]:
        """The bytes of an upload on disk and its display name; InputError when it is
        missing, unreadable or over the size limit (checked before reading)."""
        path = Path(path)
        name = display_name(file_name or path.name)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise SubmissionError(f"prediction file not found: {path}") from None
        except OSError as exc:
            raise SubmissionError(
                f"{name}: the uploaded file cannot be read ({exc.strerror})"
            ) from None
        if size > self.limits.max_file_bytes:
            raise SubmissionError(
                f"{name}: {mb(size)} MB, over the {mb(self.limits.max_file_bytes)} MB upload limit"
            )
        try:
            return path.read_bytes(), name
        except OSError as exc:
            raise SubmissionError(
                f"{name}: the uploaded file cannot be read ({exc.strerror})"
            ) from None

    # ------------------------------------------------------------------ re-scoring
    def is_stale(self, sub: Submission) -> bool:
        """Scored with another scorer, benchmark or extractor version than this one."""
        return self._stale(sub.result)

    def _stale(self, result: Mapping[str, Any]) -> bool:
        recorded = result.get("extractor_version")
        return self._need_store().is_stale_result(result) or (
            recorded is not None and recorded != _extract.EXTRACTOR_VERSION
        )

    def rescore(
        self,
        sub: Submission,
        judge: Judge | None = None,
        reason: str | None = None,
        force: bool = False,
    ) -> bool:
        """Re-score one stored submission from its raw file (not cached, no size limit: it
        was accepted once) with `judge` (default: this pipeline's) and hand the result to
        `replace`. Without `force` only a stale result is replaced: False when another
        process re-scored it meanwhile. InputError when it cannot be re-scored."""
        judge = judge or self.judge
        judged = sum(sub.result.get("status_counts", {}).get(k, 0) for k in _JUDGED)
        if judged and judge is None:
            raise InputError(
                "its open-ended answers were judged and no judge is configured "
                "now; left as scored before"
            )
        upload = read_predictions(
            sub.upload_path.read_bytes(),
            sub.meta.file_name or "upload",
            self.benchmark,
            Limits.unlimited(),
            fmt=sub.meta.format,
        )
        result = judge_open(
            score_closed(self.benchmark, upload.predictions, upload.report),
            judge,
            None,
            max_answer_chars=self.judge_limits.max_answer_chars,
            budget=self.judge_budget.meter(),
        )
        return self.replace(sub, self.stamp(result), reason, force=force)

    def rejudge_with(self, sub: Submission, judge: Judge) -> bool:
        """Re-judge a stored submission with another judge, without a new upload (the
        admin's action): the old judging stays under history/ for the agreement view, and
        the change record says "re-judged with <judge>"."""
        if judge is None:
            raise InputError("choose a judge to re-judge with")
        return self.rescore(sub, judge, rejudge_reason(judge.info.as_dict()), force=True)

    def replace(
        self,
        sub: Submission,
        result: ScoreResult,
        reason: str | None = None,
        force: bool = False,
        expect: str | None = None,
    ) -> bool:
        """Replace a stored submission's result with `result` (stamped), writing its change
        record first: per cell old -> new, the flipped items, `reason` (default: the
        versions that differ). The one way a stored result changes (re-score, re-judge).
        Without `force` only a stale result is replaced; with `expect` (a
        `store.result_digest`) only the result it names. The record is announced to the
        store's listeners (the Hub sync) once written."""
        store = self._need_store()
        changes = self.changes
        assert changes is not None
        written: list[str] = []

        def record(old: dict[str, Any], old_items: pd.DataFrame, payload: dict[str, Any]) -> str:
            rec = change_record(
                sub.meta.model, old, payload, old_items, result.items, reason, submission_id=sub.id
            )
            written.append(changes.add(rec))
            return written[-1]

        try:
            return store.replace_result(
                sub,
                result,
                stale=_always if force else self._stale,
                record=record,
                reason=reason,
                expect=expect,
            )
        finally:
            for record_id in written:
                store.announce(f"{CHANGES_DIR}/{record_id}.json")

    def rescore_stale(self) -> list[str]:
        """Re-score every submission scored with another scorer, extractor or benchmark
        version; the old result is kept under history/ and a change record says what moved.
        Returns the ids re-scored; those that could not be are listed in the store's
        `problems`."""
        store = self._need_store()
        done = []
        for sub in store.scan():
            if not self.is_stale(sub):
                store.record_rescore(sub.id, None)
                continue
            try:
                if self.rescore(sub):
                    done.append(sub.id)
                store.record_rescore(sub.id, None)
            except (InputError, OSError, ValueError) as exc:
                store.record_rescore(sub.id, f"could not be re-scored ({exc})")
        return done

    # ------------------------------------------------------------------ re-judging
    def rejudge(self, sub: Submission, progress: Progress | None = None) -> Submission | None:
        """Judge again the open-ended answers the judge failed on (`judge_failed`), from the
        stored items: no upload, no parse; answers already judged keep their judgement. One
        failed answer goes first, alone: while it still fails (the judge is still down or
        still refuses), nothing else is sent and nothing is written. The new result replaces
        the old one (kept under history/, reason "rejudge"), with a fresh judge budget.

        Returns the updated submission, or None when there was nothing to re-judge or
        nothing improved. InputError when it cannot be: no judge configured, another judge
        (backend or model) judged it, or it needs a re-score first."""
        updated, _ = self._rejudge(sub, progress)
        return updated

    def rejudge_failed(self) -> list[str]:
        """Re-judge every stored submission with judge failures, oldest first (hidden ones
        too: they may be shown again). Stops at the first whose probe still fails: the judge
        is still down, so the others would fail the same way. Returns the ids updated; those
        that cannot be re-judged are logged and skipped."""
        if self.judge is None:
            return []
        done = []
        for sub in self._need_store().scan():
            if not judge_failures(sub):
                continue
            try:
                updated, judge_up = self._rejudge(sub)
            except InputError as exc:
                log.info("%s not re-judged: %s", sub.id, exc)
                continue
            if updated is not None:
                done.append(sub.id)
            if not judge_up:
                break
        return done

    def _repeat(self, twin: Submission, progress: Progress | None) -> Submission:
        """The stored twin of a repeated upload, its judge failures judged again first (a
        repeat after a judge outage re-judges, rather than answering "already stored")."""
        if self.judge is None or not judge_failures(twin):
            return twin
        try:
            updated = self.rejudge(twin, progress)
        except InputError as exc:
            log.info("%s not re-judged on a repeated upload: %s", twin.id, exc)
            return twin
        return dataclasses.replace(updated or self._need_store().get(twin.id), duplicate=True)

    def _rejudge(
        self, sub: Submission, progress: Progress | None = None
    ) -> tuple[Submission | None, bool]:
        """`rejudge`, and whether the judge answered the probe (False: it is still down)."""
        store = self._need_store()
        if self.judge is None:
            raise InputError("no judge is configured: judge failures cannot be re-judged")
        sub = store.get(sub.id)  # as it is stored now
        if store.is_stale(sub):
            raise InputError(
                "it was scored with another scorer or benchmark version: "
                "re-score it (which judges it again) instead"
            )
        before = sub.result.get("judge") or {}
        now = self.judge.info
        if before and (before.get("backend"), before.get("model")) != (now.backend, now.model):
            raise InputError(
                f"its answers were judged by {judge_label(before)} and the judge "
                f"now is {judge_label(now.as_dict())}: re-judging only some "
                "answers would mix two judges in one row"
            )
        digest = store.result_digest(sub)
        items = sub.items()
        failed = np.flatnonzero(items["status"].to_numpy(dtype=object) == "judge_failed")
        if not len(failed):
            return None, True
        try:
            stored = from_items(self.benchmark, items, _stored_report(sub.result))
        except ValueError as exc:
            raise InputError(f"{exc}: re-score it first") from None
        stored.extra = {k: v for k, v in sub.result.items() if k not in _RESULT_KEYS}

        def tick(done: int, total: int) -> None:
            if progress:
                progress(done + offset, len(failed))

        offset = 0
        budget = self.judge_budget.meter()
        limit = self.judge_limits.max_answer_chars
        probe = judge_open(_unjudged(stored, failed[:1]), self.judge, tick, limit, budget)
        if probe.items["status"].iat[int(failed[0])] == "judge_failed":
            return None, False
        offset = 1
        result = judge_open(_unjudged(probe, failed[1:]), self.judge, tick, limit, budget)
        result.extra = stored.extra
        left = int(result.status_counts.get("judge_failed", 0))
        why = (
            f"re-judged {len(failed) - left} of {len(failed)} judge failure(s) with "
            f"{judge_label(self.judge.info.as_dict())}"
        )
        if left >= len(failed) or not self.replace(sub, result, why, expect=digest):
            return None, True
        log.info(
            "%s re-judged: %d of %d judge failures now judged",
            sub.id,
            len(failed) - left,
            len(failed),
        )
        return store.get(sub.id), True

    def _need_store(self) -> SubmissionStore:
        if self.store is None:
            raise RuntimeError("this pipeline has no store: it can score, not keep")
        return self.store


def _always(_: Any) -> bool:
    return True


def _answers_loader(sub: Submission):
    """Reads only what the copy check needs (id and raw answer) of a stored submission."""
    return lambda: pd.read_parquet(sub.path / "items.parquet", columns=["id", "raw"])


def _unjudged(result: ScoreResult, positions: np.ndarray) -> ScoreResult:
    """`result` with the items at `positions` back to `unjudged` (for `judge_open`)."""
    frame = result.items.copy()
    for col, value in (
        ("status", "unjudged"),
        ("score", np.nan),
        ("judge_score", None),
        ("judge_raw", None),
    ):
        column = frame[col].tolist()
        for i in positions:
            column[int(i)] = value
        frame[col] = column
    return from_items(result.benchmark, frame, result.report, result.judge)


def _stored_report(result: dict[str, Any]) -> ParseReport | None:
    """The parse report a stored result.json carries, as the scorer made it."""
    data = result.get("parse_report")
    if not isinstance(data, dict):
        return None
    known = {k: data[k] for k in ParseReport.__dataclass_fields__ if k in data}
    try:
        return ParseReport(**known)
    except TypeError:  # a report of an older shape: missing required fields
        return None


def _as_bytes(data: Any) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SubmissionError("the upload must be the file's bytes")
    return bytes(data)
