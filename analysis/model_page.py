"""A page per model: its rows in every table, its radar against the board, where it fails,
its versions and how its row was produced (the last two as the Row details tab shows them,
`trust_views`; that tab has the whole story: parse report, version diff, judge agreement).

Plain Python over what the board already holds (entries) and what the store keeps for the
model (its versions; the current one's items.parquet, meta.json and result.json), so it is
tested without a browser. Everything a visitor wrote (model names, links, file names,
declared fields) is escaped where it becomes HTML and stays text in frames. Reported rows
have values only: "from the paper, no per-item data".
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from leaderboard.benchmark import Benchmark
from leaderboard.names import name_key as model_key
from leaderboard.provenance import provenance, reported_provenance
from leaderboard.scoring import cell_masks
from leaderboard.store import Submission
from leaderboard.taxonomy import TABLE_TITLES, TABLES, Cell

from . import board, charts, ranks
from . import trust_views as tv
from .drilldown import ItemFilters
from .entries import PENDING, REPORTED, VERIFIED, Entry
from .links import item_link

#: What a reported row is, wherever the page shows one.
PAPER_NOTE = "from the paper, no per-item data"
#: Tables whose cells are the failure categories (single fields: sources, dimensions,
#: question types; then the fine-grained dimensions).
FAILURE_TABLES: tuple[str, ...] = ("table3", "table4")
FAILURE_COLUMNS: tuple[str, ...] = (
    "Group",
    "Category",
    "Not right",
    "Items",
    "Not right %",
    "Examples",
)
FAILURE_TYPES: list[str] = ["str", "str", "number", "number", "number", "str"]
EXAMPLES_SHOWN = 3


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _fmt(value: float | None) -> str:
    return (
        "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"
    )


def rows_for(entries: Sequence[Entry], name: str) -> list[Entry]:
    """The board's rows of the model `name` (as the store matches names: case, width and
    spacing ignored), reported first, then verified, then pending."""
    key = model_key(name or "")
    order = {REPORTED: 0, VERIFIED: 1, PENDING: 2}
    rows = [e for e in entries if model_key(e.name) == key]
    return sorted(rows, key=lambda e: order.get(e.kind, 3))


def model_names(entries: Sequence[Entry]) -> list[str]:
    """Every model on the board once (the page's picker), alphabetically."""
    seen: dict[str, str] = {}
    for e in entries:
        if not e.is_baseline:
            seen.setdefault(model_key(e.name), e.name)
    return sorted(seen.values(), key=str.casefold)


def suggestions(entries: Sequence[Entry], name: str, n: int = 3) -> list[str]:
    """Names close to an unknown one (a typo in a link)."""
    names = model_names(entries)
    by_key = {model_key(x): x for x in names}
    hits = difflib.get_close_matches(model_key(name), list(by_key), n=n, cutoff=0.5)
    return [by_key[h] for h in hits]


def pool(entries: Sequence[Entry], row: Entry) -> list[Entry]:
    """The rows `row` is compared with: the ranked rows of its pool, as the board ranks and
    marks them (`analysis.ranks`): the paper's models, or the models verified here (rows
    scored on another bundle are not compared with the paper's). A row that takes no rank
    (pending, held) is compared with the pool its kind would be in."""
    want = pool_key(row)
    return [e for e in entries if e.pool == want]


def pool_key(row: Entry) -> str:
    """The pool `row` is ranked in, or would be once it takes a rank."""
    return row.pool or ranks.pool_of(row.kind)


def row_label(e: Entry) -> str:
    """What a row is, in the page's tables: "reported (paper)", "verified · approx. OE
    judge", "pending"."""
    if e.kind == REPORTED:
        return "reported (paper)"
    if e.is_pending:
        return "pending (being judged)"
    return f"verified · {e.judge_label}"


# ------------------------------------------------------------------------------ header


def _link_html(link: str | None) -> str:
    if not link or not link.startswith(("https://", "http://")):
        return ""
    return (
        f" · <a href='{_e(link)}' target='_blank' rel='nofollow noopener noreferrer'>{_e(link)}</a>"
    )


def header_html(rows: Sequence[Entry], entries: Sequence[Entry]) -> str:
    """Name, size, weights, link, and each row's rank by Overall as the board ranks it."""
    first = rows[0]
    facts = [
        f"{_e(first.params)} parameters" if first.params else "size not given",
        f"{board.weights_label(first.open)} weights",
    ]
    parts = [
        f"<div class='qbp-model-page'><h2 class='qbp-model-name'>{_e(first.name)}</h2>",
        f"<div class='qbp-meta'>{' · '.join(facts)}{_link_html(first.link)}</div><ul>",
    ]
    for e in rows:
        overall = e.value("table3", board.OVERALL)
        note = f" — {PAPER_NOTE}" if e.kind == REPORTED else ""
        parts.append(
            f"<li><b>{_e(row_label(e))}</b>: Overall {_fmt(overall)}, "
            f"{_e(rank_text(entries, e))}{_e(note)}</li>"
        )
    parts.append("</ul></div>")
    return "".join(parts)


def rank_text(entries: Sequence[Entry], e: Entry) -> str:
    """Where the row stands, as the board ranks it (`analysis.ranks`: within its pool, the
    paper's models or the models verified here, by Table 3's Overall): "rank 3 of 25 by
    Overall among the paper's models", or why it takes no rank."""
    rank, ranked = ranks.headline_rank(entries, e)
    if rank is not None and e.pool is not None:
        return f"rank {rank} of {ranked} by Overall {ranks.POOL_LABELS[e.pool]}"
    if e.is_pending:
        return "not ranked yet (open-ended answers still being judged)"
    if e.under_review:
        return "not ranked: held for review until the admin clears it"
    return f"not ranked ({e.null_reason('table3', board.OVERALL) or 'no Overall'})"


def unknown_html(name: str, entries: Sequence[Entry]) -> str:
    """The page for a name that is not on the board (a typo, a withdrawn model)."""
    near = suggestions(entries, name)
    hint = f" Did you mean: {', '.join(_e(n) for n in near)}?" if near else ""
    return f"<div class='qbp-empty'>No model called <b>{_e(name)}</b> is on the board.{hint}</div>"


# ------------------------------------------------------------------------------ tables


def _best_median(
    rows: Sequence[Entry], table: str, cell: Cell
) -> tuple[float | None, float | None]:
    vals = [v for e in rows if (v := e.value(table, cell.name)) is not None]
    if not vals:
        return None, None
    return max(vals), float(np.median(vals))


def tables_html(rows: Sequence[Entry], compared: Sequence[Entry], pool_name: str = "") -> str:
    """Tables 3-6 with the model's rows (labelled by kind; the header says which judge),
    then the best and the median of the `compared` rows per cell; a value equal to the
    best (on printed values) is bold. Grouped headers as in the paper."""
    out = []
    n = len(compared)
    for key, table in TABLES.items():
        head1 = "".join(
            f"<th colspan='{len(cells)}'>{_e(group if group != 'Overall' else '')}</th>"
            for group, cells in table.groups
        )
        head2 = "".join(f"<th>{_e(label)}</th>" for label in board.headers(key))
        stats = [_best_median(compared, key, c) for c in table.cells]
        body = []
        for e in rows:
            tds = []
            for c, (best, _) in zip(table.cells, stats, strict=True):
                v = e.value(key, c.name)
                top = v is not None and best is not None and round(v, 2) == round(best, 2)
                why = e.null_reason(key, c.name) if v is None else None
                attr = f" title='{_e(why)}'" if why else ""
                tds.append(f"<td{attr}>{'<b>' if top else ''}{_fmt(v)}{'</b>' if top else ''}</td>")
            body.append(
                f"<tr><th scope='row' title='{_e(row_label(e))}'>{_e(e.kind)}</th>"
                f"{''.join(tds)}</tr>"
            )
        of = f"{n} {pool_name}".strip()
        for label, idx in ((f"best of {of}", 0), (f"median of {of}", 1)):
            tds = "".join(f"<td>{_fmt(s[idx])}</td>" for s in stats)
            body.append(f"<tr class='qbp-ref'><th scope='row'>{_e(label)}</th>{tds}</tr>")
        out.append(
            f"<div class='qbp-mtable'><div class='qbp-mtitle'>{_e(TABLE_TITLES[key])}: "
            f"{_e(table.title)}</div><div class='qbp-scroll'><table>"
            f"<thead><tr><th></th>{head1}</tr><tr><th></th>{head2}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div></div>"
        )
    return "".join(out)


# ------------------------------------------------------------------------------ failures


@dataclass(frozen=True)
class FailureRow:
    """One category: how many of its items the model did not get fully right, and the
    drill-down link listing them (the first one shown)."""

    group: str
    category: str
    wrong: int
    items: int
    unscored: int
    examples: tuple[str, ...]
    link: str  # relative drill-down link (analysis.links), "" when nothing is wrong

    @property
    def share(self) -> float | None:
        scored = self.items - self.unscored
        return 100.0 * self.wrong / scored if scored else None


def failure_filters(cell: Cell) -> ItemFilters:
    """The drill-down filters listing a category's items the chosen model got wrong."""
    return ItemFilters(**dict(cell.where), outcome="any_wrong")


def failures(bench: Benchmark, items: pd.DataFrame, name: str) -> list[FailureRow]:
    """Per category of Tables 3 and 4 (taxonomy order): items not fully right (score
    below 1: wrong, unreadable, missing, half-right open answers; unjudged ones are not
    counted either way), with the first few ids as examples."""
    scores = items["score"].to_numpy(dtype=np.float64)
    ids = items["id"].to_numpy(dtype=object)
    wrong = scores < 1.0  # NaN (unjudged) is neither right nor wrong, as in the drill-down
    unknown = np.isnan(scores)
    masks = cell_masks(bench).as_dict()
    out = []
    for key in FAILURE_TABLES:
        for cell in TABLES[key].cells:
            if not cell.where:  # Overall
                continue
            mask = masks[key][cell.name]
            hit = np.flatnonzero(mask & wrong)
            examples = tuple(str(i) for i in ids[hit[:EXAMPLES_SHOWN]])
            link = item_link(examples[0], [name], failure_filters(cell)) if examples else ""
            out.append(
                FailureRow(
                    cell.group,
                    cell.label,
                    int(len(hit)),
                    int(mask.sum()),
                    int((mask & unknown).sum()),
                    examples,
                    link,
                )
            )
    return out


def failures_frame(rows: Sequence[FailureRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Group": r.group,
                "Category": r.category,
                "Not right": r.wrong,
                "Items": r.items,
                "Not right %": None if r.share is None else round(r.share, 2),
                "Examples": " · ".join(r.examples) + (" …" if r.wrong > len(r.examples) else ""),
            }
            for r in rows
        ],
        columns=list(FAILURE_COLUMNS),
    )


def failure_link(rows: Sequence[FailureRow], group: str, category: str) -> str | None:
    """The drill-down link of a selected failure row (by its group and category)."""
    return next((r.link or None for r in rows if (r.group, r.category) == (group, category)), None)


def failures_note(rows: Sequence[FailureRow]) -> str:
    """The line above the table: the hardest category, and what a click does."""
    scored = [r for r in rows if r.share is not None]
    if not scored:
        return "No scored items."
    worst = max(scored, key=lambda r: (r.share, r.wrong))
    unscored = max((r.unscored for r in rows), default=0)
    if worst.wrong == 0:
        return "Every scored item fully right." + (
            " Unjudged open-ended items are counted neither way." if unscored else ""
        )
    text = (
        f"Most often not right: {worst.group} · {worst.category}, {worst.wrong} of "
        f"{worst.items - worst.unscored} items ({worst.share:.1f}%). Click a row to open "
        "its items in the Drill-down tab."
    )
    if unscored:
        text += " Unjudged open-ended items are counted neither way."
    return text


# ------------------------------------------------------------------------------ provenance


def provenance_of(current: Submission | None, has_reported: bool) -> pd.DataFrame:
    """How the row on the board was produced, as the Row details tab lists it
    (`trust_views.provenance_frame`): the stored version's, else the paper's."""
    if current is not None:
        prov = provenance(
            dataclasses.asdict(current.meta), current.result, submission_id=current.id
        )
    elif has_reported:
        prov = reported_provenance("table3")
    else:
        return pd.DataFrame(columns=list(tv.PROVENANCE_HEADERS))
    return tv.provenance_frame(prov)


# ------------------------------------------------------------------------------ the page


@dataclass
class ModelPage:
    """Everything the Model tab shows for one name."""

    name: str
    rows: list[Entry]
    header: str
    tables: str
    radar: go.Figure | None
    radar_summary: str
    failure_rows: list[FailureRow] = field(default_factory=list)
    failures_note: str = ""
    versions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(tv.VERSIONS_HEADERS))
    )
    provenance: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(tv.PROVENANCE_HEADERS))
    )
    current_id: str | None = None  # the stored version on the board

    @property
    def found(self) -> bool:
        return bool(self.rows)

    @property
    def failures(self) -> pd.DataFrame:
        return failures_frame(self.failure_rows)


def build_page(
    name: str,
    entries: Sequence[Entry],
    bench: Benchmark,
    versions: Sequence[Submission] = (),
    current: Submission | None = None,
) -> ModelPage:
    """The page of `name` over the board's `entries`; `versions` are the visible stored
    versions of the name and `current` the one on the board (None for a paper-only
    model)."""
    rows = rows_for(entries, name)
    if not rows:
        return ModelPage(
            name,
            [],
            unknown_html(name, entries),
            "",
            None,
            "No model of that name.",
            failures_note="",
        )
    main = _radar_row(rows)
    compared = pool(entries, main)
    radar, summary = charts.model_radar(main, compared)
    has_reported = any(e.kind == REPORTED for e in rows)
    page = ModelPage(
        rows[0].name,
        rows,
        header_html(rows, entries),
        tables_html(rows, compared, ranks.POOL_NOUNS[pool_key(main)]),
        radar,
        summary,
        provenance=provenance_of(current, has_reported),
        current_id=current.id if current else None,
    )
    if current is not None:
        page.failure_rows = failures(bench, current.items(), current.meta.model)
        page.failures_note = failures_note(page.failure_rows)
    else:
        page.failures_note = (
            "Reported only: " + PAPER_NOTE + ", so no failure cases."
            if has_reported
            else "Being judged: no stored items yet."
        )
    if versions:
        page.versions = tv.versions_frame(versions, page.current_id)
    return page


def _radar_row(rows: Sequence[Entry]) -> Entry:
    """The row the radar draws: the verified one (re-scored here) when there is one."""
    return next((e for e in rows if e.kind == VERIFIED), rows[0])
