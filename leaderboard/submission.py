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
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import pandas as pd

from . import extract as _extract  # EXTRACTOR_VERSION is read when used (tests change it)
from .benchmark import Benchmark
from .changes import CHANGES_DIR, ChangeLog, change_record, rejudge_reason
from .errors import InputError
from .forms import SubmissionError, clean_form
from .judges import Judge, Progress
from .limits import ClientQuota
from .ownership import Ownership
from .predictions import PredictionFile, display_name, read_predictions
from .provenance import benchmark_info, clean_declared, status_by_qtype
from .review import (
    MIN_ITEMS,
    FingerprintCache,
    Flag,
    review_flags,
    review_margin,
    review_record,
    under_review,
)
from .scoring import ScoreResult, judge_open, score_closed
from .settings import Limits, mb
from .names import name_key as model_key
from .store import Submission, SubmissionStore

#: Previews kept for the submit that follows them (each holds one parsed upload).
PREVIEW_CACHE_SIZE = 4
#: Judged statuses: a stored result with any of them needs a judge to be re-scored.
_JUDGED = ("judged", "judge_failed")


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

    def __init__(self, benchmark: Benchmark, store: SubmissionStore | None = None,
                 judge: Judge | None = None, limits: Limits | None = None,
                 cache_size: int = PREVIEW_CACHE_SIZE,
                 ownership: Ownership | None = None) -> None:
        if store is not None and store.benchmark.hash != benchmark.hash:
            raise ValueError("the store holds results of another benchmark version")
        self.benchmark = benchmark
        self.store = store
        self.judge = judge
        self.limits = limits or Limits.from_env()
        self.quota = ClientQuota(self.limits)
        self.ownership = ownership or Ownership.from_env()
        self.cache_size = cache_size
        self._previews: OrderedDict[tuple[str, str, str], Preview] = OrderedDict()
        self._lock = threading.Lock()
        self.review_margin = review_margin()
        self.fingerprints = FingerprintCache()  # stored answers, for the copy check
        self.changes: ChangeLog | None = (ChangeLog(store.root / CHANGES_DIR)
                                          if store is not None else None)

    # ------------------------------------------------------------------ stage 1
    def preview(self, data: bytes, file_name: str) -> Preview:
        """Parse and score the closed-ended items, judging and storing nothing (the parse
        report shown on upload). Raises InputError naming what is wrong and where."""
        data = _as_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        key = (digest, self.benchmark.hash, display_name(file_name))
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
                client: str | None = None, account: str | None = None,
                review: bool = True) -> Prepared:
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
        self.quota.charge(client)
        try:
            self.ownership.claim(form["model"], account, store.versions(form["model"]))
            preview = self.preview(data, file_name)
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
        return judge_open(preview.result, self.judge, progress)

    def finish(self, prepared: Prepared, progress: Progress | None = None) -> Submission:
        """Judge and store a prepared upload; returns the stored submission, or the twin
        (`duplicate` set) for a repeat. Nothing is written before judging has finished, so
        a crash while judging stores nothing (and the judge cache makes the retry cheap)."""
        if prepared.duplicate is not None:
            return prepared.duplicate
        store = self._need_store()
        counted = False
        try:
            result = self.stamp(self.judge_preview(prepared.preview, progress))
            name, account = prepared.form["model"], prepared.account
            flags = (self.review_flags({**prepared.form, "owner": account}, result)
                     if prepared.review else [])
            sub = store.put(prepared.data, prepared.form, result,
                            claim=lambda versions: self.ownership.claim(name, account,
                                                                        versions),
                            review=review_record(flags) if flags else None)
            counted = not sub.duplicate
            return sub
        finally:
            if not counted:
                self.quota.refund(prepared.client)

    # ------------------------------------------------------------------ in one call
    def submit(self, data: bytes, file_name: str, meta: Any, progress: Progress | None = None,
               client: str | None = None, account: str | None = None,
               review: bool = True) -> Submission:
        """`prepare` then `finish`: parse, score, judge and store one upload."""
        return self.finish(self.prepare(data, file_name, meta, client, account, review),
                           progress)

    # ------------------------------------------------------------------ trust
    def stamp(self, result: ScoreResult) -> ScoreResult:
        """The result as it is stored: plus the benchmark's hash and revision, the extractor
        version and the status counts per question type (provenance, "Unreadable %")."""
        extra = {**result.extra, "benchmark": benchmark_info(self.benchmark),
                 "extractor_version": _extract.EXTRACTOR_VERSION,
                 "status_by_qtype": status_by_qtype(result.items)}
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
            others.append((their_owner if their_owner is not None else f"model:{s.model_key}",
                           self.fingerprints.get(s.id, _answers_loader(s)),
                           f"{s.meta.model} v{s.meta.version}"))
        ranked = [((s.result.get("tables") or {}).get("table3") or {}).get("Overall")
                  for s in store.submissions() if not under_review(s.review)]
        best = max((v for v in ranked if v is not None), default=None)
        candidate = {"tables": result.tables.values, "counts": result.tables.counts}
        return review_flags(result.items, candidate, self.benchmark, others, best,
                            self.review_margin, owner=owner)

    def submit_file(self, path: str | Path, meta: Any, progress: Progress | None = None,
                    client: str | None = None, file_name: str | None = None,
                    account: str | None = None) -> Submission:
        """`submit` for an upload saved on disk (the app's temp file), its size checked
        before a byte is read. `file_name` is the name the user gave (display only)."""
        data, name = self.read_file(path, file_name)
        return self.submit(data, name, meta, progress=progress, client=client,
                           account=account)

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
    def is_stale(self, sub: Submission) -> bool:
        """Scored with another scorer, benchmark or extractor version than this one."""
        return self._stale(sub.result)

    def _stale(self, result: Mapping[str, Any]) -> bool:
        recorded = result.get("extractor_version")
        return (self._need_store().is_stale_result(result)
                or (recorded is not None and recorded != _extract.EXTRACTOR_VERSION))

    def rescore(self, sub: Submission, judge: Judge | None = None, reason: str | None = None,
                force: bool = False) -> bool:
        """Re-score one stored submission from its raw file (not cached, no size limit: it
        was accepted once) with `judge` (default: this pipeline's) and hand the result to
        `replace`. Without `force` only a stale result is replaced: False when another
        process re-scored it meanwhile. InputError when it cannot be re-scored."""
        judge = judge or self.judge
        judged = sum(sub.result.get("status_counts", {}).get(k, 0) for k in _JUDGED)
        if judged and judge is None:
            raise InputError("its open-ended answers were judged and no judge is configured "
                             "now; left as scored before")
        upload = read_predictions(sub.upload_path.read_bytes(), sub.meta.file_name or "upload",
                                  self.benchmark, Limits.unlimited(), fmt=sub.meta.format)
        result = judge_open(score_closed(self.benchmark, upload.predictions, upload.report),
                            judge)
        return self.replace(sub, self.stamp(result), reason, force=force)

    def rejudge_with(self, sub: Submission, judge: Judge) -> bool:
        """Re-judge a stored submission with another judge, without a new upload (the
        admin's action): the old judging stays under history/ for the agreement view, and
        the change record says "re-judged with <judge>"."""
        if judge is None:
            raise InputError("choose a judge to re-judge with")
        return self.rescore(sub, judge, rejudge_reason(judge.info.as_dict()), force=True)

    def replace(self, sub: Submission, result: ScoreResult, reason: str | None = None,
                force: bool = False) -> bool:
        """Replace a stored submission's result with `result` (stamped), writing its change
        record first: per cell old -> new, the flipped items, `reason` (default: the
        versions that differ). The one way a stored result changes (re-score, re-judge).
        Without `force` only a stale result is replaced. The record is announced to the
        store's listeners (the Hub sync) once written."""
        store = self._need_store()
        assert self.changes is not None
        written: list[str] = []

        def record(old: dict[str, Any], old_items: pd.DataFrame,
                   payload: dict[str, Any]) -> str:
            rec = change_record(sub.meta.model, old, payload, old_items, result.items,
                                reason, submission_id=sub.id)
            written.append(self.changes.add(rec))
            return written[-1]

        try:
            return store.replace_result(sub, result, stale=_always if force else self._stale,
                                        record=record, reason=reason)
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

    def _need_store(self) -> SubmissionStore:
        if self.store is None:
            raise RuntimeError("this pipeline has no store: it can score, not keep")
        return self.store


def _always(_: Any) -> bool:
    return True


def _answers_loader(sub: Submission):
    """Reads only what the copy check needs (id and raw answer) of a stored submission."""
    return lambda: pd.read_parquet(sub.path / "items.parquet", columns=["id", "raw"])


def _as_bytes(data: Any) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SubmissionError("the upload must be the file's bytes")
    return bytes(data)
