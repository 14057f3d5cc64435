"""The Items tab: how the verified models do on each item, which categories are hard for
everyone, the items every model fails, and the answer keys visitors flagged as doubtful
(label review: counts for everyone, the reasons for the admin); an item opens in the
Drill-down tab with the models chosen there, where its key can be flagged."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pandas as pd

from analysis import item_views, report
from analysis.items import (
    difficulty_by_category,
    difficulty_figure,
    item_analysis,
    unanimous_failures,
)
from analysis.links import ItemQuery
from leaderboard.moderation import admin_enabled
from ui.state import AppState

from . import OPEN, PRIVATE
from .board import TABLE_CHOICES
from .drilldown import VIEW_OUTPUTS, DrillHandlers, DrillTab, selected_id


@dataclass
class ItemHandlers:
    state: AppState
    drill: DrillHandlers | None = None  # opens an item in the Drill-down tab

    def render_items(self, table: str) -> tuple:
        """Difficulty chart and table, the failures' count line and grid, every item."""
        names, scores = self.state.score_matrix()
        fig, diff = self.render_difficulty(table)
        fails = unanimous_failures(names, scores, self.state.bench)
        fail_grid = gr.DataFrame(
            value=item_views.failures_frame(fails), datatype=item_views.FAILURE_TYPES
        )
        every = gr.DataFrame(
            value=item_views.analysis_frame(item_analysis(names, scores, self.state.bench)),
            datatype=item_views.ANALYSIS_TYPES,
        )
        return fig, diff, item_views.failures_markdown(len(fails), len(names)), fail_grid, every

    def render_difficulty(self, table: str) -> tuple:
        names, scores = self.state.score_matrix()
        diff = difficulty_by_category(names, scores, self.state.bench, table)
        grid = gr.DataFrame(
            value=item_views.difficulty_styler(diff, table), datatype=item_views.DIFFICULTY_TYPES
        )
        return difficulty_figure(diff, table), grid

    def render_flag_counts(self) -> gr.DataFrame:
        """Per flagged item: how many flags, from how many owners (no reasons: those are
        for the admin)."""
        return gr.DataFrame(
            value=self.state.trust.flag_counts(), datatype=["str", "number", "number"]
        )

    def admin_flag_list(self, token: str) -> tuple:
        """Every flag with its reason and who sent it (admin token), newest first."""
        try:
            flags = self.state.trust.flag_list(token)
        except PermissionError as exc:
            return report.error_html(str(exc)), pd.DataFrame()
        frame = pd.DataFrame(
            {
                "ID": [f.get("item_id") for f in flags],
                "When": [f.get("at") for f in flags],
                "Owner": [f.get("owner") for f in flags],
                "Reason": [f.get("reason") for f in flags],
            },
            columns=["ID", "When", "Owner", "Reason"],
        )
        return "", gr.DataFrame(value=frame, datatype=["str", "str", "str", "str"])

    def open_item(self, evt: gr.SelectData, models: list[str], request: gr.Request = None) -> tuple:
        """A selected item: the Drill-down tab with the models chosen there, the whole view
        in this one response (`DrillTab.view_outputs`, then the tabs)."""
        item_id = selected_id(evt)
        if not item_id or self.drill is None:
            return tuple(gr.skip() for _ in range(VIEW_OUTPUTS + 1))
        view = self.drill.open_view(ItemQuery(item_id, list(models or [])), request)
        return (*view, gr.Tabs(selected="drill"))


def build(state: AppState, drill: DrillTab, tabs: gr.Tabs) -> None:
    h = ItemHandlers(state, drill.handlers)
    with gr.Tab("Items", id="items") as tab:
        gr.Markdown(
            "How the verified models do on each item: the share of models right (a "
            "half-right open-ended answer counts half), which categories are hard for "
            "everyone, and the items every model fails, which are worth a second look "
            "at their labels."
        )
        table = gr.Radio(TABLE_CHOICES, value="table3", label="Table", elem_id="it-table")
        with gr.Row():
            plot = gr.Plot(show_label=False, elem_id="it-difficulty", scale=3)
            diff = gr.DataFrame(
                interactive=False,
                elem_id="it-difficulty-table",
                scale=2,
                wrap=False,
                max_height=640,
            )
        gr.Markdown("### Items every verified model fails (for label review)")
        fail_count = gr.Markdown(elem_id="it-fail-count")
        fails = gr.DataFrame(
            interactive=False,
            max_height=420,
            wrap=True,
            elem_id="it-failures",
            column_widths=["110px", "420px", "260px", "300px", "80px"],
        )
        gr.Markdown("### Every item: share of verified models right (click a header to sort)")
        every = gr.DataFrame(interactive=False, max_height=480, wrap=False, elem_id="it-analysis")
        gr.Markdown(
            "### Answer keys flagged by visitors\n"
            "Open an item in the Drill-down and use *Doubt this item's answer key?* to flag "
            "it with a reason; flags are kept append-only for the admin."
        )
        flag_counts = gr.DataFrame(
            interactive=False, max_height=320, wrap=False, elem_id="it-flag-counts"
        )
        admin = admin_enabled()
        if admin:
            with gr.Accordion("Flags with their reasons (admin)", open=False):
                token = gr.Textbox(label="Admin token", type="password")
                list_btn = gr.Button("List the flags", size="sm")
                flag_err = gr.HTML()
                flag_list = gr.DataFrame(interactive=False, wrap=True, elem_id="it-flag-list")

    # Computed when the tab is opened (the store may have changed since).
    tab.select(h.render_items, table, [plot, diff, fail_count, fails, every], **PRIVATE)
    tab.select(h.render_flag_counts, None, flag_counts, **PRIVATE)
    if admin:
        list_btn.click(h.admin_flag_list, token, [flag_err, flag_list], **PRIVATE)
    table.change(h.render_difficulty, table, [plot, diff], **PRIVATE)
    for grid in (fails, every, flag_counts):
        grid.select(h.open_item, drill.models, drill.view_outputs + [tabs], **OPEN)
