"""The Drill-down tab: the benchmark's items filtered by category and by how the chosen
verified models did (including "a chosen model's answer could not be read"), one item beside
its image with every chosen model's answer, a link to exactly this view (item, models and
filters; `analysis.links` writes and reads it), and a form to flag the item's answer key as
doubtful (label review: stored append-only, rate-limited, listed for the admin).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import gradio as gr
from gradio import route_utils

from analysis import drilldown, links, report
from leaderboard.label_flags import MAX_FLAG_REASON
from leaderboard.limits import bounded_models
from leaderboard.taxonomy import FIELD_VALUES, LABELS
from ui.state import AppState

from .. import actions
from ..latest import Latest, Ticket
from ..url_state import SHARE_URL_JS
from . import PRIVATE, VIEW


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
    request (proxy headers included) and the route it reached (the queue, or a direct call
    of an unqueued event); "" (relative links) when neither is known."""
    if request is None:
        return ""
    base = links.page_base(request.headers.get("referer"))
    raw = getattr(request, "request", None)
    if not base and raw is not None:
        try:
            root = route_utils.get_root_url(raw, raw.url.path, raw.scope.get("root_path"))
        except (AttributeError, KeyError, ValueError):
            return ""
        base = links.page_base(root + "/")
    return base


def selected_id(evt: gr.SelectData) -> str | None:
    """The item id of a selected grid row (first column), whatever the grid's sort order."""
    row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else None
    return str(row[0]) if row else None


#: Components `DrillHandlers.open_view` returns values for (`DrillTab.view_outputs`): the
#: models, the filters, the list (frame, count, ids), the item (image, card, id, link).
VIEW_OUTPUTS = 1 + len(drilldown.FILTER_FIELDS) + 1 + 3 + 4
#: Where the list's frame sits in a view (`open_view`), after the models and the filters.
VIEW_FRAME = 1 + len(drilldown.FILTER_FIELDS) + 1
#: The ID column of the list (a clicked row names its item by it, however it is sorted).
ID_COLUMN = drilldown.LIST_COLUMNS.index("ID")
#: What a request answers once a later one of its page has started (`ui.latest`): nothing
#: for the item (image, card, id, link), or for the list and the item (`relist`).
ITEM_SKIP = (gr.skip(),) * 4
VIEW_SKIP = (gr.skip(),) * 7


class Listings:
    """The last few lists shown (frame, count line, ids), keyed by the store's generation,
    the models and the filters: a share link's view and the list sent after it, or the
    same filters chosen again, are computed once. Bounded; safe across threads."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
            return hit

    def put(self, key: tuple, value: tuple) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@dataclass
class DrillHandlers:
    state: AppState

    @cached_property
    def listings(self) -> Listings:
        """Made on first use (the app's `Handlers` combines several handler classes)."""
        return Listings()

    @cached_property
    def latest(self) -> Latest:
        """Per page, the item its latest request chose ("item") and its latest list
        ("list"): item events are unqueued, so quick clicks run side by side."""
        return Latest()

    def _chosen(self, request: gr.Request | None, item_id: str | None) -> Ticket:
        """A request that names its item (a typed id, a clicked row, a link)."""
        return self.latest.take(request, "item", lambda _: (item_id or "").strip())

    def _following(
        self,
        request: gr.Request | None,
        item_id: str | None,
        move: Callable[[str], str] = lambda item: item,
    ) -> Ticket:
        """A request that starts from the item the page is about to show (the one the
        page's latest request chose, else the page's own item box) and `move`s from it."""
        return self.latest.take(
            request,
            "item",
            lambda before: move((item_id or "" if before is None else before).strip()),
        )

    def _shown(
        self,
        ticket: Ticket,
        ids: list[str] | None,
        models: list[str],
        filters: drilldown.ItemFilters,
        request: gr.Request | None,
    ) -> tuple:
        """The ticket's item (`_item`), or nothing if a later request of the page has
        started (it answers instead; checked before the work and after)."""
        if not self.latest.current(ticket):
            return ITEM_SKIP
        answer = self._item(ticket.value, ids, models, filters, request)
        return answer if self.latest.current(ticket) else ITEM_SKIP

    def model_choices(self) -> gr.Dropdown:
        return gr.Dropdown(choices=self.state.verified_models())

    def list_items(
        self, models: list[str], src: str, dim: str, sub: str, qtype: str, scope: str, outcome: str
    ) -> tuple:
        """The matching items, the count line, and their ids (for the place, previous and
        next)."""
        return self._listed(models, item_filters(src, dim, sub, qtype, scope, outcome))

    def _listed(self, models: list[str], filters: drilldown.ItemFilters) -> tuple:
        models = bounded_models(list(models or [])) or []  # a request's work stays bounded
        key = (self.state.generation, tuple(models), filters)
        hit = self.listings.get(key)
        if hit is None:
            frames = self.state.model_frames(models)
            frame = drilldown.item_list(self.state.bench, frames, filters)
            count = drilldown.count_markdown(len(frame), len(self.state.bench), list(frames))
            hit = (frame, count, tuple(frame["ID"].tolist()))
            self.listings.put(key, hit)
        frame, count, ids = hit
        return frame, count, list(ids)

    def _item(
        self,
        item_id: str | None,
        ids: list[str] | None,
        models: list[str],
        filters: drilldown.ItemFilters,
        request: gr.Request | None,
    ) -> tuple:
        """Image path, item card HTML (placed in the filtered list `ids`), the id, and the
        absolute link to this view."""
        item_id = (item_id or "").strip()
        models = bounded_models(list(models or [])) or []  # a request's work stays bounded
        if not item_id:
            return None, drilldown.EMPTY_ITEM_HTML, "", ""
        try:
            detail = self.state.item(item_id, models or [])
        except KeyError as exc:
            return None, report.error_html(str(exc.args[0])), item_id, ""
        link = links.item_link(item_id, models or [], filters, base=page_url(request))
        card = drilldown.render_item_html(detail, drilldown.list_place(ids or [], item_id))
        return self.state.image_path(item_id), card, item_id, link

    def show_item(
        self,
        item_id: str | None,
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
        """One item of the current list (`item_outputs` in `build`)."""
        filters = item_filters(src, dim, sub, qtype, scope, outcome)
        return self._shown(self._chosen(request, item_id), ids, models, filters, request)

    def relist(
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
        """Models or filters changed: the list, its count and ids, and the shown item placed
        in the new list, in one response (`list_outputs + item_outputs` in `build`); nothing
        once a later list of the page has started, and no item once a later item has."""
        filters = item_filters(src, dim, sub, qtype, scope, outcome)
        listed = self.latest.take(request, "list", lambda _: None)
        item = self._following(request, item_id)
        frame, count, ids = self._listed(models, filters)
        shown = self._shown(item, ids, models, filters, request)
        if not self.latest.current(listed):
            return VIEW_SKIP
        return (frame, count, ids, *shown)

    def list_once(
        self,
        ids: list[str],
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
        """The tab opened: list the items if no view has listed them yet (a page without a
        link lists nothing at load, so the board is not kept waiting)."""
        if ids:
            return tuple(gr.skip() for _ in range(7))
        return self.relist(item_id, models, src, dim, sub, qtype, scope, outcome, request)

    def step(
        self,
        by: int,
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
        """◀ Previous (`by` < 0) and Next ▶ (`by` >= 0): the neighbouring item of the
        filtered list, wrapping at its ends (`item_outputs` in `build`). It steps from the
        item the page is about to show, so two quick clicks move two places."""
        filters = item_filters(src, dim, sub, qtype, scope, outcome)
        step = -1 if by < 0 else 1
        ticket = self._following(
            request, item_id, lambda item: drilldown.neighbour(ids or [], item, step) or ""
        )
        return self._shown(ticket, ids, models, filters, request)

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
        """A row of the list clicked: its item, named by the row's ID cell (so a grid the
        visitor sorted still opens the row clicked), else by its place in the list."""
        row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else None
        if row and len(row) > ID_COLUMN:
            item_id: str | None = str(row[ID_COLUMN])
        else:
            at = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
            item_id = ids[at] if ids and isinstance(at, int) and 0 <= at < len(ids) else None
        filters = item_filters(src, dim, sub, qtype, scope, outcome)
        return self._shown(self._chosen(request, item_id), ids, models, filters, request)

    def flag_answer_key(self, item_id: str, reason: str, request: gr.Request = None) -> tuple:
        """`ui.actions.flag_item` (as /flag_item) for the item shown: the outcome, and the
        reason box cleared once the flag is stored."""
        item_id = (item_id or "").strip()
        if not item_id:
            return report.error_html(
                "Show an item first, then say why its key looks wrong."
            ), reason
        try:
            actions.flag_item(self.state, item_id, reason, request)
        except actions.Refused as exc:
            return report.error_html(exc.reason), reason
        return report.ok_html(
            f"Thank you: the answer key of {item_id} is flagged for the admin's review."
        ), ""

    def open_view(self, query: links.ItemQuery, request: gr.Request | None = None) -> tuple:
        """Everything a view shows, in one response (`DrillTab.view_outputs`): the models
        chosen (the query's, resolved, else the top two), the filters, the list, and the
        item placed in it. What a share link and the other tabs' "open in the drill-down"
        return, so the view needs no chain of events. Nothing once a later view of the
        page has started (rows clicked quickly), no item once a later item has."""
        listed = self.latest.take(request, "list", lambda _: None)
        item = self._chosen(request, query.item)
        available = self.state.verified_models()
        found, _ = drilldown.resolve_models(query.models, available)
        chosen = found or available[:2]
        f = query.filters
        frame, count, ids = self._listed(chosen, f)
        shown = self._shown(item, ids, chosen, f, request)
        if not self.latest.current(listed):  # a later view of this page answers instead
            return (gr.skip(),) * VIEW_OUTPUTS
        return (
            gr.Dropdown(choices=available, value=chosen, multiselect=True),
            *(getattr(f, name) or "" for name in drilldown.FILTER_FIELDS),
            f.outcome,
            frame,
            count,
            ids,
            *shown,
        )

    def on_load(self, request: gr.Request) -> tuple:
        """A link (?item=ID&models=a,b&dimension=...) opens its view with the tab selected,
        in this one response, all but the list's rows (`link_list` sends them next: the
        page draws thousands of rows slower than everything else in the view, so the item
        the link is for comes first). Without a link: the top two models chosen, nothing
        listed yet (the tab lists when opened)."""
        query = links.parse_item_query(dict(request.query_params) if request else {})
        if query.item:
            view = list(self.open_view(query, request))
            view[VIEW_FRAME] = gr.skip()
            return (*view, gr.Tabs(selected="drill"))
        available = self.state.verified_models()
        keep = tuple(gr.skip() for _ in range(VIEW_OUTPUTS - 1))
        return (
            gr.Dropdown(choices=available, value=available[:2], multiselect=True),
            *keep,
            gr.skip(),
        )

    def link_list(
        self,
        ids: list[str],
        models: list[str],
        src: str = "",
        dim: str = "",
        sub: str = "",
        qtype: str = "",
        scope: str = "",
        outcome: str = "all",
        request: gr.Request = None,
    ) -> Any:
        """After `on_load`: a link's list (the models and filters its view set, listed
        once for both), else nothing; nothing either once the visitor has listed other
        items (`ids`, the page's list as the server holds it, differs), so a late answer
        never replaces a newer list."""
        query = links.parse_item_query(dict(request.query_params) if request else {})
        if not query.item:
            return gr.skip()
        frame, _, listed = self.list_items(models, src, dim, sub, qtype, scope, outcome)
        return frame if list(ids or []) == listed else gr.skip()


def item_event(card: gr.HTML) -> dict[str, Any]:
    """Keyword arguments of an event that shows one item: unqueued (one HTTP round trip,
    no queue messages to wait for; its work is one item's card), every click sent at once
    with its own data, and its progress on the card alone (`ui.progress`).

    Not "always_last": Gradio 6.31 holds a click made while the last is answered and then
    re-sends the first click's event data, so the second row clicked showed the first.
    Clicks sent side by side are put in order by the server (`DrillHandlers.latest`)."""
    return {"queue": False, "trigger_mode": "multiple", "show_progress_on": [card], **PRIVATE}


@dataclass
class DrillTab:
    """What other tabs use: the chosen models, and how to open a whole view in one
    response (`view_outputs` with `handlers.open_view`, plus the page's tabs to select
    this one; rows that do so are `OPEN` events)."""

    handlers: DrillHandlers
    models: gr.Dropdown
    view_outputs: list[Any]
    card: gr.HTML  # the item card: where the drill-down's events show progress
    count: gr.Markdown  # the line above the list: progress while a list is redone

    def refresh(self, dep: Any) -> Any:
        """After `dep`, offer the verified models as they are now."""
        return dep.then(self.handlers.model_choices, None, self.models, **PRIVATE)

    def on_load(self, demo: gr.Blocks, tabs: gr.Tabs) -> Any:
        """The page-load step that reads the URL (it comes first: other steps follow it),
        then a link's list (`DrillHandlers.link_list`, alongside those other steps)."""
        load = demo.load(
            self.handlers.on_load,
            None,
            self.view_outputs + [tabs],
            queue=False,
            show_progress_on=[self.card],
            **PRIVATE,
        )
        models, *filters = self.view_outputs[:VIEW_FRAME]
        ids = self.view_outputs[VIEW_FRAME + 2]  # after the frame and the count
        load.then(
            self.handlers.link_list,
            [ids, models, *filters],
            self.view_outputs[VIEW_FRAME],
            queue=False,
            show_progress_on=[self.count],
            **PRIVATE,
        )
        return load


def build(state: AppState) -> DrillTab:
    h = DrillHandlers(state)
    field_choices = {
        f: [("All", "")] + [(LABELS.get(v, v), v) for v in FIELD_VALUES[f]]
        for f in drilldown.FILTER_FIELDS
    }
    with gr.Tab("Drill-down", id="drill") as tab:
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
        back, ahead = gr.State(-1), gr.State(1)  # the steps of ◀ Previous and Next ▶
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
    item_inputs = [item_box, ids] + list_inputs
    item_outputs = [image, detail, item_box, share]
    list_outputs = [item_list, count, ids]
    # Progress shows on the card and the count line, never on the list: the page would
    # copy its thousands of rows at each status change of every later event (ui.progress).
    listing = {"show_progress_on": [count, detail], **PRIVATE}
    # User changes only (.input): a view set by the server (a link, another tab) comes
    # whole from `open_view` and must not set off a re-list per widget.
    for comp in list_inputs:
        comp.input(
            h.relist,
            [item_box] + list_inputs,
            list_outputs + item_outputs,
            **(listing | VIEW),
        )
    tab.select(h.list_once, [ids, item_box] + list_inputs, list_outputs + item_outputs, **listing)
    # Showing one item: one unqueued request each, answered from the server's state.
    item_box.submit(h.show_item, item_inputs, item_outputs, **item_event(detail))
    for button, by in ((prev_btn, back), (next_btn, ahead)):  # one handler, its own step
        button.click(h.step, [by] + item_inputs, item_outputs, **item_event(detail))
    item_list.select(h.pick, [ids] + list_inputs, item_outputs, **item_event(detail))
    share.change(None, [share], None, js=SHARE_URL_JS)
    flag_btn.click(h.flag_answer_key, [item_box, flag_reason], [flag_out, flag_reason], **PRIVATE)
    view_outputs = [models] + filters + list_outputs + item_outputs
    return DrillTab(
        handlers=h,
        models=models,
        view_outputs=view_outputs,
        card=detail,
        count=count,
    )
