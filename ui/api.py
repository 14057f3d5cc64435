"""The Space's public API: the named endpoints gradio_client calls.

/submit, /leaderboard, /item and /compare for everyone; /moderate only when an admin token
is configured. Every UI event is private (`ui.tabs.PRIVATE`), so these are the whole API.

Errors have one shape: a bad argument raises `gr.Error("<argument>: <what is wrong>; <what
is allowed>")`, which gradio_client raises as `AppError` with that message (About's API
section says so). Tables and cells are taken by key or by label ("table3" or "Table 3";
"NI" or "NIs"), model names as the store matches them (case and spacing ignored). A
submission the scorer refuses is not a bad argument but an outcome: /submit and /moderate
return ok=false with the reason, as the Submit tab shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import gradio as gr
from gradio.data_classes import FileData

from analysis import board, compare_views, drilldown
from analysis.entries import KINDS
from leaderboard.moderation import admin_enabled
from leaderboard.taxonomy import cell_key, table_key
from ui.state import AppState

from .actions import moderate_submission, submit_file


def bad_argument(name: str, message: str) -> NoReturn:
    """Refuse a call: the message names the argument (gradio_client raises AppError)."""
    raise gr.Error(f"{name}: {message}", print_exception=False)


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
        return self.state.leaderboard_rows(
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


def register(state: AppState) -> Api:
    """Declare the named endpoints inside the Blocks being built."""
    api = Api(state)
    gr.api(api.api_submit, api_name="submit")
    gr.api(api.api_leaderboard, api_name="leaderboard")
    gr.api(api.api_item, api_name="item")
    gr.api(api.api_compare, api_name="compare")
    if admin_enabled():
        gr.api(api.api_moderate, api_name="moderate")
    return api
