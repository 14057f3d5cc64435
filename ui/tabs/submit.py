"""The Submit tab: sign in (on a Space), upload one prediction file, see how it parses before
scoring, say how the predictions were made (optional: harness, prompt, generation settings;
shown in the row's provenance), submit it (the open-ended judge's progress shown while the row
is pending), withdraw one's own model, and, with an admin token configured, list and hide or
show stored submissions (the list, hidden ones included, only after the admin token is
entered)."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from analysis import report
from leaderboard.errors import InputError
from leaderboard.moderation import admin_enabled
from leaderboard.predictions import ACCEPTED_EXTENSIONS, ADVISED_EXTENSIONS
from leaderboard.provenance import DECLARED_FIELDS, THINKING_CHOICES, DeclaredField
from leaderboard.settings import mb
from ui.state import AppState

from ..actions import (
    Refused,
    account_of,
    client_of,
    list_for_admin,
    moderate_submission,
    rejudge_submission,
    submit_file,
    withdraw_model,
)
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


def declared_input(f: DeclaredField) -> gr.components.Component:
    """The form widget of one optional declared field (`provenance.DECLARED_FIELDS`)."""
    elem = f"sub-{f.name.replace('_', '-')}"
    if f.name == "thinking":
        return gr.Radio(
            list(THINKING_CHOICES), value=None, label=f.label, info=f.help, elem_id=elem
        )
    if f.name in ("temperature", "max_tokens"):
        return gr.Number(
            value=None,
            label=f.label,
            info=f.help,
            elem_id=elem,
            precision=0 if f.name == "max_tokens" else None,
        )
    lines = 4 if f.name == "prompt_template" else 1
    return gr.Textbox(
        label=f.label, info=f.help, max_length=f.max_length, lines=lines, elem_id=elem
    )


@dataclass
class SubmitHandlers:
    state: AppState

    def preview(
        self,
        file: str | None,
        request: gr.Request = None,
        profile: gr.OAuthProfile | None = None,
    ) -> str:
        """The parse report of a chosen file, before anything is scored or stored; one
        upload attempt of the visitor's quota (the same quota a submit draws on: keyed by
        the account when there is one, else the address), so it cannot be called without
        limit."""
        if not file:
            return ""
        try:
            account = account_of(self.state, request, profile).name
        except InputError:  # not signed in: the address is the key
            account = None
        try:
            data, name = self.state.pipeline.read_file(file)  # size checked before reading
            summary = self.state.preview(
                data,
                name,
                client=client_of(request, self.state.settings.trust_forwarded, account),
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
        harness: str = "",
        harness_version: str = "",
        prompt_template: str = "",
        temperature: float | None = None,
        max_tokens: float | None = None,
        thinking: str = "",
        request: gr.Request = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio's idiom)
        profile: gr.OAuthProfile | None = None,
    ) -> str:
        """`ui.actions.submit_file` (as /submit) with a progress bar and the outcome as HTML;
        the account is the signed-in user (`profile`, on a Space) or the local user; from
        `harness` on: the optional declared fields (`provenance.DECLARED_FIELDS`)."""
        if not file:
            return report.error_html("Choose a prediction file to upload.")
        try:
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
                profile=profile,
                declared={
                    "harness": harness,
                    "harness_version": harness_version,
                    "prompt_template": prompt_template,
                    "temperature": temperature,
                    "max_tokens": max_tokens,
                    "thinking": thinking,
                },
            )
        except Refused as exc:
            return report.error_html(exc.reason)
        return report.accepted_html(out.message, out.summary or {})

    def do_withdraw(
        self, model: str, request: gr.Request, profile: gr.OAuthProfile | None = None
    ) -> str:
        """`ui.actions.withdraw_model` (as /withdraw) with the outcome as HTML."""
        try:
            return report.notice_html(withdraw_model(self.state, model, request, profile).message)
        except Refused as exc:
            return report.error_html(exc.reason)

    def moderation_choices(self, token: str, request: gr.Request = None) -> tuple[Any, str]:
        """The stored versions (hidden ones included) for the admin, else an empty list
        and why: the list is never sent without the admin token."""
        subs, problem = list_for_admin(self.state, token, request)
        choices = [
            (
                f"{s.meta.model} · v{s.meta.version} · {s.id}" + (" · hidden" if s.hidden else ""),
                s.id,
            )
            for s in subs
        ]
        return gr.Dropdown(choices=choices, value=None), (
            report.error_html(problem) if problem else ""
        )

    def rejudge_failures(self, sub_id: str, token: str, request: gr.Request = None) -> str:
        """`ui.actions.rejudge_submission` (as /rejudge) with the outcome as HTML."""
        try:
            out = rejudge_submission(self.state, sub_id, token, request)
        except Refused as exc:
            return report.error_html(exc.reason)
        return f"<div class='qbp-ok'>{html.escape(out.message)}</div>"

    def moderate(
        self, sub_id: str, token: str, reason: str, hidden: bool, request: gr.Request = None
    ) -> str:
        """`ui.actions.moderate_submission` (as /moderate) with the outcome as HTML."""
        try:
            out = moderate_submission(self.state, sub_id, hidden, token, reason, request)
        except Refused as exc:
            return report.error_html(exc.reason)
        return report.moderated_html(out.submission.meta.model, hidden)

    def hide(self, sub_id: str, token: str, reason: str, request: gr.Request) -> str:
        return self.moderate(sub_id, token, reason, True, request)

    def show(self, sub_id: str, token: str, reason: str, request: gr.Request) -> str:
        return self.moderate(sub_id, token, reason, False, request)

    def moderation_pick(self, token: str, request: gr.Request) -> Any:
        """The admin's list again after a change (the same gate as `moderation_choices`)."""
        return self.moderation_choices(token, request)[0]


def build(state: AppState, after: Sequence[Step]) -> None:
    """`after`: what follows a stored or moderated submission (re-render the board, ...)."""
    h = SubmitHandlers(state)
    limit = mb(state.limits.max_file_bytes)
    with gr.Tab("Submit", id="submit"):
        with gr.Row(elem_id="sub-identity"):
            gr.Markdown(state.identity.describe(), elem_id="sub-who")
            if state.identity.settings.oauth:  # on a Space with hf_oauth: the real sign-in
                gr.LoginButton(elem_id="sub-login")
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
                with gr.Accordion(
                    "How the predictions were made (optional, shown in the row's provenance)",
                    open=False,
                    elem_id="sub-declared",
                ):
                    declared = [declared_input(f) for f in DECLARED_FIELDS]
                button = gr.Button("Submit", variant="primary", elem_id="sub-btn")
            with gr.Column():
                out = gr.HTML(elem_id="sub-report")
        gr.Markdown(f"*{html.escape(state.persistence)}*", elem_id="sub-persistence")
        with gr.Accordion("Withdraw your model", open=False):
            gr.Markdown(
                "Takes every version of a model you own off the board. Nothing is deleted "
                "(a moderation record says who withdrew it) and the name stays yours."
            )
            with gr.Row():
                withdraw_name = gr.Textbox(label="Model name", max_length=80, elem_id="wd-model")
                withdraw_btn = gr.Button("Withdraw", variant="stop", size="sm", elem_id="wd-btn")
            withdraw_out = gr.HTML(elem_id="wd-out")
        moderation = admin_enabled()
        if moderation:
            with gr.Accordion("Moderation (admin)", open=False):
                with gr.Row():
                    token = gr.Textbox(label="Admin token", type="password", elem_id="mod-token")
                    listing = gr.Button("List submissions", size="sm", elem_id="mod-list")
                pick = gr.Dropdown([], label="Submission", elem_id="mod-pick")
                reason = gr.Textbox(label="Reason (kept with the record)")
                with gr.Row():
                    hide = gr.Button("Hide", variant="stop", size="sm")
                    show = gr.Button("Show again", size="sm")
                    rejudge = gr.Button("Re-judge judge failures", size="sm")
                mod_out = gr.HTML(elem_id="mod-out")

    def then_all(dep: Any) -> Any:
        for step in after:
            dep = step(dep)
        return dep

    # At most two previews parse at once (each is bounded by the ingest limits): memory and
    # the interpreter stay available to everyone else while a client pushes hostile files.
    upload.change(h.preview, upload, out, concurrency_limit=2, concurrency_id="preview", **PRIVATE)
    then_all(
        button.click(h.do_submit, [upload, model, params, weights, link, *declared], out, **PRIVATE)
    )
    then_all(withdraw_btn.click(h.do_withdraw, withdraw_name, withdraw_out, **PRIVATE))
    if moderation:
        listing.click(h.moderation_choices, token, [pick, mod_out], **PRIVATE)
        for btn, action in ((hide, h.hide), (show, h.show)):
            done = btn.click(action, [pick, token, reason], mod_out, **PRIVATE)
            then_all(done.then(h.moderation_pick, token, pick, **PRIVATE))
        then_all(rejudge.click(h.rejudge_failures, [pick, token], mod_out, **PRIVATE))
