"""The Compare tab: two verified models on the same items (paired differences per
category, McNemar's exact test, the items they score differently); an item opens in the
Drill-down tab with both models chosen."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pandas as pd

from analysis import compare_views
from analysis.compare import Comparison
from analysis.links import ItemQuery
from ui.state import AppState

from . import OPEN, PRIVATE, VIEW
from .board import TABLE_CHOICES
from .drilldown import VIEW_OUTPUTS, DrillHandlers, DrillTab, selected_id


@dataclass
class CompareHandlers:
    state: AppState
    drill: DrillHandlers | None = None  # opens an item in the Drill-down tab

    def compare_choices(self, a: str | None, b: str | None) -> tuple:
        """Both dropdowns over the verified models; kept choices stay, else the top two."""
        names = self.state.score_matrix()[0]
        a = a if a in names else (names[0] if names else None)
        b = b if b in names else next((n for n in names if n != a), None)
        return gr.Dropdown(choices=names, value=a), gr.Dropdown(choices=names, value=b)

    def render_compare(self, a: str | None, b: str | None, table: str) -> tuple:
        """Summary, delta chart, per-category table, McNemar line, discordant items."""
        try:
            cmp = self._comparison(a, b)
        except ValueError as exc:
            empty = pd.DataFrame()
            return compare_views.problem_markdown(str(exc)), None, empty, "", empty
        fig, cells = self.render_delta(a, b, table)
        items = gr.DataFrame(
            value=compare_views.discordant_frame(cmp), datatype=compare_views.DISCORDANT_TYPES
        )
        return (
            compare_views.summary_markdown(cmp),
            fig,
            cells,
            compare_views.mcnemar_markdown(cmp),
            items,
        )

    def render_delta(self, a: str | None, b: str | None, table: str) -> tuple:
        """The delta chart and per-category table of one table (empty without a pair)."""
        try:
            cmp = self._comparison(a, b)
        except ValueError:
            return None, pd.DataFrame()
        cells = gr.DataFrame(
            value=compare_views.cells_styler(cmp, table), datatype=compare_views.CELL_TYPES
        )
        return compare_views.delta_chart(cmp, table), cells

    def open_discordant(
        self, evt: gr.SelectData, a: str, b: str, request: gr.Request = None
    ) -> tuple:
        """A selected discordant item: the Drill-down tab with that item and both models,
        the whole view in this one response (`DrillTab.view_outputs`, then the tabs)."""
        item_id = selected_id(evt)
        if not item_id or self.drill is None:
            return tuple(gr.skip() for _ in range(VIEW_OUTPUTS + 1))
        models = [m for m in dict.fromkeys([a, b]) if m]
        view = self.drill.open_view(ItemQuery(item_id, models), request)
        return (*view, gr.Tabs(selected="drill"))

    def _comparison(self, a: str | None, b: str | None) -> Comparison:
        if not a or not b:
            raise ValueError(compare_views.CHOOSE_TWO)
        return self.state.compare(a, b)


def build(state: AppState, drill: DrillTab, tabs: gr.Tabs) -> None:
    h = CompareHandlers(state, drill.handlers)
    with gr.Tab("Compare", id="compare") as tab:
        gr.Markdown(
            "Two verified models on the same items: the difference per category with "
            "a paired 95% interval, McNemar's exact test, and the items one gets right "
            "and the other wrong. Reported (paper) rows have no per-item data, so only "
            "verified models are offered."
        )
        with gr.Row():
            a = gr.Dropdown([], label="Model A", elem_id="cmp-a", scale=2)
            b = gr.Dropdown([], label="Model B", elem_id="cmp-b", scale=2)
            table = gr.Radio(
                TABLE_CHOICES, value="table3", label="Table", elem_id="cmp-table", scale=4
            )
        summary = gr.Markdown(elem_id="cmp-summary")
        with gr.Row():
            plot = gr.Plot(show_label=False, elem_id="cmp-delta", scale=1)
            cells = gr.DataFrame(
                interactive=False, elem_id="cmp-cells", scale=1, wrap=False, max_height=640
            )
        mcnemar = gr.Markdown(elem_id="cmp-mcnemar")
        items = gr.DataFrame(
            interactive=False,
            max_height=480,
            wrap=False,
            elem_id="cmp-items",
            column_widths=["110px", "62px", "380px", "90px", "90px", "70px"],
        )

    # Computed when the tab is opened (the store may have changed since).
    inputs, outputs = [a, b, table], [summary, plot, cells, mcnemar, items]
    tab.select(h.compare_choices, [a, b], [a, b], **PRIVATE).then(
        h.render_compare, inputs, outputs, **PRIVATE
    )
    for comp in (a, b):
        comp.input(h.render_compare, inputs, outputs, **VIEW)
    table.change(h.render_delta, inputs, [plot, cells], **PRIVATE)
    items.select(h.open_discordant, [a, b], drill.view_outputs + [tabs], **OPEN)
