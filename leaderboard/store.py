"""The submission store: each accepted upload is an immutable folder under the store root.

    <root>/<submission id>/upload.<fmt>     the uploaded file, byte for byte
                          /meta.json        model, owner, size, open/closed, link, submitter,
                                            time, hash
                          /result.json      cells, counts, statuses, scorer + benchmark version
                          /items.parquet    per-item raw answer, parsed answer, status, score, judge
                          /moderation.json  present once a moderator hid or showed it (with why)
                          /review.json      present when it was held for review (flags, clearing)
                          /history/         earlier result.json and items.parquet, kept when
                                            re-scored (result-<t>.json, items-<t>.parquet)

A submission is written into a temporary folder and renamed into place, so a crash leaves the
whole submission or nothing; start-up reports leftovers. The same file for the same model is
recognised by its hash and not stored twice; a new file for a known model is a new version.
Model names are one name when `names.name_key` says so; who may store under a name is
`leaderboard.ownership`'s rule, which `put` runs under the write lock (`claim`).
File names never come from the user: the store names every file itself.

The store only persists: it never parses or scores. `leaderboard.submission` (the one
submission pipeline) cleans the form, parses, scores and judges, then hands the finished
result to `put` (with the review record when the pipeline's checks held it); re-scoring
likewise hands a new result to `replace_result`, whose `record` hook lets the pipeline write
the change record before anything is replaced.
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
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from . import SCORER_VERSION
from .benchmark import Benchmark
from .forms import FORM_FIELDS
from .names import name_key
from .predictions import FORMATS
from .scoring import ScoreResult

log = logging.getLogger(__name__)

TMP_PREFIX = ".tmp-"
_ID_RE = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")
SUBMISSION_FILES: tuple[str, ...] = ("meta.json", "result.json", "items.parquet")
#: A submission held for review (leaderboard.review writes and reads its content).
REVIEW_FILE = "review.json"
HISTORY_DIR = "history"

#: Named points inside every write, in order. Tests kill the process at each of them (see
#: `_crash_hook`) to prove a crash anywhere leaves a whole submission or none.
WRITE_POINTS: tuple[str, ...] = (
    "put:start",
    "put:tmp_created",
    "put:upload_half",
    "put:upload_written",
    "put:upload_synced",
    "put:meta_written",
    "put:items_tmp_written",
    "put:items_written",
    "put:result_tmp_written",
    "put:result_written",
    "put:dir_synced",
    "put:renamed",
    "put:root_synced",
    "rescore:start",
    "rescore:recorded",
    "rescore:history_saved",
    "rescore:items_tmp_written",
    "rescore:items_written",
    "rescore:result_tmp_written",
    "rescore:result_written",
    "moderate:tmp_written",
    "moderate:written",
    "review:tmp_written",
    "review:written",
)
#: Test-only: called with each point name as a write passes it. None in production.
_crash_hook: Callable[[str], None] | None = None


def _point(name: str) -> None:
    if _crash_hook is not None:
        _crash_hook(name)


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
    owner: str | None = None  # account the model name belongs to (None: stored before owners)
    #: what the submitter declared in the optional form fields (provenance.clean_declared)
    declared: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> SubmissionMeta:
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
    duplicate: bool = False  # returned by put() when the same file was already stored
    moderation: dict[str, Any] = field(default_factory=dict)  # moderation.json, if any
    review: dict[str, Any] = field(default_factory=dict)  # review.json, if it was held
    _items: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def model_key(self) -> str:
        """The model's identity (`names.name_key`): look-alike names are one model."""
        return name_key(self.meta.model)

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


@dataclass(frozen=True)
class HistoryEntry:
    """An earlier scoring of a submission, kept when it was re-scored or re-judged."""

    stamp: str  # the time it was replaced (sorts), e.g. 20250601T120000123456Z
    result_path: Path
    items_path: Path | None  # None for results kept before items were kept too

    def result(self) -> dict[str, Any]:
        return json.loads(self.result_path.read_text())

    def items(self) -> pd.DataFrame:
        if self.items_path is None:
            raise FileNotFoundError(f"no items kept with {self.result_path.name}")
        return pd.read_parquet(self.items_path)


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
    """Submissions on disk, scored against one benchmark (whose hash says which stored
    results are stale).

    Safe for many threads and processes on one folder: writers take a file lock; readers
    only ever see whole submissions. `listeners` are called with a submission id after it is
    stored, re-scored or moderated (the Hub sync pushes it).
    """

    def __init__(self, root: str | Path, benchmark: Benchmark) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.benchmark = benchmark
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
            try:
                review = json.loads((path / REVIEW_FILE).read_text())
                if not isinstance(review, dict):
                    raise ValueError(f"{REVIEW_FILE} is not a JSON object")
                sub.review = review
            except FileNotFoundError:
                sub.review = {}
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

    def submissions(
        self, include_hidden: bool = False, all_versions: bool = False
    ) -> list[Submission]:
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
        key = name_key(model)
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
    def find_twin(self, model: str, digest: str) -> Submission | None:
        """The stored version of `model` whose upload has sha256 `digest`, marked
        `duplicate`, or None: the same file for the same model is stored once."""
        for old in self.versions(model):
            if old.meta.file_sha256 == digest:
                return dataclasses.replace(old, duplicate=True)
        return None

    def put(
        self,
        data: bytes,
        form: Mapping[str, Any],
        result: ScoreResult,
        claim: Callable[[list[Submission]], str | None] | None = None,
        review: Mapping[str, Any] | None = None,
    ) -> Submission:
        """Store one finished submission atomically: the upload byte for byte, the cleaned
        form (`forms.clean_form`, with its "declared" fields), the result and its items, and
        `review` (review.json) when the pipeline's checks held it, all in one rename. Returns
        the stored submission, or the earlier one with `duplicate` set when this model
        already has this exact file (checked under the write lock, so two racing uploads
        store it once). Raises StorageError, storing nothing, when the disk refuses.

        `claim(versions)`, called under the write lock with the model's stored versions
        (hidden included, oldest first), returns the owner to record or raises (the
        ownership rule, `ownership.Ownership.claim`); nothing is stored when it raises."""
        report = result.report
        if report is None:
            raise ValueError("put() needs a result with its parse report")
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        fields: dict[str, Any] = {k: form.get(k) for k in FORM_FIELDS}
        with self._locked():
            key = name_key(fields["model"])
            subs = self.scan()
            owner = claim([s for s in subs if s.model_key == key]) if claim else None
            twin = self.find_twin(fields["model"], digest)
            if twin is not None:
                return twin
            now = datetime.now(UTC)
            sub_id = f"{now:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}"  # sorts by time
            info = SubmissionMeta(
                **fields,
                owner=owner,
                created=now.isoformat(timespec="microseconds"),
                file_name=report.file_name,
                file_sha256=digest,
                format=report.format,
                version=sum(1 for s in subs if s.model_key == key) + 1,
                file_size=len(data),
                same_file_as=[
                    s.id for s in subs if s.meta.file_sha256 == digest and s.model_key != key
                ],
                declared=dict(form.get("declared") or {}),
            )
            try:
                self._write(sub_id, data, info, result, review)
            except OSError as exc:
                log.exception("could not store %s", sub_id)
                raise StorageError(
                    f"the submission could not be stored on the server "
                    f"({exc.strerror or exc}); nothing was stored, please try "
                    "again later"
                ) from exc
        self._notify(sub_id)
        return self.get(sub_id)

    def _result_payload(self, result: ScoreResult) -> dict[str, Any]:
        payload = result.to_json(include_items=False)
        payload["scorer_version"] = SCORER_VERSION
        return payload

    def _write(
        self,
        sub_id: str,
        data: bytes,
        meta: SubmissionMeta,
        result: ScoreResult,
        review: Mapping[str, Any] | None = None,
    ) -> None:
        _point("put:start")
        tmp = self.root / f"{TMP_PREFIX}{sub_id}"
        tmp.mkdir()
        _point("put:tmp_created")
        try:
            upload = tmp / f"upload.{meta.format}"
            with open(upload, "wb") as fh:
                fh.write(data[: len(data) // 2])
                fh.flush()
                _point("put:upload_half")
                fh.write(data[len(data) // 2 :])
                fh.flush()
                _point("put:upload_written")
                os.fsync(fh.fileno())
            _point("put:upload_synced")
            _fsync_write(
                tmp / "meta.json", json.dumps(asdict(meta), ensure_ascii=False, indent=1).encode()
            )
            _point("put:meta_written")
            if review:
                _fsync_write(tmp / REVIEW_FILE, _json_bytes(review))
            self._write_result(tmp, self._result_payload(result), result, "put")
            _fsync_dir(tmp)
            _point("put:dir_synced")
            os.rename(tmp, self.root / sub_id)
            _point("put:renamed")
            _fsync_dir(self.root)
            _point("put:root_synced")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _write_result(
        self, folder: Path, payload: dict[str, Any], result: ScoreResult, stage: str
    ) -> None:
        """items.parquet, then result.json (the file that says which scorer made them)."""
        items = result.items.copy()
        items["judge_score"] = items["judge_score"].astype("Int64")
        buf = io.BytesIO()
        items.to_parquet(buf, index=False)
        _replace_file(folder / "items.parquet", buf.getvalue(), f"{stage}:items_tmp_written")
        _point(f"{stage}:items_written")
        _replace_file(
            folder / "result.json",
            json.dumps(payload, ensure_ascii=False, allow_nan=False).encode(),
            f"{stage}:result_tmp_written",
        )
        _point(f"{stage}:result_written")

    # ------------------------------------------------------------------ upkeep
    def is_stale(self, sub: Submission) -> bool:
        """Scored with another scorer version or another benchmark version (the pipeline's
        `is_stale` adds the extractor version, which the store does not know)."""
        return _stale(sub.result, self.benchmark.hash)

    def is_stale_result(self, result: Mapping[str, Any]) -> bool:
        """`is_stale` of a result.json payload."""
        return _stale(result, self.benchmark.hash)

    def record_rescore(self, sub_id: str, problem: str | None) -> None:
        """Note why a stale submission could not be re-scored (None: it was, or need not
        be), for `problems`; the pipeline's re-scoring reports here."""
        if problem is None:
            self._rescore_problems.pop(sub_id, None)
        else:
            self._rescore_problems[sub_id] = problem

    def result_digest(self, sub: Submission) -> str:
        """sha256 of the stored result.json as it is now: a re-judge passes it back to
        `replace_result` so it never overwrites a result it did not start from."""
        return hashlib.sha256((sub.path / "result.json").read_bytes()).hexdigest()

    def replace_result(
        self,
        sub: Submission,
        result: ScoreResult,
        *,
        stale: Callable[[dict[str, Any]], bool] | None = None,
        record: Callable[[dict[str, Any], pd.DataFrame, dict[str, Any]], str | None] | None = None,
        reason: str | None = None,
        expect: str | None = None,
    ) -> bool:
        """Write a new result for a stored submission, keeping the old result.json and
        items.parquet under history/ and saying in the new one what it replaced and why. The
        upload, the form, moderation and review are never touched.

        False (nothing written) when the stored result is not the one the caller started
        from: with `expect` (a `result_digest`), when it changed since; else when
        `stale(old result.json)` says it needs no replacing any more (default: scored with
        another scorer or benchmark version; another process re-scored it meanwhile).
        `record(old result, old items, new payload)` is called under the write lock before
        anything is written (the pipeline writes the change record there and returns its
        id); if it raises, nothing is replaced. `reason` ("rescore", "rejudge", or a
        sentence) is kept in the new result's "rescored"."""
        _point("rescore:start")
        with self._locked():
            old_bytes = (sub.path / "result.json").read_bytes()
            old = json.loads(old_bytes)
            if expect is not None:
                if hashlib.sha256(old_bytes).hexdigest() != expect:
                    return False
            elif not (stale(old) if stale is not None else _stale(old, self.benchmark.hash)):
                return False
            payload = self._result_payload(result)
            record_id = None
            if record is not None:
                old_items = pd.read_parquet(sub.path / "items.parquet")
                record_id = record(old, old_items, payload)
            _point("rescore:recorded")
            now = datetime.now(UTC)
            history = sub.path / HISTORY_DIR
            history.mkdir(exist_ok=True)
            stamp = f"{now:%Y%m%dT%H%M%S%fZ}"
            _replace_file(
                history / f"items-{stamp}.parquet", (sub.path / "items.parquet").read_bytes()
            )
            kept = history / f"result-{stamp}.json"
            _replace_file(kept, old_bytes)
            _point("rescore:history_saved")
            payload["rescored"] = {
                "at": now.isoformat(timespec="seconds"),
                "reason": reason,
                "from_scorer_version": old.get("scorer_version"),
                "from_extractor_version": old.get("extractor_version"),
                "from_benchmark_hash": (old.get("benchmark") or {}).get("hash"),
                "change": record_id,
                "previous": f"{HISTORY_DIR}/{kept.name}",
            }
            self._write_result(sub.path, payload, result, "rescore")
            _fsync_dir(sub.path)
        self._cache.pop(sub.id, None)
        self._notify(sub.id)
        return True

    def history(self, sub: Submission) -> list[HistoryEntry]:
        """Earlier scorings of a submission, newest first (what re-scores replaced)."""
        folder = sub.path / HISTORY_DIR
        try:
            names = {p.name for p in folder.iterdir()}
        except FileNotFoundError:
            return []
        out = []
        for name in names:
            m = re.fullmatch(r"result-([0-9]{8}T[0-9]{12}Z)\.json", name)
            if m:
                items = f"items-{m.group(1)}.parquet"
                out.append(
                    HistoryEntry(
                        m.group(1), folder / name, folder / items if items in names else None
                    )
                )
        return sorted(out, key=lambda h: h.stamp, reverse=True)

    def stray_temp_files(self) -> list[Path]:
        """`*.tmp` files a crash left inside stored submissions (a result, items table,
        moderation record or history entry that was being replaced)."""
        return sorted(
            p
            for pattern in ("*/*.tmp", "*/history/*.tmp")
            for p in self.root.glob(pattern)
            if _ID_RE.match(p.relative_to(self.root).parts[0]) and p.is_file()
        )

    def clean_leftovers(self, wait: bool = True) -> list[str]:
        """Remove what writes that never completed left behind (temp folders, stray
        `*.tmp` files) under the write lock; returns their names (relative to the root).
        With `wait` False (start-up), nothing is removed while another writer holds the
        lock: what it is writing is not a leftover."""
        removed: list[str] = []
        with self._try_locked(wait) as locked:
            if not locked:
                log.info("leftovers not cleaned: another writer holds the lock")
                return []
            for path in self.root.glob(TMP_PREFIX + "*"):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
            for path in self.stray_temp_files():
                path.unlink(missing_ok=True)
                removed.append(str(path.relative_to(self.root)))
        self.leftovers = []
        return sorted(removed)

    @contextlib.contextmanager
    def _try_locked(self, wait: bool) -> Iterator[bool]:
        """The write lock (`_locked`), or, with `wait` False, False at once when it is held."""
        if wait:
            with self._locked():
                yield True
            return
        if not self._lock.acquire(blocking=False):
            yield False
            return
        try:
            with open(self.root / ".lock", "a+") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
                try:
                    yield True
                finally:
                    fcntl.flock(fh, fcntl.LOCK_UN)
        finally:
            self._lock.release()

    def set_hidden(
        self, sub_id: str, hidden: bool, reason: str | None = None, by: str | None = None
    ) -> Submission:
        """Moderation: hide or show a submission; it stays stored either way, and every
        change is recorded with its time, reason (cleaned by `moderation.moderate`) and who
        did it (`by`: "moderator" or the withdrawing account) in moderation.json."""
        sub = self.get(sub_id)
        with self._locked():
            path = sub.path / "moderation.json"
            try:
                current = json.loads(path.read_text())
            except FileNotFoundError:
                current = {}
            now = datetime.now(UTC).isoformat(timespec="seconds")
            entry = {"hidden": bool(hidden), "at": now, "reason": reason}
            if by is not None:
                entry["by"] = by
            record = {**entry, "history": list(current.get("history", [])) + [entry]}
            _replace_file(
                path,
                json.dumps(record, ensure_ascii=False, indent=1).encode(),
                "moderate:tmp_written",
            )
            _fsync_dir(sub.path)
            _point("moderate:written")
        self._notify(sub_id)
        return self.get(sub_id)

    def set_review(self, sub_id: str, record: Mapping[str, Any]) -> Submission:
        """Replace a submission's review.json (the admin cleared it), atomically; the record
        is made by `review.clear_review`, which keeps the flags and the history."""
        sub = self.get(sub_id)
        with self._locked():
            _replace_file(sub.path / REVIEW_FILE, _json_bytes(record), "review:tmp_written")
            _fsync_dir(sub.path)
            _point("review:written")
        self._cache.pop(sub_id, None)
        self._notify(sub_id)
        return self.get(sub_id)

    def announce(self, path: str) -> None:
        """Tell the listeners (the Hub sync) a record was written under the store root:
        `path` is relative to it, e.g. "changes/<id>.json" or "label_flags/<id>.json"."""
        self._notify(path)


def _json_bytes(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False).encode()


def _stale(result: Mapping[str, Any], benchmark_hash: str) -> bool:
    return (
        result.get("scorer_version") != SCORER_VERSION
        or (result.get("benchmark") or {}).get("hash") != benchmark_hash
    )
