"""The Drill-down tab: the benchmark's items filtered by category and by how the chosen
verified models did (including "a chosen model's answer could not be read"), one item beside
its image with every chosen model's answer, a link to exactly this view (item, models and
filters; `analysis.links` writes and reads it), and a form to flag the item's answer key as
doubtful (label review: stored append-only, rate-limited, listed for the admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio import route_utils

from analysis import drilldown, links, report
from ui.state import AppState
from leaderboard.label_flags import MAX_FLAG_REASON
from leaderboard.limits import bounded_models
from leaderboard.taxonomy import FIELD_VALUES, LABELS

from .. import actions
from ..theme import SHARE_URL_JS
from . import PRIVATE


def item_filters(
    src: str | None,
    dim: str | None,
    sub: str | None,
    qtype: str | None,
    scope: str | None,
    outcome: str | None,
) -> drilldown.ItemFilters:
    """The filter widgets (in `drilldown.FILTER_FIELDS` order, then the outcome)."""
    return drilldown.ItemFilters(
        src or None, dim or None, sub or None, qtype or None, scope or None, outcome or "all"
    )


def page_url(request: gr.Request | None) -> str:
    """The page the visitor is on (scheme, host, path), for absolute share links: the
    browser's Referer of the event, else the app's root URL as Gradio derives it from the
    request (proxy headers included); "" (relative links) when neither is known."""
    if request is None:
        return ""
    base = links.page_base(request.headers.get("referer"))
    raw = getattr(request, "request", None)
    if not base and raw is not None:
        try:
            root = route_utils.get_root_url(
                raw, route_utils.API_PREFIX + "/queue/join", raw.scope.get("root_path")
            )
        except (AttributeError, KeyError, ValueError):
            return ""
        base = links.page_base(root + "/")
    return base


def selected_id(evt: gr.SelectData) -> str | None:
    """The item id of a selected grid row (first column), whatever the grid's sort order."""
    row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else None
    return str(row[0]) if row else None


@dataclass
class DrillHandlers:
    state: AppState

    def model_choices(self) -> gr.Dropdown:
        return gr.Dropdown(choices=self.state.verified_models())

    def list_items(
        self, models: list[str], src: str, dim: str, sub: str, qtype: str, scope: str, outcome: str
    ) -> tuple:
        """The matching items, the count line, and their ids (for previous / next)."""
        frames = self.state.model_frames(models or [])
        frame = drilldown.item_list(
            self.state.bench, frames, item_filters(src, dim, sub, qtype, scope, outcome)
        )
        count = drilldown.count_markdown(len(frame), len(self.state.bench), list(frames))
        return frame, count, frame["ID"].tolist()

    def show_item(
        self,
        item_id: str | None,
        models: list[str],
        src: str = "",
        dim: str = "",
        sub: str = "",
        qtype: str = "",
        scope: str = "",
        outcome: str = "all",
        request: gr.Request = None,
    ) -> tuple:
        """Image path, item card HTML, the id, and the absolute link to this view."""
        item_id = (item_id or "").strip()
        models = bounded_models(list(models or [])) or []  # a request's work stays bounded
        if not item_id:
            return None, drilldown.EMPTY_ITEM_HTML, "", ""
        try:
            detail = self.state.item(item_id, models or [])
        except KeyError as exc:
            return None, report.error_html(str(exc.args[0])), item_id, ""
        link = links.item_link(
            item_id,
            models or [],
            item_filters(src, dim, sub, qtype, scope, outcome),
            base=page_url(request),
        )
        return self.state.image_path(item_id), drilldown.render_item_html(detail), item_id, link

    def previous(
        self,
        item_id: str,
        ids: list[str],
        models: list[str],
        src: str = "",
        dim: str = "",
        sub: str = "",
        qtype: str = "",
        scope: str = "",
        outcome: str = "all",
        request: gr.Request = None,
    ) -> tuple:
        return self.show_item(
            drilldown.neighbour(ids or [], (item_id or "").strip(), -1),
            models,
            src,
            dim,
            sub,
            qtype,
            scope,
            outcome,
            request,
        )

    def next(
        self,
        item_id: str,
        ids: list[str],
        models: list[str],
        src: str = "",
        dim: str = "",
        sub: str = "",
        qtype: str = "",
        scope: str = "",
        outcome: str = "all",
        request: gr.Request = None,
    ) -> tuple:
        return self.show_item(
            drilldown.neighbour(ids or [], (item_id or "").strip(), 1),
            models,
            src,
            dim,
            sub,
            qtype,
            scope,
            outcome,
            request,
        )

    def pick(
        self,
        evt: gr.SelectData,
        ids: list[str],
        models: list[str],
        src: str = "",
        dim: str = "",
        sub: str = "",
        qtype: str = "",
        scope: str = "",
        outcome: str = "all",
        request: gr.Request = None,
    ) -> tuple:
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        item_id = ids[row] if ids and 0 <= row < len(ids) else None
        return self.show_item(item_id, models, src, dim, sub, qtype, scope, outcome, request)

    def flag_answer_key(self, item_id: str, reason: str, request: gr.Request = None) -> tuple:
        """`ui.actions.flag_item` (as /flag_item) for the item shown: the outcome, and the
        reason box cleared once the flag is stored."""
        item_id = (item_id or "").strip()
        if not item_id:
            return report.error_html("Show an item first, then say why its key looks wrong."), reason
        out = actions.flag_item(self.state, item_id, reason, request)
        if "error" in out:
            return report.error_html(out["error"]), reason
        return report.ok_html(f"Thank you: the answer key of {item_id} is flagged for the "
                              "admin's review."), ""

    def on_load(self, request: gr.Request, models_now: list[str]) -> tuple:
        """A link (?item=ID&models=a,b&dimension=...) opens its view: models chosen,
        filters set, item shown, tab selected. Without one, the top two models."""
        query = links.parse_item_query(dict(request.query_params) if request else {})
        available = self.state.verified_models()
        offered = set(available)
        chosen = [m for m in dict.fromkeys(models_now or []) if m in offered] or available[:2]
        if query.models:
            found, _ = drilldown.resolve_models(query.models, available)
            chosen = found or chosen
        f = query.filters
        tab = gr.Tabs(selected="drill") if query.item else gr.Tabs()
        return (
            gr.Dropdown(choices=available, value=chosen),
            query.item or "",
            tab,
            *(getattr(f, name) or "" for name in drilldown.FILTER_FIELDS),
            f.outcome,
        )


@dataclass
class DrillTab:
    """What other tabs use: the chosen models and item id, and how to show an item."""

    handlers: DrillHandlers
    models: gr.Dropdown
    item_box: gr.Textbox
    filters: list[Any]  # FILTER_FIELDS dropdowns, then the outcome radio
    item_inputs: list[Any]
    item_outputs: list[Any]

    def show(self, dep: Any) -> Any:
        """After `dep` (which set the item id, maybe the models), show that item."""
        return dep.then(self.handlers.show_item, self.item_inputs, self.item_outputs, **PRIVATE)

    def refresh(self, dep: Any) -> Any:
        """After `dep`, offer the verified models as they are now."""
        return dep.then(self.handlers.model_choices, None, self.models, **PRIVATE)

    def on_load(self, demo: gr.Blocks, tabs: gr.Tabs) -> Any:
        """The page-load step that reads the URL (it comes first: other steps follow it)."""
        return demo.load(
            self.handlers.on_load,
            [self.models],
            [self.models, self.item_box, tabs] + self.filters,
            **PRIVATE,
        )


def build(state: AppState) -> DrillTab:
    h = DrillHandlers(state)
    field_choices = {
        f: [("All", "")] + [(LABELS.get(v, v), v) for v in FIELD_VALUES[f]]
        for f in drilldown.FILTER_FIELDS
    }
    with gr.Tab("Drill-down", id="drill"):
        with gr.Row():
            models = gr.Dropdown(
                [], multiselect=True, label="Verified models", scale=3, elem_id="dd-models"
            )
            outcome = gr.Radio(
                [(v, k) for k, v in drilldown.OUTCOMES.items()],
                value="all",
                label="Outcome",
                scale=3,
                elem_id="dd-outcome",
            )
        with gr.Row():
            fields = [
                gr.Dropdown(
                    field_choices[f], value="", label=drilldown.FIELD_LABELS[f], elem_id=f"dd-{f}"
                )
                for f in drilldown.FILTER_FIELDS
            ]
        count = gr.Markdown(elem_id="dd-count")
        ids = gr.State([])
        with gr.Row():
            with gr.Column(scale=2):
                item_list = gr.DataFrame(
                    interactive=False,
                    max_height=720,
                    elem_id="dd-list",
                    wrap=False,
                    pinned_columns=2,
                    column_widths=drilldown.LIST_WIDTHS,
                )
            with gr.Column(scale=3):
                with gr.Row():
                    prev_btn = gr.Button("◀ Previous", size="sm", elem_id="dd-prev")
                    next_btn = gr.Button("Next ▶", size="sm", elem_id="dd-next")
                    item_box = gr.Textbox(
                        label="Item id",
                        placeholder="jump to id",
                        elem_id="dd-item",
                        scale=2,
                        submit_btn="Go",
                    )
                share = gr.Textbox(
                    label="Link to this view",
                    interactive=False,
                    elem_id="dd-link",
                    buttons=["copy"],
                )
                image = gr.Image(
                    type="filepath",
                    interactive=False,
                    height=420,
                    buttons=["fullscreen", "download"],
                    label="Image",
                    elem_id="dd-image",
                )
                detail = gr.HTML(elem_id="dd-detail")
                with gr.Accordion("Doubt this item's answer key?", open=False, elem_id="dd-flag"):
                    flag_reason = gr.Textbox(
                        label="Why does the answer key look wrong? (kept for the admin)",
                        max_length=MAX_FLAG_REASON,
                        elem_id="dd-flag-reason",
                    )
                    flag_btn = gr.Button("Flag the answer key", size="sm", elem_id="dd-flag-btn")
                    flag_out = gr.HTML(elem_id="dd-flag-out")

    filters = fields + [outcome]
    list_inputs = [models] + filters
    item_inputs = [item_box] + list_inputs
    item_outputs = [image, detail, item_box, share]
    step_inputs = [item_box, ids] + list_inputs  # previous / next / pick
    for comp in list_inputs:
        comp.change(h.list_items, list_inputs, [item_list, count, ids], **PRIVATE).then(
            h.show_item, item_inputs, item_outputs, **PRIVATE
        )
    item_box.submit(h.show_item, item_inputs, item_outputs, **PRIVATE)
    prev_btn.click(h.previous, step_inputs, item_outputs, **PRIVATE)
    next_btn.click(h.next, step_inputs, item_outputs, **PRIVATE)
    item_list.select(h.pick, [ids] + list_inputs, item_outputs, **PRIVATE)
    share.change(None, [share], None, js=SHARE_URL_JS)
    flag_btn.click(
        h.flag_answer_key, [item_box, flag_reason], [flag_out, flag_reason], **PRIVATE
    )
    return DrillTab(h, models, item_box, filters, item_inputs, item_outputs)
