"""The Space's public API: the named endpoints gradio_client calls.

/submit, /withdraw, /leaderboard, /item and /compare for everyone, and the trust endpoints
(issue 12): /provenance, /changes, /version_diff, /judge_agreement, /flag_item; /rejudge for
the owner of a row (or the admin token). /moderate, /review_clear and /rejudge_with only when
an admin token is configured. Every UI event is private (`ui.tabs.PRIVATE`), so these are the
whole API. /submit, /withdraw and /rejudge act as an account: on a Space, pass your Hugging
Face token with `Client(url, oauth_token=hf_token)` (gradio_client sends it only to endpoints
that take a `gr.OAuthToken`, as these do); locally, a token from QBP_LOCAL_TOKENS, or none for
the local user. A lookup that names nothing, or a refused request, answers
{"error": "<what is wrong>"} (as /item and /compare always have).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from gradio.data_classes import FileData

from analysis import compare_views
from ui.state import AppState
from leaderboard.moderation import admin_enabled
from leaderboard.version_diff import diff_json

from . import actions
from .actions import moderate_submission, rejudge_submission, submit_file, withdraw_model
from .trust import TrustError


@dataclass
class Api:
    """The endpoints' functions (their signatures and docstrings are the API's docs)."""

    state: AppState

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
        it: only that account adds versions. Returns ok, message, rank, row (with its owner)
        and the parse report; on refusal ok is false and message says what is wrong, nothing
        is stored. While the open-ended answers are judged, the model is a pending row on
        the leaderboard (its `judging` field counts the judged answers). The optional fields
        from `harness` on declare how the predictions were made (shown in the row's
        provenance); `thinking` is on, off or unknown. A submission held for review is
        stored but unranked: `under_review` and `review` (the reasons) say so."""
        path = Path(file["path"] if isinstance(file, dict) else file.path)
        name = (file.get("orig_name") if isinstance(file, dict) else file.orig_name) or path.name
        declared = {"harness": harness, "harness_version": harness_version,
                    "prompt_template": prompt_template, "temperature": temperature,
                    "max_tokens": max_tokens, "thinking": thinking}
        return submit_file(self.state, path, name, model, params, open, link, request,
                           profile=profile, token=oauth_token, declared=declared).as_json()

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
        the admin token. Returns ok, message, and the judge failures before and now; the row
        on the board follows."""
        return rejudge_submission(
            self.state, submission_id, token, request, profile, oauth_token
        ).as_json()

    def api_withdraw(
        self,
        model: str,
        request: gr.Request = None,
        profile: gr.OAuthProfile | None = None,
        oauth_token: gr.OAuthToken | None = None,
    ) -> dict:
        """Take your own model off the board (every version hidden; the files stay stored
        and the name stays yours). Returns ok, message and the ids withdrawn."""
        return withdraw_model(self.state, model, request, profile, oauth_token).as_json()

    def api_moderate(
        self,
        submission_id: str,
        hidden: bool,
        token: str,
        reason: str = "",
        request: gr.Request = None,
    ) -> dict:
        """Hide (hidden=true) or show a stored submission; needs the admin token (guesses
        are throttled per client)."""
        return moderate_submission(
            self.state, submission_id, hidden, token, reason, request
        ).as_json()

    def api_compare(self, model_a: str, model_b: str) -> dict:
        """Paired comparison of two verified models (A minus B, points): per cell of
        Tables 3-6 both values, the difference and its 95% paired-bootstrap interval;
        McNemar's exact test (b, c, p) on closed-ended items; the ids of the items they
        score differently. On an unknown model: {"error": ...}."""
        try:
            return compare_views.comparison_json(self.state.compare(model_a, model_b))
        except ValueError as exc:
            return {"error": str(exc)}

    def api_item(self, item_id: str, models: list[str] | None = None) -> dict:
        """One item: question, options, gold answer, and each named verified model's raw
        answer, parsed answer, status, score and judge text."""
        try:
            return self.state.item(item_id, models or [])
        except KeyError as exc:
            return {"error": str(exc.args[0])}

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
            return {"error": str(exc)}

    def api_changes(self, record_id: str = "", model: str = "", limit: int = 50) -> dict:
        """Change records (one per re-score or re-judge of a stored row). Without
        `record_id`: {"records": [...]}, newest first, summaries (reason, versions, Overall
        old/new/delta, counts of changed cells and flipped items), only `model`'s if given.
        With it: that whole record, with per-cell old/new/delta ("cells") and the items
        whose score flipped ("flips": old and new score, parsed answer and status)."""
        try:
            if (record_id or "").strip():
                return self.state.trust.change(record_id)
            return {"records": self.state.trust.change_list(model or None, limit)}
        except TrustError as exc:
            return {"error": str(exc)}

    def api_version_diff(self, row: str) -> dict:
        """A model's version N against version N-1 (`row`: a submission id for version N,
        or a model name for its latest version): per cell of Tables 3-6 both values, the
        difference new minus old with its 95% paired-bootstrap interval, McNemar's exact
        test on the closed-ended items, and the items whose score flipped."""
        try:
            return diff_json(self.state.trust.version_diff(row))
        except TrustError as exc:
            return {"error": str(exc)}

    def api_judge_agreement(self, row: str) -> dict:
        """Two judges on the same open-ended answers of one stored row (the judging now on
        the board, B, against the latest earlier one by another judge, A): exact agreement,
        Cohen's weighted kappa (quadratic, linear) on 0/1/2, the confusion matrix, the OE
        cells and the Overall rank under each, and the answers they disagree on."""
        try:
            return self.state.trust.agreement_json(row)
        except TrustError as exc:
            return {"error": str(exc)}

    def api_flag_item(self, item_id: str, reason: str, request: gr.Request = None) -> dict:
        """Flag an item's answer key as doubtful, saying why (at least a few words). Stored
        append-only with who flagged (the signed-in user, else anonymous); rate-limited."""
        return actions.flag_item(self.state, item_id, reason, request)

    def api_review_clear(self, submission_id: str, token: str, note: str = "",
                         request: gr.Request = None) -> dict:
        """Admin: clear a submission held for review, so it is ranked; needs the token."""
        return actions.clear_review(self.state, submission_id, token, note, request)

    def api_rejudge_with(self, submission_id: str, judge: str, token: str) -> dict:
        """Admin: re-judge a stored submission's open-ended answers with another judge
        ("approx" or "openai"), without a new upload; the old judging is kept for
        /judge_agreement and a change record says what moved. Needs the token."""
        return actions.rejudge_with(self.state, submission_id, judge, token)


def register(state: AppState, leaderboard: Callable[..., list[dict]]) -> Api:
    """Declare the named endpoints inside the Blocks being built; `leaderboard` answers
    /leaderboard (the board's service: rows from the cache the page is built from)."""
    api = Api(state)
    gr.api(api.api_submit, api_name="submit")
    gr.api(api.api_withdraw, api_name="withdraw")
    gr.api(leaderboard, api_name="leaderboard")
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
