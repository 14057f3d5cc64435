"""Limits against abuse: size, row and answer caps (`Limits`) and a per-client rate limit.

The rate limit is a token bucket per client key: a client may submit `per_hour` times at once,
and earns the right to one more submission every 3600/per_hour seconds. It lives in memory
(one process), which is what one Space runs; a restart forgets it.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .errors import InputError
from .forms import MAX_NAME
from .settings import Limits

__all__ = [
    "MAX_ITEM_ID_CHARS",
    "MAX_MODELS_PER_REQUEST",
    "MAX_SEARCH_CHARS",
    "ClientQuota",
    "Limits",
    "RateLimitError",
    "RateLimiter",
    "bounded_models",
    "bounded_search",
    "client_key",
]

MAX_CLIENTS = 100_000  # buckets kept; full ones are dropped first

#: Bounds on one board, item or comparison request, whatever a visitor sends through the API
#: or the queue, so its work does not grow with what was sent. A search longer than any
#: model name matches none, so cutting it there changes no answer.
MAX_SEARCH_CHARS = MAX_NAME + 1
MAX_MODELS_PER_REQUEST = 64  # models named in one drill-down or item request
MAX_ITEM_ID_CHARS = 200  # an item id longer than this is no benchmark id


def bounded_search(text: object) -> str:
    """A board search as matched: at most MAX_SEARCH_CHARS characters (same result)."""
    return str(text or "")[:MAX_SEARCH_CHARS]


def bounded_models(models: Sequence[str] | str | None) -> list[str] | str | None:
    """The first MAX_MODELS_PER_REQUEST names of a request (a list, or one comma-separated
    string as in ?models=a,b, cut to as many names' worth of characters)."""
    if models is None:
        return None
    if isinstance(models, str):
        return models[: MAX_MODELS_PER_REQUEST * (MAX_NAME + 1)]
    return [str(m)[: MAX_NAME + 1] for m in itertools.islice(models, MAX_MODELS_PER_REQUEST)]


class RateLimitError(InputError):
    """Too many submissions from one client; the message says when to come back."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token bucket per client: `per_hour` submissions per hour, bursts up to `per_hour`.
    With `period` (seconds) the count is per that period instead ("5 per 15 minutes")."""

    def __init__(
        self,
        per_hour: int,
        what: str = "submissions",
        clock: Callable[[], float] = time.monotonic,
        period: float = 3600.0,
    ) -> None:
        self.per_hour = per_hour
        self.what = what
        self.clock = clock
        self.period = period
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_hour > 0

    def _refill(self, bucket: _Bucket, now: float) -> None:
        rate = self.per_hour / self.period
        bucket.tokens = min(float(self.per_hour), bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now

    def take(self, client: str, amount: float = 1.0) -> None:
        """Spend `amount` tokens (one submission; or megabytes, for a byte budget) for
        `client`, or raise RateLimitError saying how long to wait."""
        if not self.enabled:
            return
        amount = min(float(amount), float(self.per_hour))  # never more than a full bucket
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(client)
            if bucket is None:
                self._prune(now)
                bucket = self._buckets[client] = _Bucket(float(self.per_hour), now)
            self._refill(bucket, now)
            if bucket.tokens >= amount:
                bucket.tokens -= amount
                return
            wait = (amount - bucket.tokens) * self.period / self.per_hour
        minutes = max(1, math.ceil(wait / 60.0))
        span = "hour" if self.period == 3600.0 else f"{self.period / 60:g} minutes"
        raise RateLimitError(
            f"rate limit: try again in {minutes} minute{'s' if minutes != 1 else ''} "
            f"(at most {self.per_hour} {self.what} per {span} from one client)",
            wait,
        )

    def refund(self, client: str, amount: float = 1.0) -> None:
        """Give back tokens taken for an attempt that turned out not to count."""
        if not self.enabled:
            return
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is not None:
                self._refill(bucket, self.clock())
                bucket.tokens = min(float(self.per_hour), bucket.tokens + float(amount))

    def _prune(self, now: float) -> None:
        """Keep memory bounded: forget clients whose bucket has refilled, then the oldest."""
        if len(self._buckets) < MAX_CLIENTS:
            return
        for key, bucket in list(self._buckets.items()):
            self._refill(bucket, now)
            if bucket.tokens >= self.per_hour:
                del self._buckets[key]
        while len(self._buckets) >= MAX_CLIENTS:
            del self._buckets[next(iter(self._buckets))]


class ClientQuota:
    """The two per-client limits of the submission pipeline: upload attempts (rejected ones
    and previews included) and stored submissions. A submit is charged both at once, before
    its file is read, a preview one attempt; `refund` gives the submission back when the
    attempt did not store anything new (a bad file, a repeat of a stored file, a failure
    while judging or storing)."""

    def __init__(self, limits: Limits) -> None:
        self.attempts = RateLimiter(limits.attempts_per_hour, "upload attempts")
        self.submits = RateLimiter(limits.submits_per_hour, "submissions")

    def attempt(self, client: str | None) -> None:
        """Spend one attempt of `client` (a preview: the file is parsed, nothing stored)."""
        if client is not None:
            self.attempts.take(client)

    def charge(self, client: str | None, attempt: bool = True) -> None:
        """Spend one attempt (unless `attempt` is False: its preview paid it) and one
        submission of `client` (None: not limited, e.g. the CLI and seeding), or raise
        RateLimitError saying how long to wait."""
        if client is None:
            return
        if attempt:
            self.attempts.take(client)
        self.submits.take(client)

    def refund(self, client: str | None) -> None:
        """Give back the submission charged for an attempt that stored nothing new."""
        if client is not None:
            self.submits.refund(client)


def client_key(
    host: str | None,
    headers: Mapping[str, str] | None = None,
    username: str | None = None,
    trust_forwarded: bool = False,
) -> str:
    """The key a client is rate-limited by: the signed-in user name when there is one, else
    the address. X-Forwarded-For is only believed behind a proxy we trust (it is the first
    hop the proxy saw; a client can prepend anything to it, so we take the last entry)."""
    if username:
        return f"user:{username}"
    if trust_forwarded and headers:
        lowered = {k.lower(): v for k, v in headers.items()}
        forwarded = [p.strip() for p in lowered.get("x-forwarded-for", "").split(",") if p.strip()]
        if forwarded:
            return f"ip:{forwarded[-1]}"
    return f"ip:{host or 'unknown'}"
