"""Integrity guards: a file is never scored from the gold answers, and ids that do not line up
with the benchmark's questions are never matched silently."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..benchmark import Benchmark
from ..errors import PredictionError
from ..extract import extract
from .report import short

CLOSED = ("SC", "MC", "TF")
MIN_GOLD_ITEMS = 10  # fewer closed-ended items than this and the gold check has no power
GOLD_SHARE = 0.99  # "nearly all": a gold column matches on every item; a strong model that
# answers in bare letters still misses more than 1 in 100 (the best paper row is under 80%)
MIN_QUESTIONS = 5
MAX_OFFSET = 10
_LETTER = re.compile(r"(?<![A-Za-z])[A-D](?![A-Za-z])")
_LABELS = re.compile(r"[\s,;/、，&+\[\]\"'()]|\bAND\b")


def _letters(text: str) -> str | None:
    bare = _LABELS.sub("", unicodedata.normalize("NFKC", text).upper()).rstrip(".")
    return "".join(sorted(set(bare))) if bare and re.fullmatch(r"[A-Z]+", bare) else None


def same_as_gold(text: str | None, gold: str, qtype: str) -> bool:
    """The raw text *is* the gold label (not: a reply that reads as it)."""
    if not text or len(text) > 40:
        return False
    if qtype == "TF":
        return unicodedata.normalize("NFKC", text).strip().rstrip(".").casefold() == gold.casefold()
    return _letters(text) == "".join(sorted(gold))


def refuse_gold_column(
    texts: dict[str, str | None], bench: Benchmark, column: str, name: str, others: list[str]
) -> None:
    items = bench.items
    qtypes, golds, index = items["qtype"].tolist(), items["answer"].tolist(), bench.index_of
    closed = equal = 0
    for item_id, text in texts.items():
        i = index[item_id]
        if qtypes[i] in CLOSED:
            closed += 1
            equal += same_as_gold(text, str(golds[i]), qtypes[i])
    if closed >= MIN_GOLD_ITEMS and equal >= GOLD_SHARE * closed:
        also = (
            f" (gold-looking columns also present: {', '.join(map(short, others))})"
            if others
            else ""
        )
        raise PredictionError(
            f"{name}: column {short(column)} holds the gold answers, not a model's replies: it "
            f"equals the benchmark's answer on {equal} of {closed} closed-ended items{also}. "
            "Put the model's raw output in a column named prediction, response, output, "
            "generated_text, model_prediction, output_text or raw_output"
        )


# ------------------------------------------------------------------ question text
def _norm(text: Any) -> str:
    s = str(text or "")
    s = s.lower() if s.isascii() else unicodedata.normalize("NFKC", s).casefold()
    return " ".join(s.split()).strip(" .?!:;\"'")


def _agrees(file_q: str, bench_q: str) -> bool:
    if not file_q or not bench_q:
        return False
    return (
        file_q == bench_q
        or (len(bench_q) >= 12 and bench_q in file_q)
        or (len(file_q) >= 12 and file_q in bench_q)
    )


_QUESTIONS: dict[str, list[str]] = {}


def _bench_questions(bench: Benchmark) -> list[str]:
    """The benchmark's questions normalised, once per benchmark version."""
    key = f"{bench.hash}:{len(bench)}"
    if key not in _QUESTIONS:
        if len(_QUESTIONS) > 8:
            _QUESTIONS.clear()
        _QUESTIONS[key] = [_norm(q) for q in bench.items["question"].tolist()]
    return _QUESTIONS[key]


def check_questions(
    pairs: list[tuple[str, Any]], bench: Benchmark, name: str, column: str
) -> tuple[int, int, list[str]]:
    """pairs: (matched id, the file's question text). Refuses a systematic mismatch, naming
    the offset when the ids are shifted; returns (checked, agreeing, warnings)."""
    ids = bench.items["id"].tolist()
    bench_q = _bench_questions(bench)
    index = bench.index_of
    rows = [(index[i], q, i) for i, q in ((i, _norm(q)) for i, q in pairs) if q]
    checked = len(rows)
    agreeing = sum(_agrees(q, bench_q[p]) for p, q, _ in rows)
    if checked < MIN_QUESTIONS or agreeing >= 0.9 * checked:
        return checked, agreeing, []
    if agreeing < 0.5 * checked:
        shifts = []
        for k in range(-MAX_OFFSET, MAX_OFFSET + 1):
            if k:
                shifts.append(
                    (
                        sum(
                            0 <= p + k < len(ids) and _agrees(q, bench_q[p + k]) for p, q, _ in rows
                        ),
                        k,
                    )
                )
        best, k = max(shifts)
        if best >= 0.8 * checked:
            p, _, first = next(
                r for r in rows if 0 <= r[0] + k < len(ids) and _agrees(r[1], bench_q[r[0] + k])
            )
            raise PredictionError(
                f"{name}: its ids are shifted by {k:+d} against the benchmark: the row with "
                f"id {short(first)} carries the question of item {short(ids[p + k])}, and so "
                f"for {best} of {checked} rows with question text (column {short(column)}). "
                "The ids are probably row numbers counted from a different start (1-based "
                "vs 0-based); write the benchmark's own ids. Nothing was scored"
            )
        p, q, first = next(r for r in rows if not _agrees(r[1], bench_q[r[0]]))
        raise PredictionError(
            f"{name}: the question text of {checked - agreeing} of {checked} rows differs from "
            f"the benchmark's question for the same id (e.g. id {short(first)}: file "
            f"{short(q)}, benchmark {short(bench_q[p])}); the file belongs to another "
            "benchmark or its ids are not this benchmark's. Nothing was scored"
        )
    warning = (
        f"the question text of {checked - agreeing} of {checked} rows (column "
        f"{short(column)}) differs from the benchmark's question for the same id"
    )
    return checked, agreeing, [warning]


def position_like(ids: list[str]) -> str | None:
    """'0..2764' when the ids are exactly the row numbers 0..n-1 or 1..n."""
    if not ids or not all(i.isdigit() for i in ids):
        return None
    nums = sorted(int(i) for i in ids)
    start = nums[0]
    if start in (0, 1) and nums == list(range(start, start + len(nums))):
        return f"{start}..{start + len(nums) - 1}"
    return None


# ------------------------------------------------------------------ TF as lettered options
def _row_options(rec: dict[str, Any]) -> list[str]:
    """The options a row was asked with: columns A, B, C, D (VLMEvalKit) or a `candidates`
    list (LLVisionQA style), up to the first empty one."""
    values = rec.get("candidates")
    if not isinstance(values, list):
        values = [rec.get(letter) for letter in "ABCD"]
    options = []
    for value in values[:4]:
        if not isinstance(value, str) or not value.strip():
            break
        options.append(value.strip())
    return options


def tf_through_options(
    texts: dict[str, str | None], records: dict[str, dict[str, Any]], bench: Benchmark
) -> list[str]:
    """TF items asked as lettered options (VLMEvalKit: A = True, B = False in the row's
    option columns; LLaVA-style `candidates`): a reply that reads as one of the letters is
    read through the row's options (the letter wins over verdict words: "The correct option
    is (B)" with B = False is False). The text scored becomes e.g. "B. False"; returns an
    example per change."""
    items = bench.items
    qtypes, index = items["qtype"].tolist(), bench.index_of
    changed = []
    verdicts: dict[str, bool] = {}  # option text -> reads as True/False
    for item_id, text in texts.items():
        if qtypes[index[item_id]] != "TF" or not text or not _LETTER.search(text):
            continue
        options = _row_options(records.get(item_id) or {})
        if len(options) < 2:
            continue
        letter = extract("SC", text, tuple(options))
        if letter.status != "ok" or not letter.parsed:
            continue
        option = options[ord(letter.parsed) - ord("A")]
        if verdicts.setdefault(option, extract("TF", option, ()).status == "ok"):
            texts[item_id] = f"{letter.parsed}. {option}"
            changed.append(f"{short(text, 30)} -> {short(texts[item_id], 30)}")
    return changed
