"""Flags for review (issue 12): a file that matches the answer key, copies another owner's
answers or beats the board by far is held "under review" until the admin clears it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from leaderboard.errors import InputError
from leaderboard.review import (
    DEFAULT_MARGIN,
    FingerprintCache,
    Flag,
    answer_fingerprints,
    clear_review,
    gold_match_share,
    identical_share,
    normalised_answers,
    parse_review,
    review_flags,
    review_margin,
    review_reasons,
    review_record,
    under_review,
)
from leaderboard.scoring import score_predictions
from leaderboard.settings import SettingError
from tests.support.viewdata import make_bench, predictions


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    return make_bench(tmp_path_factory.mktemp("bench"), n=400)  # 300 closed-ended items


def _score(bench, answers):
    """Scored without a judge: the checks read closed-ended answers and raw text only."""
    return score_predictions(bench, answers)


def _intended(bench, wrong: int = 0):
    """1 on every item except the first `wrong` closed-ended ones."""
    want = np.ones(len(bench))
    closed = np.flatnonzero(bench.items["qtype"].to_numpy() != "OE")
    want[closed[:wrong]] = 0
    return want


def _codes(flags):
    return [f.code for f in flags]


def test_a_file_made_from_the_answer_key_is_flagged(bench):
    gold = dict(zip(bench.items["id"], bench.items["answer"], strict=False))
    res = _score(bench, gold)  # the answer column submitted as predictions
    flags = review_flags(res.items, res.to_json(False), bench, [], None)
    assert _codes(flags) == ["gold_match"]
    assert flags[0].reason == (
        "closed-ended answers match the answer key on 100.0% of 300 items (review from 99%)"
    )


def test_the_gold_match_threshold_is_99_percent_of_closed_items(bench):
    # 3 of 300 wrong = 99.0%: flagged; 4 wrong = 98.7%: not
    at = _score(bench, predictions(bench, _intended(bench, wrong=3)))
    below = _score(bench, predictions(bench, _intended(bench, wrong=4)))
    assert gold_match_share(at.items, bench) == (pytest.approx(99.0), 300)
    assert _codes(review_flags(at.items, {}, bench, [], None)) == ["gold_match"]
    assert review_flags(below.items, {}, bench, [], None) == []


def _answers(bench, style=lambda s: s):
    return {i: style(a) for i, a in predictions(bench, _intended(bench, wrong=60)).items()}


def test_answers_copied_from_another_owner_are_flagged_even_if_restyled(bench):
    mine = _score(bench, _answers(bench, lambda s: f"  **{s.upper()}** "))
    theirs = _score(bench, _answers(bench))
    flags = review_flags(
        mine.items, {}, bench, [("bob", theirs.items, "BobVL v1")], None, owner="ana"
    )
    assert _codes(flags) == ["copy"]
    assert flags[0].other == "BobVL v1"
    assert flags[0].reason == (
        "100.0% of 400 answers are identical to another owner's submission (BobVL v1)"
    )


def test_the_owners_own_earlier_version_is_not_a_copy(bench):
    a = _score(bench, _answers(bench))
    assert review_flags(a.items, {}, bench, [("ana", a.items)], None, owner="ana") == []
    assert _codes(review_flags(a.items, {}, bench, [("bob", a.items)], None, owner="ana")) == [
        "copy"
    ]


def test_answers_that_share_less_than_98_percent_are_not_a_copy(bench):
    base = _answers(bench)
    ids = list(base)
    near = dict(base)
    for i in ids[:9]:  # 391/400 = 97.75% identical
        near[i] = "something else entirely"
    a, b = _score(bench, base), _score(bench, near)
    share, n = identical_share(normalised_answers(a.items), normalised_answers(b.items))
    assert (share, n) == (pytest.approx(97.75), 400)
    assert review_flags(a.items, {}, bench, [("bob", b.items)], None) == []
    near[ids[8]] = base[ids[8]]  # 392/400 = 98%
    c = _score(bench, near)
    assert _codes(review_flags(a.items, {}, bench, [("bob", c.items)], None)) == ["copy"]


def test_cached_fingerprints_give_the_same_verdict_as_the_answers(bench):
    base = _answers(bench)
    near = {**base, **{i: "other" for i in list(base)[:5]}}
    a, b = _score(bench, base), _score(bench, near)
    by_text = identical_share(normalised_answers(a.items), normalised_answers(b.items))
    by_print = identical_share(answer_fingerprints(a.items), answer_fingerprints(b.items))
    assert by_text == by_print == (pytest.approx(100 * 395 / 400), 400)
    loads = []
    cache = FingerprintCache()

    def load():
        loads.append(1)
        return b.items

    first = cache.get("sub-b", load)
    assert cache.get("sub-b", load) is first and len(loads) == 1  # computed once per id
    flags = review_flags(a.items, {}, bench, [("bob", first, "Bob")], None)
    assert _codes(flags) == ["copy"] and flags[0].value == pytest.approx(98.75)


def test_missing_answers_on_both_sides_are_not_identical():
    a = pd.DataFrame({"id": ["1", "2", "3", "4"], "raw": ["B", None, "", "C"]})
    b = pd.DataFrame({"id": ["1", "2", "3", "4"], "raw": ["b", None, None, "D"]})
    # items 2 and 3 answered by neither: left out; 1 of the 2 others identical
    assert identical_share(normalised_answers(a), normalised_answers(b)) == (50.0, 2)
    assert identical_share(answer_fingerprints(a), answer_fingerprints(b)) == (50.0, 2)


def test_overall_far_above_the_best_stored_row_is_flagged():
    def result(overall):
        return {"tables": {"table3": {"Overall": overall}}}

    empty = pd.DataFrame({"id": [], "qtype": [], "parsed": [], "raw": []})
    flags = review_flags(empty, result(80.0), {}, [], best_overall=65.0, margin=10)
    assert _codes(flags) == ["outlier"]
    assert flags[0].reason == (
        "Overall 80.00 beats the best stored row (65.00) by 15.0 points (review above 10)"
    )
    assert review_flags(empty, result(75.0), {}, [], best_overall=65.0, margin=10) == []
    assert review_flags(empty, result(None), {}, [], best_overall=65.0) == []
    assert review_flags(empty, result(99.0), {}, [], best_overall=None) == []


def test_the_margin_is_a_setting(monkeypatch):
    assert review_margin({}) == DEFAULT_MARGIN == 10.0
    assert review_margin({"QBP_REVIEW_MARGIN": "5"}) == 5.0
    with pytest.raises(SettingError, match="QBP_REVIEW_MARGIN must be a number"):
        review_margin({"QBP_REVIEW_MARGIN": "lots"})
    with pytest.raises(SettingError, match="QBP_REVIEW_MARGIN must be at least 0"):
        review_margin({"QBP_REVIEW_MARGIN": "-1"})


# ----------------------------------------------------------------------------- the record


def _flags():
    return [
        Flag("gold_match", "closed-ended answers match the answer key", 100.0, 99.0),
        Flag("outlier", "Overall beats the best", 15.0, 10.0),
    ]


def test_a_flagged_submission_stays_under_review_until_cleared():
    record = review_record(_flags())
    assert under_review(record)
    assert review_reasons(record) == [
        "closed-ended answers match the answer key",
        "Overall beats the best",
    ]
    stored = json.loads(json.dumps(record))  # as review.json on disk
    cleared = clear_review(parse_review(json.dumps(stored)), by="admin", note="checked")
    assert not under_review(cleared)
    assert cleared["cleared_by"] == "admin" and cleared["cleared_at"]
    assert review_reasons(cleared) == review_reasons(record)  # why it was held is kept
    assert [h["action"] for h in cleared["history"]] == ["flagged", "cleared"]
    assert under_review(record)  # clearing returns a new record
    with pytest.raises(ValueError, match="already cleared by admin"):
        clear_review(cleared, by="admin")


def test_clearing_needs_a_clean_name():
    with pytest.raises(InputError, match="Cleared by is required"):
        clear_review(review_record(_flags()), by="")
    with pytest.raises(InputError, match="control or invisible"):
        clear_review(review_record(_flags()), by="ad\u200bmin")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"[1, 2]", "JSON object"),
        (b'{"flags": []}', "no flags"),
        (
            b'{"flags": [{"code": "nope", "reason": "x", "value": 1, "threshold": 1}]}',
            "not a review flag",
        ),
        (
            b'{"flags": [{"code": "copy", "reason": "x", "value": 1, "threshold": 1}], '
            b'"history": "x"}',
            "history must be a list",
        ),
    ],
)
def test_a_broken_review_file_is_refused(data, message):
    with pytest.raises(ValueError, match=message):
        parse_review(data)


def test_no_flags_means_no_record_and_no_badge():
    assert not under_review(None) and not under_review({})
    with pytest.raises(ValueError, match="at least one flag"):
        review_record([])
