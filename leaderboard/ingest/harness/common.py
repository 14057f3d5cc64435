"""What every harness reader returns, and small helpers they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..tables import Rows


@dataclass
class Layout:
    """Rows normalised by a harness reader: each record has the reply under `prediction`
    (and, where the tool wrote them, id candidates and `question`), plus the name shown in
    the parse report."""

    rows: Rows
    harness: str
    option_columns: bool = False  # rows carry lettered options (A, B, ...) read for TF items
    notes: list[str] = field(default_factory=list)


def content_text(content: Any) -> str | None:
    """A chat message's content: a string, or a list of parts whose text parts are joined."""
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):
        parts: list[str] = [
            p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
        ]
        parts += [p for p in content if isinstance(p, str)]
        return "\n".join(parts) if parts else None
    return None


def lower_keys(rows: Rows) -> set[str]:
    return {c.lower().strip() for c in rows.columns}
