"""View-models of the trust features (issue 12): what the provenance panel, the Changes list,
the version diff, the judge agreement panel, review badges and the "Unreadable %" column
show, with user-sent text kept as text and every item opening in the drill-down."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import parse_qsl

import pandas as pd
import pytest

from analysis import trust_views as tv
from analysis.links import parse_item_query
from leaderboard.agreement import judge_agreement
from leaderboard.changes import change_record
from leaderboard.extract import EXTRACTOR_VERSION
from leaderboard.judges import ApproxJudge
from leaderboard.provenance import clean_declared, provenance, reported_provenance
from leaderboard.review import Flag, clear_review, review_record
from leaderboard.store import SubmissionStore
from leaderboard.version_diff import version_diff
from tests.support.storekit import NO_RATE_LIMIT, rescore_stale, small_bench, submit, upload
from tests.support.trustkit import (
    PREDICTIONS,
    ShiftedJudge,
    demo_bench,
    misread_bold_sc,
    score_demo,
)

HOSTILE = "Evil](javascript:alert(1)) <b>x</b>, v2"
OPEN_LINK = re.compile(r"^\[open\]\(\?[A-Za-z0-9%=&._~-]+\)$")


def _decoded(link_markdown: str) -> tuple[str | None, list[str]]:
    query = link_markdown[len("[open](?") : -1]
    view = parse_item_query(dict(parse_qsl(query)))
    return view.item, view.models


@pytest.fixture()
def store(tmp_path):
    return SubmissionStore(tmp_path / "subs", small_bench(tmp_path / "bench"))


@pytest.fixture(scope="module")
def demo_pair():
    return score_demo("chattyvlm.jsonl", judge=ApproxJudge())


# ----------------------------------------------------------------------------- provenance


def test_the_provenance_panel_of_a_stored_row(store):
    sub = _submit(
        store,
        upload({"q001": "B", "q002": "the answer is refused?", "q003": "True"}),
        "run.jsonl",
        {"model": HOSTILE},
    )
    meta = {
        **dataclasses.asdict(sub.meta),
        "declared": clean_declared({"harness": "<script>lmms</script>", "temperature": 0.2}),
    }
    frame = tv.provenance_frame(provenance(meta, sub.result))
    panel = dict(zip(frame["Field"], frame["Value"], strict=False))
    assert panel["Model"] == HOSTILE  # kept as given: the grid shows it as text
    assert panel["File sha256"] == sub.meta.file_sha256
    assert panel["Format recognised"] == f"jsonl · {sub.result['parse_report']['harness']}"
    assert panel["Version"] == "1" and panel["Owner"] == tv.NOT_RECORDED
    assert panel["Extractor version"] == EXTRACTOR_VERSION  # the pipeline records it
    assert panel["Open-ended judge"] == "approx · lexical-v1 (approximate), prompt not recorded"
    assert panel["Rows matched"] == "3 of 3 rows; 2 benchmark items missing"
    assert panel["Harness"] == "<script>lmms</script>" and panel["Temperature"] == "0.2"
    assert panel["Thinking"] == tv.NOT_DECLARED
    assert panel["Benchmark"].startswith(store.benchmark.hash)


def test_the_provenance_panel_of_a_paper_row_has_no_item_data():
    frame = tv.provenance_frame(reported_provenance("table4"))
    panel = dict(zip(frame["Field"], frame["Value"], strict=False))
    assert panel["Source"].startswith("from the paper, Table 4 (Q-Bench-Portrait:")
    assert panel["Per-item data"].startswith("none")
    assert len(frame) == 2


# ----------------------------------------------------------------------------- changes


@pytest.fixture(scope="module")
def misread_record(demo_pair):
    mp = pytest.MonkeyPatch()
    misread_bold_sc(mp)
    try:
        changed = score_demo("chattyvlm.jsonl", judge=ApproxJudge())
    finally:
        mp.undo()
    return change_record(
        HOSTILE,
        demo_pair.to_json(False),
        changed.to_json(False),
        demo_pair.items,
        changed.items,
        reason="extractor 1.0.0 -> 1.1.0",
    )


def test_changes_list_is_newest_first_whatever_the_order_given(misread_record):
    older = {**misread_record, "id": "20260101T000000000000Z-aaaaaaaaaaaa", "model": "Old"}
    newer = {**misread_record, "id": "20260301T000000000000Z-bbbbbbbbbbbb", "model": "New"}
    frame = tv.changes_frame([older, newer])
    assert frame["Model"].tolist() == ["New", "Old"]
    assert list(frame.columns) == list(tv.CHANGES_HEADERS)
    row = frame.iloc[0]
    assert row["Items flipped"] == misread_record["n_flips"] > 0
    assert row["Δ Overall"] == round(misread_record["overall"]["delta"], 2) < 0
    assert row["Reason"] == "extractor 1.0.0 -> 1.1.0"


def test_each_flip_opens_in_the_drill_down_with_the_model(misread_record):
    frame = tv.flips_frame(misread_record)
    assert frame["ID"].tolist() == [f["id"] for f in misread_record["flips"]]
    assert set(frame["Status"]) == {"ok → unreadable"}
    assert (frame["Score before"] == 1.0).all() and (frame["Score after"] == 0.0).all()
    for item_id, link in zip(frame["ID"], frame["Open"], strict=False):
        assert OPEN_LINK.match(link), link  # nothing but the word and an encoded URL
        assert _decoded(link) == (item_id, [HOSTILE])
    assert len(tv.FLIP_TYPES) == len(frame.columns)


def test_only_changed_cells_are_listed_with_the_papers_labels(misread_record):
    frame = tv.cell_changes_frame(misread_record)
    assert ("Table 3", "SC") in set(zip(frame["Table"], frame["Category"], strict=False))
    assert ("Table 3", "MC") not in set(zip(frame["Table"], frame["Category"], strict=False))
    assert (frame["Δ"].dropna() < 0).all()
    assert len(tv.cell_changes_frame(misread_record, only_changed=False)) == 47
    text = tv.change_summary(misread_record)
    assert text.startswith(f"{HOSTILE}: extractor 1.0.0 -> 1.1.0. Overall ")
    assert "items flipped; status changes: ok -> unreadable" in text


# ----------------------------------------------------------------------------- version diff


def test_version_diff_table_and_sentence(demo_pair):
    newer = score_demo("chattyvlm.jsonl", judge=ShiftedJudge(every=4))
    diff = version_diff(
        demo_bench(),
        "ChattyVLM",
        demo_pair.items,
        newer.items,
        old_version=1,
        new_version=2,
        resamples=300,
    )
    frame = tv.version_diff_frame(diff)
    rows = frame.set_index("Category")
    assert rows.loc["OE", "Δ"] > 0 and rows.loc["OE", "Significant"] == tv.SIGNIFICANT
    assert rows.loc["SC", "Δ"] == 0 and rows.loc["SC", "Significant"] == ""
    assert rows.loc["Overall", "After"] == round(newer.tables.values["table3"]["Overall"], 2)
    text = tv.version_diff_summary(diff)
    assert text.startswith("Version 2 vs 1: Overall +")
    assert f"{len(diff.flips):,} items flipped ({len(diff.flips):,} up, 0 down)" in text
    flips = tv.version_flips_frame(diff)
    assert len(flips) == len(diff.flips) and all(OPEN_LINK.match(x) for x in flips["Open"])


# ----------------------------------------------------------------------------- agreement


def test_judge_agreement_panel(demo_pair):
    other = score_demo("chattyvlm.jsonl", judge=ShiftedJudge(every=5))
    ag = judge_agreement(
        demo_pair.items,
        other.items,
        label_a="approx",
        label_b="strict",
        bench=demo_bench(),
        others_overall=[99.0],
    )
    text = tv.agreement_summary(ag)
    assert text.startswith(
        f"approx and strict agree exactly on {ag.exact:.1%} of "
        f"{ag.n_items:,} open-ended answers; weighted kappa "
        f"{ag.kappa_quadratic:.2f} (quadratic)"
    )
    assert "Overall rank 2 under approx, 2 under strict (the same)." in text
    conf = tv.confusion_frame(ag)
    assert conf[["B = 0", "B = 1", "B = 2"]].to_numpy().sum() == ag.n_items
    cells = tv.agreement_cells_frame(ag).set_index("Category")
    assert cells.loc["OE", "Δ"] > 0 and list(cells.index) == [
        "OE",
        "Table 6 OE Global",
        "Table 6 OE Local",
        "Overall",
    ]
    dis = tv.disagreements_frame(ag, "ChattyVLM")
    assert len(dis) == len(ag.disagreements) and all(OPEN_LINK.match(x) for x in dis["Open"])


def test_agreement_without_common_answers_says_so():
    empty = pd.DataFrame({"id": ["a"], "qtype": ["OE"], "judge_score": [None]})
    ag = judge_agreement(empty, empty, label_a="A", label_b="B")
    assert tv.agreement_summary(ag) == "A and B have no open-ended answer both could score."


# ----------------------------------------------------------------------------- review, audit


def test_review_badge_shows_the_reasons_until_cleared():
    record = review_record(
        [
            Flag("copy", "99.0% of answers identical to X", 99.0, 98.0),
            Flag("outlier", "Overall far above the best", 12.0, 10.0),
        ]
    )
    assert tv.review_badge(record) == (
        "under review: 99.0% of answers identical to X; Overall far above the best"
    )
    assert tv.review_badge(clear_review(record, by="admin")) == ""
    assert tv.review_badge(None) == ""


def test_unreadable_percent_of_a_stored_row(store):
    sub = _submit(
        store,
        upload(
            {
                "q001": "I cannot tell from this image.",
                "q002": "A and C",
                "q003": "maybe true, maybe false",
                "q004": "Blurry.",
            }
        ),
        "run.jsonl",
        {"model": "M"},
    )
    # closed-ended items: q001 refused, q002 ok, q003 unreadable, q005 missing -> 3 of 4
    # the pipeline records the per-type counts in result.json: no parquet needed
    assert tv.unreadable_pct(sub.result) == pytest.approx(75.0)
    unrecorded = {k: v for k, v in sub.result.items() if k != "status_by_qtype"}
    assert tv.unreadable_pct(unrecorded) is None  # a row stored before they were recorded
    assert tv.unreadable_pct(unrecorded, sub.items()) == pytest.approx(75.0)
    assert tv.unreadable_column(store.submissions()) == {sub.id: pytest.approx(75.0)}
    recorded = {**sub.result, "status_by_qtype": {"SC": {"ok": 9, "unreadable": 1}}}
    assert tv.unreadable_pct(recorded) == pytest.approx(10.0)  # no parquet needed
    bad = tv.unreadable_items(sub.items(), "M")
    assert bad["ID"].tolist() == ["q001", "q003", "q005"]
    assert bad["Status"].tolist() == ["refused", "unreadable", "missing"]
    assert bad["Answer"].tolist() == [
        "I cannot tell from this image.",
        "maybe true, maybe false",
        "",
    ]


def test_the_unreadable_column_follows_a_rescore(tmp_path, monkeypatch):
    import leaderboard.store as store_mod

    store = SubmissionStore(tmp_path / "subs", demo_bench())
    sub = _submit(store, (PREDICTIONS / "chattyvlm.jsonl").read_bytes(), "c.jsonl", {"model": "C"})
    before = tv.unreadable_column(store.submissions())[sub.id]
    misread_bold_sc(monkeypatch)
    monkeypatch.setattr(store_mod, "SCORER_VERSION", "9.9.9")
    assert rescore_stale(store, judge=ApproxJudge()) == [sub.id]
    after = tv.unreadable_column(store.submissions())[sub.id]
    expected = tv.unreadable_pct({}, store.get(sub.id).items())
    assert after == pytest.approx(expected) and after > before


def _submit(store, data, file_name, meta):
    """Store through the pipeline with the approximate judge and no rate limit."""
    return submit(store, data, file_name, meta, judge=ApproxJudge(), limits=NO_RATE_LIMIT)
