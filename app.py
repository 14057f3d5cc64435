"""Q-Bench-Portrait Space: leaderboard, Figure 4 radars, per-item drill-down, submission.

`python app.py` serves the bundled demo offline; on Hugging Face Spaces the same file reads
its settings from the environment (QBP_BENCHMARK, QBP_SUBMISSIONS_DIR, QBP_JUDGE, ...).
This file only composes the page: each tab lives in `ui/tabs/`, the public API in
`ui/api.py`, the look in `ui/theme.py`; views, scoring and storage in `analysis/` and
`leaderboard/`.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
from gradio.utils import get_upload_folder  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from analysis.about import header_markdown, judge_label  # noqa: E402
from leaderboard.settings import AppSettings  # noqa: E402
from ui import api, files, progress  # noqa: E402
from ui.board_table import CSS as BOARD_CSS  # noqa: E402
from ui.request_guard import RequestGuard  # noqa: E402
from ui.state import AppState  # noqa: E402
from ui.tabs import about as about_tab  # noqa: E402
from ui.tabs import board as board_tab  # noqa: E402
from ui.tabs import changes as changes_tab  # noqa: E402
from ui.tabs import charts as charts_tab  # noqa: E402
from ui.tabs import compare as compare_tab  # noqa: E402
from ui.tabs import drilldown as drill_tab  # noqa: E402
from ui.tabs import items as items_tab  # noqa: E402
from ui.tabs import model as model_tab  # noqa: E402
from ui.tabs import row_details as row_tab  # noqa: E402
from ui.tabs import submit as submit_tab  # noqa: E402
from ui.theme import CSS, theme  # noqa: E402


class Handlers(
    charts_tab.ChartHandlers,
    drill_tab.DrillHandlers,
    row_tab.RowHandlers,
    compare_tab.CompareHandlers,
    items_tab.ItemHandlers,
    changes_tab.ChangesHandlers,
    submit_tab.SubmitHandlers,
    api.Api,
):
    """Every tab's handlers and the API on one object over an AppState, for the benches and
    tests that drive the app without a browser (`Handlers(state).render_compare(...)`); the
    board's own server side is `ui.board_table.BoardService`."""

    @property
    def drill(self) -> Handlers:
        """The tabs that open the drill-down reach it here: this same object."""
        return self


def build(state: AppState) -> gr.Blocks:
    """The Blocks app over a started AppState: the tabs in page order, then the page load."""
    bench = state.bench
    judge = judge_label(state.judge.info.as_dict() if state.judge else None)
    # Gradio deletes uploads (and files it copied for handlers) older than the setting.
    with gr.Blocks(
        title=state.settings.title,
        fill_width=True,
        delete_cache=state.server_limits.delete_cache,
    ) as demo:
        gr.Markdown(
            header_markdown(state.settings.title, bench.source, len(bench), bench.hash, judge)
        )
        with gr.Tabs() as tabs:
            board = board_tab.build(state, demo)
            charts = charts_tab.build(state, board)
            drill = drill_tab.build(state)
            model = model_tab.build(state, drill, tabs, board)
            rows = row_tab.build(state, drill, tabs)
            compare_tab.build(state, drill, tabs)
            items_tab.build(state, drill, tabs)
            changes_tab.build(state, drill, tabs)
            submit_tab.build(
                state, after=[board.refresh, charts.refresh, drill.refresh, model.refresh]
            )
            about_tab.build(state)
        # Page load: the URL's view first (a drill-down link's whole view in one response),
        # then the board and the charts; a ?model= page in its own event, alongside.
        charts.load(board.refresh(drill.on_load(demo, tabs)))
        model.on_load(demo, tabs)
        rows.on_load(demo)  # ?row=<submission id or model>: that row's details
        rows.open(model.details.click, model.picker)  # the model page's "Row details"
        api.register(state, leaderboard=board.service.api_rows)
        progress.narrow(demo)  # before the config is written (ui/progress.py)
    return demo


def launch_kwargs(state: AppState) -> dict[str, Any]:
    """What launch() needs besides host and port (shared with the tests and the bench).

    Files: only the served-images folder is allowed; the bundle, the Hub cache, the store,
    the judge cache, the source and the working directory are blocked (`ui.files`)."""
    allowed, blocked = files.launch_paths(
        state.private_folders(),
        served=[state.images.folder],
        keep=[get_upload_folder()],
    )
    return {
        "theme": theme(),
        "css": CSS + BOARD_CSS,
        "ssr_mode": False,
        "allowed_paths": allowed,
        "blocked_paths": blocked,
        "footer_links": ["api", "settings"],
        # Gradio refuses bigger uploads before they reach a handler (HTTP 413); the
        # store checks the same limit again for callers that bypass the upload route.
        "max_file_size": state.limits.max_file_bytes,
        # Before Gradio reads a byte: the upload quota per client, a cap on other bodies.
        "app_kwargs": {
            "middleware": [
                Middleware(
                    RequestGuard,
                    server=state.server_limits,
                    limits=state.limits,
                    trust_forwarded=state.settings.trust_forwarded,
                )
            ]
        },
    }


def main() -> None:
    state = AppState.start(AppSettings.from_env())
    demo = build(state)
    demo.queue(default_concurrency_limit=4).launch(**launch_kwargs(state))


if __name__ == "__main__":
    main()
