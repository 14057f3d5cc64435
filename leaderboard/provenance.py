"""How a leaderboard row was produced: the answer to "which rule, judge and file made this?".

A verified row's provenance is read from what the store already keeps (meta.json and
result.json): benchmark hash and revision, scorer and extractor version, judge backend,
model and prompt version, the upload's sha256, size and recognised format, upload time,
version number and owner, plus what the submitter declared in the optional form fields
(`DECLARED_FIELDS`). A reported row is "from the paper, Table N", with no per-item data.

Where it is called from (integration):
- the submission pipeline (`leaderboard/submission.py`) cleans the optional form fields
  with `clean_declared(form)` next to the model name and stores the result in meta.json
  under "declared" (SubmissionMeta gains `declared: dict`); it adds `benchmark_info(bench)`
  as result.json's "benchmark", "extractor_version": EXTRACTOR_VERSION, and
  "status_by_qtype": status_by_qtype(result.items), so the audit column needs no parquet;
- the board's details panel and the API call `provenance(meta, result)` for a stored row
  (`meta` = meta.json as a dict, e.g. `dataclasses.asdict(sub.meta)`; `result` =
  `sub.result`) and `reported_provenance("table3")` for a paper row;
- the upload form builds its optional fields from `DECLARED_FIELDS` (label, max length).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .benchmark import Benchmark
from .errors import InputError
from .forms import clean_text
from .taxonomy import CLOSED_QTYPES, QTYPES, TABLE_TITLES

#: Statuses that mean "the answer could not be used": counted by the audit column.
UNUSABLE_STATUSES: tuple[str, ...] = ("unreadable", "refused", "missing")
THINKING_CHOICES: tuple[str, ...] = ("unknown", "on", "off")
MAX_TEMPERATURE = 2.0
MAX_TOKENS = 10_000_000


class DeclaredFieldError(InputError):
    """An optional declared field (harness, generation settings) is filled in wrongly."""


Validator = Callable[[Any, "DeclaredField"], Any]


@dataclass(frozen=True)
class DeclaredField:
    """One optional field the submitter may fill in; shared by the form and the pipeline."""

    name: str  # key in the form and in meta.json "declared"
    label: str  # what the form and the provenance panel call it
    max_length: int  # characters the field may hold (the form's max_length too)
    validator: Validator  # (raw form value, this field) -> cleaned value or None; raises
    help: str = ""

    def clean(self, value: Any) -> Any:
        return self.validator(value, self)


def _empty(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _text(value: Any, f: DeclaredField) -> str | None:
    """Single-line text, the store's rule for form text (no control characters, capped)."""
    try:
        return clean_text(value, f.max_length, f.label)
    except InputError as exc:
        raise DeclaredFieldError(str(exc)) from None


def _multiline(value: Any, f: DeclaredField) -> str | None:
    """Text that may span lines (a prompt template): each line follows the single-line rule,
    tabs allowed, line ends normalised to \\n; the cap is on the whole text."""
    if _empty(value):
        return None
    if not isinstance(value, str):
        raise DeclaredFieldError(f"{f.label} must be text, not {type(value).__name__}")
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip("\n ")
    if len(text) > f.max_length:
        raise DeclaredFieldError(
            f"{f.label} is {len(text)} characters long; at most {f.max_length}"
        )
    for n, line in enumerate(text.split("\n"), start=1):
        try:
            clean_text(line.replace("\t", " "), f.max_length, f"{f.label}, line {n},")
        except InputError as exc:
            raise DeclaredFieldError(str(exc)) from None
    return text


def _number(value: Any, f: DeclaredField, low: float, high: float) -> float | None:
    if _empty(value):
        return None
    if isinstance(value, bool):
        raise DeclaredFieldError(f"{f.label} must be a number, not true/false")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise DeclaredFieldError(
                f"{f.label} must be a number between {low:g} and "
                f"{high:g}, got {value.strip()[:20]!r}"
            ) from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DeclaredFieldError(f"{f.label} must be a number between {low:g} and {high:g}")
    if not low <= value <= high:
        raise DeclaredFieldError(f"{f.label} must be between {low:g} and {high:g}, got {value:g}")
    return float(value)


def _temperature(value: Any, f: DeclaredField) -> float | None:
    return _number(value, f, 0.0, MAX_TEMPERATURE)


def _max_tokens(value: Any, f: DeclaredField) -> int | None:
    number = _number(value, f, 1, MAX_TOKENS)
    if number is None:
        return None
    if number != int(number):
        raise DeclaredFieldError(f"{f.label} must be a whole number, got {number:g}")
    return int(number)


def _thinking(value: Any, f: DeclaredField) -> str | None:
    """on / off / unknown; a checkbox's true/false is on/off."""
    if _empty(value):
        return None
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str) and value.strip().lower() in THINKING_CHOICES:
        return value.strip().lower()
    shown = repr(value)[:20] if isinstance(value, str) else type(value).__name__
    raise DeclaredFieldError(f"{f.label} must be one of {', '.join(THINKING_CHOICES)}, got {shown}")


#: The optional fields a submitter may declare, in form order.
DECLARED_FIELDS: tuple[DeclaredField, ...] = (
    DeclaredField(
        "harness",
        "Harness",
        80,
        _text,
        "the evaluation harness that wrote the file, e.g. lmms-eval, VLMEvalKit",
    ),
    DeclaredField(
        "harness_version", "Harness version", 40, _text, "its version or commit, e.g. 0.3.0"
    ),
    DeclaredField(
        "prompt_template",
        "Prompt template",
        4000,
        _multiline,
        "the prompt around each question, with the placeholders your harness uses",
    ),
    DeclaredField(
        "temperature",
        "Temperature",
        8,
        _temperature,
        f"sampling temperature, 0 to {MAX_TEMPERATURE:g}",
    ),
    DeclaredField("max_tokens", "Max new tokens", 10, _max_tokens, "the generation length limit"),
    DeclaredField(
        "thinking",
        "Thinking",
        7,
        _thinking,
        "whether a reasoning/thinking mode was on: on, off or unknown",
    ),
)
DECLARED_BY_NAME: dict[str, DeclaredField] = {f.name: f for f in DECLARED_FIELDS}


def clean_declared(form: Mapping[str, Any] | None) -> dict[str, Any]:
    """The declared fields of a submission form, validated: {name: value or None} for every
    field in DECLARED_FIELDS (other form keys are ignored). Raises DeclaredFieldError naming
    every field that is wrong, so the submitter fixes them in one go; nothing is stored."""
    if form is None:
        form = {}
    if not isinstance(form, Mapping):
        raise DeclaredFieldError("submission details must be a mapping of form fields")
    out: dict[str, Any] = {}
    problems: list[str] = []
    for f in DECLARED_FIELDS:
        try:
            out[f.name] = f.clean(form.get(f.name))
        except DeclaredFieldError as exc:
            problems.append(str(exc))
    if problems:
        raise DeclaredFieldError("; ".join(problems))
    return out


# ----------------------------------------------------------------------------- versions


def benchmark_info(bench: Benchmark) -> dict[str, Any]:
    """What result.json should say about the benchmark a submission was scored against."""
    return {
        "path": bench.source,
        "hash": bench.hash,
        "items": len(bench),
        "repo_id": bench.repo_id,
        "revision": bench.revision,
    }


def judge_label(judge: Mapping[str, Any] | None) -> str:
    """ "openai · gpt-4o", "approx · lexical-v1 (approximate)", or "none"."""
    if not judge or judge.get("backend") in (None, "", "none"):
        return "none"
    label = " · ".join(str(p) for p in (judge.get("backend"), judge.get("model")) if p)
    return label + (" (approximate)" if judge.get("approximate") else "")


def result_versions(result: Mapping[str, Any]) -> dict[str, Any]:
    """Everything in a stored result that says which rules produced it (for provenance and
    for the reason of a change record). Missing keys are None: scored before they were
    recorded."""
    bench = result.get("benchmark") or {}
    judge = result.get("judge") or {}
    return {
        "scorer_version": result.get("scorer_version"),
        "extractor_version": result.get("extractor_version"),
        "benchmark_hash": bench.get("hash"),
        "benchmark_revision": bench.get("revision"),
        "judge": judge_label(judge),
        "judge_prompt_version": judge.get("prompt_version"),
    }


# ----------------------------------------------------------------------------- audit


def status_by_qtype(items: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per question type, how many items have each status (from items.parquet's qtype and
    status columns). Only statuses that occur are listed."""
    counts = Counter(zip(items["qtype"].tolist(), items["status"].tolist(), strict=False))
    out: dict[str, dict[str, int]] = {}
    for (qtype, status), n in sorted(
        counts.items(),
        key=lambda kv: (QTYPES.index(kv[0][0]) if kv[0][0] in QTYPES else len(QTYPES), kv[0][1]),
    ):
        out.setdefault(str(qtype), {})[str(status)] = int(n)
    return out


def unreadable_share(by_qtype: Mapping[str, Mapping[str, int]]) -> float | None:
    """Percent of closed-ended items whose answer was unreadable, refused or missing; None
    when there are no closed-ended items."""
    total = bad = 0
    for qtype in CLOSED_QTYPES:
        counts = by_qtype.get(qtype) or {}
        total += sum(int(v) for v in counts.values())
        bad += sum(int(counts.get(s, 0)) for s in UNUSABLE_STATUSES)
    return None if total == 0 else 100.0 * bad / total


# ----------------------------------------------------------------------------- provenance


def provenance(
    meta: Mapping[str, Any], result: Mapping[str, Any], *, submission_id: str | None = None
) -> dict[str, Any]:
    """JSON-ready provenance of a stored row. Values that were never recorded are None (the
    panel says "not recorded"); declared fields not filled in are None ("not declared")."""
    report = result.get("parse_report") or {}
    bench = result.get("benchmark") or {}
    judge = result.get("judge") or None
    declared_in = meta.get("declared") or {}
    declared = {f.name: declared_in.get(f.name) for f in DECLARED_FIELDS}
    by_qtype = result.get("status_by_qtype")
    rescored = result.get("rescored") or None
    return {
        "kind": "verified",
        "submission_id": submission_id,
        "model": meta.get("model"),
        "version": meta.get("version"),
        "owner": meta.get("owner"),
        "submitter": meta.get("submitter"),
        "uploaded_at": meta.get("created") or None,
        "file": {
            "name": meta.get("file_name") or report.get("file_name"),
            "sha256": meta.get("file_sha256") or None,
            "size": meta.get("file_size"),
            "format": report.get("format") or meta.get("format") or None,
            "harness": report.get("harness"),
            "id_column": report.get("id_column"),
            "prediction_column": report.get("prediction_column"),
            "rows": report.get("rows"),
            "matched": report.get("matched"),
            "missing": report.get("missing"),
            "unknown": report.get("unknown"),
        },
        "same_file_as": list(meta.get("same_file_as") or []),
        "benchmark": {
            "source": bench.get("path"),
            "hash": bench.get("hash"),
            "revision": bench.get("revision"),
            "repo_id": bench.get("repo_id"),
            "items": bench.get("items"),
        },
        "scorer_version": result.get("scorer_version"),
        "extractor_version": result.get("extractor_version"),
        "judge": None
        if judge is None
        else {
            "backend": judge.get("backend"),
            "model": judge.get("model"),
            "prompt_version": judge.get("prompt_version"),
            "approximate": bool(judge.get("approximate")),
            "label": judge_label(judge),
            "failures": judge.get("failures"),
        },
        "status_counts": dict(result.get("status_counts") or {}),
        "unreadable_closed_pct": None if by_qtype is None else unreadable_share(by_qtype),
        "rescored": None
        if rescored is None
        else {
            "at": rescored.get("at"),
            "from_scorer_version": rescored.get("from_scorer_version"),
            "from_extractor_version": rescored.get("from_extractor_version"),
            "from_benchmark_hash": rescored.get("from_benchmark_hash"),
            "reason": rescored.get("reason"),
            "change": rescored.get("change"),
        },
        "declared": declared,
    }


def _table_key(table: str | int) -> str:
    text = str(table).strip().lower().replace(" ", "")
    key = text if text.startswith("table") else f"table{text}"
    if key not in TABLE_TITLES:
        raise ValueError(f"unknown table {table!r}; tables: {', '.join(TABLE_TITLES)}")
    return key


def reported_provenance(table: str | int = "table3") -> dict[str, Any]:
    """Provenance of a row copied from the paper: its table, and that nothing per item
    exists (it cannot be drilled into, re-scored or given an interval)."""
    key = _table_key(table)
    title = TABLE_TITLES[key]
    return {
        "kind": "reported",
        "source": "paper",
        "table": key,
        "table_title": title,
        "text": f"from the paper, {title}",
        "per_item": False,
        "note": "copied from the paper's table; no per-item data, so it cannot be "
        "drilled into, re-scored or given an interval",
    }
