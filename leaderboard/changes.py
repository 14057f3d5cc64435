"""Change records: what a re-score did to a stored row, so no number changes unexplained.

Every re-score (new scorer or extractor version, new benchmark revision, a re-judge) of a
stored submission yields one record: per cell of Tables 3-6 the old and new value and their
difference, the items whose score flipped (with the old and new parsed answer and status),
counts of status transitions, the reason and the versions on both sides. Records are kept
in an append-only `ChangeLog` (one write-once JSON file each, see `append_only`).

Where it is called from (integration):
- the re-score path (`store._rescore`, or the pipeline's rescore once it owns it), after the
  new result is computed and before it replaces the old one: `change_record(sub.meta.model,
  old_result_json, new_payload, sub.items(), new_result.items, submission_id=sub.id)` then
  `ChangeLog(store.root / "changes").add(record)`; the re-judge admin action does the same
  with `reason=rejudge_reason(judge_info)`;
- the Changes tab and the API: `ChangeLog.list()` / `.get(id)` and analysis/trust_views.
The Hub sync must push and restore the `changes/` folder too (it only knows submission
folders today).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .append_only import DEFAULT_MAX_BYTES, RecordFolder, new_record_id
from .names import name_key as model_key
from .provenance import judge_label, result_versions
from .taxonomy import TABLES

#: Columns an items frame must have to be compared (items.parquet has them all).
ITEM_FIELDS: tuple[str, ...] = ("id", "qtype", "parsed", "status", "score")
#: Keys of each flip in a record.
FLIP_KEYS: tuple[str, ...] = (
    "id",
    "qtype",
    "old_score",
    "new_score",
    "old_parsed",
    "new_parsed",
    "old_status",
    "new_status",
)
ABSENT = "absent"  # status of an item on the side of a benchmark revision that lacks it
RECORD_KIND = "rescore"
CHANGES_DIR = "changes"  # under the store root: ChangeLog(store.root / CHANGES_DIR)


def _clean(value: Any) -> Any:
    """A JSON value from a pandas/numpy cell (NaN/NA -> None)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return bool(a == b)


def cell_changes(
    old_tables: Mapping[str, Mapping[str, Any]], new_tables: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Every cell of Tables 3-6 in taxonomy order: old, new and new minus old (points; None
    when either side is null). `changed` is true when the value moved or became (non)null."""
    out = []
    for key, table in TABLES.items():
        old_t, new_t = old_tables.get(key) or {}, new_tables.get(key) or {}
        for cell in table.cells:
            old, new = _clean(old_t.get(cell.name)), _clean(new_t.get(cell.name))
            delta = None if old is None or new is None else new - old
            out.append(
                {
                    "table": key,
                    "cell": cell.name,
                    "old": old,
                    "new": new,
                    "delta": delta,
                    "changed": not _same(old, new),
                }
            )
    return out


def item_flips(
    old_items: pd.DataFrame, new_items: pd.DataFrame
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """(flips, status transitions) between two items frames, matched by id.

    A flip is an item whose score differs (an unknown score, NaN, differs from a known
    one; NaN against NaN does not); an item only one side has is a flip with the other
    side's status `absent`. Transitions count "old -> new" status pairs that differ, flips
    or not, so "ok -> unreadable" shows even where the score stayed 0.
    """
    for name, frame in (("old_items", old_items), ("new_items", new_items)):
        missing = [c for c in ITEM_FIELDS if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} lacks column(s) {', '.join(missing)}")
    old = old_items[list(ITEM_FIELDS)].rename(columns=lambda c: f"old_{c}" if c != "id" else c)
    new = new_items[list(ITEM_FIELDS)].rename(columns=lambda c: f"new_{c}" if c != "id" else c)
    new_ids, old_ids = new["id"].tolist(), old["id"].tolist()
    in_new = set(new_ids)
    order = new_ids + [i for i in old_ids if i not in in_new]  # new's order, then removed
    both = (
        pd.DataFrame({"id": order}).merge(new, on="id", how="left").merge(old, on="id", how="left")
    )
    in_old = set(old_ids)
    o_score = both["old_score"].to_numpy(dtype=np.float64, na_value=np.nan)
    n_score = both["new_score"].to_numpy(dtype=np.float64, na_value=np.nan)
    o_nan, n_nan = np.isnan(o_score), np.isnan(n_score)
    only = np.fromiter(
        (i not in in_new or i not in in_old for i in order), dtype=bool, count=len(order)
    )
    flipped = only | (o_nan != n_nan) | (~o_nan & ~n_nan & (o_score != n_score))
    o_status = both["old_status"].astype(object).where(both["old_status"].notna(), ABSENT)
    n_status = both["new_status"].astype(object).where(both["new_status"].notna(), ABSENT)
    transitions = Counter(f"{a} -> {b}" for a, b in zip(o_status, n_status, strict=False) if a != b)
    idx = np.flatnonzero(flipped)
    sub = both.iloc[idx]
    columns = zip(
        sub["id"],
        sub["new_qtype"],
        sub["old_qtype"],
        o_score[idx],
        n_score[idx],
        sub["old_parsed"],
        sub["new_parsed"],
        o_status.iloc[idx],
        n_status.iloc[idx],
        strict=False,
    )
    flips = [
        {
            "id": str(i),
            "qtype": _clean(nq) or _clean(oq),
            "old_score": _clean(os_),
            "new_score": _clean(ns),
            "old_parsed": _clean(op),
            "new_parsed": _clean(np_),
            "old_status": ost,
            "new_status": nst,
        }
        for i, nq, oq, os_, ns, op, np_, ost, nst in columns
    ]
    return flips, dict(sorted(transitions.items(), key=lambda kv: (-kv[1], kv[0])))


# ----------------------------------------------------------------------------- reasons


def rescore_reason(old_result: Mapping[str, Any], new_result: Mapping[str, Any]) -> str:
    """Why a re-score happened, from the versions the two results record: "scorer 1.2 ->
    1.3; benchmark revision abc -> def; re-judged with openai · gpt-4o"."""
    old, new = result_versions(old_result), result_versions(new_result)
    parts = []
    for key, label in (("scorer_version", "scorer"), ("extractor_version", "extractor")):
        if old[key] != new[key]:
            parts.append(f"{label} {old[key] or 'unrecorded'} -> {new[key] or 'unrecorded'}")
    if old["benchmark_revision"] != new["benchmark_revision"] and new["benchmark_revision"]:
        parts.append(
            f"benchmark revision {old['benchmark_revision'] or 'unrecorded'} -> "
            f"{new['benchmark_revision']}"
        )
    elif old["benchmark_hash"] != new["benchmark_hash"]:
        parts.append(
            f"benchmark {old['benchmark_hash'] or 'unrecorded'} -> {new['benchmark_hash']}"
        )
    if (old["judge"], old["judge_prompt_version"]) != (new["judge"], new["judge_prompt_version"]):
        prompt = new["judge_prompt_version"]
        parts.append(f"re-judged with {new['judge']}" + (f" (prompt {prompt})" if prompt else ""))
    return "; ".join(parts) or "re-scored (no recorded version changed)"


def rejudge_reason(judge: Mapping[str, Any] | None) -> str:
    """The reason of an admin re-judge with another judge: "re-judged with openai · gpt-4o"."""
    return f"re-judged with {judge_label(judge)}"


# ----------------------------------------------------------------------------- records


def change_record(
    model: str,
    old_result: Mapping[str, Any],
    new_result: Mapping[str, Any],
    old_items: pd.DataFrame,
    new_items: pd.DataFrame,
    reason: str | None = None,
    *,
    submission_id: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One JSON-ready change record (see the module docstring). `old_result` and
    `new_result` are result.json payloads (ScoreResult.to_json or the stored dict);
    `reason` defaults to `rescore_reason(old_result, new_result)`."""
    at = at or datetime.now(UTC)
    cells = cell_changes(old_result.get("tables") or {}, new_result.get("tables") or {})
    flips, transitions = item_flips(old_items, new_items)
    overall = next(c for c in cells if c["table"] == "table3" and c["cell"] == "Overall")
    return {
        "kind": RECORD_KIND,
        "model": model,
        "model_key": model_key(model),
        "submission_id": submission_id,
        "at": at.astimezone(UTC).isoformat(timespec="seconds"),
        "reason": reason or rescore_reason(old_result, new_result),
        "versions": {"old": result_versions(old_result), "new": result_versions(new_result)},
        "old_scored_at": (old_result.get("rescored") or {}).get("at"),
        "overall": {"old": overall["old"], "new": overall["new"], "delta": overall["delta"]},
        "cells": cells,
        "n_cells_changed": sum(1 for c in cells if c["changed"]),
        "flips": flips,
        "n_flips": len(flips),
        "status_transitions": transitions,
        "status_counts": {
            "old": dict(old_result.get("status_counts") or {}),
            "new": dict(new_result.get("status_counts") or {}),
        },
    }


def summary(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record without its per-item and per-cell lists (what a list view needs)."""
    return {k: v for k, v in record.items() if k not in ("cells", "flips")}


class ChangeLog:
    """Append-only change records under `root` (one write-once JSON file per record).

    Safe for many threads and processes: names are unique and a record is linked into
    place whole. Reads are bounded: `list` opens at most `max_scan` files.
    """

    def __init__(self, root: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = RecordFolder(root, max_bytes=max_bytes, summarise=summary)

    @property
    def root(self) -> Path:
        return self.folder.root

    @property
    def problems(self) -> list[str]:
        return self.folder.problems

    def add(self, record: Mapping[str, Any]) -> str:
        """Store a record (from `change_record`) and return its id; never overwrites."""
        if record.get("kind") != RECORD_KIND or not record.get("model"):
            raise ValueError("not a change record (make it with change_record)")
        return self.folder.write(dict(record), new_record_id())

    def get(self, record_id: str) -> dict[str, Any]:
        """One record by id (KeyError for anything else). Read-only: it is cached."""
        return self.folder.get(record_id)

    def ids(self, newest_first: bool = True) -> list[str]:
        """Every record id, newest first by default (nothing is opened)."""
        return self.folder.ids(newest_first)

    def list(
        self,
        newest_first: bool = True,
        limit: int | None = 100,
        model: str | None = None,
        max_scan: int | None = 10_000,
    ) -> list[dict[str, Any]]:
        """Record summaries (no cells or flips: `get` a record for those), newest first by
        default; only those of `model` (by model key) if given. Read-only: they are cached."""
        keep = None
        if model is not None:
            wanted = model_key(model)
            keep = lambda r: r.get("model_key") == wanted  # noqa: E731
        return list(self.folder.iter(newest_first, keep=keep, limit=limit, max_scan=max_scan))


def flipped_ids(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Item ids flipped by any of the records, first seen first (for a drill-down filter)."""
    seen: dict[str, None] = {}
    for r in records:
        for f in r.get("flips") or []:
            seen.setdefault(f["id"], None)
    return list(seen)
