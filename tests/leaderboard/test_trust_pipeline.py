"""The trust features wired into the one submission pipeline (issue 12): declared fields and
versions recorded with every stored row, review flags stored in the same write, and every
re-score or re-judge recorded in the change log before the stored result is replaced."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import leaderboard.extract as extract_mod
import leaderboard.store as store_mod
from leaderboard.changes import CHANGES_DIR, ChangeLog
from leaderboard.errors import InputError
from leaderboard.judges import ApproxJudge
from leaderboard.provenance import DeclaredFieldError, provenance, unreadable_share
from leaderboard.review import under_review
from leaderboard.settings import Limits
from leaderboard.store import REVIEW_FILE, SubmissionStore
from leaderboard.submission import SubmissionPipeline
from leaderboard.taxonomy import TABLES
from tests.support.storekit import NO_RATE_LIMIT
from tests.support.trustkit import PREDICTIONS, ShiftedJudge, demo_bench, misread_bold_sc

DEMO_FILES = sorted(PREDICTIONS.glob("*.jsonl"))


def pipeline(root, judge=None) -> SubmissionPipeline:
    bench = demo_bench()
    return SubmissionPipeline(
        bench, SubmissionStore(root, bench), judge=judge or ApproxJudge(), limits=NO_RATE_LIMIT
    )


@pytest.fixture()
def demo_store(tmp_path):
    """The demo's seven models stored through the pipeline, as the app seeds them."""
    pipe = pipeline(tmp_path / "subs")
    for path in DEMO_FILES:
        pipe.submit(path.read_bytes(), path.name, {"model": path.stem}, review=False)
    return pipe


def _differing(old_items, new_items) -> set[str]:
    o = old_items.set_index("id")["score"]
    n = new_items.set_index("id")["score"].reindex(o.index)
    return set(o.index[~((o == n) | (o.isna() & n.isna())).to_numpy()])


def test_rescoring_the_demo_store_with_a_changed_extractor_records_each_difference(
    demo_store, monkeypatch
):
    store = demo_store.store
    before = {
        s.id: (s.result, s.items().copy(), (s.path / "result.json").read_bytes())
        for s in store.scan()
    }
    recorded = extract_mod.EXTRACTOR_VERSION
    misread_bold_sc(monkeypatch)  # the new extractor reads bold single-choice answers no more
    monkeypatch.setattr(extract_mod, "EXTRACTOR_VERSION", "1.0.0-bold")
    assert all(demo_store.is_stale(s) for s in store.scan())
    done = SubmissionPipeline(store.benchmark, store, judge=ApproxJudge()).rescore_stale()
    assert sorted(done) == sorted(before)
    log = ChangeLog(store.root / CHANGES_DIR)
    records = {r["submission_id"]: log.get(r["id"]) for r in log.list(limit=None)}
    assert set(records) == set(before)  # one record per re-scored row
    moved = 0
    for sub in store.scan():
        old_result, old_items, old_bytes = before[sub.id]
        rec = records[sub.id]
        assert sub.result["rescored"]["change"] == rec["id"]  # the result names its record
        assert sub.result["extractor_version"] == "1.0.0-bold"
        assert rec["reason"] == f"extractor {recorded} -> 1.0.0-bold"
        by_cell = {(c["table"], c["cell"]): c for c in rec["cells"]}
        for key, table in TABLES.items():  # every delta is new minus old of the two results
            for cell in table.cells:
                c = by_cell[(key, cell.name)]
                old = old_result["tables"][key][cell.name]
                new = sub.result["tables"][key][cell.name]
                assert (c["old"], c["new"]) == (old, new)
                assert c["delta"] == (
                    None if old is None or new is None else pytest.approx(new - old, abs=1e-12)
                )
        assert {f["id"] for f in rec["flips"]} == _differing(old_items, sub.items())
        moved += rec["n_flips"]
        kept = store.history(sub)[0]  # the replaced result and its items are kept
        assert kept.result_path.read_bytes() == old_bytes
        assert kept.items().equals(old_items)
    assert moved > 0  # the changed rule did change some items
    assert SubmissionPipeline(store.benchmark, store, judge=ApproxJudge()).rescore_stale() == []
    assert len(log.ids()) == len(before)  # nothing stale any more: no further record


def test_nothing_is_replaced_unless_its_record_was_written(demo_store, monkeypatch):
    store = demo_store.store
    sub = store.scan()[0]
    result_bytes = (sub.path / "result.json").read_bytes()
    items_bytes = (sub.path / "items.parquet").read_bytes()
    monkeypatch.setattr(extract_mod, "EXTRACTOR_VERSION", "2.0.0")

    def full_disk(self, record):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ChangeLog, "add", full_disk)
    with pytest.raises(OSError):
        demo_store.rescore(sub)
    assert (sub.path / "result.json").read_bytes() == result_bytes
    assert (sub.path / "items.parquet").read_bytes() == items_bytes
    assert not (sub.path / "history").exists()
    monkeypatch.undo()
    monkeypatch.setattr(extract_mod, "EXTRACTOR_VERSION", "2.0.0")
    # a crash right after the record: the record exists, the result is still the old one
    monkeypatch.setattr(
        store_mod,
        "_crash_hook",
        lambda point: (
            (_ for _ in ()).throw(RuntimeError("killed")) if point == "rescore:recorded" else None
        ),
    )
    with pytest.raises(RuntimeError, match="killed"):
        demo_store.rescore(sub)
    assert (sub.path / "result.json").read_bytes() == result_bytes
    assert len(ChangeLog(store.root / CHANGES_DIR).ids()) == 1


def test_declared_fields_and_versions_are_stored_with_the_row(tmp_path):
    pipe = pipeline(tmp_path / "subs")
    data = (PREDICTIONS / "chattyvlm.jsonl").read_bytes()
    sub = pipe.submit(
        data,
        "c.jsonl",
        {
            "model": "Chatty",
            "harness": "lmms-eval",
            "harness_version": "0.3.0",
            "temperature": "0.2",
            "max_tokens": 512,
            "thinking": True,
            "prompt_template": "{question}\nAnswer:",
        },
    )
    stored = json.loads((sub.path / "meta.json").read_text())
    assert stored["declared"] == {
        "harness": "lmms-eval",
        "harness_version": "0.3.0",
        "prompt_template": "{question}\nAnswer:",
        "temperature": 0.2,
        "max_tokens": 512,
        "thinking": "on",
    }
    result = sub.result
    assert result["extractor_version"] == extract_mod.EXTRACTOR_VERSION
    assert result["benchmark"]["hash"] == demo_bench().hash
    assert result["benchmark"]["items"] == len(demo_bench())
    counts = result["status_by_qtype"]
    items = sub.items()
    for qtype, by_status in counts.items():
        for status, n in by_status.items():
            assert n == int(((items["qtype"] == qtype) & (items["status"] == status)).sum())
    prov = provenance(dataclasses.asdict(sub.meta), result, submission_id=sub.id)
    closed = items[items["qtype"] != "OE"]
    assert prov["unreadable_closed_pct"] == pytest.approx(
        100 * closed["status"].isin(["unreadable", "refused", "missing"]).mean()
    )
    assert prov["declared"]["thinking"] == "on" and prov["extractor_version"]
    assert unreadable_share(counts) == prov["unreadable_closed_pct"]


def test_a_bad_declared_field_is_refused_and_nothing_is_stored(tmp_path):
    pipe = pipeline(tmp_path / "subs")
    with pytest.raises(DeclaredFieldError, match="Temperature must be between 0 and 2"):
        pipe.submit(
            (PREDICTIONS / "tersenet.jsonl").read_bytes(),
            "t.jsonl",
            {"model": "T", "temperature": 7},
        )
    assert pipe.store.scan() == []


def test_a_copy_of_another_models_file_is_stored_but_held_for_review(demo_store):
    store = demo_store.store
    data = (PREDICTIONS / "tersenet.jsonl").read_bytes()
    copy = demo_store.submit(data, "mine.jsonl", {"model": "Not TerseNet"})
    assert under_review(copy.review) and (copy.path / REVIEW_FILE).is_file()
    flag = copy.review["flags"][0]
    assert flag["code"] == "copy" and flag["other"] == "tersenet v1"
    assert "100.0% of" in flag["reason"]
    # the demo rows were seeded without review; a new version of one's own model repeats
    # itself freely, and a row held for review is no reference for the copy check
    assert not any(under_review(s.review) for s in store.scan() if s.id != copy.id)
    lines = data.decode().splitlines()
    again = demo_store.submit(
        ("\n".join(lines[:-3]) + "\n").encode(), "t2.jsonl", {"model": "tersenet"}
    )
    assert again.meta.version == 2 and not again.review


def test_a_file_matching_the_answer_key_is_held_and_an_outlier_too(demo_store):
    bench = demo_bench()
    # the answer key, worded as replies (the reader refuses the bare key column outright)
    lead = "Looking carefully at this portrait, my answer is"
    rows = [
        {"id": i, "prediction": f"{lead} {a}." if q == "TF" else f"{lead} {', '.join(a)}."}
        for i, a, q in bench.items[["id", "answer", "qtype"]].itertuples(index=False)
        if q != "OE"
    ]
    data = "\n".join(json.dumps(r) for r in rows).encode()
    sub = demo_store.submit(data, "key.jsonl", {"model": "Oracle"})
    codes = [f["code"] for f in sub.review["flags"]]
    assert codes[0] == "gold_match"
    best = max(
        s.result["tables"]["table3"]["Overall"] for s in demo_store.store.scan() if s.id != sub.id
    )
    assert ("outlier" in codes) == (sub.result["tables"]["table3"]["Overall"] - best > 10)


def test_re_judging_with_another_judge_is_recorded_and_keeps_the_old_judging(demo_store):
    store = demo_store.store
    sub = next(s for s in store.scan() if s.meta.model == "chattyvlm")
    old_items = sub.items().copy()
    assert demo_store.rejudge_with(sub, ShiftedJudge())
    after = store.get(sub.id)
    assert after.result["judge"]["backend"] == "shifted"
    rec = ChangeLog(store.root / CHANGES_DIR).get(after.result["rescored"]["change"])
    assert rec["reason"] == "re-judged with shifted · approx+1"
    oe = set(old_items.loc[old_items["qtype"] == "OE", "id"])
    assert rec["flips"] and {f["id"] for f in rec["flips"]} <= oe  # only OE scores moved
    kept = store.history(after)[0]
    assert kept.result()["judge"]["backend"] == "approx"
    assert np.array_equal(
        kept.items()["judge_score"].to_numpy(dtype=float, na_value=np.nan),
        old_items["judge_score"].to_numpy(dtype=float, na_value=np.nan),
        equal_nan=True,
    )
    with pytest.raises(InputError, match="choose a judge"):
        demo_store.rejudge_with(after, None)


def test_a_stale_judged_row_without_a_judge_is_left_and_reported(demo_store, monkeypatch):
    store = demo_store.store
    monkeypatch.setattr(extract_mod, "EXTRACTOR_VERSION", "3.0.0")
    bare = SubmissionPipeline(store.benchmark, store, judge=None, limits=Limits())
    assert bare.rescore_stale() == []
    assert all("no judge is configured" in p for p in store.problems)
    assert ChangeLog(store.root / CHANGES_DIR).ids() == []
