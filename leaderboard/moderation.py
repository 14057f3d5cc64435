"""Moderation: hiding and showing submissions, allowed only with the admin secret.

The secret is QBP_ADMIN_TOKEN in the environment. With no secret configured moderation is off:
`admin_enabled()` is False and the app neither shows the action nor registers its endpoint.
Guesses are throttled per client (`AdminGate`: ADMIN_ATTEMPTS wrong tokens per
ADMIN_PERIOD seconds; a right token costs nothing), and the list of submissions, hidden ones
included, is only given behind the same gate (`moderation_list`).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping

from .forms import clean_reason
from .limits import RateLimiter
from .store import Submission, SubmissionStore

ADMIN_ENV = "QBP_ADMIN_TOKEN"
MIN_SECRET = 16  # a shorter secret is treated as not configured (too easy to guess)
ADMIN_ATTEMPTS = 5  # wrong admin tokens a client may try ...
ADMIN_PERIOD = 15 * 60.0  # ... per this many seconds
MODERATOR = "moderator"  # "by" of a moderation record made with the admin token


def _secret(env: Mapping[str, str] | None = None) -> str:
    return ((env if env is not None else os.environ).get(ADMIN_ENV) or "").strip()


def admin_enabled(env: Mapping[str, str] | None = None) -> bool:
    """True when an admin secret of at least MIN_SECRET characters is configured."""
    return len(_secret(env)) >= MIN_SECRET


def check_admin(token: str | None, env: Mapping[str, str] | None = None) -> None:
    """Raise PermissionError unless `token` is the admin secret (constant-time compare)."""
    secret = _secret(env)
    if len(secret) < MIN_SECRET:
        raise PermissionError(
            f"moderation is disabled: {ADMIN_ENV} is not set (or shorter "
            f"than {MIN_SECRET} characters)"
        )
    given = (token or "").strip().encode("utf-8")
    if not hmac.compare_digest(given, secret.encode("utf-8")):
        raise PermissionError("wrong admin token")


class AdminGate:
    """`check_admin` throttled per client: each try spends one of ADMIN_ATTEMPTS per
    ADMIN_PERIOD, and a right token gives it back, so only guesses run out."""

    def __init__(
        self,
        attempts: int = ADMIN_ATTEMPTS,
        period: float = ADMIN_PERIOD,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.limiter = limiter or RateLimiter(attempts, "admin-token attempts", period=period)

    def check(
        self, token: str | None, client: str | None, env: Mapping[str, str] | None = None
    ) -> None:
        """Raise RateLimitError for a client over its guesses, PermissionError for a wrong
        token (or moderation off); return for the admin secret."""
        if not admin_enabled(env):
            check_admin(token, env)  # says that moderation is disabled
        key = client or "unknown"
        self.limiter.take(key)
        check_admin(token, env)
        self.limiter.refund(key)


def moderate(
    store: SubmissionStore,
    sub_id: str,
    hidden: bool,
    token: str | None,
    reason: str | None = None,
    env: Mapping[str, str] | None = None,
    gate: AdminGate | None = None,
    client: str | None = None,
) -> Submission:
    """Hide (hidden=True) or show a submission after checking the admin token (through
    `gate` for `client` when given). Raises RateLimitError for too many guesses,
    PermissionError for a wrong token, KeyError for an unknown id, SubmissionError for a
    reason that is not plain single-line text."""
    if gate is not None:
        gate.check(token, client, env)
    else:
        check_admin(token, env)
    return store.set_hidden(sub_id, hidden, reason=clean_reason(reason), by=MODERATOR)


def moderation_list(
    store: SubmissionStore,
    token: str | None,
    gate: AdminGate,
    client: str | None,
    env: Mapping[str, str] | None = None,
) -> list[Submission]:
    """Every stored version, hidden ones included, newest first: for the admin only."""
    gate.check(token, client, env)
    return list(reversed(store.submissions(include_hidden=True, all_versions=True)))
