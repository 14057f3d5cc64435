"""What the UI and the API both do with a visitor's request: submit a file, moderate a row,
flag an item's answer key, and the admin's review clearing and re-judging.

One function each, so the form, the rate-limit key and the error handling cannot drift
apart: the Submit tab adds a progress bar and HTML around them, `ui.api` returns JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ui.state import AppState, SubmitOutcome
from leaderboard.errors import InputError
from leaderboard.limits import client_key
from leaderboard.moderation import moderate
from leaderboard.store import Submission


def open_value(text: str | bool | None) -> bool | None:
    """The form's "Weights" (or the API's `open`) as open (True), closed (False) or unknown."""
    if isinstance(text, bool) or text is None:
        return text
    t = str(text).strip().lower()
    if t in ("open", "true", "yes", "open weights"):
        return True
    if t in ("closed", "false", "no"):
        return False
    return None


def client_of(request: gr.Request | None, trust_forwarded: bool) -> str | None:
    """The key the store rate-limits submissions by (signed-in user, else address)."""
    if request is None:
        return None
    host = request.client.host if getattr(request, "client", None) else None
    return client_key(
        host,
        dict(request.headers),
        username=getattr(request, "username", None),
        trust_forwarded=trust_forwarded,
    )


def owner_of(request: gr.Request | None) -> str | None:
    """Who is recorded with a label flag: the signed-in user name, else None (anonymous)."""
    return (getattr(request, "username", None) or None) if request is not None else None


def submit_file(
    state: AppState,
    path: str | Path,
    file_name: str,
    model: str,
    params: str,
    open_choice: str | bool | None,
    link: str,
    request: gr.Request | None,
    progress: Callable[[int, int], None] | None = None,
    declared: Mapping[str, Any] | None = None,
) -> SubmitOutcome:
    """Score and store one uploaded file (read from Gradio's upload folder) with its form;
    `declared`: the optional fields (harness, prompt, generation settings), by
    `provenance.DECLARED_FIELDS` name, cleaned by the pipeline."""
    form = {"model": model, "params": params, "open": open_value(open_choice), "link": link,
            "declared": dict(declared or {})}
    return state.submit(
        Path(path).read_bytes(),
        file_name,
        form,
        progress=progress,
        client=client_of(request, state.settings.trust_forwarded),
    )


@dataclass(frozen=True)
class ModerationOutcome:
    """A moderation request's result: the submission now hidden or shown, or why not."""

    ok: bool
    message: str = ""
    submission: Submission | None = None

    def as_json(self) -> dict[str, Any]:
        sub = self.submission
        if not self.ok or sub is None:
            return {"ok": False, "message": self.message}
        return {"ok": True, "submission_id": sub.id, "model": sub.meta.model, "hidden": sub.hidden}


def moderate_submission(
    state: AppState, submission_id: str, hidden: bool, token: str, reason: str | None
) -> ModerationOutcome:
    """Hide or show a stored submission; needs the admin token. The board follows."""
    try:
        sub = moderate(state.store, submission_id or "", hidden, token, reason or None)
    except (PermissionError, KeyError, InputError) as exc:
        return ModerationOutcome(False, str(exc.args[0] if isinstance(exc, KeyError) else exc))
    state.invalidate()
    return ModerationOutcome(True, submission=sub)


def flag_item(state: AppState, item_id: str, reason: str,
              request: gr.Request | None) -> dict[str, Any]:
    """A visitor doubts an item's answer key: stored (rate-limited, owner recorded) or
    {"error": why} with nothing stored."""
    try:
        flag = state.trust.flag_item(
            item_id, reason, owner=owner_of(request),
            client=client_of(request, state.settings.trust_forwarded))
    except InputError as exc:  # bad item or reason, or over the rate limit
        return {"error": str(exc)}
    return {"ok": True, "flag": flag}


def clear_review(state: AppState, submission_id: str, token: str, note: str | None,
                 request: gr.Request | None = None) -> dict[str, Any]:
    """The admin clears a row held for review (it is ranked again), or {"error": why}."""
    try:
        sub = state.trust.clear(submission_id, token, note, by=owner_of(request))
    except (PermissionError, LookupError, InputError) as exc:
        return {"error": str(exc)}
    return {"ok": True, "submission_id": sub.id, "model": sub.meta.model,
            "review": state.trust.review(sub)}


def rejudge_with(state: AppState, submission_id: str, judge: str,
                 token: str) -> dict[str, Any]:
    """The admin re-judges a stored row with another judge, or {"error": why}."""
    try:
        record = state.trust.rejudge(submission_id, judge, token)
    except (PermissionError, LookupError, InputError) as exc:
        return {"error": str(exc)}
    return {"ok": True, "change": record}
