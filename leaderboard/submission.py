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

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .benchmark import Benchmark
from .errors import InputError
from .forms import SubmissionError, clean_form
from .judges import Judge, Progress
from .limits import ClientQuota
from .predictions import PredictionFile, display_name, read_predictions
from .scoring import ScoreResult, judge_open, score_closed
from .settings import Limits, mb
from .store import Submission, SubmissionStore

#: Previews kept for the submit that follows them (each holds one parsed upload).
PREVIEW_CACHE_SIZE = 4
#: Previews remembered as paid for, so the submit that follows is not charged twice.
PREPAID_KEPT = 1024
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
                 cache_size: int = PREVIEW_CACHE_SIZE) -> None:
        if store is not None and store.benchmark.hash != benchmark.hash:
            raise ValueError("the store holds results of another benchmark version")
        self.benchmark = benchmark
        self.store = store
        self.judge = judge
        self.limits = limits or Limits.from_env()
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
            preview = self._preview(data, file_name, key)
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
        result = judge_open(score_closed(self.benchmark, upload.predictions, upload.report),
                            self.judge)
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

    def _need_store(self) -> SubmissionStore:
        if self.store is None:
            raise RuntimeError("this pipeline has no store: it can score, not keep")
        return self.store


def _as_bytes(data: Any) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SubmissionError("the upload must be the file's bytes")
    return bytes(data)
