"""The About tab: what is measured, the exact scoring rules, formats, CLI, API, citation."""

from __future__ import annotations

import gradio as gr

from analysis.about import about_markdown, judge_label
from ui.state import AppState


def build(state: AppState) -> None:
    bench = state.bench
    info = state.judge.info.as_dict() if state.judge else {"backend": "none"}
    ids = (bench.items["id"].tolist() * 3)[:3]
    with gr.Tab("About", id="about"):
        gr.Markdown(
            about_markdown(len(bench), bench.source, judge_label(info), info["backend"], tuple(ids))
        )
