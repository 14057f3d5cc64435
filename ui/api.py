"""The Space's public API: the named endpoints gradio_client calls.

/submit, /leaderboard, /item and /compare for everyone; /moderate and /rejudge only when an
admin token is configured. Every UI event is private (`ui.tabs.PRIVATE`), so these are the
whole API.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr
from gradio.data_classes import FileData

from analysis import compare_views
from ui.state import AppState
from leaderboard.moderation import admin_enabled

from .actions import moderate_submission, rejudge_submission, submit_file


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
        request: gr.Request = None,
    ) -> dict:
        """Score and store a prediction file. Returns ok, message, rank, row and the parse
        report; on refusal ok is false and message says what is wrong, nothing is stored.
        While the open-ended answers are judged, the model is a pending row on the
        leaderboard (its `judging` field counts the judged answers)."""
        path = Path(file["path"] if isinstance(file, dict) else file.path)
        name = (file.get("orig_name") if isinstance(file, dict) else file.orig_name) or path.name
        return submit_file(self.state, path, name, model, params, open, link, request).as_json()

    def api_moderate(self, submission_id: str, hidden: bool, token: str, reason: str = "") -> dict:
        """Hide (hidden=true) or show a stored submission; needs the admin token."""
        return moderate_submission(self.state, submission_id, hidden, token, reason).as_json()

    def api_rejudge(self, submission_id: str, token: str, request: gr.Request = None) -> dict:
        """Send a stored submission's judge failures (judge_failed) to the judge again, from
        the stored answers (no re-upload); needs the admin token. Returns ok, message, and
        the judge failures before and now; the row on the board follows."""
        return rejudge_submission(self.state, submission_id, token, request).as_json()

    def api_leaderboard(
        self,
        table: str = "table3",
        kinds: list[str] | None = None,
        search: str = "",
        weights: list[str] | None = None,
        sizes: list[str] | None = None,
        sort_by: str = "Overall",
    ) -> list[dict]:
        """Leaderboard rows of one table (table3..table6) after filters, best first: one
        dict per row with numeric cell values keyed by cell name (null = None)."""
        return self.state.leaderboard_rows(table, kinds, search, weights, sizes, sort_by)

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


def register(state: AppState) -> Api:
    """Declare the named endpoints inside the Blocks being built."""
    api = Api(state)
    gr.api(api.api_submit, api_name="submit")
    gr.api(api.api_leaderboard, api_name="leaderboard")
    gr.api(api.api_item, api_name="item")
    gr.api(api.api_compare, api_name="compare")
    if admin_enabled():
        gr.api(api.api_moderate, api_name="moderate")
        gr.api(api.api_rejudge, api_name="rejudge")
    return api
