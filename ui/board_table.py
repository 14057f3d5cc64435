"""The leaderboard tab's table (issue 13): the paper's layout, fast by construction.

The whole board (all four tables, every row, ranks, marks, null reasons) is one JSON payload
(`analysis.paper_board.payload`) put into the page's config as the value of one `gr.HTML`,
so the first board comes with the page: no load event, no queue. A small vanilla script
(board_table.js) renders it and sorts, searches, filters and switches tables in the browser;
the board's state lives in the URL. The server is asked only for what it alone can compute,
through the component's server functions (one POST each, not queued):

- `board_fresh(token)`: the payload again when the store changed since the page was built;
- `board_intervals(request)`: interval texts and rank ranges of the table shown;
- `board_export(request)`: the CSV or LaTeX of the current view, built on a click only.

`BoardService` caches everything per (table, filters, sort, store generation); the
`/leaderboard` API is served from the same cache. `build_board` lays out the component and
the error-bar chart; `wire_board` is the one place its events are wired (so the block moves
as a whole into ui/tabs/board.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from analysis import board, board_uncertainty, paper_board
from analysis.entries import KINDS
from analysis.intervals import board_intervals, format_with_interval
from leaderboard.settings import DEMO_BUNDLE
from leaderboard.taxonomy import TABLE_TITLES, TABLES

from .tabs import PRIVATE, VIEW
from .url_state import HELPER_JS

HERE = Path(__file__).resolve().parent
#: The board's script, after the query string's owner it writes the board's link through.
JS = HELPER_JS + (HERE / "board_table.js").read_text(encoding="utf-8")
CSS = (HERE / "board_table.css").read_text(encoding="utf-8")
log = logging.getLogger("qbp.board")
MAX_SEARCH = 200  # characters of a search sent back by the browser


class _LRU:
    """A small thread-safe cache; the value is computed under the lock (two identical
    requests arriving together compute once)."""

    def __init__(self, size: int) -> None:
        self.size, self.hits, self.misses = size, 0, 0
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.RLock()

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
            value = self._data[key] = compute()
            while len(self._data) > self.size:
                self._data.popitem(last=False)
            return value


@dataclass(frozen=True)
class BoardRequest:
    """One view of the board as the browser (or the API) names it, checked."""

    table: str = "table3"
    sort: str = board.OVERALL
    descending: bool = True
    kinds: tuple[str, ...] = KINDS
    search: str = ""
    weights: tuple[str, ...] = board.WEIGHT_CHOICES
    sizes: tuple[str, ...] = board.SIZE_CHOICES

    @classmethod
    def parse(cls, req: Any) -> BoardRequest:
        """From the browser's JSON; a ValueError names the bad field."""
        if not isinstance(req, dict):
            raise ValueError("the board request must be a JSON object")
        table = str(req.get("table", "table3"))
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; one of {', '.join(TABLES)}")
        sort = str(req.get("sort", board.OVERALL))
        if sort not in paper_board.sort_keys(table):
            raise ValueError(f"cannot sort {table} by {sort!r}")
        desc = req.get("desc", paper_board.default_descending(sort))
        if not isinstance(desc, bool):
            raise ValueError("desc must be true or false")

        def choice(name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
            got = req.get(name, list(allowed))
            if not isinstance(got, list) or any(v not in allowed for v in got):
                raise ValueError(f"{name} must be a list of {', '.join(allowed)}")
            return tuple(v for v in allowed if v in got)

        search = req.get("q", "")
        if not isinstance(search, str):
            raise ValueError("q must be text")
        return cls(
            table,
            sort,
            desc,
            choice("kinds", KINDS),
            search[:MAX_SEARCH],
            choice("weights", board.WEIGHT_CHOICES),
            choice("sizes", board.SIZE_CHOICES),
        )

    @property
    def filters(self) -> board.Filters:
        return board.Filters(self.kinds, self.search, self.weights, self.sizes)


@dataclass
class Built:
    token: str
    text: str  # the payload as JSON, as the page carries it
    boards: dict[str, paper_board.BoardTable]
    rows: dict[str, int]  # model name -> payload row of its verified row


class BoardService:
    """The board's data for the page, the API and the downloads, built once per store
    generation and cached per (table, filters, sort) within it."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._built: Built | None = None
        self._views = _LRU(64)  # (token, request, api?) -> row order
        self._exports = _LRU(16)  # (token, request, fmt) -> text
        self._api = _LRU(32)  # (token, request) -> /leaderboard rows
        self._intervals = _LRU(16)  # (token, table, rank cell) -> browser reply
        self._warming: tuple | None = None
        self.builds = 0  # payloads built (tests and benches count them)

    # ------------------------------------------------------------------ payload
    def token(self) -> str:
        """Changes whenever what the board shows changes: the store generation, and the
        rows still being judged with their progress."""
        pending = [(e.name, e.judging) for e in self.state.pending.entries()]
        digest = hashlib.blake2b(repr(pending).encode(), digest_size=6).hexdigest()
        return f"{self.state.generation}-{digest}"

    def verified_label(self) -> str:
        bench = self.state.bench
        if bench.root.resolve() == DEMO_BUNDLE.resolve():
            return (
                "Verified here: scored on the synthetic demo bundle, not comparable with "
                "the paper's rows"
            )
        return f"Verified here: re-scored from stored submissions on {bench.source}"

    def current(self) -> Built:
        token = self.token()
        with self._lock:
            if self._built is not None and self._built.token == token:
                return self._built
            state = self.state
            entries = state.entries()
            data, boards = paper_board.payload(
                entries,
                token,
                verified_label=self.verified_label(),
                baseline_note=state.baseline_note,
                counts=state.loaded_counts,
                paper=state.paper_counts,
            )
            # <, > and & as JSON escapes: the payload is data, whatever a name holds.
            text = (
                json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
                .replace("<", "\\u003c")
                .replace(">", "\\u003e")
                .replace("&", "\\u0026")
            )
            rows = {
                e.name: i for i, e in enumerate(entries) if e.kind == "verified" and e.submission_id
            }
            self._built = Built(token, text, boards, rows)
            self.builds += 1
            return self._built

    def payload_json(self) -> str:
        return self.current().text

    def attach(self, demo: gr.Blocks, html: gr.HTML) -> None:
        """The app and component whose page config carries the payload; from now on every
        change of the rows rebuilds it at once, so the next page served is current."""
        self._demo, self._html = demo, html
        self.state.listeners.append(lambda: self.publish(self.current().text))

    def publish(self, text: str) -> None:
        """Make `text` the payload every page served from now on carries: the component's
        value and its entry in the app's config (Gradio copies that into each page)."""
        html = getattr(self, "_html", None)
        if html is None or html.value == text:
            return
        html.value = text
        config = getattr(self._demo, "config", None) or {}
        for comp in config.get("components", []):
            if comp.get("id") == html._id:
                comp.setdefault("props", {})["value"] = text

    # ------------------------------------------------------------------ views
    def _order(self, req: BoardRequest, api: bool = False) -> tuple[Built, list[int]]:
        built = self.current()
        fn = paper_board.api_order if api else paper_board.order
        rows = self._views.get(
            (built.token, req, api),
            lambda: fn(built.boards[req.table], req.sort, req.descending, req.filters),
        )
        return built, rows

    def api_rows(
        self,
        table: str = "table3",
        kinds: list[str] | None = None,
        search: str = "",
        weights: list[str] | None = None,
        sizes: list[str] | None = None,
        sort_by: str = "Overall",
    ) -> list[dict]:
        """Leaderboard rows of one table (table3..table6) after filters: the baseline, then
        the paper's rows, then the rows verified here, each best first by `sort_by` (a cell
        name such as "NI" or "SC_Global", "Overall", "Model" or "Params"). One dict per row:
        numeric cell values keyed by cell name (null = None, with its reason), the row's
        section and its rank within its pool (the paper's rows, or the verified rows)."""
        desc = paper_board.default_descending(sort_by)
        try:
            req = BoardRequest.parse(
                {
                    "table": table,
                    "sort": sort_by,
                    "desc": desc,
                    "q": search or "",
                    "kinds": list(kinds) if kinds else list(KINDS),
                    "weights": list(weights) if weights else list(board.WEIGHT_CHOICES),
                    "sizes": list(sizes) if sizes else list(board.SIZE_CHOICES),
                }
            )
        except ValueError as exc:  # the caller sees which argument is wrong
            raise gr.Error(str(exc).replace("cannot sort", "sort_by: cannot sort")) from None
        built, rows = self._order(req, api=True)
        return self._api.get(
            (built.token, req),
            lambda: paper_board.api_rows(built.boards[req.table], rows, req.sort),
        )

    def export(self, req: BoardRequest, fmt: str) -> dict[str, str]:
        """The CSV or LaTeX of one view, as the browser downloads it."""
        if fmt not in ("csv", "tex"):
            raise ValueError("fmt must be csv or tex")
        built, rows = self._order(req)
        table = built.boards[req.table]

        def make() -> str:
            if fmt == "csv":
                return paper_board.to_csv(table, rows, req.sort)
            return paper_board.to_latex(table, rows, self.verified_label())

        text = self._exports.get((built.token, req, fmt), make)
        mime = "text/csv" if fmt == "csv" else "application/x-tex"
        return {"name": f"qbp_{req.table}.{fmt}", "text": text, "mime": mime}

    # ------------------------------------------------------------------ intervals
    def interval_frame(self, table: str):
        """`intervals.board_intervals` of the verified models on one table, with Table 3's
        Overall (the headline column), computed once per table and store generation."""
        state = self.state
        names, scores = state.score_matrix()
        return board_intervals(
            names, scores, state.bench, table, resamples=state.resamples, with_overall=True
        )

    def intervals(self, req: BoardRequest) -> dict[str, Any]:
        """Interval texts ("61.2 ± 1.8") of every verified cell of the table, the rank range
        and group of each verified row on the ranked cell, and the notes explaining them."""
        built = self.current()
        cell = board_uncertainty.rank_cell(req.table, req.sort)
        return self._intervals.get(
            (built.token, req.table, cell), lambda: self._interval_reply(built, req, cell)
        )

    def warm(self, req: BoardRequest) -> None:
        """Compute `intervals(req)` in a background thread unless it is cached or under
        way (one warm-up at a time; a visitor's toggle then waits for it, not twice)."""
        built = self.current()
        key = (built.token, req.table, board_uncertainty.rank_cell(req.table, req.sort))
        with self._lock:
            if key in self._intervals or self._warming is not None:
                return
            self._warming = key

        def run() -> None:
            try:
                self.intervals(req)
            except Exception:  # noqa: BLE001 - a warm-up; the toggle reports errors
                log.exception("warming the board's intervals failed")
            finally:
                self._warming = None

        threading.Thread(target=run, name="qbp-board-warm", daemon=True).start()

    def _interval_reply(
        self, built: Built, req: BoardRequest, cell: tuple[str, str]
    ) -> dict[str, Any]:
        state = self.state
        frame = self.interval_frame(req.table)
        ranks = state.ranks(cell)
        bounds = {
            (m, t, c): (lo, hi)
            for m, t, c, lo, hi in zip(
                frame["model"],
                frame["table"],
                frame["cell"],
                frame["low"],
                frame["high"],
                strict=True,
            )
        }
        columns = paper_board.value_columns(req.table)
        texts: dict[str, dict[str, str]] = {}
        for name in dict.fromkeys(frame["model"]):
            i = built.rows.get(name)
            if i is None:
                continue
            e = built.boards[req.table].entries[i]
            texts[str(i)] = {
                c.key: format_with_interval(
                    e.value(c.table, c.cell), *bounds.get((name, c.table, c.cell), (None, None))
                )
                for c in columns
            }
        ranges: dict[str, list[Any]] = {}
        for r in ranks.to_dict(orient="records"):
            i = built.rows.get(r["model"])
            if i is None or not r["rank_range"]:
                continue
            closed = str(r["basis"]).endswith("closed-ended items only")
            group = None if r["group"] is None or str(r["group"]) == "<NA>" else int(r["group"])
            ranges[str(i)] = [
                r["rank_range"] + (board_uncertainty.CLOSED_MARK if closed else ""),
                group,
            ]
        view = state.view(req.table, req.filters, req.sort, req.descending)
        notes = board_uncertainty.note_lines(view, ranks, cell, state.resamples, state.clustered)
        return {"token": built.token, "texts": texts, "ranges": ranges, "notes": notes}

    # ------------------------------------------------------------------ chart
    def chart(self, req: BoardRequest, cell: str | None):
        """The error-bar chart of one cell over the view's verified rows."""
        if cell not in TABLES[req.table].columns:
            cell = board_uncertainty.default_chart_cell(req.table, req.sort)
        view = self.state.view(req.table, req.filters, req.sort, req.descending)
        frame = self.interval_frame(req.table)
        return board_uncertainty.chart(view, frame[frame["table"] == req.table], cell)


# ---------------------------------------------------------------------------- layout


def _template() -> str:
    """The component's static skeleton (no data: the script fills it). No '${' or '{{':
    the string is a Gradio template."""
    tables = "".join(
        f"<button type='button' class='qbp-tab' data-table='{k}' role='tab' "
        f"title='{TABLE_TITLES[k]}: {t.title}'>{TABLE_TITLES[k]}</button>"
        for k, t in TABLES.items()
    )

    def boxes(name: str, values: tuple[str, ...], label: str) -> str:
        items = "".join(
            f"<label><input type='checkbox' data-filter='{name}' value='{v}' checked> {v}</label>"
            for v in values
        )
        return (
            f"<fieldset class='qbp-group' data-group='{name}'><legend>{label}</legend>"
            f"{items}</fieldset>"
        )

    return (
        "<div class='qbp-board' data-ready='0'>"
        "<div class='qbp-bar'>"
        f"<div class='qbp-tabs' role='tablist' aria-label='Table'>{tables}</div>"
        "<input type='search' class='qbp-search' id='board-search' "
        "placeholder='Search model' aria-label='Search model' maxlength='200'>"
        "<button type='button' class='qbp-toggle' aria-expanded='false' "
        "aria-controls='board-panel'>Filters</button>"
        "</div>"
        "<div class='qbp-panel' id='board-panel' hidden>"
        + boxes("kinds", KINDS, "Rows")
        + boxes("weights", board.WEIGHT_CHOICES, "Weights")
        + boxes("sizes", board.SIZE_CHOICES, "Model size")
        + "<fieldset class='qbp-group'><legend>Options</legend>"
        "<label title='verified rows: value ± half-width, rank range and group'>"
        "<input type='checkbox' id='show-ci'> Show 95% intervals</label></fieldset>"
        "<fieldset class='qbp-group'><legend>Download this view</legend>"
        "<button type='button' class='qbp-dl' id='dl-csv' data-fmt='csv'>CSV</button>"
        "<button type='button' class='qbp-dl' id='dl-tex' data-fmt='tex'>LaTeX</button>"
        "</fieldset></div>"
        "<p class='qbp-caption' aria-live='polite'><span class='qbp-cap-title'></span>"
        "<span class='qbp-cap-main'></span>"
        "<span class='qbp-cap-legend'></span></p>"
        "<p class='qbp-status' aria-live='polite'></p>"
        "<div class='qbp-scroll' tabindex='0'><table class='qbp-table'>"
        "<thead></thead><tbody></tbody></table></div>"
        "<details class='qbp-notes' id='ci-notes' open hidden><summary>About the 95% "
        "intervals, rank ranges and groups</summary><ul></ul></details>"
        "<details class='qbp-notes qbp-why'><summary>Why some cells show “-”</summary>"
        "<ul></ul></details>"
        "<p class='qbp-foot qbp-baseline'></p>"
        "<p class='qbp-foot qbp-colinfo'></p>"
        "</div>"
    )


@dataclass
class BoardTab:
    """The components of the board; the charts read the filters from these states."""

    html: gr.HTML
    view: gr.State  # the board's current request (dict), as the browser last sent it
    kinds: gr.State
    search: gr.State
    weights: gr.State
    sizes: gr.State
    ci_box: gr.Column
    ci_cell: gr.Dropdown
    ci_plot: gr.Plot


def build_board(service: BoardService) -> BoardTab:
    """The board and its error-bar chart, laid out where it is called (the Leaderboard
    tab). The first payload is the component's value, so it comes with the page."""

    def board_fresh(req: Any) -> str | None:
        """The payload when the store changed since the browser's copy, else None. The
        intervals of the visitor's table are then computed in the background, so the
        toggle finds them ready."""
        req = req if isinstance(req, dict) else {}
        built = service.current()
        service.publish(built.text)
        with contextlib.suppress(ValueError):
            service.warm(
                BoardRequest.parse(
                    {"table": req.get("table", "table3"), "sort": req.get("sort", board.OVERALL)}
                )
            )
        return None if req.get("token") == built.token else built.text

    def board_intervals_fn(req: Any) -> dict[str, Any]:
        return service.intervals(BoardRequest.parse(req))

    def board_export(req: Any) -> dict[str, str]:
        fmt = req.get("fmt") if isinstance(req, dict) else None
        return service.export(BoardRequest.parse(req), str(fmt))

    board_intervals_fn.__name__ = "board_intervals"
    html = gr.HTML(
        value=service.payload_json(),
        html_template=_template(),
        css_template="",
        js_on_load=JS,
        elem_id="board",
        apply_default_css=False,
        server_functions=[board_fresh, board_intervals_fn, board_export],
    )
    view = gr.State({})
    kinds, search = gr.State(list(KINDS)), gr.State("")
    weights, sizes = gr.State(list(board.WEIGHT_CHOICES)), gr.State(list(board.SIZE_CHOICES))
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
                "Bars: the column's value; whiskers: its 95% interval. Verified rows of the "
                f"current view, at most {board_uncertainty.CHART_MODELS}. Reported rows have no "
                "per-item data, so no interval.",
                elem_classes="qbp-notes",
                scale=3,
            )
        ci_plot = gr.Plot(show_label=False, elem_id="ci-chart")
    return BoardTab(html, view, kinds, search, weights, sizes, ci_box, ci_cell, ci_plot)


# ---------------------------------------------------------------------------- events


def wire_board(demo: gr.Blocks, tab: BoardTab, service: BoardService) -> Callable[[], Any]:
    """The board's events. Returns the function that refreshes the board after the store
    changed (chain it after a submit or a moderation: `.then(refresh, None, tab.html)`)."""
    service.attach(demo, tab.html)

    def on_state(
        evt: gr.EventData,
        kinds: list[str],
        search: str,
        weights: list[str],
        sizes: list[str],
        before: dict,
        cell: str | None,
    ) -> tuple:
        """The browser's view changed: keep it (the error-bar chart and the Charts tab
        follow the board's filters); the chart is drawn only while intervals are shown,
        for the chosen cell until the table or the sort changes."""
        data = dict(getattr(evt, "_data", None) or {})
        try:
            req = BoardRequest.parse(data)
        except ValueError:
            return (gr.skip(),) * 8
        same = (list(req.kinds), req.search, list(req.weights), list(req.sizes))
        updates = [
            gr.skip() if new == old else new
            for new, old in zip(same, (kinds, search, weights, sizes), strict=True)
        ]
        if not data.get("ci"):
            return (data, *updates, gr.Column(visible=False), gr.skip(), gr.skip())
        before = before or {}
        if (
            before.get("ci")
            and before.get("table") == req.table
            and before.get("sort") == req.sort
            and cell in TABLES[req.table].columns
        ):
            return (data, *updates, gr.skip(), gr.skip(), service.chart(req, cell))
        cell = board_uncertainty.default_chart_cell(req.table, req.sort)
        choices = gr.Dropdown(choices=board_uncertainty.chart_cells(req.table), value=cell)
        return (data, *updates, gr.Column(visible=True), choices, service.chart(req, cell))

    def on_cell(data: dict, cell: str | None):
        try:
            req = BoardRequest.parse(data or {})
        except ValueError:
            return gr.skip()
        return service.chart(req, cell)

    def refresh() -> str:
        built = service.current()
        service.publish(built.text)
        return built.text

    tab.html.board_state(
        on_state,
        [tab.kinds, tab.search, tab.weights, tab.sizes, tab.view, tab.ci_cell],
        [
            tab.view,
            tab.kinds,
            tab.search,
            tab.weights,
            tab.sizes,
            tab.ci_box,
            tab.ci_cell,
            tab.ci_plot,
        ],
        show_progress="hidden",
        # Each view as it was announced, one at a time in order: "always_last" re-runs a
        # custom event with the first trigger's data (Gradio 6.31), so a view announced while
        # the previous one was being answered was lost (intervals ticked, no chart shown).
        trigger_mode="multiple",
        concurrency_limit=1,
        concurrency_id="board-state",
        **PRIVATE,
    )
    tab.ci_cell.input(on_cell, [tab.view, tab.ci_cell], tab.ci_plot, **VIEW)
    return refresh
