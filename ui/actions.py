"""What the UI and the API both do with a visitor's request: submit a file, withdraw a model,
moderate a row, list submissions for the admin, flag an item's answer key, re-judge a row's
judge failures, and the admin's review clearing and re-judging with another judge.

One function each, so the form, the account, the rate-limit key and the error handling cannot
drift apart: the Submit tab adds a progress bar and HTML around them, `ui.api` returns JSON.
The account comes from what Gradio injects, never from a field the visitor types: the
signed-in Hugging Face user (`gr.OAuthProfile`, hub mode) or a token (`gr.OAuthToken`, sent
by `gradio_client.Client(url, oauth_token=...)`), else the local user (`leaderboard.identity`).

Each returns what it did, or raises `Refused` (nothing stored changed): the reason in the
words the UI shows, and the API argument at fault when the refusal is one argument's, so the
tabs render `reason` and `ui.api` raises "<argument>: <reason>" as its one error shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from leaderboard.errors import InputError, PredictionError
from leaderboard.forms import SubmissionError
from leaderboard.identity import Account, IdentityError
from leaderboard.limits import RateLimitError, client_key
from leaderboard.moderation import moderate, moderation_list
from leaderboard.names import InvalidModelName
from leaderboard.ownership import OwnershipError
from leaderboard.provenance import DECLARED_FIELDS, DeclaredFieldError
from leaderboard.store import Submission
from leaderboard.submission import judge_failures
from ui.state import AppState, SubmitOutcome
from ui.trust import REJUDGE_BACKENDS


class Refused(Exception):
    """A request the app will not carry out, and why; nothing stored changed. `reason` is
    what the UI shows; `argument` names the API argument at fault (as the endpoint spells
    it) when the refusal is one argument's, None when it is not (a rate limit, the judge,
    the disk)."""

    def __init__(self, reason: str, argument: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.argument = argument


#: The argument a refusal from the core is about, by the error's type (first match wins).
_ARGUMENT_OF_ERROR: tuple[tuple[type[BaseException], str], ...] = (
    (RateLimitError, ""),  # the client's quota: no argument's fault
    (IdentityError, "oauth_token"),  # no account, or a token that proves none
    (OwnershipError, "model"),  # the name is another account's, or a paper model's
    (InvalidModelName, "model"),  # look-alike or invisible characters in the name
    (PredictionError, "file"),  # the prediction file cannot be read or scored
)


#: /submit's form fields by the label their messages start with (`forms.clean_form`,
#: `provenance.DECLARED_FIELDS`: "Link must be an http(s) URL"), longest label first.
_FORM_LABELS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "Model name": "model",
            "Parameter count": "params",
            "Link": "link",
            "open": "open",
            **{f.label: f.name for f in DECLARED_FIELDS},
        }.items(),
        key=lambda kv: -len(kv[0]),
    )
)


def argument_of(exc: BaseException | None) -> str | None:
    """Which API argument a core error is about: by its type (`_ARGUMENT_OF_ERROR`), or for
    a form field filled in wrongly, by the field's label its message starts with."""
    for kind, name in _ARGUMENT_OF_ERROR:
        if isinstance(exc, kind):
            return name or None
    if isinstance(exc, (SubmissionError, DeclaredFieldError)):
        text = str(exc)
        return next((arg for label, arg in _FORM_LABELS if text.startswith(label + " ")), None)
    return None


def _message(exc: BaseException) -> str:
    """An error's message (a KeyError's str() is its key quoted)."""
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


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
    `provenance.DECLARED_FIELDS` name, cleaned by the pipeline. Refused: the reason, and
    nothing stored."""
    try:
        account = account_of(state, request, profile, token)
    except InputError as exc:  # not signed in, a refused token, too many refused tokens
        raise Refused(str(exc), argument_of(exc)) from None
    form = {
        "model": model,
        "params": params,
        "open": open_value(open_choice),
        "link": link,
        "declared": dict(declared or {}),
    }
    out = state.submit(
        Path(path).read_bytes(),
        file_name,
        form,
        progress=progress,
        client=client_of(request, state.settings.trust_forwarded, account.name),
        account=account,
    )
    if not out.ok:  # a bad file or form, a name of another owner, a quota, the disk
        raise Refused(out.message, argument_of(out.error))
    return out


@dataclass(frozen=True)
class WithdrawOutcome:
    """A withdrawal's result: what the owner is told and the versions now hidden."""

    message: str
    hidden: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"message": self.message, "withdrawn": list(self.hidden)}


def withdraw_model(
    state: AppState,
    model: str,
    request: gr.Request | None,
    profile: gr.OAuthProfile | None = None,
    token: gr.OAuthToken | None = None,
) -> WithdrawOutcome:
    """Take the account's own model off the board: every version hidden, nothing deleted,
    and the name stays the account's (`Ownership.withdraw`). Refused: not this account's
    model, or nothing left to withdraw."""
    try:
        account = account_of(state, request, profile, token)
    except InputError as exc:
        raise Refused(str(exc), argument_of(exc)) from None
    if not isinstance(model, str) or not model.strip():
        raise Refused("type the name of the model to withdraw", "model")
    try:
        subs = state.pipeline.ownership.withdraw(state.store, model.strip(), account.name)
    except InputError as exc:  # another account's name, none such, or already withdrawn
        raise Refused(str(exc), "model") from None
    state.invalidate()
    name = subs[0].meta.model
    return WithdrawOutcome(
        f"Withdrawn: {name} ({len(subs)} version(s)) is off the board. Its files stay stored "
        f"and the name stays yours ({account.name}); submit again to put a new version on.",
        tuple(s.id for s in subs),
    )


@dataclass(frozen=True)
class ModerationOutcome:
    """A moderation request's result: the submission now hidden or shown."""

    submission: Submission

    def as_json(self) -> dict[str, Any]:
        sub = self.submission
        return {"submission_id": sub.id, "model": sub.meta.model, "hidden": sub.hidden}


def moderate_submission(
    state: AppState,
    submission_id: str,
    hidden: bool,
    token: str,
    reason: str | None,
    request: gr.Request | None = None,
) -> ModerationOutcome:
    """Hide or show a stored submission; needs the admin token, whose guesses are throttled
    per client address. The board follows. Refused: the token (wrong, or too many guesses),
    an unknown submission, a reason that is not plain text."""
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
    except (PermissionError, RateLimitError) as exc:  # checked first: ids are not probed
        raise Refused(str(exc), "token") from None
    except KeyError:
        raise Refused(f"no stored submission {submission_id!r:.80}", "submission_id") from None
    except InputError as exc:
        raise Refused(str(exc), "reason") from None
    state.invalidate()
    return ModerationOutcome(sub)


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
    """A visitor doubts an item's answer key: the flag stored (rate-limited, owner
    recorded). Refused, with nothing stored: an unknown item, a reason too short or not
    plain text, too many flags."""
    try:
        return state.trust.flag_item(
            item_id,
            reason,
            owner=owner_of(request),
            client=client_of(request, state.settings.trust_forwarded),
        )
    except RateLimitError as exc:
        raise Refused(str(exc)) from None
    except InputError as exc:  # `LabelFlags.add` checks the item before the reason
        known = isinstance(item_id, str) and item_id in state.bench.index_of
        raise Refused(str(exc), "reason" if known else "item_id") from None


def clear_review(
    state: AppState,
    submission_id: str,
    token: str,
    note: str | None,
    request: gr.Request | None = None,
) -> dict[str, Any]:
    """The admin clears a row held for review (it is ranked again). Refused: a wrong token
    (checked first), an unknown submission, one that is not under review."""
    try:
        sub = state.trust.clear(submission_id, token, note, by=owner_of(request))
    except PermissionError as exc:
        raise Refused(str(exc), "token") from None
    except (LookupError, InputError) as exc:
        raise Refused(_message(exc), "submission_id") from None
    return {
        "submission_id": sub.id,
        "model": sub.meta.model,
        "review": state.trust.review(sub),
    }


def rejudge_with(state: AppState, submission_id: str, judge: str, token: str) -> dict[str, Any]:
    """The admin re-judges a stored row with another judge: the change record's summary.
    Refused: a wrong token (checked first), an unknown submission, a judge that is not one
    of `ui.trust.REJUDGE_BACKENDS` or cannot be used here, nothing re-judged."""
    try:
        return state.trust.rejudge(submission_id, judge, token)
    except PermissionError as exc:
        raise Refused(str(exc), "token") from None
    except LookupError as exc:
        raise Refused(_message(exc), "submission_id") from None
    except InputError as exc:
        name = (judge or "").strip().lower() if isinstance(judge, str) else ""
        raise Refused(str(exc), None if name in REJUDGE_BACKENDS else "judge") from None


@dataclass(frozen=True)
class RejudgeOutcome:
    """A re-judge request's result: how many judge failures were judged now."""

    message: str
    submission: Submission
    before: int = 0  # judge failures before
    after: int = 0  # judge failures left

    def as_json(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "submission_id": self.submission.id,
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
    """Refused unless this caller may re-judge `sub`: the account that owns its model name
    (or an admin account, `leaderboard.ownership`), else the admin token (guesses throttled
    by the same gate as moderation)."""
    if not token:
        try:
            account = account_of(state, request, profile, oauth)
        except InputError as exc:
            raise Refused(str(exc), argument_of(exc)) from None
        versions = state.store.versions(sub.meta.model)
        if state.pipeline.ownership.may_manage(account.name, versions):
            return
        raise Refused(
            "only the account that owns this model name, or the admin token, may re-judge it",
            "submission_id",
        )
    try:
        state.admin_gate.check(token, client_of(request, state.settings.trust_forwarded))
    except (PermissionError, InputError) as exc:  # a wrong token, or too many guesses
        raise Refused(str(exc), "token") from None


def rejudge_submission(
    state: AppState,
    submission_id: str,
    token: str | None,
    request: gr.Request | None = None,
    profile: gr.OAuthProfile | None = None,
    oauth: gr.OAuthToken | None = None,
) -> RejudgeOutcome:
    """Send a stored submission's judge failures to the judge again (no re-upload); the
    board follows. Only for `may_rejudge` callers. Refused: an unknown submission, a caller
    who may not, no judge to ask, a judge that still fails (nothing changed then)."""
    try:
        sub = state.store.get(submission_id or "")
    except KeyError:
        raise Refused(f"no stored submission {submission_id!r:.80}", "submission_id") from None
    may_rejudge(state, sub, token, request, profile, oauth)
    before = judge_failures(sub)
    if not before:
        return RejudgeOutcome(
            "nothing to re-judge: the judge scored every open-ended answer of this submission",
            sub,
        )
    try:
        updated = state.pipeline.rejudge(sub)
    except InputError as exc:
        raise Refused(f"not re-judged: {exc}") from None
    if updated is None:
        raise Refused(
            f"the judge still could not score its {before} open-ended "
            "answer(s); nothing changed, try again later"
        )
    state.invalidate()
    after = judge_failures(updated)
    return RejudgeOutcome(
        f"{before - after} of {before} open-ended answer(s) judged now"
        + (f"; {after} still failing" if after else ""),
        updated,
        before,
        after,
    )
