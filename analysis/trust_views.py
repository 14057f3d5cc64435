"""Display frames and text for the trust features (issue 12): provenance panel, Changes list,
version diff, judge agreement, review badges, the "unreadable %" board column.

The core computes (leaderboard.provenance / changes / version_diff / agreement / review);
this module only shapes results for a grid, a sentence or the API. Conventions follow
analysis/item_views.py: the item id is the first column of every item grid (a selected row
names its item however the grid was sorted), numbers stay numbers so columns sort, and
user-sent text (model names, declared fields, parsed answers) stays plain text in "str"
columns; only the "Open" columns are Markdown, and they hold nothing but a fixed word and a
percent-encoded drill-down link from `analysis.links.item_link`.

Where it is called from: the Row details tab (ui/tabs/row_details.py: `provenance_frame`,
`versions_frame`, `review_status`, the version-diff and judge-agreement frames), the Changes
tab (`changes_frame`, `flips_frame`, `cell_changes_frame`, `change_summary`), the board rows
(`analysis.entries` takes `unreadable_column`), and the drill-down's "could not be read"
outcome (`unreadable_items` lists the same answers).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leaderboard.agreement import JUDGED_CELLS, SCORES, JudgeAgreement
from leaderboard.provenance import (
    DECLARED_FIELDS,
    UNUSABLE_STATUSES,
    status_by_qtype,
    unreadable_share,
)
from leaderboard.review import review_reasons, under_review
from leaderboard.taxonomy import CLOSED_QTYPES, TABLE_TITLES
from leaderboard.version_diff import VersionDiff

from .about import PAPER_TITLE
from .intervals import SIGNIFICANT as SIGNIFICANT  # re-exported: the mark the views show
from .intervals import display_labels, paired_columns
from .links import item_link

NOT_RECORDED = "not recorded"
NOT_DECLARED = "not declared"
MAX_SHOWN = 120  # characters of a parsed answer or declared text shown in a grid cell

#: Columns of each frame below, and the Gradio datatypes to show them with.
PROVENANCE_HEADERS = ("Field", "Value")
CHANGES_HEADERS = (
    "When",
    "Model",
    "Reason",
    "Overall before",
    "Overall after",
    "Δ Overall",
    "Cells changed",
    "Items flipped",
    "Record",
)
CHANGES_TYPES = ["str", "str", "str", "number", "number", "number", "number", "number", "str"]
FLIP_HEADERS = (
    "ID",
    "Type",
    "Score before",
    "Score after",
    "Parsed before",
    "Parsed after",
    "Status",
    "Open",
)
FLIP_TYPES = ["str", "str", "number", "number", "str", "str", "str", "markdown"]
CELL_CHANGE_HEADERS = ("Table", "Category", "Before", "After", "Δ")
CELL_CHANGE_TYPES = ["str", "str", "number", "number", "number"]
VERSION_HEADERS = ("Category", "Items", "Before", "After", "Δ", "95% CI", "Significant")
VERSION_TYPES = ["str", "number", "number", "number", "number", "str", "str"]
DISAGREE_HEADERS = ("ID", "Judge A", "Judge B", "Open")
DISAGREE_TYPES = ["str", "number", "number", "markdown"]
VERSIONS_HEADERS = (
    "Submission id",
    "Version",
    "Uploaded",
    "Overall",
    "Unreadable %",
    "File sha256",
    "Shown",
)
VERSIONS_TYPES = ["str", "number", "str", "number", "number", "str", "str"]
UNREADABLE_HEADERS = ("ID", "Type", "Status", "Answer", "Open")
UNREADABLE_TYPES = ["str", "str", "str", "str", "markdown"]


def _short(value: Any, limit: int = MAX_SHOWN) -> str:
    text = (
        ""
        if value is None or (isinstance(value, float) and math.isnan(value))
        else " ".join(str(value).split())
    )
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(item_id: str, models: Iterable[str]) -> str:
    """A Markdown link "[open](?item=...)": a fixed word and an encoded URL only."""
    return f"[open]({item_link(item_id, models)})"


def _num(x: Any) -> float:
    return np.nan if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


# ----------------------------------------------------------------------------- provenance


def _or(value: Any, missing: str = NOT_RECORDED) -> str:
    return missing if value in (None, "") else str(value)


def _size(n: Any) -> str:
    if not isinstance(n, int) or isinstance(n, bool):
        return NOT_RECORDED
    return f"{n:,} bytes" if n < 10_000 else f"{n:,} bytes ({n / 1024 / 1024:.2f} MB)"


def provenance_frame(prov: Mapping[str, Any]) -> pd.DataFrame:
    """The details panel of a row: one (Field, Value) line each, plain text."""
    if prov.get("kind") == "reported":
        paper = [
            ("Source", f"{prov['text']} ({PAPER_TITLE})"),
            ("Per-item data", "none: " + prov["note"]),
        ]
        return pd.DataFrame(paper, columns=list(PROVENANCE_HEADERS))
    f, b, j = prov.get("file") or {}, prov.get("benchmark") or {}, prov.get("judge")
    fmt = _or(f.get("format"))
    if f.get("harness"):
        fmt += f" · {f['harness']}"
    bench = _or(b.get("hash"))
    if b.get("revision"):
        bench += f", revision {b['revision']}"
    if b.get("repo_id") or b.get("source"):
        bench += f" ({b.get('repo_id') or b.get('source')}, {_or(b.get('items'))} items)"
    if j is None:
        judge = "none (open-ended answers unjudged)"
    else:
        judge = f"{j['label']}, prompt {_or(j.get('prompt_version'))}"
        if j.get("failures"):
            judge += f", {j['failures']} failed"
    rows: list[tuple[str, str]] = [
        ("Model", _or(prov.get("model"))),
        ("Version", _or(prov.get("version"))),
        ("Owner", _or(prov.get("owner"))),
        ("Submitter", _or(prov.get("submitter"), "not given")),
        ("Uploaded", _or(prov.get("uploaded_at"))),
        ("File", _or(f.get("name"))),
        ("File sha256", _or(f.get("sha256"))),
        ("File size", _size(f.get("size"))),
        ("Format recognised", fmt),
        (
            "Columns used",
            f"id: {_or(f.get('id_column'))}, answer: {_or(f.get('prediction_column'))}",
        ),
        (
            "Rows matched",
            f"{_or(f.get('matched'))} of {_or(f.get('rows'))} rows; "
            f"{_or(f.get('missing'))} benchmark items missing",
        ),
        ("Benchmark", bench),
        ("Scorer version", _or(prov.get("scorer_version"))),
        (
            "Extractor version",
            _or(prov.get("extractor_version"), "not recorded (covered by the scorer version)"),
        ),
        ("Open-ended judge", judge),
    ]
    pct = prov.get("unreadable_closed_pct")
    if pct is not None:
        rows.append(("Unreadable (closed-ended)", f"{pct:.1f}%"))
    counts = {k: v for k, v in (prov.get("status_counts") or {}).items() if v}
    if counts:
        rows.append(("Answer status", ", ".join(f"{k} {v:,}" for k, v in counts.items())))
    if prov.get("rescored"):
        r = prov["rescored"]
        why = r.get("reason") or f"was scorer {_or(r.get('from_scorer_version'))}"
        record = f"; change record {r['change']}" if r.get("change") else ""
        rows.append(("Re-scored", f"{_or(r.get('at'))} ({why}{record})"))
    if prov.get("same_file_as"):
        rows.append(("Same file as", ", ".join(prov["same_file_as"])))
    declared = prov.get("declared") or {}
    for fld in DECLARED_FIELDS:
        value = declared.get(fld.name)
        rows.append((fld.label, NOT_DECLARED if value is None else _short(value, 400)))
    return pd.DataFrame(rows, columns=list(PROVENANCE_HEADERS))


def versions_frame(subs: Sequence[Any], shown_id: str | None = None) -> pd.DataFrame:
    """A model's stored versions (objects with `id`, `meta`, `result`), newest first; the
    one shown in the panel is marked. Its first column is the id (a selected row opens it)."""
    subs = sorted(subs, key=lambda s: s.meta.version, reverse=True)
    unreadable = unreadable_column(subs)
    return pd.DataFrame(
        {
            "Submission id": [s.id for s in subs],
            "Version": [int(s.meta.version) for s in subs],
            "Uploaded": [str(s.meta.created) for s in subs],
            "Overall": [
                _num(((s.result.get("tables") or {}).get("table3") or {}).get("Overall"))
                for s in subs
            ],
            "Unreadable %": [_num(unreadable.get(s.id)) for s in subs],
            "File sha256": [str(s.meta.file_sha256)[:12] for s in subs],
            "Shown": ["◀ shown" if s.id == shown_id else "" for s in subs],
        },
        columns=list(VERSIONS_HEADERS),
    ).round({"Overall": 2, "Unreadable %": 1})


def review_status(review: Mapping[str, Any] | None) -> str:
    """One plain sentence on a row's review: held (why), cleared (by whom), or nothing."""
    record = review or {}
    if under_review(record):
        return (
            review_badge(record) + " — stored, but unranked until the admin clears it "
            f"(flagged {_or(record.get('flagged_at'))})."
        )
    if record.get("cleared_at"):
        note = f": {record['note']}" if record.get("note") else ""
        return (
            f"Held for review ({'; '.join(review_reasons(record))}), cleared by "
            f"{record.get('cleared_by')} at {record['cleared_at']}{note}."
        )
    return ""


# ----------------------------------------------------------------------------- changes


def changes_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The Changes list, newest first whatever order the records come in."""
    recs = sorted(records, key=lambda r: str(r.get("id", "")), reverse=True)
    return pd.DataFrame(
        {
            "When": [str(r.get("at", "")) for r in recs],
            "Model": [str(r.get("model", "")) for r in recs],
            "Reason": [str(r.get("reason", "")) for r in recs],
            "Overall before": [_num((r.get("overall") or {}).get("old")) for r in recs],
            "Overall after": [_num((r.get("overall") or {}).get("new")) for r in recs],
            "Δ Overall": [_num((r.get("overall") or {}).get("delta")) for r in recs],
            "Cells changed": [int(r.get("n_cells_changed", 0)) for r in recs],
            "Items flipped": [int(r.get("n_flips", 0)) for r in recs],
            "Record": [str(r.get("id", "")) for r in recs],
        },
        columns=list(CHANGES_HEADERS),
    ).round({"Overall before": 2, "Overall after": 2, "Δ Overall": 2})


def flips_frame(record: Mapping[str, Any]) -> pd.DataFrame:
    """The items a change flipped, each opening in the drill-down with the model chosen."""
    model = str(record.get("model", ""))
    flips = record.get("flips") or []
    status = [
        f"{f['old_status']} → {f['new_status']}"
        if f["old_status"] != f["new_status"]
        else f["new_status"]
        for f in flips
    ]
    return pd.DataFrame(
        {
            "ID": [f["id"] for f in flips],
            "Type": [f.get("qtype") or "" for f in flips],
            "Score before": [_num(f["old_score"]) for f in flips],
            "Score after": [_num(f["new_score"]) for f in flips],
            "Parsed before": [_short(f["old_parsed"]) for f in flips],
            "Parsed after": [_short(f["new_parsed"]) for f in flips],
            "Status": status,
            "Open": [_open(f["id"], (model,)) for f in flips],
        },
        columns=list(FLIP_HEADERS),
    )


def cell_changes_frame(record: Mapping[str, Any], only_changed: bool = True) -> pd.DataFrame:
    """Per cell before, after and Δ (points), tables in order."""
    cells = [c for c in record.get("cells") or [] if c["changed"] or not only_changed]
    labels = {k: display_labels(k) for k in TABLE_TITLES}
    return pd.DataFrame(
        {
            "Table": [TABLE_TITLES[c["table"]] for c in cells],
            "Category": [labels[c["table"]][c["cell"]] for c in cells],
            "Before": [_num(c["old"]) for c in cells],
            "After": [_num(c["new"]) for c in cells],
            "Δ": [_num(c["delta"]) for c in cells],
        },
        columns=list(CELL_CHANGE_HEADERS),
    ).round({"Before": 2, "After": 2, "Δ": 2})


def change_summary(record: Mapping[str, Any]) -> str:
    """One plain sentence: what changed, why, and how much."""
    o = record.get("overall") or {}
    if o.get("delta") is not None:
        move = f"Overall {o['old']:.2f} → {o['new']:.2f} ({o['delta']:+.2f} points)"
    else:
        move = f"Overall {_fmt(o.get('old'))} → {_fmt(o.get('new'))}"
    trans = record.get("status_transitions") or {}
    extra = ""
    if trans:
        top = ", ".join(f"{k} {v:,}" for k, v in list(trans.items())[:3])
        extra = f"; status changes: {top}"
    return (
        f"{record.get('model')}: {record.get('reason')}. {move}, "
        f"{record.get('n_cells_changed', 0)} categories changed, "
        f"{record.get('n_flips', 0):,} items flipped{extra}."
    )


def _fmt(v: Any) -> str:
    return "null" if v is None else f"{float(v):.2f}"


# ----------------------------------------------------------------------------- version diff


def version_diff_frame(diff: VersionDiff, table: str = "table3") -> pd.DataFrame:
    """Version N against N-1 on one table: both values, Δ, its paired interval, a mark when
    the interval excludes 0."""
    rows = diff.cells[diff.cells["table"] == table]
    labels = display_labels(table)
    ci, mark = paired_columns(rows, "delta")
    return pd.DataFrame(
        {
            "Category": [labels[c] for c in rows["cell"]],
            "Items": rows["n_items"].to_numpy(dtype="int64"),
            "Before": rows["old"].round(2).to_numpy(),
            "After": rows["new"].round(2).to_numpy(),
            "Δ": rows["delta"].round(2).to_numpy(),
            "95% CI": ci,
            "Significant": mark,
        },
        columns=list(VERSION_HEADERS),
    )


def version_diff_summary(diff: VersionDiff) -> str:
    """ "Version 3 vs 2: Overall +1.2 points (95% CI +0.4 to +2.0), significant; 37 items
    flipped (25 up, 12 down); McNemar p=0.03"."""
    head = f"Version {diff.new_version} vs {diff.old_version}"
    ov = diff.overall()
    if ov is None:
        text = (
            f"{head}: Overall is null in at least one version (open-ended answers not all judged)"
        )
    else:
        d, lo, hi = ov
        sig = "significant" if lo > 0 or hi < 0 else "not significant"
        text = (
            f"{head}: Overall {d:+.2f} points ({diff.level:.0%} CI {lo:+.2f} to {hi:+.2f}), {sig}"
        )
    up = sum(1 for f in diff.flips if _num(f["new_score"]) > _num(f["old_score"]))
    down = sum(1 for f in diff.flips if _num(f["new_score"]) < _num(f["old_score"]))
    b, c, p, n = diff.mcnemar
    text += f"; {len(diff.flips):,} items flipped ({up:,} up, {down:,} down)"
    if n:
        text += f"; McNemar p={p:.3g} on {n:,} closed-ended items"
    return text + "."


def version_flips_frame(diff: VersionDiff) -> pd.DataFrame:
    """The items whose score differs between the two versions (same shape as a change's)."""
    return flips_frame({"model": diff.model, "flips": diff.flips})


# ----------------------------------------------------------------------------- agreement


def _kappa(k: float | None) -> str:
    return "undefined" if k is None else f"{k:.2f}"


def agreement_summary(ag: JudgeAgreement) -> str:
    """Plain text: how often the judges agree, the kappas, and whether the board changes."""
    if ag.n_items == 0:
        return f"{ag.label_a} and {ag.label_b} have no open-ended answer both could score."
    text = (
        f"{ag.label_a} and {ag.label_b} agree exactly on {ag.exact:.1%} of "
        f"{ag.n_items:,} open-ended answers; weighted kappa {_kappa(ag.kappa_quadratic)} "
        f"(quadratic), {_kappa(ag.kappa_linear)} (linear); they disagree on "
        f"{len(ag.disagreements):,}."
    )
    if ag.cells:
        a, b = ag.cells["a"]["OE"], ag.cells["b"]["OE"]
        if a is not None and b is not None:
            text += f" OE: {a:.2f} under {ag.label_a}, {b:.2f} under {ag.label_b}."
    if ag.overall_rank:
        ra, rb = ag.overall_rank.get("a"), ag.overall_rank.get("b")
        if ra is not None and rb is not None:
            text += f" Overall rank {ra} under {ag.label_a}, {rb} under {ag.label_b}" + (
                " (the same)." if ra == rb else "."
            )
    if ag.only_a or ag.only_b:
        text += (
            f" Scored by only one judge: {len(ag.only_a)} by {ag.label_a}, "
            f"{len(ag.only_b)} by {ag.label_b}."
        )
    return text


def confusion_frame(ag: JudgeAgreement) -> pd.DataFrame:
    """The 3 x 3 counts: a row per judge A score, a column per judge B score."""
    frame = pd.DataFrame(ag.confusion, columns=[f"B = {s}" for s in SCORES])
    frame.insert(0, "", [f"A = {s}" for s in SCORES])
    return frame


def agreement_cells_frame(ag: JudgeAgreement) -> pd.DataFrame:
    """The judge-dependent cells (OE, OE global/local, Overall) under each judge."""
    if not ag.cells:
        return pd.DataFrame(columns=["Category", "Judge A", "Judge B", "Δ"])
    labels = {k: display_labels(k) for k in TABLE_TITLES}
    names = [
        f"{labels[t][c]}" if t == "table3" else f"{TABLE_TITLES[t]} {labels[t][c]}"
        for t, c in JUDGED_CELLS
    ]
    a = [_num(ag.cells["a"][c]) for _, c in JUDGED_CELLS]
    b = [_num(ag.cells["b"][c]) for _, c in JUDGED_CELLS]
    return pd.DataFrame(
        {"Category": names, "Judge A": a, "Judge B": b, "Δ": np.subtract(b, a)}
    ).round({"Judge A": 2, "Judge B": 2, "Δ": 2})


def disagreements_frame(ag: JudgeAgreement, model: str) -> pd.DataFrame:
    """The answers the judges score differently, each opening in the drill-down."""
    d = ag.disagreements
    return pd.DataFrame(
        {
            "ID": d["id"].tolist(),
            "Judge A": d["a_score"].to_numpy(dtype=float),
            "Judge B": d["b_score"].to_numpy(dtype=float),
            "Open": [_open(i, (model,)) for i in d["id"]],
        },
        columns=list(DISAGREE_HEADERS),
    )


# ----------------------------------------------------------------------------- review


def review_badge(record: Mapping[str, Any] | None) -> str:
    """ "under review: <reason>; <reason>" while a flagged row waits for the admin, else ""."""
    if not under_review(record):
        return ""
    return "under review: " + "; ".join(review_reasons(record))


# ----------------------------------------------------------------------------- audit


def unreadable_pct(result: Mapping[str, Any], items: pd.DataFrame | None = None) -> float | None:
    """The board's "Unreadable %": unreadable + refused + missing over closed-ended items.

    result.json holds status counts over all items, not per question type, so unless the
    pipeline has added "status_by_qtype" the counts come from `items` (qtype and status
    columns of items.parquet); None when neither is available."""
    by_qtype = result.get("status_by_qtype")
    if by_qtype is None:
        if items is None:
            return None
        by_qtype = status_by_qtype(items)
    return unreadable_share(by_qtype)


def read_status_columns(submission_path: str | Path) -> pd.DataFrame:
    """Only the qtype and status columns of a stored items.parquet (what the audit needs)."""
    return pd.read_parquet(Path(submission_path) / "items.parquet", columns=["qtype", "status"])


_UNREADABLE_CACHE: dict[tuple[Any, ...], float | None] = {}


def unreadable_column(subs: Sequence[Any]) -> dict[str, float | None]:
    """{submission id: Unreadable %} for stored submissions (objects with `id`, `path`,
    `result`). Where result.json lacks the per-type counts, items.parquet's two columns are
    read once per submission and scoring (keyed by id, scorer version, benchmark hash and
    the re-score time, so a re-scored row is read again)."""
    out: dict[str, float | None] = {}
    for sub in subs:
        if "status_by_qtype" in sub.result:
            out[sub.id] = unreadable_pct(sub.result)
            continue
        key = (
            sub.id,
            sub.result.get("scorer_version"),
            (sub.result.get("benchmark") or {}).get("hash"),
            (sub.result.get("rescored") or {}).get("at"),
        )
        if key not in _UNREADABLE_CACHE:
            if len(_UNREADABLE_CACHE) > 100_000:
                _UNREADABLE_CACHE.clear()
            _UNREADABLE_CACHE[key] = unreadable_pct(sub.result, read_status_columns(sub.path))
        out[sub.id] = _UNREADABLE_CACHE[key]
    return out


def unreadable_items(items: pd.DataFrame, model: str, closed_only: bool = False) -> pd.DataFrame:
    """The drill-down filter "answers of model X that could not be read": unreadable,
    refused and missing answers, benchmark order, each opening in the drill-down."""
    pick = items["status"].isin(UNUSABLE_STATUSES)
    if closed_only:
        pick &= items["qtype"].isin(CLOSED_QTYPES)
    rows = items[pick]
    return pd.DataFrame(
        {
            "ID": rows["id"].tolist(),
            "Type": rows["qtype"].tolist(),
            "Status": rows["status"].tolist(),
            "Answer": [_short(r) for r in rows["raw"]],
            "Open": [_open(i, (model,)) for i in rows["id"]],
        },
        columns=list(UNREADABLE_HEADERS),
    )
