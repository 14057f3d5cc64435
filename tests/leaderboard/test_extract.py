"""Reference answer extraction, driven by tests/data/extraction_cases.csv.

Each row of the table is one realistic model output and what a reader would say it
answers. Columns: qtype, raw, options (the four option texts joined with "|", empty for
TF and OE), expected_parsed (empty for None), expected_status, note. A raw cell of exactly
"<missing>" stands for an id absent from the prediction file (raw=None).
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from leaderboard.extract import STATUSES, Extraction, extract, normalise
from leaderboard.taxonomy import OPTION_LETTERS, QTYPES

CASES_CSV = Path(__file__).resolve().parents[1] / "data" / "extraction_cases.csv"
MISSING = "<missing>"


def _load() -> list[dict[str, str]]:
    with CASES_CSV.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


ROWS = _load()


def _args(row: dict[str, str]) -> tuple[str, str | None, tuple[str, ...]]:
    raw = None if row["raw"] == MISSING else row["raw"]
    options = tuple(row["options"].split("|")) if row["options"] else ()
    return row["qtype"], raw, options


def test_table_is_large_and_covers_every_type_and_status():
    by_type = Counter(r["qtype"] for r in ROWS)
    assert len(ROWS) >= 150
    assert by_type["SC"] >= 60 and by_type["MC"] >= 50 and by_type["TF"] >= 40
    assert by_type["OE"] >= 5
    assert {r["expected_status"] for r in ROWS} == set(STATUSES)
    for r in ROWS:
        assert r["qtype"] in QTYPES
        assert r["note"], f"row without a note: {r['raw']!r}"
        if r["qtype"] in ("SC", "MC"):
            assert len(r["options"].split("|")) == len(OPTION_LETTERS), r["raw"]
        else:
            assert r["options"] == ""


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['qtype']}-{i}" for i, r in enumerate(ROWS)])
def test_case_table(row):
    qtype, raw, options = _args(row)
    got = extract(qtype, raw, options)
    expected = Extraction(row["expected_parsed"] or None, row["expected_status"])
    assert got == expected, f"{row['note']}: {raw!r}"


def test_results_are_well_formed():
    """parsed is set exactly when ok, and has the documented shape per type."""
    for row in ROWS:
        qtype, raw, options = _args(row)
        got = extract(qtype, raw, options)
        assert got.status in STATUSES
        assert (got.parsed is not None) == (got.status == "ok")
        if got.parsed is None:
            continue
        if qtype == "SC":
            assert got.parsed in OPTION_LETTERS
        elif qtype == "MC":
            assert list(got.parsed) == sorted(set(got.parsed))
            assert set(got.parsed) <= set(OPTION_LETTERS)
        elif qtype == "TF":
            assert got.parsed in ("True", "False")


def test_deterministic_and_order_independent():
    """Same input, same output: across repeats and in any order (no state, no randomness)."""
    first = [extract(*_args(r)) for r in ROWS]
    again = [extract(*_args(r)) for r in reversed(ROWS)][::-1]
    assert first == again
    assert first == [extract(*_args(r)) for r in ROWS]


def test_inputs_are_not_changed():
    """The raw text and options stay exactly as given (the drill-down shows the raw text)."""
    raw = "  **Answer:** (B)\n<think>maybe A</think>  "
    options = [
        "Slight motion blur on the face",
        "Strong sensor noise in the shadows",
        "Overexposed highlights on the forehead",
        "No visible distortion",
    ]
    raw_before, options_before = str(raw), list(options)
    assert extract("SC", raw, options) == Extraction("B", "ok")
    assert raw == raw_before and options == options_before
    normalise(raw)
    assert raw == raw_before


def test_extraction_is_immutable():
    result = extract("SC", "B", ())
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.parsed = "C"  # type: ignore[misc]


def test_unknown_question_type_is_an_error():
    with pytest.raises(ValueError, match="question type"):
        extract("XX", "B")


def test_missing_for_every_type_and_nan_cell():
    for qtype in QTYPES:
        assert extract(qtype, None) == Extraction(None, "missing")
    assert extract("SC", float("nan")) == Extraction(None, "missing")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ｂ", "B"),
        ("（Ｃ）", "(C)"),
        ("<think>A or D?</think>\nThe answer is B.", "The answer is B."),
        ("reasoning about A</think> B", "B"),
        ("<think>never closed, mentions C", ""),
        ("**B**", "B"),
        ("__B__", "B"),
        ("*B*", "B"),
        ("`C`", "C"),
        ("\\boxed{B}", "B"),
        ("$\\boxed{\\text{D}}$", "D"),
        ("  The face\n\n is   soft.\t", "The face is soft."),
        ("snake_case stays", "snake_case stays"),
        ("costs $5", "costs $5"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_oe_answer_is_the_normalised_text():
    raw = "<think>look at the hair</think>\n  Mild **JPEG** blocking.  "
    assert extract("OE", raw) == Extraction(normalise(raw), "ok")
    assert normalise(raw) == "Mild JPEG blocking."


def test_options_are_optional_for_choice_questions():
    """Without option texts the letters still decide; a paraphrase alone stays unreadable."""
    assert extract("SC", "The answer is C.") == Extraction("C", "ok")
    assert extract("SC", "Slight motion blur on the face") == Extraction(None, "unreadable")


def test_fast_path_agrees_with_the_full_reading():
    """Short answers take a shortcut; padding them (whitespace collapses) forces the full path."""
    short = [r for r in ROWS if r["raw"] != MISSING and len(r["raw"]) < 20]
    assert len(short) > 40
    for row in short:
        qtype, raw, options = _args(row)
        assert extract(qtype, raw, options) == extract(qtype, raw + " " * 20, options), raw
