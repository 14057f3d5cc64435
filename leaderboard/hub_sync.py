"""Keeping the submission store in a Hugging Face dataset repo, so a Space restart loses nothing.

With QBP_SUBMISSIONS_REPO (owner/name) and HF_TOKEN set, start-up restores the submissions the
repo has and this machine lacks (`snapshot_download` into a staging folder, each submission
checked whole, then renamed into the store), and every submission stored, re-scored or
moderated afterwards is pushed by a background thread (`HfApi.upload_folder`, one commit per
batch, retried with backoff). Each submission is its own folder with a unique id, so pushes
from anywhere never conflict. The write-once records next to the submissions, the change log
(`changes/`) and the label flags (`label_flags/`), are pushed one file each as they are
written and restored the same way (each has a unique name, so there is nothing to merge);
a submission's review.json travels with its folder, and a review cleared on another machine
(a longer review history) wins over the local one, as newer moderation does. Without the
settings everything stays local.

A Hub that is down or unreachable never stops start-up for longer than QBP_SYNC_TIMEOUT
seconds: the app starts on the local store and `sync_status(store)` says what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .append_only import DEFAULT_MAX_BYTES, RECORD_RE
from .benchmark import Benchmark
from .changes import CHANGES_DIR
from .judges import Judge
from .label_flags import FLAGS_DIR
from .settings import SettingError, _float
from .store import _ID_RE, REVIEW_FILE, SUBMISSION_FILES, SubmissionStore
from .submission import SubmissionPipeline

log = logging.getLogger(__name__)

REPO_ENV = "QBP_SUBMISSIONS_REPO"
TOKEN_ENV = "HF_TOKEN"
STAGING = ".hub-restore"  # inside the store root; its name is never a submission id
_REPO_RE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
# What is never pushed: lock, temp files and folders, the staging folder.
IGNORE = [".*", "*/.*", "*.tmp"]
#: Folders of write-once records (append_only) synced file by file.
RECORD_DIRS: tuple[str, ...] = (CHANGES_DIR, FLAGS_DIR)


class _StillRestoring(Exception):
    """The start-up restore is still waiting for the Hub; try again later."""


@dataclass(frozen=True)
class SyncStatus:
    """What the app shows about persistence: a state and a sentence."""

    state: str  # "off", "restoring", "ok", "pending", "failing"
    message: str
    repo_id: str | None = None
    restored: int = 0
    pending: int = 0
    last_error: str | None = None
    last_push: str | None = None  # ISO time of the last successful push

    @property
    def enabled(self) -> bool:
        return self.state != "off"

    @property
    def healthy(self) -> bool:
        """Nothing is wrong: sync is off on purpose, or working."""
        return self.state in ("off", "ok", "pending", "restoring")

    def __str__(self) -> str:
        return self.message


OFF = SyncStatus(
    "off",
    f"Hub sync off: submissions are stored on this machine only (set "
    f"{REPO_ENV} and {TOKEN_ENV} to keep them in a Hub dataset repo).",
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _complete(folder: Path) -> str | None:
    """Why a downloaded submission folder is not whole (None when it is)."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
        json.loads((folder / "result.json").read_text())
        for name in SUBMISSION_FILES:
            if not (folder / name).is_file():
                return f"{name} missing"
        upload = folder / f"upload.{meta.get('format')}"
        digest = hashlib.sha256(upload.read_bytes()).hexdigest()
        if digest != meta.get("file_sha256"):
            return "upload does not match its recorded hash"
    except (OSError, ValueError, TypeError) as exc:
        return f"unreadable ({exc})"
    return None


def record_path(rel: str) -> bool:
    """True for "changes/<record id>.json" or "label_flags/<record id>.json"."""
    parts = rel.split("/")
    return (
        len(parts) == 2
        and parts[0] in RECORD_DIRS
        and parts[1].endswith(".json")
        and bool(RECORD_RE.match(parts[1][:-5]))
    )


def local_records(root: Path) -> set[str]:
    """Every record file under the store root, as "<folder>/<name>" paths."""
    out: set[str] = set()
    for folder in RECORD_DIRS:
        try:
            out.update(f"{folder}/{p.name}" for p in (root / folder).iterdir())
        except FileNotFoundError:
            continue
    return {r for r in out if record_path(r)}


def _review_steps(path: Path) -> int:
    """How far a review.json has gone (its history length; -1 when absent or broken)."""
    try:
        data = json.loads(path.read_text())
        return len(data.get("history") or []) if isinstance(data, dict) else -1
    except (OSError, ValueError):
        return -1


class HubSync:
    """Restore from and push to one Hub dataset repo; every Hub failure becomes a status."""

    def __init__(
        self,
        root: str | Path,
        repo_id: str,
        token: str,
        *,
        endpoint: str | None = None,
        timeout: float = 60.0,
        api: Any = None,
        download: Any = None,
        retry_base: float = 5.0,
        retry_max: float = 300.0,
    ) -> None:
        from huggingface_hub import HfApi, snapshot_download

        self.root = Path(root)
        self.repo_id = repo_id
        self.endpoint = endpoint
        self.timeout = timeout
        self.retry_base = retry_base
        self.retry_max = retry_max
        self._token = token
        self.api = api or HfApi(endpoint=endpoint, token=token)
        self._download = download or snapshot_download  # tests pass a fake Hub
        self._cond = threading.Condition()
        self._pending: dict[str, int] = {}  # id -> generation (re-pushed if changed meanwhile)
        self._generation = 0
        self._failures = 0
        self._pushing = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self._repo_ready = False
        self.remote_ids: set[str] | None = None  # known after a successful restore
        self.restored = 0
        self.problems: list[str] = []
        self._restoring = False
        self._restore_lock = threading.Lock()
        self._restore_error: str | None = None  # until a restore succeeds
        self._push_error: str | None = None  # until a push succeeds
        self._last_push: str | None = None

    @classmethod
    def from_env(
        cls, root: str | Path, env: Mapping[str, str] | None = None, **kwargs: Any
    ) -> HubSync | None:
        """A HubSync when QBP_SUBMISSIONS_REPO and HF_TOKEN are set, else None (local only).
        HF_ENDPOINT is read at call time, so a test can point the client anywhere."""
        env = os.environ if env is None else env
        repo_id = (env.get(REPO_ENV) or "").strip()
        token = (env.get(TOKEN_ENV) or "").strip()
        if not repo_id or not token:
            return None
        if not _REPO_RE.match(repo_id):
            raise SettingError(f"{REPO_ENV} must look like owner/name, got {repo_id!r}")
        kwargs.setdefault("endpoint", (env.get("HF_ENDPOINT") or "").strip() or None)
        kwargs.setdefault("timeout", _float("QBP_SYNC_TIMEOUT", 60.0, minimum=0.01, env=env))
        return cls(root, repo_id, token, **kwargs)

    # ------------------------------------------------------------------ status
    def _redact(self, exc: BaseException) -> str:
        text = f"{type(exc).__name__}: {exc}".replace(self._token, "***")
        return " ".join(text.split())[:300]

    def _why(self, exc: BaseException | str) -> str:
        why = exc if isinstance(exc, str) else self._redact(exc)
        log.warning("Hub sync: %s", why)
        return why

    def status(self) -> SyncStatus:
        """Where persistence stands. Failing while the start-up restore has not succeeded
        (it is retried), a push is failing (retried), or the Hub holds broken folders."""
        with self._cond:
            pending = len(self._pending)
        errors = [f"restore: {self._restore_error}"] if self._restore_error else []
        errors += [f"push: {self._push_error}"] if self._push_error else []
        errors += self.problems[:3]
        error = "; ".join(errors) or None
        where = f"Hub dataset {self.repo_id}"
        if error:
            state = "failing"
        elif self._restoring:
            state = "restoring"
        else:
            state = "pending" if pending else "ok"
        if state == "restoring":
            message = f"Restoring submissions from {where}..."
        elif state == "failing":
            message = f"Hub sync failing ({error}); serving the submissions on this machine" + (
                f"; {pending} not yet saved to the Hub, retrying" if pending else ""
            )
        elif state == "pending":
            message = f"Saving {pending} submission(s) to {where}..."
        else:
            message = f"Submissions are saved to {where}" + (
                f" (restored {self.restored} at start)" if self.restored else ""
            )
        return SyncStatus(
            state, message, self.repo_id, self.restored, pending, error, self._last_push
        )

    # ------------------------------------------------------------------ restore
    def restore(self) -> int:
        """Bring in the submissions the repo has and this machine lacks; wait at most
        `timeout` seconds (a late download still lands atomically when it finishes).
        Never raises; returns how many submissions were restored in time."""
        self._restoring = True
        done = threading.Event()
        worker = threading.Thread(
            target=self._restore, args=(done,), name="hub-restore", daemon=True
        )
        worker.start()
        if not done.wait(self.timeout) and not done.is_set():
            self._restore_error = self._why(f"the Hub did not answer within {self.timeout:g} s")
        return self.restored

    def _restore(self, done: threading.Event) -> None:
        try:
            self._restore_step()
        except Exception as exc:  # noqa: BLE001 - any Hub failure is a status, not a crash
            self._restore_error = self._why(exc)
        finally:
            self._restoring = False
            done.set()

    def _restore_step(self) -> None:
        """One restore attempt (raises on failure); never two at once."""
        from huggingface_hub.errors import RepositoryNotFoundError

        if not self._restore_lock.acquire(blocking=False):
            raise _StillRestoring()
        try:
            try:
                info = self.api.repo_info(self.repo_id, repo_type="dataset", timeout=self.timeout)
            except RepositoryNotFoundError:
                self.remote_ids = set()  # created on the first push
                self._restore_error = None
                return
            files = [s.rfilename for s in (getattr(info, "siblings", None) or [])]
            self.remote_ids = {
                f.split("/", 1)[0] for f in files if "/" in f and _ID_RE.match(f.split("/", 1)[0])
            }
            local = {p.name for p in self.root.iterdir() if _ID_RE.match(p.name)}
            missing = sorted(self.remote_ids - local)
            remote_records = {f for f in files if record_path(f)}
            mine = local_records(self.root)
            patterns = (
                [f"{i}/*" for i in missing]
                + [
                    f
                    for f in files
                    if f.split("/")[-1] in ("moderation.json", REVIEW_FILE)
                    and f.count("/") == 1
                    and f.split("/")[0] in local
                ]
                + sorted(remote_records - mine)
            )
            staging = self.root / STAGING
            if patterns:
                self._download(
                    self.repo_id,
                    repo_type="dataset",
                    revision=info.sha,
                    local_dir=staging,
                    token=self._token,
                    endpoint=self.endpoint,
                    allow_patterns=patterns,
                    etag_timeout=min(self.timeout, 10),
                )
                self.restored += self._merge(staging, missing)
                self._merge_records(staging, sorted(remote_records - mine))
            shutil.rmtree(staging, ignore_errors=True)
            self._restore_error = None  # also when it finished late
            with self._cond:  # anything local the Hub lacks goes up now
                for sub_id in sorted(local - self.remote_ids):
                    self._enqueue(sub_id)
                for rel in sorted(local_records(self.root) - remote_records):
                    self._enqueue(rel)
        finally:
            self._restore_lock.release()

    def _merge(self, staging: Path, missing: list[str]) -> int:
        """Move whole downloaded submissions into the store; take newer moderation."""
        count = 0
        for sub_id in missing:
            folder = staging / sub_id
            why = _complete(folder)
            if why is not None:
                self.problems.append(f"{sub_id} on the Hub is incomplete: {why}")
                continue
            try:
                os.rename(folder, self.root / sub_id)  # same filesystem: atomic
                count += 1
            except OSError as exc:  # appeared locally meanwhile
                log.info("restore of %s skipped: %s", sub_id, exc)
        for remote in staging.glob("*/moderation.json"):
            local = self.root / remote.parent.name / "moderation.json"
            if remote.parent.name in missing or not local.parent.is_dir():
                continue
            try:
                theirs = json.loads(remote.read_text())
                ours = json.loads(local.read_text()) if local.exists() else {}
                if str(theirs.get("at", "")) > str(ours.get("at", "")):
                    tmp = local.with_name("moderation.json.tmp")
                    shutil.copyfile(remote, tmp)
                    os.replace(tmp, local)
            except (OSError, ValueError) as exc:
                self.problems.append(f"{remote.parent.name}: moderation not restored ({exc})")
        for remote in staging.glob(f"*/{REVIEW_FILE}"):
            local = self.root / remote.parent.name / REVIEW_FILE
            if remote.parent.name in missing or not local.parent.is_dir():
                continue
            theirs = _review_steps(remote)
            if theirs < 0:
                self.problems.append(
                    f"{remote.parent.name}: {REVIEW_FILE} on the Hub is "
                    "unreadable; the local one is kept"
                )
            elif theirs > _review_steps(local):  # cleared elsewhere
                tmp = local.with_name(REVIEW_FILE + ".tmp")
                shutil.copyfile(remote, tmp)
                os.replace(tmp, local)
        return count

    def _merge_records(self, staging: Path, wanted: list[str]) -> int:
        """Link downloaded write-once records into place (never over an existing one)."""
        count = 0
        for rel in wanted:
            src, dst = staging / rel, self.root / rel
            try:
                if src.stat().st_size > DEFAULT_MAX_BYTES:
                    raise ValueError(f"over {DEFAULT_MAX_BYTES} bytes")
                if not isinstance(json.loads(src.read_bytes()), dict):
                    raise ValueError("not a JSON object")
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.link(src, dst)  # refuses an existing name: a record is never rewritten
                count += 1
            except FileExistsError:
                continue
            except FileNotFoundError:
                self.problems.append(f"{rel} listed on the Hub but not downloaded")
            except (OSError, ValueError) as exc:
                self.problems.append(f"{rel} on the Hub not restored ({exc})")
        return count

    # ------------------------------------------------------------------ push
    def attach(self, store: SubmissionStore) -> None:
        """Push every later change of `store`; start the background pusher."""
        store.listeners.append(self.push)
        store.sync = self
        self.start()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="hub-push", daemon=True)
            self._thread.start()

    def push(self, sub_id: str) -> None:
        """Queue one submission folder, or one record file ("changes/<id>.json"), for
        upload (returns at once)."""
        with self._cond:
            self._enqueue(sub_id)

    def _enqueue(self, sub_id: str) -> None:
        self._generation += 1
        self._pending[sub_id] = self._generation
        self._cond.notify_all()

    def flush(self, timeout: float) -> bool:
        """Wait until the restore has succeeded and everything queued is pushed; False if
        that has not happened within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._pushing or self._restore_error:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop the pusher after at most `timeout` s; unpushed ids stay reported."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed and not self._restore_error:
                    self._cond.wait()
                if self._closed:
                    return
                batch = dict(self._pending)
                self._pushing = True
            try:
                if self._restore_error:  # retry the restore first: it may bring old rows
                    try:
                        self._restore_step()
                    except _StillRestoring:
                        raise
                    except Exception as exc:  # noqa: BLE001
                        self._restore_error = self._why(exc)
                        raise
                if batch:
                    try:
                        self._upload(sorted(batch))
                    except Exception as exc:  # noqa: BLE001
                        self._push_error = self._why(exc)
                        raise
            except Exception:  # noqa: BLE001 - retried with backoff; shown in the status
                self._failures += 1
                delay = min(self.retry_max, self.retry_base * 2 ** (self._failures - 1))
                with self._cond:
                    self._pushing = False
                    self._cond.notify_all()
                    self._cond.wait_for(lambda: self._closed, timeout=delay)
                continue
            with self._cond:
                for sub_id, gen in batch.items():
                    if self._pending.get(sub_id) == gen:
                        del self._pending[sub_id]
                self._pushing = False
                self._failures = 0
                if batch:
                    self._push_error, self._last_push = None, _now()
                self._cond.notify_all()

    def _upload(self, keys: list[str]) -> None:
        ids = [i for i in keys if _ID_RE.match(i) and (self.root / i).is_dir()]
        records = [r for r in keys if record_path(r) and (self.root / r).is_file()]
        if not ids and not records:
            return
        if not self._repo_ready:
            self.api.create_repo(self.repo_id, repo_type="dataset", private=True, exist_ok=True)
            self._repo_ready = True
        what = [f"{len(ids)} submission(s)"] if ids else []
        what += [f"{len(records)} record(s)"] if records else []
        self.api.upload_folder(
            repo_id=self.repo_id,
            repo_type="dataset",
            folder_path=self.root,
            allow_patterns=[f"{i}/**" for i in ids] + [f"{i}/*" for i in ids] + records,
            ignore_patterns=IGNORE,
            commit_message=f"Store submission {ids[0]}"
            if len(ids) == 1 and not records
            else "Store " + " and ".join(what),
        )


def sync_status(store: SubmissionStore) -> SyncStatus:
    """The sentence the app shows about where submissions are kept."""
    sync = getattr(store, "sync", None)
    return sync.status() if isinstance(sync, HubSync) else OFF


def open_store(
    root: str | Path,
    benchmark: Benchmark,
    judge: Judge | None = None,
    env: Mapping[str, str] | None = None,
    rescore: bool = True,
    sync: HubSync | None = None,
) -> SubmissionStore:
    """Start-up in one call: restore from the Hub (when configured, bounded in time), open the
    store (leftovers and problems reported on it), push every later change, and re-score
    stale results (each with its change record, both pushed). `judge` is the one stale
    judged results are re-scored with. `sync_status(store)` tells the app how persistence is
    doing. `sync` replaces the one built from the environment (tests)."""
    sync = sync if sync is not None else HubSync.from_env(root, env)
    Path(root).mkdir(parents=True, exist_ok=True)
    if sync is not None:
        sync.restore()
    store = SubmissionStore(root, benchmark)
    if sync is not None:  # before re-scoring: re-scored results and their records go up too
        sync.attach(store)
    if rescore:
        SubmissionPipeline(benchmark, store, judge=judge).rescore_stale()
    return store
