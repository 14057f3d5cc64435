"""The Space's public API: the named endpoints gradio_client calls.

/submit, /withdraw, /leaderboard, /item and /compare for everyone, and the trust endpoints
(issue 12): /provenance, /changes, /version_diff, /judge_agreement, /flag_item; /rejudge for
the owner of a row (or the admin token). /moderate, /review_clear and /rejudge_with only when
an admin token is configured. Every UI event is private (`ui.tabs.PRIVATE`), so these are the
whole API. /submit, /withdraw and /rejudge act as an account: on a Space, pass your Hugging
Face token with `Client(url, oauth_token=hf_token)` (gradio_client sends it only to endpoints
that take a `gr.OAuthToken`, as these do); locally, a token from QBP_LOCAL_TOKENS, or none for
the local user.

One shape for every endpoint (About's API section and the README say so): a success returns
the endpoint's dict (or /leaderboard's list of rows), with no `ok` flag; every failure raises
`gr.Error`, which gradio_client raises as `AppError` with the message, and nothing stored
changes. The message names the argument at fault first, when one is:

- a bad argument, refused before anything else is checked: "<argument>: <what is wrong>;
  <what is allowed>" (an unknown table, cell, filter value or judge; an item, model, row or
  change record that names nothing);
- a well-formed request that is refused (`ui.actions.Refused`): "<argument>: <why>" when one
  argument is at fault ("model: the name ... belongs to the account 'alice'", "token: wrong
  admin token", "file: ...", "oauth_token: the token was not accepted ..."), else the reason
  alone (a rate limit, the judge, the disk).

Tables and cells are taken by key or by label ("table3" or "Table 3"; "NI" or "NIs"), model
names as the store matches them (case and spacing ignored).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import gradio as gr
from gradio.data_classes import FileData

from analysis import board, compare_views, drilldown
from analysis.entries import KINDS
from leaderboard.moderation import admin_enabled
from leaderboard.taxonomy import cell_key, table_key
from leaderboard.version_diff import diff_json
from ui.state import AppState

from . import actions
from .actions import (
    Refused,
    moderate_submission,
    rejudge_submission,
    submit_file,
    withdraw_model,
)
from .trust import REJUDGE_BACKENDS, TrustError

MAX_CHANGES = 1000  # records /changes lists at most


def bad_argument(name: str, message: str) -> NoReturn:
    """Refuse a call: the message names the argument (gradio_client raises AppError)."""
    raise gr.Error(f"{name}: {message}", print_exception=False)


@contextmanager
def refusals() -> Iterator[None]:
    """Inside: an action's refusal raised as the API's one error shape, "<argument>: <why>"
    (the reason alone when no one argument is at fault)."""
    try:
        yield
    except Refused as r:
        text = f"{r.argument}: {r.reason}" if r.argument else r.reason
        raise gr.Error(text, print_exception=False) from None


def _shown(value: Any) -> str:
    """A caller's value inside a message: quoted, cut short."""
    return repr(str(value)[:60])


def _resolved(name: str, fn: Callable[..., str], *args: Any) -> str:
    try:
        return fn(*args)
    except ValueError as exc:
        bad_argument(name, str(exc))


def choices_arg(name: str, values: Sequence[str] | None, allowed: Sequence[str]) -> list[str]:
    """A list argument whose values must be among `allowed` (case ignored); None or an
    empty list means all of them."""
    if values is None or (isinstance(values, (list, tuple)) and not values):
        return list(allowed)
    if not isinstance(values, (list, tuple)):
        bad_argument(name, f"must be a list of {', '.join(allowed)}; got {_shown(values)}")
    by_fold = {a.casefold(): a for a in allowed}
    out = []
    for v in values:
        hit = by_fold.get(str(v).strip().casefold())
        if hit is None:
            bad_argument(name, f"unknown value {_shown(v)}; allowed: {', '.join(allowed)}")
        out.append(hit)
    return out


#: Sort keys besides a table's cells (board.sort_keys): by name, size or Table 3's Overall.
_SORT_ALIASES = {
    "model": board.MODEL,
    "modelname": board.MODEL,
    "name": board.MODEL,
    "params": board.PARAMS,
    "parameters": board.PARAMS,
    "size": board.PARAMS,
    "overall": board.OVERALL,
    "overall(table3)": board.OVERALL,
}


def sort_arg(table: str, value: str | None) -> str:
    """`sort_by` of /leaderboard: a cell of the table (key or label), Overall, Model or
    Params."""
    text = str(value or board.OVERALL)
    alias = _SORT_ALIASES.get("".join(text.casefold().split()))
    if alias is not None:
        return alias
    try:
        return cell_key(table, text)
    except ValueError as exc:
        bad_argument("sort_by", f"{exc}; or Overall, Model, Params")


@dataclass
class Api:
    """The endpoints' functions (their signatures and docstrings are the API's docs)."""

    state: AppState
    #: Rows of /leaderboard (the board's service, `BoardService.api_rows`), called with the
    #: arguments resolved; None: `AppState.leaderboard_rows`.
    rows: Callable[..., list[dict]] | None = None

    def api_submit(
        self,
        file: FileData,
        model: str,
        params: str = "",
        open: str = "",
        link: str = "",
        harness: str = "",
        harness_version: str = "",
        prompt_template: str = "",
        temperature: float | None = None,
        max_tokens: int | None = None,
        thinking: str = "",
        request: gr.Request = None,
        profile: gr.OAuthProfile | None = None,
        oauth_token: gr.OAuthToken | None = None,
    ) -> dict:
        """Score and store a prediction file as your account (pass your token with
        Client(url, oauth_token=...)). A model name belongs to the account that first stored
        it: only that account adds versions. Returns message, rank, row (with its owner),
        submission_id and the parse report (`duplicate`: this exact file was stored before).
        A refusal raises an error naming the argument at fault ("file: ...", "model: ...");
        nothing is stored. While the open-ended answers are judged, the model is a pending row on
        the leaderboard (its `judging` field counts the judged answers). The optional fields
        from `harness` on declare how the predictions were made (shown in the row's
        provenance); `thinking` is on, off or unknown. A submission held for review is
        stored but unranked: `under_review` and `review` (the reasons) say so."""
        path = Path(file["path"] if isinstance(file, dict) else file.path)
        name = (file.get("orig_name") if isinstance(file, dict) else file.orig_name) or path.name
        declared = {
            "harness": harness,
            "harness_version": harness_version,
            "prompt_template": prompt_template,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "thinking": thinking,
        }
        with refusals():
            out = submit_file(
                self.state,
                path,
                name,
                model,
                params,
                open,
                link,
                request,
                profile=profile,
                token=oauth_token,
                declared=declared,
            )
        return out.as_json()

    def api_rejudge(
        self,
        submission_id: str,
        token: str = "",
        request: gr.Request = None,
        profile: gr.OAuthProfile | None = None,
        oauth_token: gr.OAuthToken | None = None,
    ) -> dict:
        """Send a stored submission's judge failures (judge_failed) to the judge again, from
        the stored answers (no re-upload): as the account that owns its model name, or with
        the admin token. Returns message, submission_id and the judge failures before and
        now; the row on the board follows. Refused (an error): an unknown submission, a
        caller who may not, a judge that still cannot score them (nothing changes)."""
        with refusals():
            out = rejudge_submission(
                self.state, submission_id, token, request, profile, oauth_token
            )
        return out.as_json()

    def api_withdraw(
        self,
        model: str,
        request: gr.Request = None,
        profile: gr.OAuthProfile | None = None,
        oauth_token: gr.OAuthToken | None = None,
    ) -> dict:
        """Take your own model off the board (every version hidden; the files stay stored
        and the name stays yours). Returns message and the ids withdrawn; a model that is not
        yours, or not on the board, raises an error naming `model`."""
        with refusals():
            out = withdraw_model(self.state, model, request, profile, oauth_token)
        return out.as_json()

    def api_moderate(
        self,
        submission_id: str,
        hidden: bool,
        token: str,
        reason: str = "",
        request: gr.Request = None,
    ) -> dict:
        """Hide (hidden=true) or show a stored submission; needs the admin token (guesses
        are throttled per client). Returns submission_id, model and hidden."""
        with refusals():
            out = moderate_submission(self.state, submission_id, hidden, token, reason, request)
        return out.as_json()

    def api_leaderboard(
        self,
        table: str = "table3",
        kinds: list[str] | None = None,
        search: str = "",
        weights: list[str] | None = None,
        sizes: list[str] | None = None,
        sort_by: str = "Overall",
    ) -> list[dict]:
        """Leaderboard rows of one table after filters, best first: one dict per row with
        numeric cell values keyed by cell name (null = None). `table` by key or title
        ("table3", "Table 3"); `sort_by` a cell by name or label ("NI", "NIs"), or Overall,
        Model, Params; `kinds` of reported, verified; `weights` of open, closed, unknown;
        `sizes` of the board's size buckets. A bad argument raises an error naming it."""
        key = _resolved("table", table_key, table)
        rows = self.rows or self.state.leaderboard_rows
        return rows(
            key,
            choices_arg("kinds", kinds, KINDS),
            str(search or ""),
            choices_arg("weights", weights, board.WEIGHT_CHOICES),
            choices_arg("sizes", sizes, board.SIZE_CHOICES),
            sort_arg(key, sort_by),
        )

    def api_compare(self, model_a: str, model_b: str) -> dict:
        """Paired comparison of two verified models (A minus B, points): per cell of
        Tables 3-6 both values, the difference and its 95% paired-bootstrap interval;
        McNemar's exact test (b, c, p) on closed-ended items; the ids of the items they
        score differently. An unknown model raises an error naming the argument."""
        names = self.state.score_matrix()[0]
        a = self._verified("model_a", model_a, names)
        b = self._verified("model_b", model_b, names)
        return compare_views.comparison_json(self.state.compare(a, b))

    @staticmethod
    def _verified(arg: str, name: str, names: Sequence[str]) -> str:
        found, _ = drilldown.resolve_models([str(name or "")], names)
        if not found:
            listed = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
            bad_argument(arg, f"{_shown(name)} is not a verified model; verified: {listed}")
        return found[0]

    def api_item(self, item_id: str, models: list[str] | None = None) -> dict:
        """One item: question, options, gold answer, and each named verified model's raw
        answer, parsed answer, status, score and judge text. An unknown item or model
        raises an error naming the argument."""
        if str(item_id or "") not in self.state.bench.index_of:
            bad_argument("item_id", f"no item with id {_shown(item_id)} in the loaded benchmark")
        if models is not None and not isinstance(models, (list, tuple)):
            bad_argument("models", f"must be a list of model names; got {_shown(models)}")
        names = self.state.verified_models()
        for m in models or []:
            self._verified("models", m, names)
        return self.state.item(str(item_id), list(models or []))

    # ----------------------------------------------------------------- trust (issue 12)
    def api_provenance(self, row: str) -> dict:
        """How a leaderboard row was produced. `row`: a submission id or a model name (the
        latest visible version). A verified row: provenance (benchmark hash and revision,
        scorer, extractor and judge versions, the file's sha256, size and format, upload
        time, version, owner, declared harness and generation settings), the stored parse
        report, review status, every visible version and the ids of its change records. A
        paper row: {"kind": "reported", "provenance": "from the paper, Table 3", ...}."""
        try:
            return self.state.trust.row_json(row)
        except TrustError as exc:
            bad_argument("row", str(exc))

    def api_changes(self, record_id: str = "", model: str = "", limit: int = 50) -> dict:
        """Change records (one per re-score or re-judge of a stored row). Without
        `record_id`: {"records": [...]}, newest first, summaries (reason, versions, Overall
        old/new/delta, counts of changed cells and flipped items), only `model`'s if given.
        With it: that whole record, with per-cell old/new/delta ("cells") and the items
        whose score flipped ("flips": old and new score, parsed answer and status)."""
        if (record_id or "").strip():
            try:
                return self.state.trust.change(record_id)
            except TrustError as exc:
                bad_argument("record_id", str(exc))
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_CHANGES:
            bad_argument(
                "limit", f"must be a whole number from 1 to {MAX_CHANGES}; got {_shown(limit)}"
            )
        return {"records": self.state.trust.change_list(model or None, limit)}

    def api_version_diff(self, row: str) -> dict:
        """A model's version N against version N-1 (`row`: a submission id for version N,
        or a model name for its latest version): per cell of Tables 3-6 both values, the
        difference new minus old with its 95% paired-bootstrap interval, McNemar's exact
        test on the closed-ended items, and the items whose score flipped."""
        try:
            return diff_json(self.state.trust.version_diff(row))
        except TrustError as exc:
            bad_argument("row", str(exc))

    def api_judge_agreement(self, row: str) -> dict:
        """Two judges on the same open-ended answers of one stored row (the judging now on
        the board, B, against the latest earlier one by another judge, A): exact agreement,
        Cohen's weighted kappa (quadratic, linear) on 0/1/2, the confusion matrix, the OE
        cells and the Overall rank under each, and the answers they disagree on."""
        try:
            return self.state.trust.agreement_json(row)
        except TrustError as exc:
            bad_argument("row", str(exc))

    def api_flag_item(self, item_id: str, reason: str, request: gr.Request = None) -> dict:
        """Flag an item's answer key as doubtful, saying why (at least a few words). Stored
        append-only with who flagged (the signed-in user, else anonymous); rate-limited.
        Returns {"flag": the stored record}; an unknown item or a short reason raises an
        error naming it."""
        with refusals():
            return {"flag": actions.flag_item(self.state, item_id, reason, request)}

    def api_review_clear(
        self, submission_id: str, token: str, note: str = "", request: gr.Request = None
    ) -> dict:
        """Admin: clear a submission held for review, so it is ranked; needs the token.
        Returns submission_id, model and the review record now."""
        with refusals():
            return actions.clear_review(self.state, submission_id, token, note, request)

    def api_rejudge_with(self, submission_id: str, judge: str, token: str) -> dict:
        """Admin: re-judge a stored submission's open-ended answers with another judge
        ("approx" or "openai"), without a new upload; the old judging is kept for
        /judge_agreement and a change record says what moved. Needs the token. Returns
        {"change": the change record's summary}."""
        if not isinstance(judge, str) or judge.strip().lower() not in REJUDGE_BACKENDS:
            bad_argument(
                "judge", f"unknown judge {_shown(judge)}; one of {', '.join(REJUDGE_BACKENDS)}"
            )
        with refusals():
            return {"change": actions.rejudge_with(self.state, submission_id, judge, token)}


def register(state: AppState, leaderboard: Callable[..., list[dict]]) -> Api:
    """Declare the named endpoints inside the Blocks being built; `leaderboard` gives the
    rows of /leaderboard (the board's service: rows from the cache the page is built from),
    after `Api.api_leaderboard` has resolved and checked the arguments."""
    api = Api(state, leaderboard)
    gr.api(api.api_submit, api_name="submit")
    gr.api(api.api_withdraw, api_name="withdraw")
    gr.api(api.api_leaderboard, api_name="leaderboard")
    gr.api(api.api_item, api_name="item")
    gr.api(api.api_compare, api_name="compare")
    gr.api(api.api_provenance, api_name="provenance")
    gr.api(api.api_changes, api_name="changes")
    gr.api(api.api_version_diff, api_name="version_diff")
    gr.api(api.api_judge_agreement, api_name="judge_agreement")
    gr.api(api.api_flag_item, api_name="flag_item")
    gr.api(api.api_rejudge, api_name="rejudge")
    if admin_enabled():
        gr.api(api.api_moderate, api_name="moderate")
        gr.api(api.api_review_clear, api_name="review_clear")
        gr.api(api.api_rejudge_with, api_name="rejudge_with")
    return api
