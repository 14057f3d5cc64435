"""Moderation: hiding and showing submissions, allowed only with the admin secret.

The secret is QBP_ADMIN_TOKEN in the environment. With no secret configured moderation is off:
`admin_enabled()` is False and the app neither shows the action nor registers its endpoint.
"""
from __future__ import annotations

import hmac
import os
from typing import Mapping

from .forms import clean_reason
from .store import Submission, SubmissionStore

ADMIN_ENV = "QBP_ADMIN_TOKEN"
MIN_SECRET = 16  # a shorter secret is treated as not configured (too easy to guess)


def _secret(env: Mapping[str, str] | None = None) -> str:
    return ((env if env is not None else os.environ).get(ADMIN_ENV) or "").strip()


def admin_enabled(env: Mapping[str, str] | None = None) -> bool:
    """True when an admin secret of at least MIN_SECRET characters is configured."""
    return len(_secret(env)) >= MIN_SECRET


def check_admin(token: str | None, env: Mapping[str, str] | None = None) -> None:
    """Raise PermissionError unless `token` is the admin secret (constant-time compare)."""
    secret = _secret(env)
    if len(secret) < MIN_SECRET:
        raise PermissionError(f"moderation is disabled: {ADMIN_ENV} is not set (or shorter "
                              f"than {MIN_SECRET} characters)")
    given = (token or "").strip().encode("utf-8")
    if not hmac.compare_digest(given, secret.encode("utf-8")):
        raise PermissionError("wrong admin token")


def moderate(store: SubmissionStore, sub_id: str, hidden: bool, token: str | None,
             reason: str | None = None, env: Mapping[str, str] | None = None) -> Submission:
    """Hide (hidden=True) or show a submission after checking the admin token. Raises
    PermissionError for a wrong token, KeyError for an unknown id, SubmissionError for a
    reason that is not plain single-line text."""
    check_admin(token, env)
    return store.set_hidden(sub_id, hidden, reason=clean_reason(reason))
