"""What the UI and the API both do with a visitor's request: submit a file, moderate a row,
re-judge a row's judge failures.

One function each, so the form, the rate-limit key and the error handling cannot drift
apart: the Submit tab adds a progress bar and HTML around them, `ui.api` returns JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from ui.state import AppState, SubmitOutcome
from leaderboard.errors import InputError
from leaderboard.limits import client_key
from leaderboard.moderation import check_admin, moderate
from leaderboard.store import Submission
from leaderboard.submission import judge_failures


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
) -> SubmitOutcome:
    """Score and store one uploaded file (read from Gradio's upload folder) with its form."""
    form = {"model": model, "params": params, "open": open_value(open_choice), "link": link}
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


@dataclass(frozen=True)
class RejudgeOutcome:
    """A re-judge request's result: how many judge failures were judged now, or why not."""

    ok: bool
    message: str
    submission: Submission | None = None
    before: int = 0  # judge failures before
    after: int = 0  # judge failures left

    def as_json(self) -> dict[str, Any]:
        sub = self.submission
        return {
            "ok": self.ok,
            "message": self.message,
            "submission_id": sub.id if sub else None,
            "judge_failed_before": self.before,
            "judge_failed_now": self.after,
        }


def may_rejudge(state: AppState, sub: Submission, token: str | None,
                request: gr.Request | None) -> None:
    """Raise PermissionError unless this caller may re-judge `sub`: for now the admin
    token. Hook for owner identity (issue 10): the submission's owner may too, once the
    store records owners; add that check here, before the admin one."""
    check_admin(token)


def rejudge_submission(state: AppState, submission_id: str, token: str | None,
                       request: gr.Request | None = None) -> RejudgeOutcome:
    """Send a stored submission's judge failures to the judge again (no re-upload); the
    board follows. Only for `may_rejudge` callers."""
    try:
        sub = state.store.get(submission_id or "")
    except KeyError:
        return RejudgeOutcome(False, f"no stored submission {submission_id!r:.80}")
    try:
        may_rejudge(state, sub, token, request)
    except PermissionError as exc:
        return RejudgeOutcome(False, str(exc))
    before = judge_failures(sub)
    if not before:
        return RejudgeOutcome(True, "nothing to re-judge: the judge scored every open-ended "
                                    "answer of this submission", sub)
    try:
        updated = state.pipeline.rejudge(sub)
    except InputError as exc:
        return RejudgeOutcome(False, f"not re-judged: {exc}", sub, before, before)
    if updated is None:
        return RejudgeOutcome(False, f"the judge still could not score its {before} open-ended "
                                     "answer(s); nothing changed, try again later", sub,
                              before, before)
    state.invalidate()
    after = judge_failures(updated)
    return RejudgeOutcome(True, f"{before - after} of {before} open-ended answer(s) judged now"
                                + (f"; {after} still failing" if after else ""),
                          updated, before, after)
