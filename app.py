"""Q-Bench-Portrait Space: leaderboard, Figure 4 radars, per-item drill-down, submission.

`python app.py` serves the bundled demo offline; on Hugging Face Spaces the same file reads
its settings from the environment (QBP_BENCHMARK, QBP_SUBMISSIONS_DIR, QBP_JUDGE, ...).
This file only wires the UI: views, scoring and storage live in `analysis/` and
`leaderboard/`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402
from gradio.data_classes import FileData  # noqa: E402

from analysis import board, board_stats, charts, drilldown, report, stats_views  # noqa: E402
from analysis.compare import delta_figure  # noqa: E402
from analysis.items import (difficulty_by_category, difficulty_figure,  # noqa: E402
                            item_analysis, unanimous_failures)
from analysis.about import about_markdown  # noqa: E402
from analysis.state import AppState  # noqa: E402
from leaderboard.errors import InputError  # noqa: E402
from leaderboard.limits import client_key  # noqa: E402
from leaderboard.moderation import admin_enabled, moderate  # noqa: E402
from leaderboard.safe_text import md_escape  # noqa: E402
from leaderboard.settings import AppSettings, mb  # noqa: E402
from leaderboard.taxonomy import FIELD_VALUES, LABELS, TABLE_TITLES, TABLES  # noqa: E402
from ui import board_table  # noqa: E402

PRIVATE = {"api_visibility": "private"}  # UI events stay off the public API
EXPORT_DIR = Path(tempfile.gettempdir()) / "qbp-exports"
TABLE_CHOICES = [(f"{TABLE_TITLES[k]} · {t.title}", k) for k, t in TABLES.items()]
OPEN_CHOICES = [("open weights", "open"), ("closed", "closed"), ("not stated", "")]

# A click on a leaderboard column header asks the server to sort by that column (server-side,
# so rank, marks and downloads follow). Capture phase: the grid stops the click's propagation.
HEADER_SORT_JS = """() => {
  document.addEventListener('click', (ev) => {
    const th = ev.target.closest('#leaderboard th[data-heading]');
    if (!th || ev.target.closest('button')) return;
    const box = document.querySelector('#sort-request textarea, #sort-request input');
    if (!box) return;
    const label = (th.getAttribute('title') || th.innerText || '').trim();
    box.value = JSON.stringify({header: label, t: Date.now()});
    box.dispatchEvent(new Event('input', {bubbles: true}));
  }, true);
}"""

CSS = """
#leaderboard [role=gridcell], #leaderboard th, #dd-list [role=gridcell], #dd-list th,
:is(#cmp-cells, #cmp-items, #it-difficulty-table, #it-failures, #it-analysis)
  :is([role=gridcell], th) {
  font-family: var(--font); font-size: 0.86rem; font-variant-numeric: tabular-nums; }
#ci-notes { margin-bottom: 6px; }
.qbp-notes, .qbp-colinfo { font-size: 0.85em; opacity: 0.9; }
.qbp-n { opacity: 0.65; font-size: 0.9em; }
.qbp-item pre.qbp-raw, .qbp-error pre { white-space: pre-wrap; word-break: break-word;
  background: var(--background-fill-secondary); padding: 6px 8px; border-radius: 6px;
  margin: 4px 0 0 0; font-size: 0.9em; }
.qbp-question { font-size: 1.1em; font-weight: 600; margin: 6px 0; }
.qbp-meta { opacity: 0.75; font-size: 0.85em; }
.qbp-options { list-style: none; padding-left: 0.4em; }
.qbp-options li.gold { font-weight: 600; }
.qbp-gold { color: #16a34a; font-size: 0.85em; margin-left: 6px; }
.qbp-model { border-top: 1px solid var(--border-color-primary); padding: 8px 0; }
.qbp-status, .qbp-score { padding: 1px 6px; border-radius: 8px; font-size: 0.8em;
  border: 1px solid currentColor; }
.qbp-status.ok, .qbp-score.ok { color: #16a34a; }
.qbp-status.bad, .qbp-score.bad { color: #dc2626; }
.qbp-status.warn, .qbp-score.warn, .qbp-score.part { color: #d97706; }
.qbp-error { color: #dc2626; }
/* Radar labels, legend and titles: more contrast than plotly's one grey gives on either
   theme; hover labels keep plotly's own contrasting colours. */
.js-plotly-plot .main-svg :is(.polarlayer, .legend, .infolayer) text {
  fill: #374151 !important; }
.dark .js-plotly-plot .main-svg :is(.polarlayer, .legend, .infolayer) text {
  fill: #d1d5db !important; }
"""


def theme() -> gr.themes.Base:
    """System fonts only: the page must not need the network."""
    fonts = ["ui-sans-serif", "system-ui", "Segoe UI", "Helvetica", "Arial", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
    return gr.themes.Soft(font=fonts, font_mono=mono)


def _export(text: str, name: str) -> str:
    """Write an export once per content (so a download always matches the view)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = EXPORT_DIR / digest / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return str(path)


def _filters(kinds, search, weights, sizes) -> board.Filters:
    return board.Filters(kinds=tuple(kinds or ()), search=search or "",
                         weights=tuple(weights or ()), sizes=tuple(sizes or ()))


def _open_value(text: str | bool | None) -> bool | None:
    if isinstance(text, bool) or text is None:
        return text
    t = str(text).strip().lower()
    if t in ("open", "true", "yes", "open weights"):
        return True
    if t in ("closed", "false", "no"):
        return False
    return None


class Handlers:
    """What the UI's events call: thin adapters from widget values to `analysis` and
    `AppState`, returning widget updates. Module-level so benches can time them."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    # ------------------------------------------------------------------ leaderboard
    def render_board(self, table: str, kinds: list[str], search: str, weights: list[str],
                     sizes: list[str], sort_by: str, order: str,
                     intervals: bool = False) -> tuple:
        view = self.state.view(table, _filters(kinds, search, weights, sizes), sort_by,
                               order == "descending", intervals=bool(intervals))
        grid = gr.DataFrame(value=board.styler(view), datatype=board.datatypes(view),
                            column_widths=board.column_widths(view))
        info = (board.column_info_html(table, self.state.loaded_counts,
                                       self.state.paper_counts, "loaded")
                + board.null_notes_html(view))
        if intervals:
            cell = board_stats.rank_cell(table, sort_by)
            info = board_stats.notes_html(view, self.state.ranks(cell), cell,
                                          self.state.resamples, self.state.clustered) + info
        return (grid, board.caption(view), info,
                _export(board.to_csv(view), f"qbp_{table}.csv"),
                _export(board.to_latex(view), f"qbp_{table}.tex"))

    def sort_choices(self, table: str) -> gr.Dropdown:
        return gr.Dropdown(choices=board.sort_keys(table), value=board.OVERALL)

    def header_sort(self, request: str, table: str, sort_by: str,
                    order: str) -> tuple[str, str]:
        """A header click (JSON from HEADER_SORT_JS) -> the new sort key and order."""
        try:
            header = str(json.loads(request or "{}").get("header", ""))
        except (ValueError, AttributeError):
            return sort_by, order
        key, desc = board.next_sort(table, header, sort_by, order == "descending")
        return key, "descending" if desc else "ascending"

    def chart_cells(self, table: str, sort_by: str) -> gr.Dropdown:
        return gr.Dropdown(choices=board_stats.chart_cells(table),
                           value=board_stats.default_chart_cell(table, sort_by))

    def render_errorbars(self, table: str, kinds: list[str], search: str, weights: list[str],
                         sizes: list[str], sort_by: str, order: str, intervals: bool,
                         cell: str | None) -> tuple:
        """The error-bar chart of one cell over the view's verified rows (shown with the
        intervals only: it costs the same bootstrap)."""
        if not intervals:
            return gr.Column(visible=False), None
        if cell not in TABLES[table].columns:
            cell = board_stats.default_chart_cell(table, sort_by)
        view = self.state.view(table, _filters(kinds, search, weights, sizes), sort_by,
                               order == "descending")
        return gr.Column(visible=True), board_stats.chart(view, self.state.intervals(table),
                                                          cell)

    # ------------------------------------------------------------------ compare
    def compare_choices(self, a: str | None, b: str | None) -> tuple:
        """Both dropdowns over the verified models; kept choices stay, else the top two."""
        names = self.state.score_matrix()[0]
        a = a if a in names else (names[0] if names else None)
        b = b if b in names else next((n for n in names if n != a), None)
        return gr.Dropdown(choices=names, value=a), gr.Dropdown(choices=names, value=b)

    def _comparison(self, a: str | None, b: str | None):
        if not a or not b:
            raise ValueError("Choose two verified models (A and B) to compare.")
        return self.state.compare(a, b)

    def render_compare(self, a: str | None, b: str | None, table: str) -> tuple:
        """Summary, delta chart, per-category table, McNemar line, discordant items."""
        try:
            cmp = self._comparison(a, b)
        except ValueError as exc:
            empty = pd.DataFrame()
            return (f"*{md_escape(str(exc))}*", None, empty, "", empty)
        fig, cells = self.render_delta(a, b, table)
        items = gr.DataFrame(value=stats_views.discordant_frame(cmp),
                             datatype=stats_views.DISCORDANT_TYPES)
        return (stats_views.summary_markdown(cmp), fig, cells,
                stats_views.mcnemar_markdown(cmp), items)

    def render_delta(self, a: str | None, b: str | None, table: str) -> tuple:
        try:
            cmp = self._comparison(a, b)
        except ValueError:
            return None, pd.DataFrame()
        safe = dataclasses.replace(cmp, a=charts.plotly_text(cmp.a),
                                   b=charts.plotly_text(cmp.b))
        frame = stats_views.cells_frame(cmp, table)
        cells = gr.DataFrame(value=frame.style.format(
            {"A": "{:.2f}", "B": "{:.2f}", "A − B": "{:+.2f}"}, na_rep="-").hide(axis="index"),
            datatype=stats_views.CELL_TYPES)
        return delta_figure(safe, table), cells

    def open_discordant(self, evt: gr.SelectData, a: str, b: str) -> tuple:
        """A selected discordant item: the Drill-down tab with that item and both models."""
        item_id = _row_id(evt)
        if not item_id:
            return gr.Dropdown(), gr.Textbox(), gr.Tabs()
        models = [m for m in dict.fromkeys([a, b]) if m]
        return gr.Dropdown(value=models), item_id, gr.Tabs(selected="drill")

    def open_item(self, evt: gr.SelectData) -> tuple:
        """A selected item of the Items tab: the Drill-down tab with the models chosen there."""
        item_id = _row_id(evt)
        if not item_id:
            return gr.Textbox(), gr.Tabs()
        return item_id, gr.Tabs(selected="drill")

    # ------------------------------------------------------------------ items
    def render_items(self, table: str) -> tuple:
        """Difficulty chart and table, unanimous failures, and the per-item table."""
        names, scores = self.state.score_matrix()
        fig, diff = self.render_difficulty(table)
        fails = unanimous_failures(names, scores, self.state.bench)
        count = (f"**{len(fails)}** items every counted verified model scores 0 on "
                 f"({len(names)} verified models; an item is listed when at least 2 were "
                 "scored on it). Select one to open it in the Drill-down tab."
                 if len(names) >= 2 else
                 "At least two verified models are needed to list items everyone fails.")
        fail_grid = gr.DataFrame(value=stats_views.failures_frame(fails),
                                 datatype=stats_views.FAILURE_TYPES)
        every = gr.DataFrame(value=stats_views.analysis_frame(
            item_analysis(names, scores, self.state.bench)),
            datatype=stats_views.ANALYSIS_TYPES)
        return fig, diff, count, fail_grid, every

    def render_difficulty(self, table: str) -> tuple:
        names, scores = self.state.score_matrix()
        diff = difficulty_by_category(names, scores, self.state.bench, table)
        grid = gr.DataFrame(value=stats_views.difficulty_frame(diff, table).style.format(
            {"Right (%)": "{:.1f}"}, na_rep="-").hide(axis="index"),
            datatype=stats_views.DIFFICULTY_TYPES)
        return difficulty_figure(diff, table), grid

    # ------------------------------------------------------------------ charts
    def render_overall(self, kinds: list[str], search: str, weights: list[str],
                       sizes: list[str], chosen: list[str] | None = None) -> tuple:
        """Chart (a), its summary, and chart (b)'s model choices (kept to shown models)."""
        view = self.state.view("table3", _filters(kinds, search, weights, sizes))
        fig, summary = charts.overall_radar(view.entries)
        names = charts.display_names([e for e in view.entries
                                      if not (e.is_baseline or e.is_pending)])
        keep = [n for n in (chosen or []) if n in names]
        return fig, summary, gr.Dropdown(choices=names, value=keep)

    def representative(self, kinds: list[str], search: str, weights: list[str],
                       sizes: list[str]) -> gr.Dropdown:
        view = self.state.view("table3", _filters(kinds, search, weights, sizes))
        return gr.Dropdown(value=charts.representative(view.entries))

    def render_categories(self, kinds: list[str], search: str, weights: list[str],
                          sizes: list[str], chosen: list[str], groups: list[str]) -> tuple:
        view = self.state.view("table3", _filters(kinds, search, weights, sizes))
        return charts.category_radar(view.entries, chosen or [], groups or [])

    # ------------------------------------------------------------------ drill-down
    def model_choices(self) -> gr.Dropdown:
        return gr.Dropdown(choices=self.state.verified_models())

    def list_items(self, models: list[str], src: str, dim: str, sub: str, qtype: str,
                   scope: str, outcome: str) -> tuple:
        frames = self.state.model_frames(models or [])
        filt = drilldown.ItemFilters(src or None, dim or None, sub or None, qtype or None,
                                     scope or None, outcome or "all")
        frame = drilldown.item_list(self.state.bench, frames, filt)
        who = ", ".join(frames) or "no model chosen"
        count = (f"**{len(frame)}** of {len(self.state.bench)} items match · models: "
                 f"{html.escape(who)}")
        return frame, count, frame["ID"].tolist()

    def show_item(self, item_id: str | None, models: list[str]) -> tuple:
        """Image path, item card HTML, the id, and the shareable query string."""
        item_id = (item_id or "").strip()
        if not item_id:
            return None, "<div class='qbp-empty'>Pick an item from the list.</div>", "", ""
        try:
            detail = self.state.item(item_id, models or [])
        except KeyError as exc:
            return None, report.error_html(str(exc.args[0])), item_id, ""
        link = f"?item={quote(item_id)}&models={quote(','.join(models or []))}"
        return self.state.image_path(item_id), drilldown.render_item_html(detail), item_id, link

    def previous(self, item_id: str, ids: list[str], models: list[str]) -> tuple:
        return self.show_item(drilldown.neighbour(ids or [], (item_id or "").strip(), -1),
                              models)

    def next(self, item_id: str, ids: list[str], models: list[str]) -> tuple:
        return self.show_item(drilldown.neighbour(ids or [], (item_id or "").strip(), 1),
                              models)

    def pick(self, evt: gr.SelectData, ids: list[str], models: list[str]) -> tuple:
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        item_id = ids[row] if ids and 0 <= row < len(ids) else None
        return self.show_item(item_id, models)

    def on_load(self, request: gr.Request, models_now: list[str]) -> tuple:
        """?item=ID&models=a,b opens that view: models chosen, item shown, tab selected."""
        params = dict(request.query_params) if request else {}
        available = self.state.verified_models()
        chosen = [m for m in (models_now or []) if m in available] or available[:2]
        if params.get("models"):
            found, _ = drilldown.resolve_models(params["models"], available)
            chosen = found or chosen
        item_id = params.get("item", "")
        tab = gr.Tabs(selected="drill") if item_id else gr.Tabs()
        return gr.Dropdown(choices=available, value=chosen), item_id, tab

    # ------------------------------------------------------------------ submit
    def preview(self, file: str | None) -> str:
        if not file:
            return ""
        try:
            summary = self.state.preview(Path(file).read_bytes(), Path(file).name)
        except InputError as exc:
            return report.error_html(str(exc))
        return report.summary_html(summary, "Parse report (before scoring)")

    def do_submit(self, file: str | None, model: str, params: str, open_choice: str,
                  link: str, request: gr.Request,
                  progress: gr.Progress = gr.Progress()) -> str:
        if not file:
            return report.error_html("Choose a prediction file to upload.")
        out = self.state.submit(Path(file).read_bytes(), Path(file).name,
                                {"model": model, "params": params,
                                 "open": _open_value(open_choice), "link": link},
                                progress=_judge_progress(progress),
                                client=_client(request, self.state.settings.trust_forwarded))
        if not out.ok:
            return report.error_html(out.message)
        return (f"<div class='qbp-ok'><b>{html.escape(out.message)}</b></div>"
                + report.summary_html(out.summary or {}, "Parse report"))

    # ------------------------------------------------------------------ API
    def api_submit(self, file: FileData, model: str, params: str = "", open: str = "",
                   link: str = "", request: gr.Request = None) -> dict:
        """Score and store a prediction file. Returns ok, message, rank, row and the parse
        report; on refusal ok is false and message says what is wrong, nothing is stored.
        While the open-ended answers are judged, the model is a pending row on the
        leaderboard (its `judging` field counts the judged answers)."""
        path = Path(file["path"] if isinstance(file, dict) else file.path)
        name = (file.get("orig_name") if isinstance(file, dict) else file.orig_name) \
            or path.name
        out = self.state.submit(path.read_bytes(), name,
                                {"model": model, "params": params, "open": _open_value(open),
                                 "link": link},
                                client=_client(request, self.state.settings.trust_forwarded))
        return out.as_json()

    # ------------------------------------------------------------------ moderation
    def moderation_choices(self) -> gr.Dropdown:
        subs = self.state.store.submissions(include_hidden=True, all_versions=True)
        return gr.Dropdown(choices=[(f"{s.meta.model} · v{s.meta.version} · {s.id}"
                                     + (" · hidden" if s.hidden else ""), s.id)
                                    for s in reversed(subs)])

    def moderate(self, sub_id: str, token: str, reason: str, hidden: bool) -> str:
        try:
            sub = moderate(self.state.store, sub_id or "", hidden, token, reason or None)
        except (PermissionError, KeyError, InputError) as exc:
            return report.error_html(str(exc.args[0] if isinstance(exc, KeyError) else exc))
        self.state.invalidate()
        what = "hidden from" if hidden else "shown on"
        return f"<div class='qbp-ok'>{html.escape(sub.meta.model)} is now {what} the board.</div>"

    def api_moderate(self, submission_id: str, hidden: bool, token: str,
                     reason: str = "") -> dict:
        """Hide (hidden=true) or show a stored submission; needs the admin token."""
        try:
            sub = moderate(self.state.store, submission_id, hidden, token, reason or None)
        except (PermissionError, KeyError, InputError) as exc:
            return {"ok": False, "message": str(exc.args[0] if isinstance(exc, KeyError)
                                                else exc)}
        self.state.invalidate()
        return {"ok": True, "submission_id": sub.id, "model": sub.meta.model,
                "hidden": sub.hidden}

    def api_leaderboard(self, table: str = "table3", kinds: list[str] | None = None,
                        search: str = "", weights: list[str] | None = None,
                        sizes: list[str] | None = None, sort_by: str = "Overall") -> list[dict]:
        """Leaderboard rows of one table (table3..table6) after filters, best first: one
        dict per row with numeric cell values keyed by cell name (null = None)."""
        return self.state.leaderboard_rows(table, kinds, search, weights, sizes, sort_by)

    def api_compare(self, model_a: str, model_b: str) -> dict:
        """Paired comparison of two verified models (A minus B, points): per cell of
        Tables 3-6 both values, the difference and its 95% paired-bootstrap interval;
        McNemar's exact test (b, c, p) on closed-ended items; the ids of the items they
        score differently. On an unknown model: {"error": ...}."""
        try:
            return stats_views.comparison_json(self.state.compare(model_a, model_b))
        except ValueError as exc:
            return {"error": str(exc)}

    def api_item(self, item_id: str, models: list[str] | None = None) -> dict:
        """One item: question, options, gold answer, and each named verified model's raw
        answer, parsed answer, status, score and judge text."""
        try:
            return self.state.item(item_id, models or [])
        except KeyError as exc:
            return {"error": str(exc.args[0])}


def _row_id(evt: gr.SelectData) -> str | None:
    """The item id of a selected grid row (first column), whatever the grid's sort order."""
    row = evt.row_value if isinstance(evt.row_value, (list, tuple)) else None
    return str(row[0]) if row else None


def _judge_progress(progress: gr.Progress) -> Callable[[int, int], None]:
    """The judge's progress(done, total) as a Gradio progress bar."""
    progress(0.0, desc="Reading and scoring the file")

    def tick(done: int, total: int) -> None:  # from the judge, as judgements arrive
        progress((done, total), unit="answers",
                 desc="Judging open-ended answers (pending on the board until done)")
    return tick


def _client(request: gr.Request | None, trust_forwarded: bool) -> str | None:
    """The key the store rate-limits submissions by (signed-in user, else address)."""
    if request is None:
        return None
    host = request.client.host if getattr(request, "client", None) else None
    return client_key(host, dict(request.headers), username=getattr(request, "username", None),
                      trust_forwarded=trust_forwarded)


def build(state: AppState) -> gr.Blocks:
    """The Blocks app over a started AppState."""
    h = Handlers(state)
    board_service = board_table.BoardService(state)
    bench = state.bench
    judge_info = state.judge.info.as_dict() if state.judge else {"backend": "none"}
    judge_text = judge_info["backend"] + (" (approximate)" if judge_info.get("approximate")
                                          else "")
    field_choices = {f: [("All", "")] + [(LABELS.get(v, v), v) for v in FIELD_VALUES[f]]
                     for f in drilldown.FILTER_FIELDS}

    # ------------------------------------------------------------------ layout
    with gr.Blocks(title=state.settings.title, fill_width=True) as demo:
        gr.Markdown(
            f"# {state.settings.title}\n"
            f"Portrait image-quality perception of multimodal LLMs. Benchmark "
            f"`{html.escape(bench.source)}`: {len(bench)} items (`{bench.hash}`); OE judge: "
            f"**{judge_text}**. *reported* = from the paper; *verified* = re-scored here.",
            elem_id="qbp-header")
        with gr.Tabs() as tabs:
            with gr.Tab("Leaderboard", id="board"):
                # -- board (issue 13): ui/board_table.py, wired by wire_board below ----------
                board_tab = board_table.build_board(board_service)
                kinds, search = board_tab.kinds, board_tab.search  # the charts follow them
                weights, sizes = board_tab.weights, board_tab.sizes
                # -- end board -------------------------------------------------------------
            with gr.Tab("Charts", id="charts"):
                gr.Markdown("Radar charts like the paper's Figure 4, over the rows the "
                            "leaderboard's filters show.")
                with gr.Row():
                    overall_plot = gr.Plot(label="Overall", scale=3, elem_id="radar-a")
                    overall_sum = gr.Textbox(label="Summary", interactive=False, scale=1,
                                             lines=4, elem_id="radar-a-summary")
                with gr.Row():
                    chosen = gr.Dropdown([], multiselect=True, label="Models to compare",
                                         scale=3, elem_id="radar-models")
                    groups = gr.CheckboxGroup(
                        [(g.label, k) for k, g in charts.CATEGORY_GROUPS.items()],
                        value=list(charts.DEFAULT_GROUPS), label="Categories", scale=3)
                with gr.Row():
                    cat_plot = gr.Plot(label="By category", scale=3, elem_id="radar-b")
                    cat_sum = gr.Textbox(label="Summary", interactive=False, scale=1, lines=4,
                                         elem_id="radar-b-summary")
            with gr.Tab("Drill-down", id="drill"):
                with gr.Row():
                    dd_models = gr.Dropdown([], multiselect=True, label="Verified models",
                                            scale=3, elem_id="dd-models")
                    outcome = gr.Radio([(v, k) for k, v in drilldown.OUTCOMES.items()],
                                       value="all", label="Outcome", scale=3,
                                       elem_id="dd-outcome")
                with gr.Row():
                    f_src, f_dim, f_sub, f_qt, f_scope = (
                        gr.Dropdown(field_choices[f], value="", label=drilldown.FIELD_LABELS[f])
                        for f in drilldown.FILTER_FIELDS)
                count = gr.Markdown(elem_id="dd-count")
                ids_state = gr.State([])
                with gr.Row():
                    with gr.Column(scale=2):
                        item_list = gr.DataFrame(interactive=False, max_height=720,
                                                 elem_id="dd-list", wrap=False,
                                                 pinned_columns=2,
                                                 column_widths=drilldown.LIST_WIDTHS)
                    with gr.Column(scale=3):
                        with gr.Row():
                            prev_btn = gr.Button("◀ Previous", size="sm", elem_id="dd-prev")
                            next_btn = gr.Button("Next ▶", size="sm", elem_id="dd-next")
                            item_box = gr.Textbox(label="Item id", placeholder="jump to id",
                                                  elem_id="dd-item", scale=2, submit_btn="Go")
                        share = gr.Textbox(label="Link to this view", interactive=False,
                                           elem_id="dd-link",
                                           buttons=["copy"])
                        image = gr.Image(type="filepath", interactive=False, height=420,
                                         buttons=["fullscreen", "download"], label="Image",
                                         elem_id="dd-image")
                        detail = gr.HTML(elem_id="dd-detail")
            with gr.Tab("Compare", id="compare") as compare_tab:
                gr.Markdown("Two verified models on the same items: the difference per "
                            "category with a paired 95% interval, McNemar's exact test, and "
                            "the items one gets right and the other wrong. Reported (paper) "
                            "rows have no per-item data, so only verified models are offered.")
                with gr.Row():
                    cmp_a = gr.Dropdown([], label="Model A", elem_id="cmp-a", scale=2)
                    cmp_b = gr.Dropdown([], label="Model B", elem_id="cmp-b", scale=2)
                    cmp_table = gr.Radio(TABLE_CHOICES, value="table3", label="Table",
                                         elem_id="cmp-table", scale=4)
                cmp_summary = gr.Markdown(elem_id="cmp-summary")
                with gr.Row():
                    cmp_plot = gr.Plot(show_label=False, elem_id="cmp-delta", scale=1)
                    cmp_cells = gr.DataFrame(interactive=False, elem_id="cmp-cells", scale=1,
                                             wrap=False, max_height=640)
                cmp_mcnemar = gr.Markdown(elem_id="cmp-mcnemar")
                cmp_items = gr.DataFrame(interactive=False, max_height=480, wrap=False,
                                         elem_id="cmp-items",
                                         column_widths=["110px", "62px", "380px", "90px",
                                                        "90px", "70px"])
            with gr.Tab("Items", id="items") as items_tab:
                gr.Markdown("How the verified models do on each item: the share of models "
                            "right (a half-right open-ended answer counts half), which "
                            "categories are hard for everyone, and the items every model "
                            "fails, which are worth a second look at their labels.")
                it_table = gr.Radio(TABLE_CHOICES, value="table3", label="Table",
                                    elem_id="it-table")
                with gr.Row():
                    it_plot = gr.Plot(show_label=False, elem_id="it-difficulty", scale=3)
                    it_diff = gr.DataFrame(interactive=False, elem_id="it-difficulty-table",
                                           scale=2, wrap=False, max_height=640)
                gr.Markdown("### Items every verified model fails (for label review)")
                it_fail_count = gr.Markdown(elem_id="it-fail-count")
                it_fail = gr.DataFrame(interactive=False, max_height=420, wrap=True,
                                       elem_id="it-failures",
                                       column_widths=["110px", "420px", "260px", "300px",
                                                      "80px"])
                gr.Markdown("### Every item: share of verified models right (click a "
                            "header to sort)")
                it_all = gr.DataFrame(interactive=False, max_height=480, wrap=False,
                                      elem_id="it-analysis")
            with gr.Tab("Submit", id="submit"):
                gr.Markdown("Upload one prediction file (JSONL, JSON, CSV/TSV or Parquet; one "
                            "row per item with its id and the model's raw answer; at most "
                            f"{mb(state.store.limits.max_file_bytes)} MB). It is parsed at "
                            "once; **Submit** scores it with the reference scorer and puts it "
                            "on the board. While the open-ended answers are judged, the model "
                            "shows on the leaderboard as *pending* (closed-ended cells only, "
                            "unranked). Pending rows are not stored until judged: if judging "
                            "is interrupted, submit again; judgements already made are "
                            "cached, so the retry is quick.", elem_id="sub-intro")
                with gr.Row():
                    with gr.Column():
                        upload = gr.File(label="Prediction file (max "
                                         f"{mb(state.store.limits.max_file_bytes)} MB)",
                                         elem_id="sub-file",
                                         file_types=[".jsonl", ".json", ".csv", ".tsv",
                                                     ".parquet", ".ndjson"])
                        s_model = gr.Textbox(label="Model name", max_length=80,
                                             elem_id="sub-model")
                        with gr.Row():
                            s_params = gr.Textbox(label="Parameters (e.g. 7B)", max_length=20,
                                                  elem_id="sub-params")
                            s_open = gr.Radio(OPEN_CHOICES, value="", label="Weights",
                                              elem_id="sub-open")
                        s_link = gr.Textbox(label="Link (http/https)", elem_id="sub-link")
                        s_btn = gr.Button("Submit", variant="primary", elem_id="sub-btn")
                    with gr.Column():
                        s_report = gr.HTML(elem_id="sub-report")
                gr.Markdown(f"*{html.escape(state.persistence)}*", elem_id="sub-persistence")
                if admin_enabled():
                    with gr.Accordion("Moderation (admin)", open=False):
                        m_pick = gr.Dropdown([], label="Submission", elem_id="mod-pick")
                        with gr.Row():
                            m_token = gr.Textbox(label="Admin token", type="password")
                            m_reason = gr.Textbox(label="Reason (kept with the record)")
                        with gr.Row():
                            m_hide = gr.Button("Hide", variant="stop", size="sm")
                            m_show = gr.Button("Show again", size="sm")
                        m_out = gr.HTML()
            with gr.Tab("About", id="about"):
                ids = (bench.items["id"].tolist() * 3)[:3]
                gr.Markdown(about_markdown(len(bench), bench.source, judge_text,
                                           judge_info["backend"], tuple(ids)))

        # -------------------------------------------------------------- events
        refresh_board = board_table.wire_board(demo, board_tab, board_service)  # issue 13
        filter_inputs = [kinds, search, weights, sizes]
        for comp in filter_inputs:
            comp.change(h.render_overall, filter_inputs + [chosen],
                        [overall_plot, overall_sum, chosen], show_progress="hidden", **PRIVATE)
        for comp in (chosen, groups):
            comp.change(h.render_categories, filter_inputs + [chosen, groups],
                        [cat_plot, cat_sum], show_progress="hidden", **PRIVATE)

        list_inputs = [dd_models, f_src, f_dim, f_sub, f_qt, f_scope, outcome]
        item_outputs = [image, detail, item_box, share]
        for comp in list_inputs:
            comp.change(h.list_items, list_inputs, [item_list, count, ids_state],
                        **PRIVATE).then(h.show_item, [item_box, dd_models], item_outputs,
                                        **PRIVATE)
        item_box.submit(h.show_item, [item_box, dd_models], item_outputs, **PRIVATE)
        prev_btn.click(h.previous, [item_box, ids_state, dd_models], item_outputs, **PRIVATE)
        next_btn.click(h.next, [item_box, ids_state, dd_models], item_outputs, **PRIVATE)
        item_list.select(h.pick, [ids_state, dd_models], item_outputs, **PRIVATE)
        share.change(None, [share], None, js="""(link) => {
            if (link) { const u = new URL(window.location.href); const q = new URLSearchParams(
                link.slice(1)); u.search = q.toString(); window.history.replaceState(null, '', u); }
            return []; }""")

        # Compare and Items: computed when their tab is opened (the store may have changed).
        cmp_inputs = [cmp_a, cmp_b, cmp_table]
        cmp_outputs = [cmp_summary, cmp_plot, cmp_cells, cmp_mcnemar, cmp_items]
        compare_tab.select(h.compare_choices, [cmp_a, cmp_b], [cmp_a, cmp_b],
                           **PRIVATE).then(h.render_compare, cmp_inputs, cmp_outputs,
                                           **PRIVATE)
        for comp in (cmp_a, cmp_b):
            comp.input(h.render_compare, cmp_inputs, cmp_outputs, **PRIVATE)
        cmp_table.change(h.render_delta, cmp_inputs, [cmp_plot, cmp_cells], **PRIVATE)
        # Choosing the models re-lists the items through dd_models.change when they differ.
        cmp_items.select(h.open_discordant, [cmp_a, cmp_b], [dd_models, item_box, tabs],
                         **PRIVATE).then(
            h.show_item, [item_box, dd_models], item_outputs, **PRIVATE)
        items_tab.select(h.render_items, it_table,
                         [it_plot, it_diff, it_fail_count, it_fail, it_all], **PRIVATE)
        it_table.change(h.render_difficulty, it_table, [it_plot, it_diff], **PRIVATE)
        for grid_ in (it_fail, it_all):
            grid_.select(h.open_item, None, [item_box, tabs], **PRIVATE).then(
                h.show_item, [item_box, dd_models], item_outputs, **PRIVATE)

        upload.change(h.preview, upload, s_report, **PRIVATE)
        s_btn.click(h.do_submit, [upload, s_model, s_params, s_open, s_link], s_report,
                    **PRIVATE).then(refresh_board, None, board_tab.html, **PRIVATE).then(
            h.render_overall, filter_inputs + [chosen], [overall_plot, overall_sum, chosen],
            **PRIVATE).then(h.model_choices, None, dd_models, **PRIVATE)

        if admin_enabled():
            for btn, hidden in ((m_hide, True), (m_show, False)):
                btn.click(lambda i, t, r, hid=hidden: h.moderate(i, t, r, hid),
                          [m_pick, m_token, m_reason], m_out, **PRIVATE).then(
                    refresh_board, None, board_tab.html, **PRIVATE).then(
                    h.moderation_choices, None, m_pick, **PRIVATE).then(
                    h.model_choices, None, dd_models, **PRIVATE)
            demo.load(h.moderation_choices, None, m_pick, **PRIVATE)
            gr.api(h.api_moderate, api_name="moderate")

        # Page load: URL parameters first (they h.pick models and the item), then the views.
        # Setting the models triggers the item list and the item view through .change. The
        # board needs no load event: it comes with the page (ui/board_table.py).
        demo.load(h.on_load, [dd_models], [dd_models, item_box, tabs], **PRIVATE).then(
            h.render_overall, filter_inputs, [overall_plot, overall_sum, chosen],
            **PRIVATE).then(
            h.representative, filter_inputs, chosen, **PRIVATE)

        gr.api(h.api_submit, api_name="submit")
        gr.api(board_service.api_rows, api_name="leaderboard")  # served from the board cache
        gr.api(h.api_item, api_name="item")
        gr.api(h.api_compare, api_name="compare")
    return demo


def launch_kwargs(state: AppState) -> dict[str, Any]:
    """What launch() needs besides host and port (shared with the tests and the bench)."""
    allowed = [str(state.bench.root.resolve())]
    if state.bench.repo_id:  # images of a Hub bundle are fetched into the Hub cache
        from huggingface_hub import constants
        allowed.append(str(Path(constants.HF_HUB_CACHE).resolve()))
    return {"theme": theme(), "css": CSS + board_table.CSS, "ssr_mode": False,
            "allowed_paths": allowed, "footer_links": ["api", "settings"],
            # Gradio refuses bigger uploads before they reach a handler (HTTP 413); the
            # store checks the same limit again for callers that bypass the upload route.
            "max_file_size": state.store.limits.max_file_bytes}


def main() -> None:
    state = AppState.start(AppSettings.from_env())
    demo = build(state)
    demo.queue(default_concurrency_limit=4).launch(**launch_kwargs(state))


if __name__ == "__main__":
    main()
