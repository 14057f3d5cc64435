"""The Leaderboard tab: the paper's tables over reported and verified rows, filters, a
server-side sort (header click or controls), 95% intervals with an error-bar chart, and
CSV / LaTeX downloads of exactly the rows shown."""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from analysis import board, board_uncertainty, export
from analysis.entries import KINDS
from ui.state import AppState
from leaderboard.taxonomy import TABLE_TITLES, TABLES

from . import PRIVATE

EXPORT_DIR = Path(tempfile.gettempdir()) / "qbp-exports"
TABLE_CHOICES = [(f"{TABLE_TITLES[k]} · {t.title}", k) for k, t in TABLES.items()]


def download_file(text: str, name: str) -> str:
    """Write an export once per content (so a download always matches the view)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = EXPORT_DIR / digest / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return str(path)


def filters_of(
    kinds: list[str] | None, search: str | None, weights: list[str] | None, sizes: list[str] | None
) -> board.Filters:
    """The board's filter widgets as `board.Filters` (an unticked group shows nothing)."""
    return board.Filters(
        kinds=tuple(kinds or ()),
        search=search or "",
        weights=tuple(weights or ()),
        sizes=tuple(sizes or ()),
    )


@dataclass
class BoardHandlers:
    """Widget values -> `AppState.view` and the board's view-models -> widget updates."""

    state: AppState

    def render_board(
        self,
        table: str,
        kinds: list[str],
        search: str,
        weights: list[str],
        sizes: list[str],
        sort_by: str,
        order: str,
        intervals: bool = False,
    ) -> tuple:
        """Grid, caption, notes (intervals, nulls, items per column), CSV and LaTeX files."""
        view = self.state.view(
            table,
            filters_of(kinds, search, weights, sizes),
            sort_by,
            order == "descending",
            intervals=bool(intervals),
        )
        grid = gr.DataFrame(
            value=board.styler(view),
            datatype=board.datatypes(view),
            column_widths=board.column_widths(view),
        )
        info = board.column_info_html(
            table, self.state.loaded_counts, self.state.paper_counts, "loaded"
        ) + board.null_notes_html(view)
        if intervals:
            cell = board_uncertainty.rank_cell(table, sort_by)
            info = (
                board_uncertainty.notes_html(
                    view, self.state.ranks(cell), cell, self.state.resamples, self.state.clustered
                )
                + info
            )
        return (
            grid,
            board.caption(view),
            info,
            download_file(export.to_csv(view), f"qbp_{table}.csv"),
            download_file(export.to_latex(view), f"qbp_{table}.tex"),
        )

    def sort_choices(self, table: str) -> gr.Dropdown:
        return gr.Dropdown(choices=board.sort_keys(table), value=board.OVERALL)

    def header_sort(self, request: str, table: str, sort_by: str, order: str) -> tuple[str, str]:
        """A header click (JSON from HEADER_SORT_JS) -> the new sort key and order."""
        try:
            header = str(json.loads(request or "{}").get("header", ""))
        except (ValueError, AttributeError):
            return sort_by, order
        key, desc = board.next_sort(table, header, sort_by, order == "descending")
        return key, "descending" if desc else "ascending"

    def chart_cells(self, table: str, sort_by: str) -> gr.Dropdown:
        return gr.Dropdown(
            choices=board_uncertainty.chart_cells(table),
            value=board_uncertainty.default_chart_cell(table, sort_by),
        )

    def render_errorbars(
        self,
        table: str,
        kinds: list[str],
        search: str,
        weights: list[str],
        sizes: list[str],
        sort_by: str,
        order: str,
        intervals: bool,
        cell: str | None,
    ) -> tuple:
        """The error-bar chart of one cell over the view's verified rows (shown with the
        intervals only: it costs the same bootstrap)."""
        if not intervals:
            return gr.Column(visible=False), None
        if cell not in TABLES[table].columns:
            cell = board_uncertainty.default_chart_cell(table, sort_by)
        view = self.state.view(
            table, filters_of(kinds, search, weights, sizes), sort_by, order == "descending"
        )
        return gr.Column(visible=True), board_uncertainty.chart(view, self.state.intervals(table), cell)


@dataclass
class BoardTab:
    """What other tabs use: the filters (the Charts tab follows them) and a re-render."""

    handlers: BoardHandlers
    table: gr.Radio
    kinds: gr.CheckboxGroup
    search: gr.Textbox
    weights: gr.CheckboxGroup
    sizes: gr.CheckboxGroup
    inputs: list[Any]
    outputs: list[Any]

    @property
    def filters(self) -> list[Any]:
        """The row filters, in `filters_of` order."""
        return [self.kinds, self.search, self.weights, self.sizes]

    def refresh(self, dep: Any) -> Any:
        """After `dep`, render the board again (the store may have changed)."""
        return dep.then(self.handlers.render_board, self.inputs, self.outputs, **PRIVATE)


def build(state: AppState) -> BoardTab:
    h = BoardHandlers(state)
    with gr.Tab("Leaderboard", id="board"):
        with gr.Row():
            table = gr.Radio(
                TABLE_CHOICES, value="table3", label="Table", elem_id="table-select", scale=3
            )
            kinds = gr.CheckboxGroup(
                list(KINDS), value=list(KINDS), label="Rows", elem_id="kinds", scale=1
            )
            show_ci = gr.Checkbox(
                label="Show 95% intervals",
                value=False,
                elem_id="show-ci",
                scale=1,
                info="verified rows: value ± half-width, rank range and group",
            )
        with gr.Row():
            search = gr.Textbox(
                label="Search model", placeholder="e.g. Qwen", elem_id="search", scale=2
            )
            weights = gr.CheckboxGroup(
                list(board.WEIGHT_CHOICES),
                value=list(board.WEIGHT_CHOICES),
                label="Weights",
                scale=2,
            )
            sizes = gr.CheckboxGroup(
                list(board.SIZE_CHOICES),
                value=list(board.SIZE_CHOICES),
                label="Model size",
                scale=3,
            )
            sort_by = gr.Dropdown(
                board.sort_keys("table3"),
                value=board.OVERALL,
                label="Sort by",
                scale=2,
                min_width=190,
            )
            order = gr.Radio(
                ["descending", "ascending"], value="descending", label="Order", scale=1
            )
        caption = gr.Markdown()
        sort_request = gr.Textbox(visible="hidden", elem_id="sort-request")
        grid = gr.DataFrame(
            interactive=False,
            max_height=640,
            pinned_columns=2,
            wrap=False,
            buttons=["fullscreen", "copy"],
            elem_id="leaderboard",
        )
        with gr.Row():
            csv_btn = gr.DownloadButton("Download CSV", size="sm", elem_id="dl-csv")
            tex_btn = gr.DownloadButton("Download LaTeX", size="sm", elem_id="dl-tex")
        info = gr.HTML(elem_id="board-info")
        with gr.Column(visible=False, elem_id="ci-chart-box") as ci_box:
            with gr.Row(equal_height=True):
                ci_cell = gr.Dropdown(
                    board_uncertainty.chart_cells("table3"),
                    value=board.OVERALL,
                    label="Error bars for",
                    elem_id="ci-cell",
                    scale=1,
                    min_width=220,
                )
                gr.Markdown(
                    "Bars: the column's value; whiskers: its 95% interval. Verified rows of "
                    f"the current view, at most {board_uncertainty.CHART_MODELS}. Reported rows "
                    "have no per-item data, so no interval.",
                    elem_classes="qbp-notes",
                    scale=3,
                )
            ci_plot = gr.Plot(show_label=False, elem_id="ci-chart")

    inputs = [table, kinds, search, weights, sizes, sort_by, order, show_ci]
    outputs = [grid, caption, info, csv_btn, tex_btn]
    chart_inputs, chart_outputs = inputs + [ci_cell], [ci_box, ci_plot]

    def errorbars(dep: Any, **kw: Any) -> Any:
        return dep.then(h.render_errorbars, chart_inputs, chart_outputs, **kw, **PRIVATE)

    errorbars(
        table.change(h.sort_choices, table, sort_by, **PRIVATE)
        .then(h.render_board, inputs, outputs, **PRIVATE)
        .then(h.chart_cells, [table, sort_by], ci_cell, **PRIVATE)
    )
    for comp in (kinds, weights, sizes, show_ci):
        errorbars(comp.change(h.render_board, inputs, outputs, **PRIVATE))
    for comp in (order, sort_by):  # user changes only: header clicks set both at once
        comp.input(h.render_board, inputs, outputs, **PRIVATE)
    sort_request.change(
        h.header_sort,
        [sort_request, table, sort_by, order],
        [sort_by, order],
        show_progress="hidden",
        **PRIVATE,
    ).then(h.render_board, inputs, outputs, **PRIVATE)
    errorbars(
        search.change(
            h.render_board,
            inputs,
            outputs,
            trigger_mode="always_last",
            show_progress="hidden",
            **PRIVATE,
        ),
        show_progress="hidden",
    )
    ci_cell.input(h.render_errorbars, chart_inputs, chart_outputs, **PRIVATE)
    return BoardTab(h, table, kinds, search, weights, sizes, inputs, outputs)
