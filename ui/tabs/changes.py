"""The Changes tab: every re-score and re-judge of a stored row, newest first, with its
reason; a selected record shows per category the value before and after and the items whose
score flipped, each of which opens in the Drill-down with that model chosen."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pandas as pd

from analysis import trust_views as tv
from analysis.links import ItemQuery
from leaderboard.safe_text import md_escape
from ui.state import AppState

from ..trust import TrustError
from . import OPEN, PRIVATE
from .drilldown import VIEW_OUTPUTS, DrillHandlers, DrillTab, selected_id

INTRO = (
    "Nothing stored changes unrecorded: every re-score of a stored submission (a new scorer "
    "or extractor version, a new benchmark revision) and every re-judge writes a change "
    "record before the new result replaces the old one (which is kept). Click a record to "
    "see what moved per category and which items flipped; click an item to open it in the "
    "Drill-down."
)
LIST_LIMIT = 200


@dataclass
class ChangesHandlers:
    state: AppState
    drill: DrillHandlers | None = None  # opens an item in the Drill-down tab

    def render_changes(self, model: str | None) -> tuple:
        """The list (newest first) and its count line; the details are cleared."""
        records = self.state.trust.change_list(model or None, LIST_LIMIT)
        frame = tv.changes_frame(records)
        who = f" for {md_escape(model)}" if model else ""
        if not records:
            count = "No change records" + who + " yet: nothing stored has been re-scored."
        else:
            count = f"**{len(records)}** change record{'s' if len(records) > 1 else ''}{who}."
        return (
            gr.DataFrame(value=frame, datatype=tv.CHANGES_TYPES),
            count,
            "",
            pd.DataFrame(),
            pd.DataFrame(),
            "",
            "",
        )

    def open_change(self, evt: gr.SelectData) -> tuple:
        """A selected record: its sentence, the categories that moved, the flipped items."""
        row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else None
        record_id = str(row[-1]) if row else ""
        try:
            record = self.state.trust.change(record_id)
        except TrustError as exc:
            return md_escape(str(exc)), pd.DataFrame(), pd.DataFrame(), "", ""
        cells = gr.DataFrame(value=tv.cell_changes_frame(record), datatype=tv.CELL_CHANGE_TYPES)
        flips = gr.DataFrame(value=tv.flips_frame(record), datatype=tv.FLIP_TYPES)
        return (
            md_escape(tv.change_summary(record)),
            cells,
            flips,
            record_id,
            str(record.get("model", "")),
        )

    def open_change_flip(self, evt: gr.SelectData, model: str, request: gr.Request = None) -> tuple:
        """A flipped item: the Drill-down with it and the record's model chosen, the whole
        view in this one response (`DrillTab.view_outputs`, then the tabs)."""
        item_id = selected_id(evt)
        if not item_id or not model or self.drill is None:
            return (gr.skip(),) * (VIEW_OUTPUTS + 1)
        view = self.drill.open_view(ItemQuery(item_id, [model]), request)
        return (*view, gr.Tabs(selected="drill"))


def build(state: AppState, drill: DrillTab, tabs: gr.Tabs) -> None:
    h = ChangesHandlers(state, drill.handlers)
    with gr.Tab("Changes", id="changes") as tab:
        gr.Markdown(INTRO)
        with gr.Row():
            model = gr.Textbox(
                label="Only records of the model",
                elem_id="ch-model",
                max_length=80,
                scale=3,
                submit_btn="Filter",
            )
            refresh = gr.Button("Refresh", size="sm", elem_id="ch-refresh", scale=1)
        count = gr.Markdown(elem_id="ch-count")
        records = gr.DataFrame(interactive=False, wrap=False, max_height=420, elem_id="ch-list")
        summary = gr.Markdown(elem_id="ch-summary")
        with gr.Row():
            cells = gr.DataFrame(
                interactive=False, wrap=False, max_height=520, elem_id="ch-cells", scale=2
            )
            flips = gr.DataFrame(
                interactive=False, wrap=False, max_height=520, elem_id="ch-flips", scale=3
            )
        record_id, record_model = gr.State(""), gr.State("")

    outputs = [records, count, summary, cells, flips, record_id, record_model]
    # Listed when the tab is opened (a re-score may have happened since).
    for event in (tab.select, model.submit, refresh.click):
        event(h.render_changes, model, outputs, **PRIVATE)
    records.select(h.open_change, None, [summary, cells, flips, record_id, record_model], **PRIVATE)
    flips.select(h.open_change_flip, [record_model], drill.view_outputs + [tabs], **OPEN)
