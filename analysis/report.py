"""What the uploader sees about their file: how it was parsed and what could not be read.

Built from the core's ParseReport and the scored items; rendered as escaped HTML because
file names, column names, ids and answers all come from the upload.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

from leaderboard.predictions import ParseReport

EXAMPLES = 5
EXCERPT = 160


def _excerpt(text: Any, limit: int = EXCERPT) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def summarise(
    report: ParseReport | Mapping[str, Any],
    status_counts: Mapping[str, int],
    items: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """JSON-ready summary: columns used, id matching, and examples of each answer problem."""
    rep = report.as_dict() if isinstance(report, ParseReport) else dict(report)
    out: dict[str, Any] = {
        "file_name": rep.get("file_name"),
        "format": rep.get("format"),
        "rows": rep.get("rows"),
        "harness": rep.get("harness") or None,
        "warnings": [str(w) for w in rep.get("warnings") or []][:EXAMPLES],
        "notes": [str(n) for n in rep.get("notes") or []][:EXAMPLES],
        "id_column": rep.get("id_column"),
        "prediction_column": rep.get("prediction_column"),
        "matched": rep.get("matched"),
        "missing": rep.get("missing"),
        "unknown": rep.get("unknown"),
        "empty": rep.get("empty"),
        "missing_ids": list(rep.get("missing_ids") or [])[:EXAMPLES],
        "unknown_ids": list(rep.get("unknown_ids") or [])[:EXAMPLES],
        "status_counts": {k: int(v) for k, v in status_counts.items() if v},
        "examples": {},
    }
    if items is not None:
        for status in ("unreadable", "refused", "judge_failed"):
            rows = items[items["status"] == status].head(EXAMPLES)
            if len(rows):
                out["examples"][status] = [
                    {"id": str(r["id"]), "qtype": str(r["qtype"]), "raw": _excerpt(r["raw"])}
                    for r in rows.to_dict(orient="records")
                ]
    return out


def _e(v: Any) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def summary_html(summary: Mapping[str, Any], title: str = "Parse report") -> str:
    """The summary as an escaped HTML block."""
    s = summary
    counts = ", ".join(f"{_e(k)} {_e(v)}" for k, v in s["status_counts"].items())
    lines = [
        f"<div class='qbp-report'><h4>{_e(title)}</h4><ul>",
        f"<li>File <code>{_e(s['file_name'])}</code>: "
        f"{_e(s.get('harness') or s['format'])}, {_e(s['rows'])} rows; "
        f"id column <code>{_e(s['id_column'])}</code>, answer column "
        f"<code>{_e(s['prediction_column'])}</code></li>",
        f"<li>Matched {_e(s['matched'])} benchmark items; missing {_e(s['missing'])} "
        f"(scored 0); unknown ids {_e(s['unknown'])} (ignored); empty answers "
        f"{_e(s['empty'])}</li>",
    ]
    if s["missing_ids"]:
        lines.append(
            "<li>Missing, e.g.: "
            + ", ".join(f"<code>{_e(i)}</code>" for i in s["missing_ids"])
            + "</li>"
        )
    if s["unknown_ids"]:
        lines.append(
            "<li>Not in the benchmark, e.g.: "
            + ", ".join(f"<code>{_e(i)}</code>" for i in s["unknown_ids"])
            + "</li>"
        )
    if counts:
        lines.append(f"<li>Answer status: {counts}</li>")
    lines += [f"<li class='qbp-warn'>Warning: {_e(w)}</li>" for w in s.get("warnings", [])]
    lines += [f"<li class='qbp-note'>{_e(n)}</li>" for n in s.get("notes", [])]
    lines.append("</ul>")
    for status, rows in s["examples"].items():
        total = s["status_counts"].get(status, len(rows))
        lines.append(f"<div><b>{_e(status)}</b> ({_e(total)}), e.g.:<ul>")
        lines += [
            f"<li><code>{_e(r['id'])}</code> ({_e(r['qtype'])}): "
            f"<span class='qbp-rawtext'>{_e(r['raw']) or '<i>(empty)</i>'}</span></li>"
            for r in rows
        ]
        lines.append("</ul></div>")
    lines.append("</div>")
    return "".join(lines)


def error_html(message: str) -> str:
    """A refusal: the InputError text, verbatim and escaped, nothing stored."""
    return (
        f"<div class='qbp-error'><b>Not accepted — nothing was stored.</b>"
        f"<pre>{_e(message)}</pre></div>"
    )


def accepted_html(message: str, summary: Mapping[str, Any]) -> str:
    """A stored upload: the outcome sentence (it names the model: escaped), then how the
    file was parsed."""
    return f"<div class='qbp-ok'><b>{_e(message)}</b></div>" + summary_html(summary, "Parse report")


def ok_html(message: str) -> str:
    """A done action's sentence (it may name a model: escaped)."""
    return f"<div class='qbp-ok'>{_e(message)}</div>"


def moderated_html(model: str, hidden: bool) -> str:
    """A moderation done: the model is now hidden from, or shown on, the board."""
    what = "hidden from" if hidden else "shown on"
    return f"<div class='qbp-ok'>{_e(model)} is now {what} the board.</div>"


def notice_html(message: str) -> str:
    """An action done (a model withdrawn): the sentence, escaped."""
    return f"<div class='qbp-ok'>{_e(message)}</div>"
