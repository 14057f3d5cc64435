"""What the UI and the API both do with a visitor's request: submit a file, withdraw a model,
moderate a row, list submissions for the admin, flag an item's answer key, re-judge a row's
judge failures, and the admin's review clearing and re-judging with another judge.

One function each, so the form, the account, the rate-limit key and the error handling cannot
drift apart: the Submit tab adds a progress bar and HTML around them, `ui.api` returns JSON.
The account comes from what Gradio injects, never from a field the visitor types: the
signed-in Hugging Face user (`gr.OAuthProfile`, hub mode) or a token (`gr.OAuthToken`, sent
by `gradio_client.Client(url, oauth_token=...)`), else the local user (`leaderboard.identity`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from leaderboard.errors import InputError
from leaderboard.identity import Account
from leaderboard.limits import client_key
from leaderboard.moderation import moderate, moderation_list
from leaderboard.store import Submission
from leaderboard.submission import judge_failures
from ui.state import AppState, SubmitOutcome


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


def client_of(
    request: gr.Request | None, trust_forwarded: bool, account: str | None = None
) -> str | None:
    """The key a client is rate-limited by: its account when it has one, else its address."""
    if request is None:
        return None
    host = request.client.host if getattr(request, "client", None) else None
    return client_key(
        host,
        dict(request.headers),
        username=account or getattr(request, "username", None),
        trust_forwarded=trust_forwarded,
    )


def account_of(
    state: AppState,
    request: gr.Request | None,
    profile: gr.OAuthProfile | None = None,
    token: gr.OAuthToken | None = None,
) -> Account:
    """Who sends this request (`Identities.resolve`), or IdentityError saying how to sign in."""
    signed_in = getattr(profile, "username", None) if profile is not None else None
    return state.identity.resolve(
        signed_in,
        token.token if token is not None else None,
        client=client_of(request, state.settings.trust_forwarded),
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
    profile: gr.OAuthProfile | None = None,
    token: gr.OAuthToken | None = None,
    declared: Mapping[str, Any] | None = None,
) -> SubmitOutcome:
    """Score and store one uploaded file (read from Gradio's upload folder) with its form,
    as the account of the request; the model name must be free or that account's.
    `declared`: the optional fields (harness, prompt, generation settings), by
    `provenance.DECLARED_FIELDS` name, cleaned by the pipeline."""
    try:
        account = account_of(state, request, profile, token)
    except InputError as exc:  # not signed in, a refused token, too many refused tokens
        return SubmitOutcome(False, str(exc))
    form = {
        "model": model,
        "params": params,
        "open": open_value(open_choice),
        "link": link,
        "declared": dict(declared or {}),
    }
    return state.submit(
        Path(path).read_bytes(),
        file_name,
        form,
        progress=progress,
        client=client_of(request, state.settings.trust_forwarded, account.name),
        account=account,
    )


@dataclass(frozen=True)
class WithdrawOutcome:
    """A withdrawal's result: the versions now hidden, or why nothing changed."""

    ok: bool
    message: str
    hidden: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "message": self.message, "withdrawn": list(self.hidden)}


def withdraw_model(
    state: AppState,
    model: str,
    request: gr.Request | None,
    profile: gr.OAuthProfile | None = None,
    token: gr.OAuthToken | None = None,
) -> WithdrawOutcome:
    """Take the account's own model off the board: every version hidden, nothing deleted,
    and the name stays the account's (`Ownership.withdraw`)."""
    try:
        account = account_of(state, request, profile, token)
        if not isinstance(model, str) or not model.strip():
            raise InputError("type the name of the model to withdraw")
        subs = state.pipeline.ownership.withdraw(state.store, model.strip(), account.name)
    except InputError as exc:
        return WithdrawOutcome(False, str(exc))
    state.invalidate()
    name = subs[0].meta.model
    return WithdrawOutcome(
        True,
        f"Withdrawn: {name} ({len(subs)} version(s)) is off the board. Its files stay stored "
        f"and the name stays yours ({account.name}); submit again to put a new version on.",
        tuple(s.id for s in subs),
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
    state: AppState,
    submission_id: str,
    hidden: bool,
    token: str,
    reason: str | None,
    request: gr.Request | None = None,
) -> ModerationOutcome:
    """Hide or show a stored submission; needs the admin token, whose guesses are throttled
    per client address. The board follows."""
    try:
        sub = moderate(
            state.store,
            submission_id or "",
            hidden,
            token,
            reason or None,
            gate=state.admin_gate,
            client=client_of(request, state.settings.trust_forwarded),
        )
    except (PermissionError, KeyError, InputError) as exc:
        return ModerationOutcome(False, str(exc.args[0] if isinstance(exc, KeyError) else exc))
    state.invalidate()
    return ModerationOutcome(True, submission=sub)


def list_for_admin(
    state: AppState, token: str, request: gr.Request | None = None
) -> tuple[list[Submission], str]:
    """(every stored version, hidden ones included, newest first; "") with the admin token,
    else ([], why not): visitors never see the hidden submissions."""
    try:
        subs = moderation_list(
            state.store,
            token,
            state.admin_gate,
            client_of(request, state.settings.trust_forwarded),
        )
    except (PermissionError, InputError) as exc:
        return [], str(exc)
    return subs, ""


def flag_item(
    state: AppState, item_id: str, reason: str, request: gr.Request | None
) -> dict[str, Any]:
    """A visitor doubts an item's answer key: stored (rate-limited, owner recorded) or
    {"error": why} with nothing stored."""
    try:
        flag = state.trust.flag_item(
            item_id,
            reason,
            owner=owner_of(request),
            client=client_of(request, state.settings.trust_forwarded),
        )
    except InputError as exc:  # bad item or reason, or over the rate limit
        return {"error": str(exc)}
    return {"ok": True, "flag": flag}


def clear_review(
    state: AppState,
    submission_id: str,
    token: str,
    note: str | None,
    request: gr.Request | None = None,
) -> dict[str, Any]:
    """The admin clears a row held for review (it is ranked again), or {"error": why}."""
    try:
        sub = state.trust.clear(submission_id, token, note, by=owner_of(request))
    except (PermissionError, LookupError, InputError) as exc:
        return {"error": str(exc)}
    return {
        "ok": True,
        "submission_id": sub.id,
        "model": sub.meta.model,
        "review": state.trust.review(sub),
    }


def rejudge_with(state: AppState, submission_id: str, judge: str, token: str) -> dict[str, Any]:
    """The admin re-judges a stored row with another judge, or {"error": why}."""
    try:
        record = state.trust.rejudge(submission_id, judge, token)
    except (PermissionError, LookupError, InputError) as exc:
        return {"error": str(exc)}
    return {"ok": True, "change": record}


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


def may_rejudge(
    state: AppState,
    sub: Submission,
    token: str | None,
    request: gr.Request | None,
    profile: gr.OAuthProfile | None = None,
    oauth: gr.OAuthToken | None = None,
) -> None:
    """Raise PermissionError unless this caller may re-judge `sub`: the account that owns
    its model name (or an admin account, `leaderboard.ownership`), else the admin token
    (guesses throttled by the same gate as moderation)."""
    if not token:
        try:
            account = account_of(state, request, profile, oauth)
        except InputError as exc:
            raise PermissionError(str(exc)) from None
        versions = state.store.versions(sub.meta.model)
        if state.pipeline.ownership.may_manage(account.name, versions):
            return
        raise PermissionError(
            "only the account that owns this model name, or the admin token, may re-judge it"
        )
    state.admin_gate.check(token, client_of(request, state.settings.trust_forwarded))


def rejudge_submission(
    state: AppState,
    submission_id: str,
    token: str | None,
    request: gr.Request | None = None,
    profile: gr.OAuthProfile | None = None,
    oauth: gr.OAuthToken | None = None,
) -> RejudgeOutcome:
    """Send a stored submission's judge failures to the judge again (no re-upload); the
    board follows. Only for `may_rejudge` callers."""
    try:
        sub = state.store.get(submission_id or "")
    except KeyError:
        return RejudgeOutcome(False, f"no stored submission {submission_id!r:.80}")
    try:
        may_rejudge(state, sub, token, request, profile, oauth)
    except (PermissionError, InputError) as exc:  # not allowed, or too many token guesses
        return RejudgeOutcome(False, str(exc))
    before = judge_failures(sub)
    if not before:
        return RejudgeOutcome(
            True,
            "nothing to re-judge: the judge scored every open-ended answer of this submission",
            sub,
        )
    try:
        updated = state.pipeline.rejudge(sub)
    except InputError as exc:
        return RejudgeOutcome(False, f"not re-judged: {exc}", sub, before, before)
    if updated is None:
        return RejudgeOutcome(
            False,
            f"the judge still could not score its {before} open-ended "
            "answer(s); nothing changed, try again later",
            sub,
            before,
            before,
        )
    state.invalidate()
    after = judge_failures(updated)
    return RejudgeOutcome(
        True,
        f"{before - after} of {before} open-ended answer(s) judged now"
        + (f"; {after} still failing" if after else ""),
        updated,
        before,
        after,
    )
