"""Change records and the version diff (issue 12): a re-score says what moved and why, the
record is kept append-only, and version N vs N-1 is the paired comparison of the Compare tab.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import leaderboard.store as store_mod
from analysis.compare import compare_models
from analysis.intervals import shared_plan
from leaderboard import SCORER_VERSION
from leaderboard.changes import (
    ChangeLog,
    cell_changes,
    change_record,
    flipped_ids,
    item_flips,
    rejudge_reason,
    rescore_reason,
    summary,
)
from leaderboard.judges import ApproxJudge
from leaderboard.store import SubmissionStore
from leaderboard.taxonomy import TABLES
from leaderboard.version_diff import diff_json, version_diff, version_pair
from tests.support.storekit import NO_RATE_LIMIT, rescore_stale, submit
from tests.support.trustkit import (
    PREDICTIONS,
    ShiftedJudge,
    demo_bench,
    misread_bold_sc,
    score_demo,
)


def _differing_ids(old_items, new_items) -> set[str]:
    """Independently of the module: ids whose score differs (NaN equal to NaN)."""
    o = old_items.set_index("id")["score"]
    n = new_items.set_index("id")["score"].reindex(o.index)
    differ = ~((o == n) | (o.isna() & n.isna()))
    return set(o.index[differ.to_numpy()])


def _assert_deltas_are_differences(record, old_tables, new_tables):
    by_cell = {(c["table"], c["cell"]): c for c in record["cells"]}
    assert len(by_cell) == sum(len(t.cells) for t in TABLES.values())
    for key, table in TABLES.items():
        for cell in table.cells:
            c = by_cell[(key, cell.name)]
            old, new = old_tables[key][cell.name], new_tables[key][cell.name]
            assert (c["old"], c["new"]) == (old, new)
            if old is None or new is None:
                assert c["delta"] is None
            else:
                assert c["delta"] == pytest.approx(new - old, abs=1e-12)


@pytest.fixture(scope="module")
def reference():
    return score_demo("chattyvlm.jsonl", judge=ApproxJudge())


def test_a_changed_extractor_gives_deltas_equal_to_the_difference_of_results(
    reference, monkeypatch
):
    misread_bold_sc(monkeypatch)
    changed = score_demo("chattyvlm.jsonl", judge=ApproxJudge())
    old, new = reference.to_json(False), changed.to_json(False)
    new["extractor_version"], old["extractor_version"] = "1.1.0", "1.0.0"
    rec = change_record("ChattyVLM", old, new, reference.items, changed.items)
    _assert_deltas_are_differences(rec, old["tables"], new["tables"])
    assert rec["reason"] == "extractor 1.0.0 -> 1.1.0"
    assert rec["overall"]["delta"] < 0  # fewer answers read: Overall drops
    changed_cells = {(c["table"], c["cell"]) for c in rec["cells"] if c["changed"]}
    assert ("table3", "SC") in changed_cells and ("table3", "MC") not in changed_cells
    flips = {f["id"]: f for f in rec["flips"]}
    assert set(flips) == _differing_ids(reference.items, changed.items) and flips
    assert rec["n_flips"] == len(flips)
    for f in flips.values():  # right before, unreadable now
        assert (f["old_score"], f["new_score"]) == (1.0, 0.0)
        assert f["old_status"] == "ok" and f["new_status"] == "unreadable"
        assert f["old_parsed"] in "ABCD" and f["new_parsed"] is None
    # answers that were wrong and are now unreadable did not flip, but are counted
    n_status = int((reference.items["status"] != changed.items["status"]).sum())
    assert rec["status_transitions"] == {"ok -> unreadable": n_status}
    assert n_status > len(flips)
    json.dumps(rec, allow_nan=False)


def test_two_different_files_give_the_difference_cell_by_cell(reference):
    other = score_demo("tersenet.jsonl", judge=ApproxJudge())
    old, new = reference.to_json(False), other.to_json(False)
    rec = change_record("X", old, new, reference.items, other.items, reason="test")
    _assert_deltas_are_differences(rec, old["tables"], new["tables"])
    assert {f["id"] for f in rec["flips"]} == _differing_ids(reference.items, other.items)
    assert rec["reason"] == "test"


def test_rescoring_the_demo_store_with_a_new_extractor_is_recorded(tmp_path, monkeypatch):
    """The integration the re-score path is meant to do: read old result and items, re-score,
    record. Deltas equal the difference of the two stored results."""
    store = SubmissionStore(tmp_path / "subs", demo_bench())
    sub = _submit(
        store, (PREDICTIONS / "bilingualvl.jsonl").read_bytes(), "b.jsonl", {"model": "BilingualVL"}
    )
    old_result, old_items = sub.result, sub.items().copy()
    misread_bold_sc(monkeypatch)
    monkeypatch.setattr(store_mod, "SCORER_VERSION", "1.0.1")
    assert rescore_stale(store, judge=ApproxJudge()) == [sub.id]
    after = store.get(sub.id)
    rec = change_record(
        after.meta.model, old_result, after.result, old_items, after.items(), submission_id=sub.id
    )
    log = ChangeLog(tmp_path / "subs" / "changes")
    rid = log.add(rec)
    stored = log.get(rid)
    _assert_deltas_are_differences(stored, old_result["tables"], after.result["tables"])
    assert stored["reason"] == f"scorer {SCORER_VERSION} -> 1.0.1"
    assert {f["id"] for f in stored["flips"]} == _differing_ids(old_items, after.items())
    assert stored["submission_id"] == sub.id and store.scan()[0].id == sub.id


def test_a_rejudge_and_a_benchmark_revision_are_named_in_the_reason():
    base = {
        "scorer_version": "1.0.0",
        "benchmark": {"hash": "h1", "revision": "r1"},
        "judge": {"backend": "approx", "model": "lexical-v1", "approximate": True},
    }
    judged = {
        **base,
        "judge": {"backend": "openai", "model": "gpt-4o", "prompt_version": "qbp-oe-v1"},
    }
    assert rescore_reason(base, judged) == ("re-judged with openai · gpt-4o (prompt qbp-oe-v1)")
    rev = {**base, "benchmark": {"hash": "h2", "revision": "r2"}}
    assert rescore_reason(base, rev) == "benchmark revision r1 -> r2"
    assert rescore_reason(base, {**base, "benchmark": {"hash": "h3"}}) == "benchmark h1 -> h3"
    assert rescore_reason(base, base) == "re-scored (no recorded version changed)"
    assert (
        rejudge_reason({"backend": "openai", "model": "gpt-4o"}) == "re-judged with openai · gpt-4o"
    )


def test_cells_that_become_null_or_items_that_appear_are_changes():
    cells = cell_changes(
        {"table3": {"OE": 50.0, "Overall": 40.0}}, {"table3": {"OE": None, "Overall": 40.0}}
    )
    oe = next(c for c in cells if c["cell"] == "OE")
    overall = next(c for c in cells if c["cell"] == "Overall")
    assert oe["changed"] and oe["delta"] is None
    assert not overall["changed"] and overall["delta"] == 0
    import pandas as pd

    old = pd.DataFrame(
        {
            "id": ["a", "b"],
            "qtype": ["SC", "OE"],
            "parsed": ["B", "x"],
            "status": ["ok", "unjudged"],
            "score": [1.0, np.nan],
        }
    )
    new = pd.DataFrame(
        {
            "id": ["b", "c"],
            "qtype": ["OE", "TF"],
            "parsed": ["x", "True"],
            "status": ["unjudged", "ok"],
            "score": [np.nan, 1.0],
        }
    )
    flips, transitions = item_flips(old, new)
    assert [(f["id"], f["old_status"], f["new_status"]) for f in flips] == [
        ("c", "absent", "ok"),
        ("a", "ok", "absent"),
    ]
    assert transitions == {"absent -> ok": 1, "ok -> absent": 1}
    with pytest.raises(ValueError, match="lacks column"):
        item_flips(old.drop(columns=["parsed"]), new)


# ----------------------------------------------------------------------------- the log


def _record(model="M", reason="r"):
    z = {"tables": {"table3": {"Overall": 1.0}}}
    import pandas as pd

    items = pd.DataFrame(
        {"id": ["a"], "qtype": ["SC"], "parsed": ["B"], "status": ["ok"], "score": [1.0]}
    )
    return change_record(model, z, z, items, items, reason=reason)


def test_change_log_lists_newest_first_and_never_rewrites(tmp_path):
    log = ChangeLog(tmp_path / "changes")
    assert log.list() == []
    ids = [log.add(_record(reason=f"r{i}")) for i in range(3)]
    assert [r["id"] for r in log.list()] == ids[::-1]
    assert [r["id"] for r in log.list(newest_first=False)] == ids
    assert log.get(ids[1])["reason"] == "r1"
    # the list carries summaries only; a record's cells and flips come with get()
    assert "flips" not in log.list()[0] and "cells" not in log.list()[0]
    assert log.get(ids[2])["flips"] == [] and len(log.get(ids[2])["cells"]) == 47
    first = (tmp_path / "changes" / f"{ids[0]}.json").read_bytes()
    with pytest.raises(FileExistsError):
        log.folder.write({"kind": "rescore", "model": "M"}, ids[0])
    assert (tmp_path / "changes" / f"{ids[0]}.json").read_bytes() == first
    assert sorted(os.listdir(tmp_path / "changes")) == sorted(f"{i}.json" for i in ids)


def test_change_log_filters_by_model_and_bounds_reads(tmp_path):
    log = ChangeLog(tmp_path, max_bytes=8000)
    log.add(_record("Foo VL"))
    log.add(_record("Bar"))
    assert [r["model"] for r in log.list(model="  foo vl ")] == ["Foo VL"]
    assert len(log.list(limit=1)) == 1
    assert log.list(max_scan=1)[0]["model"] == "Bar"
    big = tmp_path / "20990101T000000000000Z-0123456789ab.json"
    big.write_text(json.dumps({"kind": "rescore", "model": "x", "pad": "y" * 9000}))
    assert [r["model"] for r in log.list()] == ["Bar", "Foo VL"]  # the oversized one skipped
    assert any("over the 8000 byte limit" in p for p in log.problems)
    with pytest.raises(KeyError):
        log.get("20990101T000000000000Z-0123456789ab")


@pytest.mark.parametrize("bad", ["../meta", "x.json", "", None, "20990101T000000000000Z-nope"])
def test_change_log_get_refuses_anything_but_a_record_id(tmp_path, bad):
    log = ChangeLog(tmp_path)
    with pytest.raises(KeyError):
        log.get(bad)


def test_a_crash_while_writing_leaves_no_record_and_no_temp_file(tmp_path, monkeypatch):
    log = ChangeLog(tmp_path / "c")
    log.add(_record())

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "link", boom)
    with pytest.raises(OSError, match="disk full"):
        log.add(_record())
    assert len(os.listdir(tmp_path / "c")) == 1 and len(log.list()) == 1


def test_only_change_records_go_into_the_log_and_summaries_drop_item_lists(tmp_path):
    with pytest.raises(ValueError, match="not a change record"):
        ChangeLog(tmp_path).add({"model": "M"})
    rec = _record()
    assert "flips" not in summary(rec) and summary(rec)["n_flips"] == 0
    assert flipped_ids([{"flips": [{"id": "a"}, {"id": "b"}]}, {"flips": [{"id": "a"}]}]) == [
        "a",
        "b",
    ]


# ----------------------------------------------------------------------------- version diff


def test_version_diff_is_the_compare_tabs_paired_comparison(reference):
    newer = score_demo("chattyvlm.jsonl", judge=ShiftedJudge(every=4))
    bench = demo_bench()
    plan = shared_plan(bench, 400)
    diff = version_diff(
        bench, "ChattyVLM", reference.items, newer.items, old_version=1, new_version=2, counts=plan
    )
    scores = np.vstack([newer.scores, reference.scores])
    cmp = compare_models("v2", "v1", ["v2", "v1"], scores, bench, resamples=400)
    np.testing.assert_allclose(diff.cells["delta"], cmp.cells["diff"], equal_nan=True)
    np.testing.assert_allclose(diff.cells["low"], cmp.cells["low"], equal_nan=True)
    np.testing.assert_allclose(diff.cells["high"], cmp.cells["high"], equal_nan=True)
    np.testing.assert_allclose(diff.cells["old"], cmp.cells["b_value"], equal_nan=True)
    assert {f["id"] for f in diff.flips} == set(cmp.discordant["id"])
    assert all(f["qtype"] == "OE" and f["new_score"] > f["old_score"] for f in diff.flips)
    assert diff.overall()[0] > 0 and diff.mcnemar[:2] == (0, 0)  # closed items unchanged
    oe = diff.cells[(diff.cells["table"] == "table3") & (diff.cells["cell"] == "OE")].iloc[0]
    assert oe["significant"] and oe["low"] > 0
    json.dumps(diff_json(diff), allow_nan=False)


def test_version_diff_refuses_items_of_another_benchmark_version(reference):
    with pytest.raises(ValueError, match="another benchmark version"):
        version_diff(demo_bench(), "M", reference.items.iloc[:-1], reference.items)


def test_version_pair_is_the_last_two_versions():
    assert version_pair(["v1"]) is None
    assert version_pair(["v1", "v2", "v3"]) == ("v2", "v3")


def _submit(store, data, file_name, meta):
    """Store through the pipeline with the approximate judge and no rate limit."""
    return submit(store, data, file_name, meta, judge=ApproxJudge(), limits=NO_RATE_LIMIT)
