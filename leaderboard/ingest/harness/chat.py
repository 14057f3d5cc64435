"""Chat transcripts: rows with `messages` (OpenAI chat format, as `datasets` exports of chat
data and most serving logs keep them); the reply is the last assistant turn and the question
the user turn before it."""

from __future__ import annotations

from ..tables import Rows
from .common import Layout, content_text, lower_keys


def read(rows: Rows) -> Layout | None:
    if "messages" not in lower_keys(rows):
        return None
    col = next(c for c in rows.columns if c.lower().strip() == "messages")
    if not all(isinstance(r.get(col), list) for r in rows.records):
        return None
    out = []
    for rec in rows.records:
        reply = question = None
        for turn in rec[col]:
            if not isinstance(turn, dict):
                continue
            if turn.get("role") == "assistant":
                reply = content_text(turn.get("content"))
            elif turn.get("role") == "user":
                question, reply = content_text(turn.get("content")), None
        row = {k: v for k, v in rec.items() if k != col}
        row["prediction"], row["question"] = reply, question
        out.append(row)
    columns = [c for c in rows.columns if c != col]
    columns += [c for c in ("prediction", "question") if c not in columns]
    return Layout(Rows(out, columns, rows.labels), "chat transcripts")
