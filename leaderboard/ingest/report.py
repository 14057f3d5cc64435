"""What the parser saw and used (the parse report), and the parsed file itself."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_LISTED = 50  # ids listed in a report; the counts are always complete
MAX_SHOWN = 60  # characters of user text quoted in a message
MAX_WARNINGS = 20


def short(value: Any, limit: int = MAX_SHOWN) -> str:
    """repr() of user text for a message, cut so a hostile value cannot flood the page."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "...'"


def display_name(file_name: str) -> str:
    """The uploaded file's base name for display: no folders (either separator), no control
    characters, capped. It is never used as a path."""
    base = re.split(r"[\\/]", str(file_name))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:200] or "upload"


@dataclass
class ParseReport:
    """What the parser saw and used; shown to the uploader at once.

    `format` is the container (jsonl, json, csv, tsv, parquet, xlsx: what re-scoring needs);
    `harness` names the layout recognised inside it ("lmms-eval samples v0.4-v0.6", ...).
    Keys are only ever added, so stored reports stay readable.
    """

    file_name: str
    format: str
    rows: int
    id_column: str
    prediction_column: str
    matched: int = 0
    missing: int = 0
    unknown: int = 0
    empty: int = 0
    missing_ids: list[str] = field(default_factory=list)  # first MAX_LISTED
    unknown_ids: list[str] = field(default_factory=list)  # first MAX_LISTED
    harness: str = ""
    question_column: str | None = None
    questions_checked: int = 0  # matched rows whose question text was compared
    questions_agreeing: int = 0
    warnings: list[str] = field(default_factory=list)  # possible mis-scoring, shown as such
    notes: list[str] = field(default_factory=list)  # how the layout was read

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PredictionFile:
    predictions: dict[str, str | None]  # benchmark id -> raw text (None: absent)
    report: ParseReport
