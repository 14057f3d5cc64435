"""The Charts tab: Figure 4's radars over the rows the leaderboard's filters show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from analysis import charts
from ui.state import AppState

from . import PRIVATE
from .board import BoardTab, filters_of


@dataclass
class ChartHandlers:
    state: AppState

    def render_overall(
        self,
        kinds: list[str],
        search: str,
        weights: list[str],
        sizes: list[str],
        chosen: list[str] | None = None,
    ) -> tuple:
        """Chart (a), its summary, and chart (b)'s model choices (kept to shown models)."""
        view = self.state.view("table3", filters_of(kinds, search, weights, sizes))
        fig, summary = charts.overall_radar(view.entries)
        names = charts.display_names(
            [e for e in view.entries if not (e.is_baseline or e.is_pending)]
        )
        shown = set(names)
        keep = [n for n in dict.fromkeys(chosen or []) if n in shown]
        return fig, summary, gr.Dropdown(choices=names, value=keep)

    def representative(
        self, kinds: list[str], search: str, weights: list[str], sizes: list[str]
    ) -> gr.Dropdown:
        view = self.state.view("table3", filters_of(kinds, search, weights, sizes))
        return gr.Dropdown(value=charts.representative(view.entries))

    def render_categories(
        self,
        kinds: list[str],
        search: str,
        weights: list[str],
        sizes: list[str],
        chosen: list[str],
        groups: list[str],
    ) -> tuple:
        view = self.state.view("table3", filters_of(kinds, search, weights, sizes))
        return charts.category_radar(view.entries, chosen or [], groups or [])


@dataclass
class ChartsTab:
    handlers: ChartHandlers
    filters: list[Any]
    chosen: gr.Dropdown
    overall: list[Any]  # chart (a), its summary, chart (b)'s model choices

    def refresh(self, dep: Any) -> Any:
        """After `dep`, redraw chart (a), keeping the models chosen for chart (b)."""
        return dep.then(
            self.handlers.render_overall, self.filters + [self.chosen], self.overall, **PRIVATE
        )

    def load(self, dep: Any) -> Any:
        """After `dep` (page load), chart (a) and a representative choice for chart (b)."""
        return dep.then(self.handlers.render_overall, self.filters, self.overall, **PRIVATE).then(
            self.handlers.representative, self.filters, self.chosen, **PRIVATE
        )


def build(state: AppState, board: BoardTab) -> ChartsTab:
    h = ChartHandlers(state)
    with gr.Tab("Charts", id="charts"):
        gr.Markdown(
            "Radar charts like the paper's Figure 4, over the rows the leaderboard's filters show."
        )
        with gr.Row():
            overall_plot = gr.Plot(label="Overall", scale=3, elem_id="radar-a")
            overall_sum = gr.Textbox(
                label="Summary", interactive=False, scale=1, lines=4, elem_id="radar-a-summary"
            )
        with gr.Row():
            chosen = gr.Dropdown(
                [], multiselect=True, label="Models to compare", scale=3, elem_id="radar-models"
            )
            groups = gr.CheckboxGroup(
                [(g.label, k) for k, g in charts.CATEGORY_GROUPS.items()],
                value=list(charts.DEFAULT_GROUPS),
                label="Categories",
                scale=3,
            )
        with gr.Row():
            cat_plot = gr.Plot(label="By category", scale=3, elem_id="radar-b")
            cat_sum = gr.Textbox(
                label="Summary", interactive=False, scale=1, lines=4, elem_id="radar-b-summary"
            )

    filters = board.filters
    overall = [overall_plot, overall_sum, chosen]
    for comp in filters:
        comp.change(
            h.render_overall, filters + [chosen], overall, show_progress="hidden", **PRIVATE
        )
    for comp in (chosen, groups):
        comp.change(
            h.render_categories,
            filters + [chosen, groups],
            [cat_plot, cat_sum],
            show_progress="hidden",
            **PRIVATE,
        )
    return ChartsTab(h, filters, chosen, overall)
