"""Write-once JSON records in a folder: the change log and the label flags are kept this way.

Each record is one file named `<UTC time>-<random>.json`, so names sort by time and two writers
never pick the same name. A record is written in full to a temp file, fsynced, then
hard-linked to its final name: `os.link` is atomic and refuses an existing name, so a record
is never rewritten, and a crash leaves either the whole record or only a temp file (named
`.tmp-*`, never listed). Reads are bounded: a listing opens at most `limit` files and any
file larger than `max_bytes` is skipped, so a hostile or broken file cannot exhaust memory.
Files never change once written, so parsed records (or their summaries) are cached by name.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RECORD_RE = re.compile(r"^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$")
TMP_PREFIX = ".tmp-"
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
_CACHE_SIZE = 4096


def new_record_id(now: datetime | None = None) -> str:
    """A time-sortable unique id, the same shape as a submission id."""
    now = now or datetime.now(UTC)
    return f"{now.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class RecordFolder:
    """Immutable JSON records in one folder (created on first write).

    Listings yield `summarise(record)` (the whole record when None) and cache those, so a
    list view over large records keeps only their small summaries in memory; `get` returns
    the whole record from a small cache of `full_cache` records.
    """

    def __init__(
        self,
        root: str | Path,
        max_bytes: int = DEFAULT_MAX_BYTES,
        summarise: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        full_cache: int = 16,
    ) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.summarise = summarise
        self._problems: dict[str, str] = {}  # record id -> why it could not be read
        self._summaries = _LRU(_CACHE_SIZE)
        self._full = _LRU(full_cache)

    @property
    def problems(self) -> list[str]:
        """Records that could not be read, as "id: why" (for start-up or the admin)."""
        return [f"{k}: {v}" for k, v in self._problems.items()]

    def write(self, record: dict[str, Any], record_id: str | None = None) -> str:
        """Store `record` under a new id (given or made) and return the id. Raises
        FileExistsError if that id is taken: a record is never overwritten."""
        record_id = record_id or new_record_id()
        if not RECORD_RE.match(record_id):
            raise ValueError(f"not a record id: {record_id!r}")
        data = json.dumps({**record, "id": record_id}, ensure_ascii=False, allow_nan=False).encode(
            "utf-8"
        )
        if len(data) > self.max_bytes:
            raise ValueError(f"record of {len(data)} bytes is over the {self.max_bytes} byte limit")
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{TMP_PREFIX}{record_id}-{uuid.uuid4().hex[:8]}.json"
        try:
            with open(tmp, "xb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.link(tmp, self.root / f"{record_id}.json")
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_dir(self.root)
        return record_id

    def ids(self, newest_first: bool = True) -> list[str]:
        """Every stored record id (names only, nothing is opened)."""
        try:
            names = [p.name[:-5] for p in self.root.iterdir() if p.name.endswith(".json")]
        except FileNotFoundError:
            return []
        return sorted((n for n in names if RECORD_RE.match(n)), reverse=newest_first)

    def get(self, record_id: str) -> dict[str, Any]:
        """One whole record by id; KeyError for anything that is not a readable stored
        record. Records are shared with the cache: read them, do not change them."""
        if not isinstance(record_id, str) or not RECORD_RE.match(record_id):
            raise KeyError(record_id)
        record = self._full.get(record_id)
        if record is None:
            record = self._read(record_id)
            if record is None:
                raise KeyError(record_id)
            self._full.put(record_id, record)
        return record

    def iter(
        self,
        newest_first: bool = True,
        keep: Callable[[dict[str, Any]], bool] | None = None,
        limit: int | None = None,
        max_scan: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Summaries in time order, filtered by `keep`, at most `limit` yielded and at most
        `max_scan` files opened (None: no bound)."""
        found = 0
        for n, record_id in enumerate(self.ids(newest_first)):
            if (limit is not None and found >= limit) or (max_scan is not None and n >= max_scan):
                return
            item = self._summary(record_id)
            if item is None or (keep is not None and not keep(item)):
                continue
            found += 1
            yield item

    def _summary(self, record_id: str) -> dict[str, Any] | None:
        cached = self._summaries.get(record_id)
        if cached is not None:
            return cached
        record = self._read(record_id)
        if record is None:
            return None
        item = record if self.summarise is None else self.summarise(record)
        self._summaries.put(record_id, item)
        return item

    def _read(self, record_id: str) -> dict[str, Any] | None:
        path = self.root / f"{record_id}.json"
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                raise ValueError(f"{size} bytes, over the {self.max_bytes} byte limit")
            record = json.loads(path.read_bytes())
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self._problems[record_id] = f"unreadable ({exc})"
            return None
        return record
