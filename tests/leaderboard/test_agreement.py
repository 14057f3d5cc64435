"""Judge agreement (issue 12): exact agreement, Cohen's weighted kappa on 0/1/2, the confusion
matrix, the OE cells and Overall rank under each judge, the answers they disagree on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from leaderboard.agreement import (
    confusion_matrix,
    disagreement_weights,
    judge_agreement,
    weighted_kappa,
)
from leaderboard.judges import ApproxJudge
from tests.support.trustkit import ShiftedJudge, demo_bench, score_demo


def _pairs(*blocks: tuple[int, int, int]) -> tuple[list[int], list[int]]:
    """Rater scores from (score A, score B, how many) blocks."""
    a, b = [], []
    for x, y, n in blocks:
        a += [x] * n
        b += [y] * n
    return a, b


def test_kappa_by_hand_on_four_answers():
    # O: (0,0), (1,2), (2,2), (2,1); both marginals (1/4, 1/4, 1/2).
    # quadratic W: 1/4 at distance 1, 1 at distance 2. Observed 2 * 1/4 * 1/4 = 0.125;
    # expected 2 * (1/16 * 1/4 + 1/8 * 1 + 1/8 * 1/4) = 0.34375; kappa = 1 - 0.125/0.34375
    # = 7/11. Linear W: 1/2 and 1: observed 0.25, expected 0.4375, kappa = 3/7.
    a, b = [0, 1, 2, 2], [0, 2, 2, 1]
    assert weighted_kappa(a, b, "quadratic") == pytest.approx(7 / 11)
    assert weighted_kappa(a, b, "linear") == pytest.approx(3 / 7)
    # unweighted: observed 2/4 off the diagonal, expected 1 - (1/16 + 1/16 + 1/4) = 5/8
    assert weighted_kappa(a, b, "none") == pytest.approx(1 - 0.5 / 0.625)


def test_kappa_matches_the_textbook_two_category_example():
    # Cohen's kappa, the standard 50-applicant example: 20 yes/yes, 5 yes/no, 10 no/yes,
    # 15 no/no -> p_o = 0.7, p_e = 0.5, kappa = 0.4. With two categories every weighting
    # gives the same value.
    a, b = _pairs((1, 1, 20), (1, 0, 5), (0, 1, 10), (0, 0, 15))
    for weighting in ("none", "linear", "quadratic"):
        assert weighted_kappa(a, b, weighting) == pytest.approx(0.4)


def test_kappa_matches_artstein_and_poesio_and_the_weighted_example():
    # Artstein & Poesio (2008), Table 4: three categories, unweighted kappa 0.8013.
    a, b = _pairs((0, 0, 46), (1, 0, 6), (1, 1, 32), (1, 2, 6), (2, 2, 10))
    assert weighted_kappa(a, b, "none") == pytest.approx(0.8013, abs=5e-5)
    # The weighted example (46/44/10 vs 50/40/10 in order): none 0.9315, linear 0.9412,
    # quadratic 0.9541 (the values scikit-learn's tests pin).
    a, b = _pairs((0, 0, 46), (1, 0, 4), (1, 1, 40), (2, 2, 10))
    assert weighted_kappa(a, b, "none") == pytest.approx(0.9315, abs=5e-5)
    assert weighted_kappa(a, b, "linear") == pytest.approx(0.9412, abs=5e-5)
    assert weighted_kappa(a, b, "quadratic") == pytest.approx(0.9541, abs=5e-5)


def test_kappa_is_one_for_perfect_agreement_and_undefined_for_a_constant_judge():
    assert weighted_kappa([0, 1, 2, 1], [0, 1, 2, 1]) == pytest.approx(1.0)
    assert weighted_kappa([1, 1, 1], [1, 1, 1]) is None  # no variation: chance explains all
    assert weighted_kappa([], []) is None
    # a judge that always says 1 against one that varies: kappa 0, exact agreement 1/3
    assert weighted_kappa([1, 1, 1], [0, 1, 2]) == pytest.approx(0.0)


def test_confusion_matrix_rows_are_judge_a():
    m = confusion_matrix([0, 0, 2, 1], [1, 0, 2, 2])
    assert m.tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 1]]
    with pytest.raises(ValueError, match=r"scores \[3\] are not among"):
        confusion_matrix([0, 3], [0, 1])
    with pytest.raises(ValueError, match="equal-length"):
        confusion_matrix([0, 1], [0])
    w = disagreement_weights(3, "quadratic")
    assert w.tolist() == [[0, 0.25, 1], [0.25, 0, 0.25], [1, 0.25, 0]]
    with pytest.raises(ValueError, match="weighting must be one of"):
        disagreement_weights(3, "cubic")


# ----------------------------------------------------------------------------- on the demo


@pytest.fixture(scope="module")
def two_judgings():
    a = score_demo("chattyvlm.jsonl", judge=ApproxJudge())
    b = score_demo("chattyvlm.jsonl", judge=ShiftedJudge(every=3, fail_every=50))
    return a, b


def test_two_judges_on_the_demo_answers(two_judgings):
    a, b = two_judgings
    others = [70.0, 60.0, a.tables.values["table3"]["Overall"] + 0.5, 10.0]
    ag = judge_agreement(
        a.items,
        b.items,
        label_a="approx",
        label_b="shifted",
        bench=demo_bench(),
        others_overall=others,
    )
    oe_a = a.items[a.items["qtype"] == "OE"].set_index("id")["judge_score"]
    oe_b = b.items[b.items["qtype"] == "OE"].set_index("id")["judge_score"]
    both = oe_a.notna() & oe_b.notna()
    assert ag.n_items == int(both.sum())
    assert ag.exact == pytest.approx(float((oe_a[both] == oe_b[both]).mean()))
    differ = set(oe_a[both].index[(oe_a[both] != oe_b[both]).to_numpy()])
    assert set(ag.disagreements["id"]) == differ and differ
    assert (ag.disagreements["b_score"] > ag.disagreements["a_score"]).all()
    assert ag.only_a == oe_a.index[oe_a.notna() & oe_b.isna()].tolist() and ag.only_a
    assert ag.only_b == []
    assert ag.confusion.sum() == ag.n_items
    assert np.trace(ag.confusion) == ag.n_items - len(differ)
    assert 0 < ag.kappa_linear < 1 and 0 < ag.kappa_quadratic < 1
    # cells under each judge are the scorer's own cells for that judging
    assert ag.cells["a"]["OE"] == pytest.approx(a.tables.values["table3"]["OE"])
    assert ag.cells["a"]["OE_Global"] == pytest.approx(a.tables.values["table6"]["OE_Global"])
    assert ag.cells["b"]["Overall"] is None  # the failed judgements make it null
    assert ag.overall_rank == {"a": 4, "b": None}  # three others above A's Overall
    json.dumps(ag.as_dict(), allow_nan=False)


def test_agreement_of_a_judging_with_itself_is_perfect(two_judgings):
    a, _ = two_judgings
    ag = judge_agreement(a.items, a.items)
    assert ag.exact == 1.0 and ag.kappa_quadratic == pytest.approx(1.0)
    assert ag.disagreements.empty and ag.cells == {} and ag.overall_rank == {}


def test_items_of_another_benchmark_version_are_refused(two_judgings):
    a, b = two_judgings
    with pytest.raises(ValueError, match="do not match the loaded benchmark"):
        judge_agreement(a.items.iloc[1:], b.items, bench=demo_bench())
