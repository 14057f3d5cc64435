"""The submission store: each accepted upload is an immutable folder under the store root.

    <root>/<submission id>/upload.<fmt>   the uploaded file, byte for byte
                          /meta.json      model, size, open/closed, link, submitter, time, hash
                          /result.json    cell values, counts, statuses, scorer + benchmark version
                          /items.parquet  per-item raw answer, parsed answer, status, score, judge
                          /hidden         present while a moderator hides it

A submission is written into a temporary folder and renamed into place, so a crash leaves the
whole submission or nothing; start-up reports leftovers. The same file for the same model is
recognised by its hash and not stored twice; a new file for a known model is a new version.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import threading
import unicodedata
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from . import SCORER_VERSION
from .benchmark import Benchmark
from .errors import InputError
from .judging import Judge, Progress
from .predictions import read_predictions
from .scoring import ScoreResult, score_predictions
from .settings import Limits

TMP_PREFIX = ".tmp-"
MAX_NAME = 80
MAX_LINK = 300
_ID_RE = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")


class SubmissionError(InputError):
    """The submission form is filled in wrongly."""


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
    _items: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def model_key(self) -> str:
        return model_key(self.meta.model)

    def items(self) -> pd.DataFrame:
        """Per-item table (id, qtype, raw, parsed, status, score, judge_score, judge_raw)."""
        if self._items is None:
            self._items = pd.read_parquet(self.path / "items.parquet")
        return self._items


def model_key(name: str) -> str:
    """Names that differ only in case, width or spacing are the same model."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def clean_text(value: Any, limit: int, what: str, required: bool = False) -> str | None:
    """Single-line text from a form field: control characters refused, length capped."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SubmissionError(f"{what} is required")
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise SubmissionError(f"{what} contains control or invisible characters")
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


class SubmissionStore:
    """Submissions on disk, scored against one benchmark."""

    def __init__(self, root: str | Path, benchmark: Benchmark, judge: Judge | None = None,
                 limits: Limits | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.benchmark = benchmark
        self.judge = judge
        self.limits = limits or Limits.from_env()
        self._lock = threading.Lock()
        self._cache: dict[str, Submission] = {}
        self.leftovers: list[str] = []  # temp folders found at start-up (crashed writes)
        self.problems: list[str] = []  # stored folders that could not be read

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

    # ------------------------------------------------------------------ reading
    def scan(self) -> list[Submission]:
        """Every complete stored submission (hidden included), oldest first."""
        self.leftovers = sorted(p.name for p in self.root.glob(TMP_PREFIX + "*"))
        self.problems = []
        found = []
        for path in sorted(self.root.iterdir()):
            if not path.is_dir() or not _ID_RE.match(path.name):
                continue
            sub = self._cache.get(path.name)
            if sub is None:
                try:
                    meta = SubmissionMeta.from_dict(json.loads((path / "meta.json").read_text()))
                    result = json.loads((path / "result.json").read_text())
                except (OSError, ValueError, TypeError) as exc:
                    self.problems.append(f"{path.name}: unreadable ({exc})")
                    continue
                sub = Submission(path.name, path, meta, result)
                self._cache[path.name] = sub
            sub.hidden = (path / "hidden").exists()
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
        if not _ID_RE.match(sub_id) or not (self.root / sub_id).is_dir():
            raise KeyError(sub_id)
        return next(s for s in self.scan() if s.id == sub_id)

    def versions(self, model: str) -> list[Submission]:
        key = model_key(model)
        return [s for s in self.scan() if s.model_key == key]

    # ------------------------------------------------------------------ writing
    def add(self, data: bytes, file_name: str, meta: dict[str, Any],
            progress: Progress | None = None) -> Submission:
        """Parse, score and store one upload. Raises InputError (nothing stored) when the
        file or the form is bad; returns the existing submission for a repeated upload."""
        model = clean_text(meta.get("model"), MAX_NAME, "Model name", required=True)
        link = clean_text(meta.get("link"), MAX_LINK, "Link")
        if link and not re.match(r"^https?://[^\s<>\"']+$", link):
            raise SubmissionError("Link must be an http(s) URL")
        params = clean_text(meta.get("params"), 20, "Parameter count")
        submitter = clean_text(meta.get("submitter"), MAX_NAME, "Submitter")
        open_weights = meta.get("open")
        if open_weights is not None and not isinstance(open_weights, bool):
            raise SubmissionError("open must be true, false or empty")
        pred = read_predictions(data, file_name, self.benchmark, self.limits)
        digest = hashlib.sha256(data).hexdigest()
        with self._locked():
            for old in self.versions(model):
                if old.meta.file_sha256 == digest:
                    old.duplicate = True
                    return old
        # Score outside the lock: judging can take a while and needs no store state.
        result = score_predictions(self.benchmark, pred.predictions, judge=self.judge,
                                   report=pred.report, progress=progress)
        with self._locked():
            for old in self.versions(model):  # a twin may have landed while we scored
                if old.meta.file_sha256 == digest:
                    old.duplicate = True
                    return old
            now = datetime.now(timezone.utc)
            sub_id = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}"  # sorts by time
            info = SubmissionMeta(
                model=model, params=params, open=open_weights, link=link, submitter=submitter,
                created=now.isoformat(timespec="microseconds"), file_name=pred.report.file_name,
                file_sha256=digest, format=pred.report.format,
                version=len(self.versions(model)) + 1)
            self._write(sub_id, data, info, result)
        return self.get(sub_id)

    def _result_payload(self, result: ScoreResult) -> dict[str, Any]:
        payload = result.to_json(include_items=False)
        payload["scorer_version"] = SCORER_VERSION
        return payload

    def _write(self, sub_id: str, data: bytes, meta: SubmissionMeta,
               result: ScoreResult) -> None:
        tmp = self.root / f"{TMP_PREFIX}{sub_id}"
        tmp.mkdir()
        try:
            _fsync_write(tmp / f"upload.{meta.format}", data)
            _fsync_write(tmp / "meta.json",
                         json.dumps(asdict(meta), ensure_ascii=False, indent=1).encode())
            self._write_result(tmp, result)
            _fsync_dir(tmp)
            os.rename(tmp, self.root / sub_id)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _write_result(self, folder: Path, result: ScoreResult) -> None:
        items = result.items.copy()
        items["judge_score"] = items["judge_score"].astype("Int64")
        items.to_parquet(folder / "items.parquet.tmp", index=False)
        os.replace(folder / "items.parquet.tmp", folder / "items.parquet")
        payload = json.dumps(self._result_payload(result), ensure_ascii=False,
                             allow_nan=False).encode()
        _fsync_write(folder / "result.json.tmp", payload)
        os.replace(folder / "result.json.tmp", folder / "result.json")

    # ------------------------------------------------------------------ upkeep
    def is_stale(self, sub: Submission) -> bool:
        return (sub.result.get("scorer_version") != SCORER_VERSION
                or sub.result.get("benchmark", {}).get("hash") != self.benchmark.hash)

    def rescore_stale(self) -> list[str]:
        """Re-score, from the stored raw files, every submission scored with another scorer
        version or benchmark version. Returns the ids re-scored."""
        done = []
        for sub in self.scan():
            if not self.is_stale(sub):
                continue
            upload = next(sub.path.glob("upload.*"))
            pred = read_predictions(upload.read_bytes(), sub.meta.file_name or upload.name,
                                    self.benchmark, self.limits)
            result = score_predictions(self.benchmark, pred.predictions, judge=self.judge,
                                       report=pred.report)
            with self._locked():
                self._write_result(sub.path, result)
            self._cache.pop(sub.id, None)
            done.append(sub.id)
        return done

    def clean_leftovers(self) -> list[str]:
        """Remove temp folders of writes that never completed; returns their names."""
        removed = []
        with self._locked():
            for path in self.root.glob(TMP_PREFIX + "*"):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
        self.leftovers = []
        return sorted(removed)

    def set_hidden(self, sub_id: str, hidden: bool) -> None:
        """Moderation: hide or show a submission; it stays stored either way."""
        sub = self.get(sub_id)
        marker = sub.path / "hidden"
        with self._locked():
            if hidden:
                _fsync_write(marker, b"")
            else:
                marker.unlink(missing_ok=True)
        sub.hidden = hidden
