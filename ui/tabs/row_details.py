"""The Row details tab: how one leaderboard row was produced (provenance), the parse report
of its stored file, its review status, its versions with version N against N-1 (paired
intervals, flipped items), and judge agreement where its answers were judged twice; with an
admin token configured, clearing a review and re-judging with another judge.

Reached by `?row=<submission id or model name>`, by typing or picking a row here, and from
the board: `RowDetailsTab.open` is the step the board's row click chains onto (it sets the
key, selects this tab and renders). Flipped and disagreeing items open in the Drill-down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from analysis import links, report
from analysis import trust_views as tv
from analysis.drilldown import ItemFilters
from analysis.entries import Entry
from leaderboard.moderation import admin_enabled
from leaderboard.safe_text import md_escape
from ui.state import AppState

from .. import actions
from ..theme import SHARE_URL_JS
from ..trust import REJUDGE_BACKENDS, TrustError
from . import OPEN, PRIVATE, VIEW
from .drilldown import VIEW_OUTPUTS, DrillHandlers, DrillTab, selected_id

INTRO = (
    "How a leaderboard row was produced: the benchmark, scorer, extractor and judge versions, "
    "the uploaded file (hash, size, format recognised), what the submitter declared, the "
    "parse report of the stored file, and every stored version with what changed between "
    "the last two. Name a row by its submission id or model name, or open it from the "
    "board; `?row=<id or model>` links here."
)
EMPTY = pd.DataFrame()
#: Outputs of `render_row`, in order (see `RowDetailsTab.outputs`).
N_OUTPUTS = 15


def _md(text: str) -> str:
    """Plain text for a Markdown component (user text in it stays text)."""
    return md_escape(text) if text else ""


def _grid(frame: pd.DataFrame, types: list[str] | None = None) -> gr.DataFrame:
    """A grid update showing `frame` (grids without anything to show are hidden)."""
    if types:
        return gr.DataFrame(value=frame, datatype=types, visible=True)
    return gr.DataFrame(value=frame, visible=True)


def _hidden() -> gr.DataFrame:
    return gr.DataFrame(value=EMPTY, visible=False)


@dataclass
class RowHandlers:
    state: AppState
    drill: DrillHandlers | None = None  # opens an item in the Drill-down tab

    def row_choices(self) -> gr.Dropdown:
        """Every verified model, best first, then the paper's rows."""
        reported = [e.name for e in self.state.reported if not e.is_baseline]
        return gr.Dropdown(choices=self.state.verified_models() + reported)

    def open_row(self, key: str | None) -> tuple:
        """What the board's row click hands over: the key, and this tab selected."""
        return (key or "").strip(), gr.Tabs(selected="row")

    def row_on_load(self, request: gr.Request) -> tuple:
        """A `?row=` link selects this tab with that row."""
        key = links.parse_row_query(dict(request.query_params) if request else {})
        if not key:  # no update at all: an empty Tabs update would redraw the open tab
            return gr.skip(), gr.skip()
        return key, gr.Tabs(selected="row")

    def render_row(self, key: str | None, request: gr.Request = None) -> tuple:
        """Status line, provenance, parse report, the unreadable button, link, versions,
        version diff (sentence, cells, flips), agreement (sentence, confusion, cells,
        disagreements), and the shown submission id and model (for the item clicks)."""
        trust = self.state.trust
        blank = (
            "",
            _hidden(),
            "",
            gr.Button(visible=False),
            "",
            _hidden(),
            "",
            _hidden(),
            _hidden(),
            "",
            _hidden(),
            _hidden(),
            _hidden(),
            "",
            "",
        )
        if not (key or "").strip():
            return ("Name a row above.",) + blank[1:]
        try:
            row = trust.find(key)
        except TrustError as exc:
            return (_md(str(exc)),) + blank[1:]
        if isinstance(row, Entry):
            frame = tv.provenance_frame(trust.provenance(row))
            return (
                f"**{_md(row.name)}** — reported: {_md(frame['Value'].iloc[0])}",
                _grid(frame, ["str", "str"]),
            ) + blank[2:]
        sub = row
        base = links.page_base(request.headers.get("referer")) if request else ""
        status = f"**{_md(sub.meta.model)}** — version {sub.meta.version}, submission `{sub.id}`"
        review = tv.review_status(sub.review)
        if review:
            status += f"\n\n**{_md(review)}**"
        prov = _grid(tv.provenance_frame(trust.provenance(sub)), ["str", "str"])
        parse = report.summary_html(trust.parse_report(sub), "Parse report of the stored file")
        unreadable = gr.Button(visible=trust.unreadable_link(sub) is not None)
        versions = trust.versions(sub)
        vframe = _grid(tv.versions_frame(versions, sub.id), tv.VERSIONS_TYPES)
        try:
            diff = trust.version_diff(sub.id)
            diff_text = _md(tv.version_diff_summary(diff))
            diff_cells = _grid(tv.version_diff_frame(diff), tv.VERSION_TYPES)
            diff_flips = _grid(tv.version_flips_frame(diff), tv.FLIP_TYPES)
        except TrustError as exc:
            diff_text, diff_cells, diff_flips = _md(str(exc)), _hidden(), _hidden()
        try:
            _, ag = trust.agreement(sub.id)
            ag_text = _md(tv.agreement_summary(ag))
            confusion = _grid(tv.confusion_frame(ag))
            ag_cells = _grid(tv.agreement_cells_frame(ag))
            disagree = _grid(tv.disagreements_frame(ag, sub.meta.model), tv.DISAGREE_TYPES)
        except TrustError as exc:
            ag_text, confusion, ag_cells, disagree = _md(str(exc)), _hidden(), _hidden(), _hidden()
        return (
            status,
            prov,
            parse,
            unreadable,
            links.row_link(sub.id, base),
            vframe,
            diff_text,
            diff_cells,
            diff_flips,
            ag_text,
            confusion,
            ag_cells,
            disagree,
            sub.id,
            sub.meta.model,
        )

    def select_version(self, evt: gr.SelectData) -> str | Any:
        """A selected version row: show that version (its id is the first column)."""
        return selected_id(evt) or gr.Textbox()

    def open_row_item(self, evt: gr.SelectData, model: str, request: gr.Request = None) -> tuple:
        """A flipped or disagreeing item: the Drill-down with it and this row's model, the
        whole view in this one response (`DrillTab.view_outputs`, then the tabs)."""
        item_id = selected_id(evt)
        if not item_id or not model or self.drill is None:
            return (gr.skip(),) * (VIEW_OUTPUTS + 1)
        view = self.drill.open_view(links.ItemQuery(item_id, [model]), request)
        return (*view, gr.Tabs(selected="drill"))

    def open_row_unreadable(self, sub_id: str, request: gr.Request = None) -> tuple:
        """The Drill-down listing only this model's answers that could not be read (the
        outcome filter "unreadable", this model chosen, the first such answer shown), in
        this one response."""
        try:
            sub = self.state.trust.submission(sub_id)
            ids = self.state.trust.unreadable_ids(sub)
        except TrustError:
            ids = []
        if not ids or self.drill is None:
            return (gr.skip(),) * (VIEW_OUTPUTS + 1)
        query = links.ItemQuery(ids[0], [sub.meta.model], ItemFilters(outcome="unreadable"))
        return (*self.drill.open_view(query, request), gr.Tabs(selected="drill"))

    def row_clear_review(
        self, sub_id: str, token: str, note: str, request: gr.Request = None
    ) -> str:
        """`ui.actions.clear_review` (as /review_clear) with the outcome as HTML."""
        try:
            out = actions.clear_review(self.state, sub_id, token, note, request)
        except actions.Refused as exc:
            return report.error_html(exc.reason)
        return report.ok_html(f"{out['model']}: review cleared, the row is ranked again.")

    def row_rejudge(self, sub_id: str, judge: str, token: str) -> str:
        """`ui.actions.rejudge_with` (as /rejudge_with) with the outcome as HTML."""
        try:
            change = actions.rejudge_with(self.state, sub_id, judge, token)
        except actions.Refused as exc:
            return report.error_html(exc.reason)
        return report.ok_html(
            f"Re-judged ({change.get('reason', '')}); change record "
            f"{change.get('id')}, listed in the Changes tab."
        )


@dataclass
class RowDetailsTab:
    """What other tabs (the board) use: the row key box and the step that shows it."""

    handlers: RowHandlers
    key: gr.Textbox
    outputs: list[Any]
    tabs: gr.Tabs

    def show(self, dep: Any) -> Any:
        """After `dep` (which set the key), render that row."""
        return dep.then(self.handlers.render_row, [self.key], self.outputs, **PRIVATE)

    def open(self, trigger: Any, inputs: Any) -> Any:
        """Chain the board's row click: `trigger(fn, inputs, outputs, ...)` is an event
        listener (e.g. `component.select`) whose `inputs` give a submission id or model
        name; the key is set, this tab selected and the row rendered."""
        return self.show(trigger(self.handlers.open_row, inputs, [self.key, self.tabs], **PRIVATE))

    def on_load(self, demo: gr.Blocks) -> Any:
        """The page-load step reading `?row=`."""
        return self.show(
            demo.load(self.handlers.row_on_load, None, [self.key, self.tabs], **PRIVATE)
        )


def build(state: AppState, drill: DrillTab, tabs: gr.Tabs) -> RowDetailsTab:
    h = RowHandlers(state, drill.handlers)
    with gr.Tab("Row details", id="row") as tab:
        gr.Markdown(INTRO)
        with gr.Row():
            key = gr.Textbox(
                label="Submission id or model name",
                elem_id="rd-key",
                scale=3,
                submit_btn="Show",
                max_length=links.MAX_ROW_KEY,
            )
            pick = gr.Dropdown([], label="Or pick a row", elem_id="rd-pick", scale=2)
        status = gr.Markdown(elem_id="rd-status")
        with gr.Row():
            with gr.Column(scale=3):
                prov = gr.DataFrame(
                    interactive=False,
                    wrap=True,
                    max_height=760,
                    elem_id="rd-provenance",
                    column_widths=["190px", "560px"],
                    visible=False,
                )
            with gr.Column(scale=2):
                parse = gr.HTML(elem_id="rd-parse")
                unreadable = gr.Button(
                    "Answers that could not be read, in the Drill-down",
                    size="sm",
                    visible=False,
                    elem_id="rd-unreadable",
                )
                share = gr.Textbox(
                    label="Link to this row", interactive=False, elem_id="rd-link", buttons=["copy"]
                )
        gr.Markdown("### Versions (click one to show it)")
        versions = gr.DataFrame(interactive=False, wrap=False, elem_id="rd-versions", visible=False)
        gr.Markdown("### This version against the one before (paired 95% intervals)")
        diff_text = gr.Markdown(elem_id="rd-diff-summary")
        with gr.Row():
            diff_cells = gr.DataFrame(
                interactive=False,
                wrap=False,
                max_height=420,
                elem_id="rd-diff",
                scale=1,
                visible=False,
            )
            diff_flips = gr.DataFrame(
                interactive=False,
                wrap=False,
                max_height=420,
                elem_id="rd-diff-flips",
                scale=1,
                visible=False,
            )
        with gr.Accordion(
            "Judge agreement (two judgings of the same answers)", open=True, elem_id="rd-agreement"
        ):
            ag_text = gr.Markdown(elem_id="rd-ag-summary")
            with gr.Row():
                confusion = gr.DataFrame(
                    interactive=False, elem_id="rd-ag-confusion", visible=False
                )
                ag_cells = gr.DataFrame(interactive=False, elem_id="rd-ag-cells", visible=False)
            disagree = gr.DataFrame(
                interactive=False, max_height=360, elem_id="rd-ag-items", visible=False
            )
        sub_id, model = gr.State(""), gr.State("")
        admin = admin_enabled()
        if admin:
            with gr.Accordion("Admin: clear the review, or re-judge", open=False):
                with gr.Row():
                    token = gr.Textbox(label="Admin token", type="password")
                    note = gr.Textbox(label="Note (kept with the review record)")
                with gr.Row():
                    clear_btn = gr.Button("Clear the review", size="sm", elem_id="rd-clear")
                    judge = gr.Radio(
                        list(REJUDGE_BACKENDS), value=REJUDGE_BACKENDS[0], label="Re-judge with"
                    )
                    rejudge_btn = gr.Button("Re-judge", size="sm", elem_id="rd-rejudge")
                admin_out = gr.HTML()

    outputs = [
        status,
        prov,
        parse,
        unreadable,
        share,
        versions,
        diff_text,
        diff_cells,
        diff_flips,
        ag_text,
        confusion,
        ag_cells,
        disagree,
        sub_id,
        model,
    ]
    assert len(outputs) == N_OUTPUTS
    row = RowDetailsTab(h, key, outputs, tabs)
    tab.select(h.row_choices, None, pick, **PRIVATE)
    key.submit(h.render_row, [key], outputs, **PRIVATE)
    row.show(pick.input(lambda name: name or gr.Textbox(), pick, key, **VIEW))
    row.show(versions.select(h.select_version, None, key, **PRIVATE))
    for grid in (diff_flips, disagree):
        grid.select(h.open_row_item, [model], drill.view_outputs + [tabs], **OPEN)
    unreadable.click(h.open_row_unreadable, [sub_id], drill.view_outputs + [tabs], **PRIVATE)
    share.change(None, [share], None, js=SHARE_URL_JS)
    if admin:
        row.show(clear_btn.click(h.row_clear_review, [sub_id, token, note], admin_out, **PRIVATE))
        row.show(rejudge_btn.click(h.row_rejudge, [sub_id, judge, token], admin_out, **PRIVATE))
    return row
