"""Label review by visitors: "this item's answer key looks wrong", with a reason.

Each flag is one write-once JSON file (see `append_only`: written in full, fsynced, linked
into place, never rewritten), so flags from many threads and processes never mix and a
crash loses at most the flag being written. A client is rate-limited (the store's
`RateLimiter`, QBP_FLAGS_PER_HOUR, default 20), the item must be a benchmark item, and the
reason is single-line text, capped, under the same rule as every form field
(`store.clean_text`). Who flagged is recorded as the signed-in user name, or "anonymous";
the client address is used for the rate limit only and never stored (the folder may be
synced to a public dataset repo).

Where it is called from (integration): the Items tab's "flag this answer key" action and
its API endpoint call `LabelFlags(store.root / "label_flags", ...).add(item_id, reason,
owner=<HF user or None>, client=limits.client_key(...))`; the admin view calls `.list()`
and `.counts()` (behind moderation.check_admin); the Items tab may show `.counts()` per
item. The Hub sync must push and restore the `label_flags/` folder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .append_only import RecordFolder
from .errors import InputError
from .forms import MAX_NAME, clean_text
from .limits import RateLimiter
from .settings import _int

MAX_FLAG_REASON = 500
MIN_FLAG_REASON = 5
MAX_ITEM_ID = 200
RATE_ENV = "QBP_FLAGS_PER_HOUR"
DEFAULT_PER_HOUR = 20
ANONYMOUS = "anonymous"
FLAGS_DIR = "label_flags"


class LabelFlagError(InputError):
    """A label flag is filled in wrongly; nothing was stored."""


class LabelFlags:
    """Append-only label flags under `root`, rate-limited per client."""

    def __init__(
        self,
        root: str | Path,
        valid_ids: Collection[str],
        per_hour: int | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.folder = RecordFolder(root, max_bytes=64 * 1024)
        self.valid_ids = valid_ids
        per_hour = _int(RATE_ENV, DEFAULT_PER_HOUR, minimum=0) if per_hour is None else per_hour
        self.limiter = limiter or RateLimiter(per_hour, "label flags")

    @property
    def root(self) -> Path:
        return self.folder.root

    @property
    def problems(self) -> list[str]:
        return self.folder.problems

    def add(
        self,
        item_id: Any,
        reason: Any,
        owner: str | None = None,
        client: str | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """Store one flag and return it. Raises LabelFlagError for a bad item or reason,
        RateLimitError when `client` flagged too often; nothing is stored then. A rejected
        flag does not use up the client's allowance."""
        if (
            not isinstance(item_id, str)
            or not item_id
            or len(item_id) > MAX_ITEM_ID
            or item_id not in self.valid_ids
        ):
            shown = repr(item_id)[:40] if isinstance(item_id, str) else type(item_id).__name__
            raise LabelFlagError(f"item {shown} is not a benchmark item")
        try:
            text = clean_text(reason, MAX_FLAG_REASON, "Reason", required=True)
            who = clean_text(owner, MAX_NAME, "Owner")
        except InputError as exc:
            raise LabelFlagError(str(exc)) from None
        assert text is not None
        if len(text) < MIN_FLAG_REASON:
            raise LabelFlagError(
                f"Reason is too short: say in at least {MIN_FLAG_REASON} "
                "characters why the answer key looks wrong"
            )
        if client is not None:
            self.limiter.take(client)
        when = (at or datetime.now(UTC)).astimezone(UTC)
        record = {
            "item_id": item_id,
            "reason": text,
            "owner": who or ANONYMOUS,
            "at": when.isoformat(timespec="seconds"),
        }
        try:
            record_id = self.folder.write(record)
        except BaseException:
            if client is not None:
                self.limiter.refund(client)
            raise
        return {**record, "id": record_id}

    def list(
        self, newest_first: bool = True, limit: int | None = 500, item_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Flags for the admin, newest first; only one item's if `item_id` is given."""
        keep = None if item_id is None else (lambda r: r.get("item_id") == item_id)
        return list(self.folder.iter(newest_first, keep=keep, limit=limit))

    def counts(self) -> dict[str, dict[str, int]]:
        """Per flagged item: flags and distinct owners ("anonymous" counts once), most
        flagged first."""
        flags: Counter[str] = Counter()
        owners: dict[str, set[str]] = {}
        for r in self.folder.iter(newest_first=False):
            item = str(r.get("item_id"))
            flags[item] += 1
            owners.setdefault(item, set()).add(str(r.get("owner")))
        return {
            item: {"flags": n, "owners": len(owners[item])}
            for item, n in sorted(flags.items(), key=lambda kv: (-kv[1], kv[0]))
        }

    def __len__(self) -> int:
        return len(self.folder.ids())


def flags_root(store_root: str | Path) -> Path:
    """Where a store's label flags live (next to the submissions, never served by URL)."""
    return Path(store_root) / FLAGS_DIR
