"""Bounded work per request: every cap is checked on what is cheap to know (metadata, the ZIP
directory, a header line, a count of JSON values) before the expensive parse starts.

The caps live in `Limits`; this module owns the checks and their messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..errors import PredictionError
from ..settings import Limits, mb
from .report import short

#: A JSON string token (escapes included), to count values outside strings.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_columns(n_columns: int, name: str, limits: Limits, what: str = "columns") -> None:
    if n_columns > limits.max_columns:
        raise PredictionError(
            f"{name}: {n_columns} {what}, more than the {limits.max_columns} a "
            "prediction file may have (it needs an id and a prediction)"
        )


def check_cells(n_cells: int, name: str, limits: Limits, what: str = "cells") -> None:
    if n_cells > limits.max_cells:
        raise PredictionError(
            f"{name}: {n_cells} {what}, more than the {limits.max_cells} one upload may hold"
        )


def check_decoded(n_bytes: int, name: str, limits: Limits, what: str) -> None:
    if n_bytes > limits.max_expanded_bytes:
        raise PredictionError(
            f"{name}: {what} {mb(n_bytes)} MB, over the {mb(limits.max_expanded_bytes)} MB limit"
        )


def check_lines(text: str, name: str, limits: Limits) -> None:
    """No physical line longer than the cap (CSV/TSV/JSONL rows are lines)."""
    if len(text) <= limits.max_line_chars:
        return
    longest, at = 0, 0
    for lineno, line in enumerate(text.split("\n"), start=1):
        if len(line) > longest:
            longest, at = len(line), lineno
    if longest > limits.max_line_chars:
        raise PredictionError(
            f"{name} line {at}: {longest} characters, more than the "
            f"{limits.max_line_chars}-character line limit"
        )


def json_value_count(text: str) -> int:
    """An upper bound on the number of JSON values in `text` (objects, arrays and their
    elements), counted outside string tokens: what `json.loads` would allocate."""
    bare = _JSON_STRING.sub("", text)
    return bare.count("{") + bare.count("[") + bare.count(",") + 1


def check_json_values(data: bytes, text: Callable[[], str], name: str, limits: Limits) -> None:
    """Cheap first (bytes.count is a memchr scan): few structural bytes cannot be over the
    cap; only then is the text decoded and its strings set aside to count exactly."""
    if sum(data.count(c) for c in (b"{", b"[", b",")) <= limits.max_cells:
        return
    check_cells(json_value_count(text()), name, limits, "JSON values")


def surrogate_at(text: str) -> int | None:
    """Position of a lone UTF-16 surrogate (only a JSON escape such as "\\ud800" makes one):
    such a string is not text and cannot be stored or shown."""
    found = _SURROGATE.search(text)
    return None if found is None else found.start()


def refuse_surrogates(
    texts: Sequence[str | None], name: str, what: str, where: Callable[[int], str]
) -> None:
    """The first lone surrogate among `texts` refuses the file, naming `where(i)`. One scan
    of the joined texts in the usual case; labels are built only for a refusal."""
    if surrogate_at("".join(t for t in texts if t)) is None:
        return
    for i, text in enumerate(texts):
        if text is None:
            continue
        pos = surrogate_at(text)
        if pos is not None:
            code = f"\\u{ord(text[pos]):04x}"
            raise PredictionError(
                f"{name} {where(i)}: the {what} contains a lone surrogate "
                f"({code} at character {pos + 1}), which is not text; "
                "write the file with valid Unicode (UTF-8)"
            )


def column_names_text(columns: list[str], name: str) -> None:
    refuse_surrogates(columns, name, "column name", lambda i: f"column {i + 1}")


def quoted(columns: list[str], limit: int = 20) -> str:
    return ", ".join(map(short, columns[:limit])) or "(none)"
