"""The Submit tab: upload one prediction file, see how it parses before scoring, submit it
(the open-ended judge's progress shown while the row is pending), and, with an admin
token configured, hide or show stored submissions."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from analysis import report
from ui.state import AppState
from leaderboard.predictions import ACCEPTED_EXTENSIONS, ADVISED_EXTENSIONS
from leaderboard.errors import InputError
from leaderboard.moderation import admin_enabled
from leaderboard.settings import mb

from ..actions import client_of, moderate_submission, rejudge_submission, submit_file
from . import PRIVATE, Step

OPEN_CHOICES = [("open weights", "open"), ("closed", "closed"), ("not stated", "")]
#: What the file picker offers: every extension the reader accepts, plus those it answers
#: with advice (a `datasets` Arrow file: export it with to_json or to_parquet).
FILE_TYPES = list(ACCEPTED_EXTENSIONS + ADVISED_EXTENSIONS)


def judge_progress(progress: gr.Progress) -> Callable[[int, int], None]:
    """The judge's progress(done, total) as a Gradio progress bar."""
    progress(0.0, desc="Reading and scoring the file")

    def tick(done: int, total: int) -> None:  # from the judge, as judgements arrive
        progress(
            (done, total),
            unit="answers",
            desc="Judging open-ended answers (pending on the board until done)",
        )

    return tick


@dataclass
class SubmitHandlers:
    state: AppState

    def preview(self, file: str | None, request: gr.Request = None) -> str:
        """The parse report of a chosen file, before anything is scored or stored; one
        upload attempt of the visitor's quota (so it cannot be called without limit)."""
        if not file:
            return ""
        try:
            data, name = self.state.pipeline.read_file(file)  # size checked before reading
            summary = self.state.preview(
                data, name, client=client_of(request, self.state.settings.trust_forwarded)
            )
        except InputError as exc:
            return report.error_html(str(exc))
        return report.summary_html(summary, "Parse report (before scoring)")

    def do_submit(
        self,
        file: str | None,
        model: str,
        params: str,
        open_choice: str,
        link: str,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's idiom)
    ) -> str:
        """`ui.actions.submit_file` (as /submit) with a progress bar and the outcome as HTML."""
        if not file:
            return report.error_html("Choose a prediction file to upload.")
        out = submit_file(
            self.state,
            file,
            Path(file).name,
            model,
            params,
            open_choice,
            link,
            request,
            progress=judge_progress(progress),
        )
        if not out.ok:
            return report.error_html(out.message)
        return report.accepted_html(out.message, out.summary or {})

    def moderation_choices(self) -> gr.Dropdown:
        subs = self.state.store.submissions(include_hidden=True, all_versions=True)
        return gr.Dropdown(
            choices=[
                (
                    f"{s.meta.model} · v{s.meta.version} · {s.id}"
                    + (" · hidden" if s.hidden else ""),
                    s.id,
                )
                for s in reversed(subs)
            ]
        )

    def rejudge_failures(self, sub_id: str, token: str, request: gr.Request = None) -> str:
        """`ui.actions.rejudge_submission` (as /rejudge) with the outcome as HTML."""
        out = rejudge_submission(self.state, sub_id, token, request)
        if not out.ok:
            return report.error_html(out.message)
        return f"<div class='qbp-ok'>{html.escape(out.message)}</div>"

    def moderate(self, sub_id: str, token: str, reason: str, hidden: bool) -> str:
        """`ui.actions.moderate_submission` (as /moderate) with the outcome as HTML."""
        out = moderate_submission(self.state, sub_id, hidden, token, reason)
        if not out.ok or out.submission is None:
            return report.error_html(out.message)
        return report.moderated_html(out.submission.meta.model, hidden)


def build(state: AppState, after: Sequence[Step]) -> None:
    """`after`: what follows a stored or moderated submission (re-render the board, ...)."""
    h = SubmitHandlers(state)
    limit = mb(state.limits.max_file_bytes)
    with gr.Tab("Submit", id="submit"):
        gr.Markdown(
            "Upload one prediction file as your harness wrote it (lmms-eval samples, "
            "VLMEvalKit xlsx/tsv, LLaVA-style JSONL, OpenAI Batch output, or JSONL, JSON, "
            "CSV/TSV, Parquet with an id and the model's raw answer per row; see About; at most "
            f"{limit} MB). It is parsed at once; **Submit** scores it with the "
            "reference scorer and puts it on the board. While the open-ended answers "
            "are judged, the model shows on the leaderboard as *pending* (closed-ended "
            "cells only, unranked). Pending rows are not stored until judged: if "
            "judging is interrupted, submit again; judgements already made are cached, "
            "so the retry is quick.",
            elem_id="sub-intro",
        )
        with gr.Row():
            with gr.Column():
                upload = gr.File(
                    label=f"Prediction file (max {limit} MB)",
                    elem_id="sub-file",
                    file_types=FILE_TYPES,
                )
                model = gr.Textbox(label="Model name", max_length=80, elem_id="sub-model")
                with gr.Row():
                    params = gr.Textbox(
                        label="Parameters (e.g. 7B)", max_length=20, elem_id="sub-params"
                    )
                    weights = gr.Radio(OPEN_CHOICES, value="", label="Weights", elem_id="sub-open")
                link = gr.Textbox(label="Link (http/https)", elem_id="sub-link")
                button = gr.Button("Submit", variant="primary", elem_id="sub-btn")
            with gr.Column():
                out = gr.HTML(elem_id="sub-report")
        gr.Markdown(f"*{html.escape(state.persistence)}*", elem_id="sub-persistence")
        moderation = admin_enabled()
        if moderation:
            with gr.Accordion("Moderation (admin)", open=False) as accordion:
                pick = gr.Dropdown([], label="Submission", elem_id="mod-pick")
                with gr.Row():
                    token = gr.Textbox(label="Admin token", type="password")
                    reason = gr.Textbox(label="Reason (kept with the record)")
                with gr.Row():
                    hide = gr.Button("Hide", variant="stop", size="sm")
                    show = gr.Button("Show again", size="sm")
                    rejudge = gr.Button("Re-judge judge failures", size="sm")
                mod_out = gr.HTML()

    def then_all(dep: Any) -> Any:
        for step in after:
            dep = step(dep)
        return dep

    # At most two previews parse at once (each is bounded by the ingest limits): memory and
    # the interpreter stay available to everyone else while a client pushes hostile files.
    upload.change(h.preview, upload, out, concurrency_limit=2, concurrency_id="preview",
                  **PRIVATE)
    then_all(button.click(h.do_submit, [upload, model, params, weights, link], out, **PRIVATE))
    if moderation:
        for btn, hidden in ((hide, True), (show, False)):
            done = btn.click(
                lambda i, t, r, hid=hidden: h.moderate(i, t, r, hid),
                [pick, token, reason],
                mod_out,
                **PRIVATE,
            )
            then_all(done.then(h.moderation_choices, None, pick, **PRIVATE))
        then_all(rejudge.click(h.rejudge_failures, [pick, token], mod_out, **PRIVATE))
        accordion.expand(h.moderation_choices, None, pick, **PRIVATE)  # current on opening
