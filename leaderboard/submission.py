"""The one submission pipeline: form -> limits -> parse once -> score -> judge -> store.

The CLI (`score`, `rescore`), the app (preview, submit, seeding) and the benches all go
through `SubmissionPipeline`, so a file scores the same wherever it comes from. The stages:

1. `preview(data, file_name)`: parse the file once (`read_predictions`, where the integrity
   checks live) and score its closed-ended items (`score_closed`). Nothing is judged or
   stored. The result is cached by (sha256 of the bytes, benchmark hash, file name), a few
   entries, so the submit that follows a preview of the same bytes parses nothing again.
2. `prepare(data, file_name, meta, client)`: clean the form, charge the client's quota,
   take the preview, and look for the same file already stored for this model. The
   `Prepared` upload is what the app shows as a pending row while the judge works; the core
   calls nothing back to get it there.
3. `finish(prepared, progress)`: judge the open-ended answers (`judge_open`, progress as
   they arrive), then hand the finished result to `SubmissionStore.put`.

`submit` is 2 + 3 in one call; `score` is 1 + judging without a store (the CLI's `score`
runs `preview` + `judge_preview`, so it meets a bad file before building a judge); `rescore` /
`rescore_stale` re-score stored files from their raw bytes and hand the result to
`SubmissionStore.replace_result`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .benchmark import Benchmark
from .errors import InputError
from .forms import SubmissionError, clean_form
from .judges import Judge, JudgeBudget, Progress
from .limits import ClientQuota
from .predictions import ParseReport, PredictionFile, display_name, read_predictions
from .provenance import judge_label
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
_RESULT_KEYS = frozenset({"benchmark", "scorer_version", "tables", "counts", "null_reasons",
                          "random_baseline", "status_counts", "parse_report", "judge", "items",
                          "rescored"})

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
    form: dict[str, Any]  # forms.clean_form
    preview: Preview
    client: str | None = None  # charged to this client's quota (None: not limited)
    duplicate: Submission | None = None


class SubmissionPipeline:
    """Scores uploads against one benchmark and, with a store, keeps them.

    `judge` scores open-ended answers (None: they stay unjudged and their cells null);
    `limits` caps sizes and sets the per-client quota (default: from the environment).
    Thread-safe: the app runs several submits at once."""

    def __init__(self, benchmark: Benchmark, store: SubmissionStore | None = None,
                 judge: Judge | None = None, limits: Limits | None = None,
                 cache_size: int = PREVIEW_CACHE_SIZE,
                 judge_limits: JudgeLimits | None = None) -> None:
        if store is not None and store.benchmark.hash != benchmark.hash:
            raise ValueError("the store holds results of another benchmark version")
        self.benchmark = benchmark
        self.store = store
        self.judge = judge
        self.limits = limits or Limits.from_env()
        self.judge_limits = judge_limits or JudgeLimits.from_env()
        self.quota = ClientQuota(self.limits)
        self.cache_size = cache_size
        self._previews: OrderedDict[tuple[str, str, str], Preview] = OrderedDict()
        # (preview key, client) of previews whose attempt the next submit need not pay
        self._prepaid: OrderedDict[tuple[tuple[str, str, str], str], None] = OrderedDict()
        self._lock = threading.Lock()

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
        preview = Preview(upload, score_closed(self.benchmark, upload.predictions,
                                               upload.report), digest)
        with self._lock:
            self._previews[key] = preview
            while len(self._previews) > self.cache_size:
                self._previews.popitem(last=False)
        return preview

    # ------------------------------------------------------------------ stage 2
    def prepare(self, data: bytes, file_name: str, meta: Any,
                client: str | None = None) -> Prepared:
        """Clean the form, charge `client` (a `limits.client_key`; None for the CLI and
        seeding) one attempt and one submission, parse and score the closed-ended items,
        and find the stored twin. Raises InputError (nothing stored) for a bad form or file
        and RateLimitError for a client over its quota; the submission charge is given back
        when the upload turns out to be a repeat or is refused."""
        form = clean_form(meta)
        data = _as_bytes(data)
        self._need_store()
        key = self._key(data, file_name)
        with self._lock:  # a preview of these bytes by this client paid the attempt
            prepaid = self._prepaid.pop((key, client), False) is None
        self.quota.charge(client, attempt=not prepaid)
        try:
            preview = self.preview(data, file_name)  # charged above, not again
            twin = self.store.find_twin(form["model"], preview.digest)
        except BaseException:
            self.quota.refund(client)
            raise
        if twin is not None:
            self.quota.refund(client)
        return Prepared(data, form, preview, client, twin)

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
        return judge_open(result, self.judge, progress,
                          max_answer_chars=self.judge_limits.max_answer_chars,
                          budget=self.judge_budget.meter())

    def finish(self, prepared: Prepared, progress: Progress | None = None) -> Submission:
        """Judge and store a prepared upload; returns the stored submission, or the twin
        (`duplicate` set) for a repeat. Nothing is written before judging has finished, so
        a crash while judging stores nothing (and the judge cache makes the retry cheap)."""
        if prepared.duplicate is not None:
            return self._repeat(prepared.duplicate, progress)
        store = self._need_store()
        counted = False
        try:
            result = self.judge_preview(prepared.preview, progress)
            sub = store.put(prepared.data, prepared.form, result)
            counted = not sub.duplicate
            return sub
        finally:
            if not counted:
                self.quota.refund(prepared.client)

    # ------------------------------------------------------------------ in one call
    def submit(self, data: bytes, file_name: str, meta: Any, progress: Progress | None = None,
               client: str | None = None) -> Submission:
        """`prepare` then `finish`: parse, score, judge and store one upload."""
        return self.finish(self.prepare(data, file_name, meta, client), progress)

    def submit_file(self, path: str | Path, meta: Any, progress: Progress | None = None,
                    client: str | None = None, file_name: str | None = None) -> Submission:
        """`submit` for an upload saved on disk (the app's temp file), its size checked
        before a byte is read. `file_name` is the name the user gave (display only)."""
        data, name = self.read_file(path, file_name)
        return self.submit(data, name, meta, progress=progress, client=client)

    def score(self, data: bytes, file_name: str,
              progress: Progress | None = None) -> tuple[Preview, ScoreResult]:
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
            raise SubmissionError(f"{name}: the uploaded file cannot be read "
                                  f"({exc.strerror})") from None
        if size > self.limits.max_file_bytes:
            raise SubmissionError(f"{name}: {mb(size)} MB, over the "
                                  f"{mb(self.limits.max_file_bytes)} MB upload limit")
        try:
            return path.read_bytes(), name
        except OSError as exc:
            raise SubmissionError(f"{name}: the uploaded file cannot be read "
                                  f"({exc.strerror})") from None

    # ------------------------------------------------------------------ re-scoring
    def rescore(self, sub: Submission) -> bool:
        """Re-score one stored submission from its raw file (not cached, no size limit: it
        was accepted once) and hand the result to the store. False when another process
        re-scored it meanwhile; InputError when it cannot be."""
        store = self._need_store()
        judged = sum(sub.result.get("status_counts", {}).get(k, 0) for k in _JUDGED)
        if judged and self.judge is None:
            raise InputError("its open-ended answers were judged and no judge is configured "
                             "now; left as scored before")
        upload = read_predictions(sub.upload_path.read_bytes(), sub.meta.file_name or "upload",
                                  self.benchmark, Limits.unlimited(), fmt=sub.meta.format)
        result = self._judge(score_closed(self.benchmark, upload.predictions, upload.report))
        return store.replace_result(sub, result)

    def rescore_stale(self) -> list[str]:
        """Re-score every submission scored with another scorer or benchmark version; the
        old result is kept under history/. Returns the ids re-scored; those that could not
        be are listed in the store's `problems`."""
        store = self._need_store()
        done = []
        for sub in store.scan():
            if not store.is_stale(sub):
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

    def _rejudge(self, sub: Submission,
                 progress: Progress | None = None) -> tuple[Submission | None, bool]:
        """`rejudge`, and whether the judge answered the probe (False: it is still down)."""
        store = self._need_store()
        if self.judge is None:
            raise InputError("no judge is configured: judge failures cannot be re-judged")
        sub = store.get(sub.id)  # as it is stored now
        if store.is_stale(sub):
            raise InputError("it was scored with another scorer or benchmark version: "
                             "re-score it (which judges it again) instead")
        before = sub.result.get("judge") or {}
        now = self.judge.info
        if before and (before.get("backend"), before.get("model")) != (now.backend, now.model):
            raise InputError(f"its answers were judged by {judge_label(before)} and the judge "
                             f"now is {judge_label(now.as_dict())}: re-judging only some "
                             "answers would mix two judges in one row")
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
        if left >= len(failed) or not store.replace_result(sub, result, reason="rejudge",
                                                           expect=digest):
            return None, True
        log.info("%s re-judged: %d of %d judge failures now judged", sub.id,
                 len(failed) - left, len(failed))
        return store.get(sub.id), True

    def _need_store(self) -> SubmissionStore:
        if self.store is None:
            raise RuntimeError("this pipeline has no store: it can score, not keep")
        return self.store


def _unjudged(result: ScoreResult, positions: np.ndarray) -> ScoreResult:
    """`result` with the items at `positions` back to `unjudged` (for `judge_open`)."""
    frame = result.items.copy()
    for col, value in (("status", "unjudged"), ("score", np.nan), ("judge_score", None),
                       ("judge_raw", None)):
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
