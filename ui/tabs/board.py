"""The Leaderboard tab: the board in the paper's layout (`ui.board_table`: every table's rows
come with the page; sort, search, filters and table switch run in the browser; intervals and
downloads on request)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from analysis import board
from leaderboard.taxonomy import TABLE_TITLES, TABLES
from ui.state import AppState

from .. import board_table
from . import PRIVATE

TABLE_CHOICES = [(f"{TABLE_TITLES[k]} · {t.title}", k) for k, t in TABLES.items()]


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
class BoardTab:
    """What other tabs use: the board's filters as the browser last sent them (the Charts
    tab follows them), its service (the /leaderboard API reads its cache) and a refresh."""

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
    return BoardTab(component, service, refresh)
