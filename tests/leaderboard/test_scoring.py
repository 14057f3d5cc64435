"""Item scores and table cells on small hand-computed bundles."""

from __future__ import annotations

import pytest

from leaderboard.benchmark import load_local
from leaderboard.judges import JudgeInfo, Judgement
from leaderboard.scoring import baseline, score_predictions
from tests.support.bundles import item, write_bundle


class FixedJudge:
    """Gives a scripted score per model answer; fails on answers containing 'FAIL'."""

    def __init__(self, scores: dict[str, int]):
        self.scores = scores
        self.info = JudgeInfo(backend="fixed", model="test")
        self.seen = []

    def judge(self, requests, progress=None):
        self.seen.extend(requests)
        out = []
        for r in requests:
            if "FAIL" in r.answer:
                out.append(Judgement(None, "error: boom", "judge_failed"))
            else:
                out.append(
                    Judgement(self.scores[r.answer], f"Score: {self.scores[r.answer]}", "judged")
                )
        return out


def rows():
    return [
        item(1, "SC", "B", image_source="NI", scope="global"),
        item(2, "SC", "C", image_source="NI", scope="local"),
        item(3, "MC", "AC", image_source="SDI", source_dataset="FIQA", scope="global"),
        item(4, "MC", "BD", image_source="SDI", source_dataset="FIQA", scope="local"),
        item(
            5,
            "TF",
            "True",
            image_source="AI",
            source_dataset="BAID",
            dimension="Aes",
            subdimension="Style",
        ),
        item(
            6,
            "TF",
            "False",
            image_source="AI",
            source_dataset="BAID",
            dimension="Aes",
            subdimension="Emotion",
        ),
        item(7, "OE", "B", image_source="NI"),
        item(
            8,
            "OE",
            "B",
            image_source="AI",
            source_dataset="BAID",
            dimension="Aes",
            subdimension="Style",
            scope="local",
        ),
    ]


@pytest.fixture()
def bench(tmp_path):
    return load_local(write_bundle(tmp_path / "b", rows()))


PRED = {
    "q001": "B",
    "q002": "A",
    "q003": "A, C",
    "q004": "B",
    "q005": "True",
    "q007": "good answer",
    "q008": "half answer",
}


def test_item_scores_and_statuses(bench):
    res = score_predictions(bench, PRED, judge=FixedJudge({"good answer": 2, "half answer": 1}))
    got = dict(zip(res.items["id"], res.items["score"], strict=False))
    assert got == {
        "q001": 1,
        "q002": 0,
        "q003": 1,
        "q004": 0,
        "q005": 1,
        "q006": 0,
        "q007": 1.0,
        "q008": 0.5,
    }
    status = dict(zip(res.items["id"], res.items["status"], strict=False))
    assert status["q006"] == "missing" and status["q007"] == "judged"
    assert res.status_counts["missing"] == 1 and res.status_counts["judged"] == 2


def test_cells_are_micro_means_in_percent(bench):
    res = score_predictions(bench, PRED, judge=FixedJudge({"good answer": 2, "half answer": 1}))
    t3 = res.tables.values["table3"]
    assert t3["Overall"] == pytest.approx(100 * 4.5 / 8)
    assert t3["NI"] == pytest.approx(100 * 2 / 3)  # q001 1, q002 0, q007 1
    assert t3["SDI"] == pytest.approx(50.0)
    assert t3["AI"] == pytest.approx(100 * 1.5 / 3)
    assert t3["MC"] == 50.0 and t3["OE"] == 75.0 and t3["TF"] == 50.0
    assert (
        t3["AGI"] is None
        and res.tables.null_reasons["table3"]["AGI"] == "no items in this category"
    )
    t6 = res.tables.values["table6"]
    assert (t6["SC_Global"], t6["SC_Local"], t6["OE_Local"]) == (100.0, 0.0, 50.0)
    assert res.tables.values["table4"]["Style"] == pytest.approx(75.0)
    assert res.tables.values["table5"]["AI_Aes"] == pytest.approx(50.0)
    assert res.tables.counts["table3"]["Overall"] == 8
    assert res.tables.counts["table4"]["Blur"] == 5


def test_without_judge_oe_is_unjudged_and_cells_null(bench):
    res = score_predictions(bench, PRED)
    t3 = res.tables.values["table3"]
    assert t3["OE"] is None and t3["Overall"] is None and t3["NI"] is None
    assert t3["SC"] == 50.0 and t3["SDI"] == 50.0  # cells without OE items stay
    assert res.tables.null_reasons["table3"]["Overall"] == "2 open-ended item(s) unjudged"
    assert res.status_counts["unjudged"] == 2
    assert (
        res.items.set_index("id").loc["q007", "score"]
        != res.items.set_index("id").loc["q007", "score"]
    )  # NaN


def test_judge_failure_is_null_not_zero(bench):
    pred = dict(PRED, q008="FAIL please")
    res = score_predictions(bench, pred, judge=FixedJudge({"good answer": 2}))
    assert res.status_counts["judge_failed"] == 1
    assert res.tables.values["table3"]["AI"] is None
    assert "judge_failed" in res.tables.null_reasons["table3"]["AI"]
    assert res.tables.values["table3"]["NI"] == pytest.approx(100 * 2 / 3)


def test_missing_oe_answer_scores_zero_without_a_judge_call(bench):
    judge = FixedJudge({"good answer": 2})
    pred = {k: v for k, v in PRED.items() if k != "q008"}
    res = score_predictions(bench, pred, judge=judge)
    assert [r.answer for r in judge.seen] == ["good answer"]
    assert res.tables.values["table3"]["OE"] == 50.0


def test_json_contract(bench):
    out = score_predictions(
        bench, PRED, judge=FixedJudge({"good answer": 2, "half answer": 1})
    ).to_json()
    assert set(out) >= {
        "benchmark",
        "tables",
        "counts",
        "random_baseline",
        "status_counts",
        "items",
    }
    assert out["benchmark"]["hash"] == bench.hash
    assert set(out["tables"]) == {"table3", "table4", "table5", "table6"}
    first = out["items"][0]
    assert {k: first[k] for k in ("id", "qtype", "status", "parsed", "score")} == {
        "id": "q001",
        "qtype": "SC",
        "status": "ok",
        "parsed": "B",
        "score": 1.0,
    }
    missing = next(i for i in out["items"] if i["id"] == "q006")
    assert missing["parsed"] is None and missing["score"] == 0.0


def test_random_baseline_is_analytic(bench):
    base = baseline(bench)
    t3 = base.values["table3"]
    assert t3["SC"] == 25.0 and t3["TF"] == 50.0 and t3["MC"] is None and t3["OE"] is None
    assert t3["Overall"] == pytest.approx(100 * (0.25 * 2 + 0.5 * 2) / 4)
    assert t3["NI"] == 25.0 and t3["SDI"] is None
    assert base.counts["table3"]["Overall"] == 4
