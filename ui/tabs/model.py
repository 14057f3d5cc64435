"""The Model tab: one model's page (`analysis.model_page`), reachable three ways:

- by URL, ``?model=<name>`` (`analysis.links.model_link`), read at page load;
- from another tab's handler, in that handler's own response: return
  ``(*model_tab.handlers.open_model(name, request), gr.Tabs(selected="model"))`` for the
  outputs ``model_tab.open_outputs + [tabs]``;
- from the board: a model's name is a link to its page (``?model=``, so a new tab works); a
  plain click is handled in the page (the board's "open_model" event, `BoardTab.on_model_click`)
  and shows the page here in one response.

The page's link goes to the address bar through `ui.url_state` (the query string's one owner).

A failure row opens its items in the Drill-down tab (one response, `DrillTab.view_outputs`);
the "Row details" button opens the model's stored row there (parse report, version diff).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import gradio as gr

from analysis import links, model_page
from analysis import trust_views as tv
from analysis.entries import VERIFIED
from leaderboard.store import Submission
from ui.state import AppState

from ..url_state import SHARE_URL_JS
from . import OPEN, PRIVATE, VIEW
from .board import BoardTab
from .drilldown import VIEW_OUTPUTS, DrillHandlers, DrillTab, page_url

#: Values `ModelHandlers.render` returns: header, tables, radar, its summary, the failures
#: note, grid and their links, versions, provenance, the page's link.
PAGE_OUTPUTS = 10


@dataclass
class ModelHandlers:
    state: AppState
    drill: DrillHandlers | None = None

    def names(self) -> gr.Dropdown:
        return gr.Dropdown(choices=model_page.model_names(self.state.entries()))

    def page(self, name: str) -> model_page.ModelPage:
        """The page of `name` over the board's rows and the store's versions of it."""
        entries = self.state.entries()
        rows = model_page.rows_for(entries, name)
        current: Submission | None = None
        verified = next((e for e in rows if e.kind == VERIFIED and e.submission_id), None)
        if verified is not None:
            try:
                current = self.state.store.get(verified.submission_id or "")
            except KeyError:  # withdrawn or hidden since the board was read
                current = None
        versions = self.state.trust.versions(current) if current is not None else []
        return model_page.build_page(name, entries, self.state.bench, versions, current)

    def render(self, name: str | None, request: gr.Request = None) -> tuple:
        """The page's components (`ModelTab.outputs`) for `name`."""
        name = (name or "").strip()
        if not name:
            empty = "<div class='qbp-empty'>Choose a model.</div>"
            hidden = gr.DataFrame(visible=False)
            return (empty, "", None, "", "", hidden, {}, hidden, hidden, "")
        p = self.page(name)
        link = links.model_link(p.name, base=page_url(request)) if p.found else ""
        rows = {f"{r.group}\x1f{r.category}": r.link for r in p.failure_rows if r.link}
        return (
            p.header,
            p.tables,
            p.radar,
            p.radar_summary,
            p.failures_note,
            gr.DataFrame(
                value=p.failures, datatype=model_page.FAILURE_TYPES, visible=bool(p.failure_rows)
            ),
            rows,
            gr.DataFrame(
                value=p.versions, datatype=tv.VERSIONS_TYPES, visible=not p.versions.empty
            ),
            gr.DataFrame(value=p.provenance, datatype=["str", "str"], visible=p.found),
            link,
        )

    def open_model(self, name: str | None, request: gr.Request = None) -> tuple:
        """The picker set to `name` and its page (`ModelTab.open_outputs`): what another
        tab's handler returns to show a model in one response."""
        page = self.render(name, request)
        choices = model_page.model_names(self.state.entries())
        found = model_page.rows_for(self.state.entries(), name or "")
        value = found[0].name if found else None
        return (gr.Dropdown(choices=choices, value=value), *page)

    def on_load(self, request: gr.Request) -> tuple:
        """?model=NAME opens that page with the tab selected; otherwise nothing changes."""
        name = links.parse_model_query(dict(request.query_params) if request else {})
        if name is None:
            return tuple(gr.skip() for _ in range(PAGE_OUTPUTS + 2))
        return (*self.open_model(name, request), gr.Tabs(selected="model"))

    def from_board(self, evt: gr.EventData, request: gr.Request = None) -> tuple:
        """A click on a model's name on the board ({"name": ...}): its page, tab selected."""
        data = getattr(evt, "_data", None) or {}
        name = data.get("name") if isinstance(data, dict) else None
        if not isinstance(name, str) or not name.strip() or len(name) > links.MAX_MODEL_CHARS:
            return tuple(gr.skip() for _ in range(PAGE_OUTPUTS + 2))
        return (*self.open_model(name, request), gr.Tabs(selected="model"))

    def open_failure(
        self, evt: gr.SelectData, failure_links: dict[str, str], request: gr.Request = None
    ) -> tuple:
        """A failure row: its items in the Drill-down tab, the first one shown."""
        row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else None
        link = (failure_links or {}).get(f"{row[0]}\x1f{row[1]}") if row else None
        if not link or self.drill is None:
            return tuple(gr.skip() for _ in range(VIEW_OUTPUTS + 1))
        query = links.parse_item_query(dict(parse_qsl(urlsplit(link).query)))
        return (*self.drill.open_view(query, request), gr.Tabs(selected="drill"))


@dataclass
class ModelTab:
    """What other tabs use: how to open a model (see the module docstring)."""

    handlers: ModelHandlers
    picker: gr.Dropdown
    details: gr.Button  # app.py chains the Row details tab's `open` onto its click
    outputs: list[Any]  # the page's components, in `ModelHandlers.render` order
    open_outputs: list[Any]  # the picker, then `outputs`

    def refresh(self, dep: Any) -> Any:
        """After `dep` (a submit), offer the models on the board as they are now."""
        return dep.then(self.handlers.names, None, self.picker, **PRIVATE)

    def on_load(self, demo: gr.Blocks, tabs: gr.Tabs) -> Any:
        """The page-load step reading ?model= (its own event: it does not wait for others)."""
        return demo.load(self.handlers.on_load, None, self.open_outputs + [tabs], **PRIVATE)


def build(
    state: AppState, drill: DrillTab, tabs: gr.Tabs, board: BoardTab | None = None
) -> ModelTab:
    """The Model tab; with `board`, a click on a model's name there opens its page here."""
    h = ModelHandlers(state, drill.handlers)
    with gr.Tab("Model", id="model") as tab:
        with gr.Row(equal_height=True):
            picker = gr.Dropdown(
                model_page.model_names(state.entries()),
                value=None,
                label="Model",
                elem_id="model-pick",
                scale=2,
                min_width=260,
            )
            link = gr.Textbox(
                label="Link to this page",
                interactive=False,
                elem_id="model-link",
                buttons=["copy"],
                scale=3,
                min_width=300,
            )
        header = gr.HTML("<div class='qbp-empty'>Choose a model.</div>", elem_id="model-header")
        tables = gr.HTML(elem_id="model-rows")
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=340):
                radar = gr.Plot(label="Against the board", elem_id="model-radar")
                radar_sum = gr.Textbox(
                    label="Summary", interactive=False, lines=2, elem_id="model-radar-summary"
                )
            with gr.Column(scale=1, min_width=340):
                gr.Markdown("### Failure cases by category")
                note = gr.Textbox(
                    show_label=False, interactive=False, lines=2, elem_id="model-failures-note"
                )
                fails = gr.DataFrame(
                    interactive=False,
                    max_height=560,
                    wrap=False,
                    elem_id="model-failures",
                    column_widths=["150px", "100px", "92px", "70px", "116px", "250px"],
                )
                fail_links = gr.State({})
        gr.Markdown("### Versions")
        versions = gr.DataFrame(
            interactive=False, max_height=320, wrap=False, elem_id="model-versions"
        )
        with gr.Row(equal_height=True):
            gr.Markdown("### Provenance of the row on the board")
            details = gr.Button(
                "Parse report, version diff, judge agreement: Row details ▸",
                size="sm",
                elem_id="model-details",
                scale=0,
                min_width=380,
            )
        prov = gr.DataFrame(
            interactive=False,
            max_height=640,
            wrap=True,
            elem_id="model-provenance",
            column_widths=["220px", "780px"],
        )

    outputs = [header, tables, radar, radar_sum, note, fails, fail_links, versions, prov, link]
    picker.input(h.render, picker, outputs, **VIEW)
    if board is not None:
        board.on_model_click(h.from_board, [picker] + outputs + [tabs])
    tab.select(h.names, None, picker, **PRIVATE)  # the store may have changed
    fails.select(h.open_failure, fail_links, drill.view_outputs + [tabs], **OPEN)
    link.change(None, [link], None, js=SHARE_URL_JS)
    return ModelTab(h, picker, details, outputs, [picker] + outputs)
