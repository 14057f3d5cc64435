"""The Charts tab over the rows the leaderboard's filters show: Overall of every model (the
paper's radar for a few, sorted bars for many), Overall against model size, and Figure 4(b)'s
radar of chosen models by category."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from analysis import charts
from ui.state import AppState

from . import PRIVATE
from .board import BoardTab, filters_of

#: CSS class of chart (a)'s bars while the radar shows it: bars on a phone only, where a
#: radar's labels have no room (ui/theme.py hides the radar there).
PHONE_ONLY = "qbp-phone-only"


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
        """Chart (a) as a radar (few models; hidden on a phone) and as bars (many models,
        or a phone), its summary, the size scatter and its note, and chart (b)'s model
        choices (kept to the shown models)."""
        view = self.state.view("table3", filters_of(kinds, search, weights, sizes))
        bars, summary = charts.overall_bars(view.entries)
        shown = [e for e in view.entries if not (e.is_baseline or e.is_pending)]
        few = charts.radar_fits(view.entries)
        radar = gr.Plot(charts.overall_radar(view.entries)[0] if few else None, visible=few)
        bars_plot = gr.Plot(bars, elem_classes=[PHONE_ONLY] if few else [])
        scatter, note = charts.size_scatter(view.entries)
        names = charts.display_names(shown)
        listed = set(names)
        keep = [n for n in dict.fromkeys(chosen or []) if n in listed]
        return radar, bars_plot, summary, scatter, note, gr.Dropdown(choices=names, value=keep)

    def first_charts(
        self, kinds: list[str], search: str, weights: list[str], sizes: list[str]
    ) -> tuple:
        """The page load's charts in one step: `render_overall` with chart (b)'s models set
        to a representative choice (one response, so no later step can undo a choice)."""
        view = self.state.view("table3", filters_of(kinds, search, weights, sizes))
        return self.render_overall(
            kinds, search, weights, sizes, charts.representative(view.entries)
        )

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
    overall: list[Any]  # chart (a) radar and bars, summary, the scatter, its note, (b)'s choices

    def refresh(self, dep: Any) -> Any:
        """After `dep`, redraw chart (a), keeping the models chosen for chart (b)."""
        return dep.then(
            self.handlers.render_overall, self.filters + [self.chosen], self.overall, **PRIVATE
        )

    def load(self, dep: Any) -> Any:
        """After `dep` (page load), chart (a), the scatter, and a representative choice for
        chart (b) (whose .change draws it)."""
        return dep.then(self.handlers.first_charts, self.filters, self.overall, **PRIVATE)


def build(state: AppState, board: BoardTab) -> ChartsTab:
    h = ChartHandlers(state)
    with gr.Tab("Charts", id="charts"):
        gr.Markdown(
            "Over the rows the leaderboard's filters show. (a) is a radar like the paper's "
            f"Figure 4 for up to {charts.RADAR_MAX} models and a sorted bar chart for more; "
            "(b) compares chosen models by category."
        )
        # Two columns that stack on a phone: a radar is square, so half the page is its
        # natural width.
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=340):
                overall_plot = gr.Plot(label="Overall", elem_id="radar-a")
                bars_plot = gr.Plot(label="Overall", elem_id="bars-a")
                overall_sum = gr.Textbox(
                    label="Summary", interactive=False, lines=2, elem_id="radar-a-summary"
                )
            with gr.Column(scale=1, min_width=340):
                size_plot = gr.Plot(label="Accuracy vs size", elem_id="size-scatter")
                size_note = gr.Textbox(
                    label="Note", interactive=False, lines=2, elem_id="size-note"
                )
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=340):
                # Custom values allowed: a filter change during the page load may narrow the
                # choices before the load's own choice arrives; unknown names are not drawn.
                chosen = gr.Dropdown(
                    [],
                    multiselect=True,
                    label="Models to compare",
                    elem_id="radar-models",
                    allow_custom_value=True,
                )
                groups = gr.CheckboxGroup(
                    [(g.label, k) for k, g in charts.CATEGORY_GROUPS.items()],
                    value=list(charts.DEFAULT_GROUPS),
                    label="Categories",
                )
                cat_sum = gr.Textbox(
                    label="Summary", interactive=False, lines=3, elem_id="radar-b-summary"
                )
            with gr.Column(scale=1, min_width=340):
                cat_plot = gr.Plot(label="By category", elem_id="radar-b")

    filters = board.filters
    overall = [overall_plot, bars_plot, overall_sum, size_plot, size_note, chosen]
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
