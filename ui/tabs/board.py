"""The Leaderboard tab: the board in the paper's layout (`ui.board_table`: every table's rows
come with the page; sort, search, filters and table switch run in the browser; intervals and
downloads on request), and `BoardHandlers`, the same views rendered on the server as frames
(the benches and the state tests time and check them without a browser)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from analysis import board, board_uncertainty, export
from leaderboard.taxonomy import TABLE_TITLES, TABLES
from ui.state import AppState

from .. import board_table
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
        return gr.Column(visible=True), board_uncertainty.chart(
            view, self.state.intervals(table), cell
        )


@dataclass
class BoardTab:
    """What other tabs use: the board's filters as the browser last sent them (the Charts
    tab follows them), its service (the /leaderboard API reads its cache) and a refresh."""

    handlers: BoardHandlers
    component: board_table.BoardTab
    service: board_table.BoardService
    refresh_fn: Callable[[], Any]

    @property
    def filters(self) -> list[Any]:
        """The row filters, in `filters_of` order."""
        c = self.component
        return [c.kinds, c.search, c.weights, c.sizes]

    def refresh(self, dep: Any) -> Any:
        """After `dep`, send the board's payload again (the store may have changed)."""
        return dep.then(self.refresh_fn, None, self.component.html, **PRIVATE)

    def on_model_click(self, fn: Callable[..., Any], outputs: list[Any]) -> Any:
        """A plain click on a model's name (board_table.js triggers "open_model" with the
        row's name, after putting the page's link in the address bar): `fn(evt, request)`
        returns `outputs` (the Model tab, `model_tab.build`, shows the page)."""
        return self.component.html.open_model(fn, None, outputs, **PRIVATE)


def build(state: AppState, demo: gr.Blocks) -> BoardTab:
    """The Leaderboard tab: the paper-layout board (`ui.board_table`, sorted, searched and
    switched in the browser on data that comes with the page) and its error-bar chart."""
    service = board_table.BoardService(state)
    with gr.Tab("Leaderboard", id="board"):
        component = board_table.build_board(service)
    refresh = board_table.wire_board(demo, component, service)
    return BoardTab(BoardHandlers(state), component, service, refresh)
