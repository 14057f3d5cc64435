"""The submission store: each accepted upload is an immutable folder under the store root.

    <root>/<submission id>/upload.<fmt>     the uploaded file, byte for byte
                          /meta.json        model, size, open/closed, link, submitter, time, hash
                          /result.json      cell values, counts, statuses, scorer + benchmark version
                          /items.parquet    per-item raw answer, parsed answer, status, score, judge
                          /moderation.json  present once a moderator hid or showed it (with why)
                          /history/         earlier result.json files, kept when re-scored

A submission is written into a temporary folder and renamed into place, so a crash leaves the
whole submission or nothing; start-up reports leftovers. The same file for the same model is
recognised by its hash and not stored twice; a new file for a known model is a new version.
File names never come from the user: the store names every file itself.
"""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import shutil
import threading
import unicodedata
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from . import SCORER_VERSION
from .benchmark import Benchmark
from .errors import InputError
from .judges import Judge, Progress
from .limits import RateLimiter
from .predictions import FORMATS, PredictionFile, display_name, read_predictions
from .scoring import ScoreResult, score_predictions
from .settings import Limits, mb

log = logging.getLogger(__name__)

TMP_PREFIX = ".tmp-"
MAX_NAME = 80
MAX_LINK = 300
MAX_PARAMS = 20
MAX_REASON = 300
_ID_RE = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")
SUBMISSION_FILES: tuple[str, ...] = ("meta.json", "result.json", "items.parquet")

#: Named points inside every write, in order. Tests kill the process at each of them (see
#: `_crash_hook`) to prove a crash anywhere leaves a whole submission or none.
WRITE_POINTS: tuple[str, ...] = (
    "add:start", "add:tmp_created", "add:upload_half", "add:upload_written",
    "add:upload_synced", "add:meta_written", "add:items_tmp_written", "add:items_written",
    "add:result_tmp_written", "add:result_written", "add:dir_synced", "add:renamed",
    "add:root_synced",
    "rescore:start", "rescore:history_saved", "rescore:items_tmp_written",
    "rescore:items_written", "rescore:result_tmp_written", "rescore:result_written",
    "moderate:tmp_written", "moderate:written",
)
#: add()'s `on_scoring(parsed upload, cleaned form)`: told once an upload is parsed, is not a
#: duplicate and is about to be scored and judged (the app shows it as pending from then on).
ScoringHook = Callable[[PredictionFile, dict[str, Any]], None]
#: Test-only: called with each point name as a write passes it. None in production.
_crash_hook: Callable[[str], None] | None = None


def _point(name: str) -> None:
    if _crash_hook is not None:
        _crash_hook(name)


class SubmissionError(InputError):
    """The submission form is filled in wrongly."""


class StorageError(RuntimeError):
    """The server could not write a submission (disk full, permissions); nothing was stored.
    Not the uploader's fault: the app shows it as a server problem."""


@dataclass
class SubmissionMeta:
    """What the uploader told us, plus what we computed about the upload."""

    model: str
    params: str | None = None  # e.g. "7B"; free text, shown as text
    open: bool | None = None  # open weights?
    link: str | None = None
    submitter: str | None = None
    created: str = ""  # ISO 8601 UTC
    file_name: str = ""  # the uploaded name, display only (never a path)
    file_sha256: str = ""
    format: str = ""
    version: int = 1  # per model name
    file_size: int = 0
    same_file_as: list[str] = field(default_factory=list)  # ids of other models' identical file

    @staticmethod
    def from_dict(data: dict[str, Any]) -> "SubmissionMeta":
        known = {k: data[k] for k in SubmissionMeta.__dataclass_fields__ if k in data}
        return SubmissionMeta(**known)


@dataclass
class Submission:
    """One stored submission as the app sees it (result loaded, items on demand)."""

    id: str
    path: Path
    meta: SubmissionMeta
    result: dict[str, Any]  # result.json: tables, counts, status_counts, report, versions
    hidden: bool = False
    duplicate: bool = False  # returned by add() when the same file was already stored
    moderation: dict[str, Any] = field(default_factory=dict)  # moderation.json, if any
    _items: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def model_key(self) -> str:
        return model_key(self.meta.model)

    @property
    def upload_path(self) -> Path:
        """The stored upload (named by the store, never by the user)."""
        return self.path / f"upload.{self.meta.format}"

    def items(self) -> pd.DataFrame:
        """Per-item table (id, qtype, raw, parsed, status, score, judge_score, judge_raw)."""
        if self._items is None:
            self._items = pd.read_parquet(self.path / "items.parquet")
        return self._items

    def item_scores(self) -> pd.DataFrame:
        """Only id and score of every item, benchmark order: what the statistics need,
        read without the raw answers when the full table is not loaded yet."""
        if self._items is not None:
            return self._items[["id", "score"]]
        return pd.read_parquet(self.path / "items.parquet", columns=["id", "score"])


def model_key(name: str) -> str:
    """Names that differ only in case, width or spacing are the same model."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def clean_text(value: Any, limit: int, what: str, required: bool = False) -> str | None:
    """Single-line text from a form field, kept as given: control and invisible characters
    refused (they can reorder or hide what is shown), length capped."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SubmissionError(f"{what} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise SubmissionError(f"{what} must be text, not {type(value).__name__}")
    text = unicodedata.normalize("NFC", str(value)).strip()
    for pos, ch in enumerate(text, start=1):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            raise SubmissionError(f"{what} contains a control or invisible character "
                                  f"(U+{ord(ch):04X} at position {pos})")
    if len(text) > limit:
        raise SubmissionError(f"{what} is {len(text)} characters long; at most {limit}")
    return text


def _fsync_write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _replace_file(path: Path, data: bytes, point: str | None = None) -> None:
    """Write a file in full next to its final name, then rename over it."""
    tmp = path.with_name(path.name + ".tmp")
    _fsync_write(tmp, data)
    if point:
        _point(point)
    os.replace(tmp, path)


class SubmissionStore:
    """Submissions on disk, scored against one benchmark.

    Safe for many threads and processes on one folder: writers take a file lock; readers
    only ever see whole submissions. `listeners` are called with a submission id after it is
    stored, re-scored or moderated (the Hub sync pushes it).
    """

    def __init__(self, root: str | Path, benchmark: Benchmark, judge: Judge | None = None,
                 limits: Limits | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.benchmark = benchmark
        self.judge = judge
        self.limits = limits or Limits.from_env()
        self.submit_limiter = RateLimiter(self.limits.submits_per_hour, "submissions")
        self.attempt_limiter = RateLimiter(self.limits.attempts_per_hour, "upload attempts")
        self.listeners: list[Callable[[str], None]] = []
        self.sync: Any = None  # the HubSync pushing this store, set by hub_sync.open_store
        self._lock = threading.RLock()
        self._cache: dict[str, tuple[tuple[int, int], Submission]] = {}
        self.leftovers: list[str] = []  # temp folders of writes that never completed
        self._scan_problems: list[str] = []  # stored folders that could not be read
        self._rescore_problems: dict[str, str] = {}  # id -> why it could not be re-scored
        self.scan()

    @property
    def problems(self) -> list[str]:
        """Everything start-up should report: unreadable folders, failed re-scores."""
        return self._scan_problems + [f"{k}: {v}" for k, v in self._rescore_problems.items()]

    # ------------------------------------------------------------------ locking
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time, across threads and processes."""
        with self._lock, open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _no_writer_now(self) -> bool:
        """True when no thread or process is writing (so temp folders are leftovers)."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            with open(self.root / ".lock", "a+") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                fcntl.flock(fh, fcntl.LOCK_UN)
                return True
        finally:
            self._lock.release()

    def _notify(self, sub_id: str) -> None:
        for listener in list(self.listeners):
            try:
                listener(sub_id)
            except Exception:  # noqa: BLE001 - a listener (Hub sync) must not break a submit
                log.exception("store listener failed for %s", sub_id)

    # ------------------------------------------------------------------ reading
    def _load(self, path: Path) -> Submission | None:
        try:
            st = (path / "result.json").stat()
            key = (st.st_mtime_ns, st.st_size)
            cached = self._cache.get(path.name)
            if cached is not None and cached[0] == key:
                sub = cached[1]
            else:
                meta = SubmissionMeta.from_dict(json.loads((path / "meta.json").read_text()))
                result = json.loads((path / "result.json").read_text())
                if meta.format not in FORMATS or not isinstance(result, dict):
                    raise ValueError("meta.json or result.json of the wrong shape")
                sub = Submission(path.name, path, meta, result)
                self._cache[path.name] = (key, sub)
            try:
                sub.moderation = json.loads((path / "moderation.json").read_text())
            except FileNotFoundError:
                sub.moderation = {}
            sub.hidden = bool(sub.moderation.get("hidden", False))
            return sub
        except (OSError, ValueError, TypeError) as exc:
            self._scan_problems.append(f"{path.name}: unreadable ({exc})")
            return None

    def scan(self) -> list[Submission]:
        """Every complete stored submission (hidden included), oldest first."""
        if self._no_writer_now():
            self.leftovers = sorted(p.name for p in self.root.glob(TMP_PREFIX + "*"))
        self._scan_problems = []
        found = []
        for path in sorted(self.root.iterdir()):
            if _ID_RE.match(path.name) and path.is_dir():
                sub = self._load(path)
                if sub is not None:
                    found.append(sub)
        return found

    def submissions(self, include_hidden: bool = False,
                    all_versions: bool = False) -> list[Submission]:
        """Visible submissions; by default only the latest version of each model."""
        subs = [s for s in self.scan() if include_hidden or not s.hidden]
        if all_versions:
            return subs
        latest: dict[str, Submission] = {}
        for s in subs:  # oldest first, so the last one seen wins
            latest[s.model_key] = s
        return list(latest.values())

    def get(self, sub_id: str) -> Submission:
        """One submission by id (KeyError for anything that is not a stored id)."""
        if not isinstance(sub_id, str) or not _ID_RE.match(sub_id):
            raise KeyError(sub_id)
        path = self.root / sub_id
        if not path.is_dir():
            raise KeyError(sub_id)
        sub = self._load(path)
        if sub is None:
            raise KeyError(sub_id)
        return sub

    def versions(self, model: str) -> list[Submission]:
        """Every stored version of a model (hidden included), oldest first."""
        key = model_key(model)
        return [s for s in self.scan() if s.model_key == key]

    def verify(self) -> list[str]:
        """Deep check of every stored submission: upload bytes match their hash, result and
        items readable. Returns problems (empty when all is well)."""
        problems = []
        for sub in self.scan():
            try:
                data = sub.upload_path.read_bytes()
                if hashlib.sha256(data).hexdigest() != sub.meta.file_sha256:
                    problems.append(f"{sub.id}: upload does not match its recorded hash")
                pd.read_parquet(sub.path / "items.parquet")
            except (OSError, ValueError) as exc:
                problems.append(f"{sub.id}: {exc}")
        return problems + self._scan_problems

    # ------------------------------------------------------------------ writing
    def _clean_meta(self, meta: Any) -> dict[str, Any]:
        if not isinstance(meta, dict):
            raise SubmissionError("submission details must be a mapping of form fields")
        link = clean_text(meta.get("link"), MAX_LINK, "Link")
        if link and not re.match(r"^https?://[^\s<>\"'`]+$", link):
            raise SubmissionError("Link must be an http(s) URL")
        open_weights = meta.get("open")
        if open_weights is not None and not isinstance(open_weights, bool):
            raise SubmissionError("open must be true, false or empty")
        return {
            "model": clean_text(meta.get("model"), MAX_NAME, "Model name", required=True),
            "params": clean_text(meta.get("params"), MAX_PARAMS, "Parameter count"),
            "open": open_weights, "link": link,
            "submitter": clean_text(meta.get("submitter"), MAX_NAME, "Submitter"),
        }

    def _find_twin(self, model: str, digest: str) -> Submission | None:
        for old in self.versions(model):
            if old.meta.file_sha256 == digest:
                return dataclasses.replace(old, duplicate=True)
        return None

    def add(self, data: bytes, file_name: str, meta: dict[str, Any],
            progress: Progress | None = None, client: str | None = None,
            on_scoring: ScoringHook | None = None) -> Submission:
        """Parse, score and store one upload. Raises InputError (nothing stored) when the
        file or the form is bad, RateLimitError when `client` (a key from
        `limits.client_key`) submitted too often; returns the existing submission, with
        `duplicate` set, for a repeated upload. Nothing is written before scoring (judging
        included) has finished, so a crash while judging stores nothing."""
        form = self._clean_meta(meta)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise SubmissionError("the upload must be the file's bytes")
        data = bytes(data)
        if client is not None:
            self.attempt_limiter.take(client)
            self.submit_limiter.take(client)
        counted = False
        try:
            sub = self._add(data, file_name, form, progress, on_scoring)
            counted = not sub.duplicate
            return sub
        finally:
            if client is not None and not counted:
                self.submit_limiter.refund(client)

    def add_file(self, path: str | Path, meta: dict[str, Any], progress: Progress | None = None,
                 client: str | None = None, file_name: str | None = None,
                 on_scoring: ScoringHook | None = None) -> Submission:
        """add() for an upload saved on disk (the app's temp file): the size is checked
        before a byte is read. `file_name` is the name the user gave (display only)."""
        path = Path(path)
        name = display_name(file_name or path.name)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise SubmissionError(f"{name}: the uploaded file cannot be read ({exc.strerror})")
        if size > self.limits.max_file_bytes:
            raise SubmissionError(f"{name}: {mb(size)} MB, over the "
                                  f"{mb(self.limits.max_file_bytes)} MB upload limit")
        return self.add(path.read_bytes(), name, meta, progress=progress, client=client,
                        on_scoring=on_scoring)

    def _add(self, data: bytes, file_name: str, form: dict[str, Any],
             progress: Progress | None, on_scoring: ScoringHook | None) -> Submission:
        pred = read_predictions(data, file_name, self.benchmark, self.limits)
        digest = hashlib.sha256(data).hexdigest()
        with self._locked():
            twin = self._find_twin(form["model"], digest)
        if twin is not None:
            return twin
        if on_scoring is not None:
            on_scoring(pred, dict(form))
        # Score outside the lock: judging can take a while and needs no store state.
        result = score_predictions(self.benchmark, pred.predictions, judge=self.judge,
                                   report=pred.report, progress=progress)
        with self._locked():
            twin = self._find_twin(form["model"], digest)  # it may have landed while we scored
            if twin is not None:
                return twin
            now = datetime.now(timezone.utc)
            sub_id = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}"  # sorts by time
            key = model_key(form["model"])
            subs = self.scan()
            info = SubmissionMeta(
                **form, created=now.isoformat(timespec="microseconds"),
                file_name=pred.report.file_name, file_sha256=digest, format=pred.report.format,
                version=sum(1 for s in subs if s.model_key == key) + 1, file_size=len(data),
                same_file_as=[s.id for s in subs
                              if s.meta.file_sha256 == digest and s.model_key != key])
            try:
                self._write(sub_id, data, info, result)
            except OSError as exc:
                log.exception("could not store %s", sub_id)
                raise StorageError(f"the submission could not be stored on the server "
                                   f"({exc.strerror or exc}); nothing was stored, please try "
                                   "again later") from exc
        self._notify(sub_id)
        return self.get(sub_id)

    def _result_payload(self, result: ScoreResult) -> dict[str, Any]:
        payload = result.to_json(include_items=False)
        payload["scorer_version"] = SCORER_VERSION
        return payload

    def _write(self, sub_id: str, data: bytes, meta: SubmissionMeta,
               result: ScoreResult) -> None:
        _point("add:start")
        tmp = self.root / f"{TMP_PREFIX}{sub_id}"
        tmp.mkdir()
        _point("add:tmp_created")
        try:
            upload = tmp / f"upload.{meta.format}"
            with open(upload, "wb") as fh:
                fh.write(data[:len(data) // 2])
                fh.flush()
                _point("add:upload_half")
                fh.write(data[len(data) // 2:])
                fh.flush()
                _point("add:upload_written")
                os.fsync(fh.fileno())
            _point("add:upload_synced")
            _fsync_write(tmp / "meta.json",
                         json.dumps(asdict(meta), ensure_ascii=False, indent=1).encode())
            _point("add:meta_written")
            self._write_result(tmp, self._result_payload(result), result, "add")
            _fsync_dir(tmp)
            _point("add:dir_synced")
            os.rename(tmp, self.root / sub_id)
            _point("add:renamed")
            _fsync_dir(self.root)
            _point("add:root_synced")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _write_result(self, folder: Path, payload: dict[str, Any], result: ScoreResult,
                      stage: str) -> None:
        """items.parquet, then result.json (the file that says which scorer made them)."""
        items = result.items.copy()
        items["judge_score"] = items["judge_score"].astype("Int64")
        buf = io.BytesIO()
        items.to_parquet(buf, index=False)
        _replace_file(folder / "items.parquet", buf.getvalue(), f"{stage}:items_tmp_written")
        _point(f"{stage}:items_written")
        _replace_file(folder / "result.json",
                      json.dumps(payload, ensure_ascii=False, allow_nan=False).encode(),
                      f"{stage}:result_tmp_written")
        _point(f"{stage}:result_written")

    # ------------------------------------------------------------------ upkeep
    def is_stale(self, sub: Submission) -> bool:
        """Scored with another scorer version or another benchmark version."""
        return _stale(sub.result, self.benchmark.hash)

    def rescore_stale(self) -> list[str]:
        """Re-score, from the stored raw files, every submission scored with another scorer
        version or benchmark version; the old result is kept under history/. Returns the ids
        re-scored; those that could not be are listed in `problems`."""
        done = []
        for sub in self.scan():
            if not self.is_stale(sub):
                self._rescore_problems.pop(sub.id, None)
                continue
            try:
                if self._rescore(sub):
                    done.append(sub.id)
                self._rescore_problems.pop(sub.id, None)
            except (InputError, OSError, ValueError) as exc:
                self._rescore_problems[sub.id] = f"could not be re-scored ({exc})"
        return done

    def _rescore(self, sub: Submission) -> bool:
        _point("rescore:start")
        judged = sum(sub.result.get("status_counts", {}).get(k, 0)
                     for k in ("judged", "judge_failed"))
        if judged and self.judge is None:
            raise InputError("its open-ended answers were judged and no judge is configured "
                             "now; left as scored before")
        pred = read_predictions(sub.upload_path.read_bytes(), sub.meta.file_name or "upload",
                                self.benchmark, Limits.unlimited(), fmt=sub.meta.format)
        result = score_predictions(self.benchmark, pred.predictions, judge=self.judge,
                                   report=pred.report)
        with self._locked():
            old_bytes = (sub.path / "result.json").read_bytes()
            old = json.loads(old_bytes)
            if not _stale(old, self.benchmark.hash):
                return False  # another process re-scored it meanwhile
            now = datetime.now(timezone.utc)
            history = sub.path / "history"
            history.mkdir(exist_ok=True)
            kept = history / f"result-{now:%Y%m%dT%H%M%S%fZ}.json"
            _replace_file(kept, old_bytes)
            _point("rescore:history_saved")
            payload = self._result_payload(result)
            payload["rescored"] = {
                "at": now.isoformat(timespec="seconds"),
                "from_scorer_version": old.get("scorer_version"),
                "from_benchmark_hash": (old.get("benchmark") or {}).get("hash"),
                "previous": f"history/{kept.name}"}
            self._write_result(sub.path, payload, result, "rescore")
            _fsync_dir(sub.path)
        self._cache.pop(sub.id, None)
        self._notify(sub.id)
        return True

    def clean_leftovers(self) -> list[str]:
        """Remove temp folders of writes that never completed; returns their names."""
        removed = []
        with self._locked():
            for path in self.root.glob(TMP_PREFIX + "*"):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        self.leftovers = []
        return sorted(removed)

    def set_hidden(self, sub_id: str, hidden: bool, reason: str | None = None) -> Submission:
        """Moderation: hide or show a submission; it stays stored either way, and every
        change is recorded with its time and reason in moderation.json."""
        reason = clean_text(reason, MAX_REASON, "Reason")
        sub = self.get(sub_id)
        with self._locked():
            path = sub.path / "moderation.json"
            try:
                current = json.loads(path.read_text())
            except FileNotFoundError:
                current = {}
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            entry = {"hidden": bool(hidden), "at": now, "reason": reason}
            record = {**entry, "history": list(current.get("history", [])) + [entry]}
            _replace_file(path, json.dumps(record, ensure_ascii=False, indent=1).encode(),
                          "moderate:tmp_written")
            _fsync_dir(sub.path)
            _point("moderate:written")
        self._notify(sub_id)
        return self.get(sub_id)


def _stale(result: dict[str, Any], benchmark_hash: str) -> bool:
    return (result.get("scorer_version") != SCORER_VERSION
            or (result.get("benchmark") or {}).get("hash") != benchmark_hash)
