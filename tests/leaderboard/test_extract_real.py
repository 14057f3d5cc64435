"""Extraction on outputs in the styles real MLLMs write for public benchmarks (issue 9 §4).

tests/data/extract_real.jsonl holds one model output per line, written for this project in
the styles of public result files: long explanations, restated questions, options discussed
one by one, Chinese, markdown, think blocks, refusals, made-up follow-up questions. Fields:
qtype, options (four texts for SC/MC, [] otherwise), raw, expected (the parsed answer, or null),
status, kind (the miss class the row teaches, or "style"), style (what the row shows) and
batch ("taught": written before the rules; "held-out": written after, to check them).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from leaderboard.extract import STATUSES, Extraction, extract
from leaderboard.taxonomy import OPTION_LETTERS, QTYPES

DATA = Path(__file__).resolve().parents[1] / "data"
MISS_CLASSES = (
    "cue-text",
    "tf-opening",
    "tf-attributive",
    "text-letter",
    "follow-up",
    "fuzzy-option",
)


def _load() -> list[dict]:
    with (DATA / "extract_real.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


ROWS = _load()


def test_table_is_large_well_formed_and_new():
    assert len(ROWS) >= 100
    with (DATA / "extraction_cases.csv").open(newline="", encoding="utf-8") as f:
        old = {(r["qtype"], r["raw"]) for r in csv.DictReader(f)}
    seen = set()
    for r in ROWS:
        key = (r["qtype"], r["raw"])
        assert key not in old and key not in seen, f"repeated row: {r['raw']!r}"
        seen.add(key)
        assert r["qtype"] in QTYPES and r["status"] in STATUSES
        assert r["kind"] in (*MISS_CLASSES, "style") and r["style"] and r["batch"]
        assert (r["expected"] is not None) == (r["status"] == "ok"), r["raw"]
        if r["qtype"] in ("SC", "MC"):
            assert len(r["options"]) == len(OPTION_LETTERS), r["raw"]
        else:
            assert r["options"] == []


def test_every_miss_class_has_answers_and_hard_negatives():
    """Each rule is shown reading answers and refusing to read genuinely ambiguous text."""
    for kind in MISS_CLASSES:
        rows = [r for r in ROWS if r["kind"] == kind]
        assert sum(r["status"] == "ok" for r in rows) >= 5, kind
        assert any(r["status"] != "ok" for r in rows), f"{kind}: no hard negative"
    statuses = Counter(r["status"] for r in ROWS)
    assert statuses["unreadable"] >= 20 and statuses["refused"] >= 3
    assert Counter(r["batch"] for r in ROWS)["held-out"] >= 30


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['kind']}-{i}" for i, r in enumerate(ROWS)])
def test_real_output_styles(row):
    got = extract(row["qtype"], row["raw"], tuple(row["options"]))
    assert got == Extraction(row["expected"], row["status"]), f"{row['style']}: {row['raw']!r}"


def test_options_as_a_list_read_the_same():
    """Callers pass options as lists or tuples; the cached option matcher sees no difference."""
    for r in ROWS:
        if r["options"]:
            assert extract(r["qtype"], r["raw"], list(r["options"])) == extract(
                r["qtype"], r["raw"], tuple(r["options"])
            )


def test_three_options_after_an_absent_placeholder():
    """A Q-Bench item with "N/A" as option D has three options; texts still map to letters."""
    options = ("High", "Medium", "Low")
    assert extract(
        "SC", 'The correct answer is "Medium". It is neither high nor low.', options
    ) == Extraction("B", "ok")
    assert extract("SC", "Low (C). A and B would need crisp eyelashes.", options) == Extraction(
        "C", "ok"
    )
    assert extract(
        "SC", "High (A), medium (B) and low (C) are the choices.", options
    ) == Extraction(None, "unreadable")


def test_follow_up_is_ignored_only_after_an_answer():
    """The model's own answer wins over a made-up next turn; with no own answer the first
    block (a restated question) is read, and nothing after a second made-up question."""
    opts = (
        "Slight motion blur on the face",
        "Strong sensor noise in the shadows",
        "Overexposed highlights on the forehead",
        "No visible distortion",
    )
    follow = "\nQuestion: Is the background sharp?\nAnswer: (A)"
    assert extract("SC", "Answer: C" + follow, opts) == Extraction("C", "ok")
    assert extract("SC", "The portrait is indoors." + follow, opts) == Extraction("A", "ok")
    assert extract(
        "SC", "Question: What is the main distortion?\nAnswer: D" + follow, opts
    ) == Extraction("D", "ok")
    assert extract("SC", "I can't tell." + follow, opts) == Extraction(None, "refused")
