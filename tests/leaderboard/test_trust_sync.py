"""The Hub sync keeps the trust records (issue 12): change records and label flags are pushed
as they are written and restored on a fresh machine, and a review cleared on one machine is
cleared on the other."""

from __future__ import annotations

import json

from leaderboard.changes import CHANGES_DIR, ChangeLog
from leaderboard.hub_sync import open_store
from leaderboard.label_flags import FLAGS_DIR, LabelFlags, flags_root
from leaderboard.review import clear_review, under_review
from leaderboard.store import REVIEW_FILE
from leaderboard.submission import SubmissionPipeline
from tests.leaderboard.test_hub_sync import FakeHub, synced
from tests.support.storekit import NO_RATE_LIMIT
from tests.support.trustkit import PREDICTIONS, ShiftedJudge, demo_bench


def _store(root, hub):
    return open_store(root, demo_bench(), sync=synced(root, hub), rescore=False)


def test_change_records_and_label_flags_go_to_the_hub_and_come_back(tmp_path):
    hub = FakeHub(tmp_path / "hub", exists=False)
    first = _store(tmp_path / "a", hub)
    pipe = SubmissionPipeline(
        first.benchmark, first, judge=ShiftedJudge(every=2), limits=NO_RATE_LIMIT
    )
    data = (PREDICTIONS / "chattyvlm.jsonl").read_bytes()
    sub = pipe.submit(data, "c.jsonl", {"model": "Chatty"})
    assert pipe.rejudge_with(first.get(sub.id), ShiftedJudge(every=5))
    flags = LabelFlags(flags_root(first.root), demo_bench().index_of)
    flag = flags.add("qbp-00001", "the gold letter contradicts the option text")
    first.announce(f"{FLAGS_DIR}/{flag['id']}.json")  # as ui.trust does after a flag
    assert first.sync.flush(10)
    record_id = ChangeLog(first.root / CHANGES_DIR).ids()[0]
    on_hub = set(hub.files())
    assert f"{CHANGES_DIR}/{record_id}.json" in on_hub
    assert f"{FLAGS_DIR}/{flag['id']}.json" in on_hub
    assert any(f.startswith(f"{sub.id}/history/items-") for f in on_hub)  # the old judging
    first.sync.close()

    second = _store(tmp_path / "b", hub)
    log = ChangeLog(second.root / CHANGES_DIR)
    assert log.ids() == [record_id]
    assert log.get(record_id)["submission_id"] == sub.id
    assert (
        LabelFlags(flags_root(second.root), demo_bench().index_of).list()[0]["reason"]
        == flag["reason"]
    )
    assert second.history(second.get(sub.id))[0].items_path is not None
    second.sync.close()


def test_records_only_on_this_machine_are_pushed_after_the_restore(tmp_path):
    hub = FakeHub(tmp_path / "hub")
    root = tmp_path / "a"
    offline = open_store(root, demo_bench(), env={}, rescore=False)
    flags = LabelFlags(flags_root(offline.root), demo_bench().index_of)
    flag = flags.add("qbp-00002", "two options are the same text")
    online = _store(root, hub)
    assert online.sync.flush(10)
    assert f"{FLAGS_DIR}/{flag['id']}.json" in hub.files()
    online.sync.close()


def test_a_review_cleared_elsewhere_is_cleared_here_and_not_the_other_way(tmp_path):
    hub = FakeHub(tmp_path / "hub")
    store = _store(tmp_path / "a", hub)
    pipe = SubmissionPipeline(store.benchmark, store, limits=NO_RATE_LIMIT)
    data = (PREDICTIONS / "tersenet.jsonl").read_bytes()
    pipe.submit(data, "t.jsonl", {"model": "TerseNet"}, review=False)
    held = pipe.submit(data, "t.jsonl", {"model": "Copycat"})
    assert under_review(held.review)
    assert store.sync.flush(10)
    store.sync.close()
    cleared = clear_review(held.review, "admin", "same lab, two names")
    (hub.folder / held.id / REVIEW_FILE).write_text(json.dumps(cleared))
    again = _store(tmp_path / "a", hub)
    assert not under_review(again.get(held.id).review)
    assert again.get(held.id).review["note"] == "same lab, two names"
    again.sync.close()
    # an older record on the Hub (held, not cleared) does not undo the local clearing
    (hub.folder / held.id / REVIEW_FILE).write_text(json.dumps(held.review))
    third = _store(tmp_path / "a", hub)
    assert not under_review(third.get(held.id).review)
    third.sync.close()


def test_a_re_score_at_start_up_is_pushed_with_its_record(tmp_path, monkeypatch):
    import leaderboard.extract as extract_mod
    from leaderboard.judges import ApproxJudge

    hub = FakeHub(tmp_path / "hub")
    store = _store(tmp_path / "a", hub)
    pipe = SubmissionPipeline(store.benchmark, store, judge=ApproxJudge(), limits=NO_RATE_LIMIT)
    sub = pipe.submit(
        (PREDICTIONS / "tersenet.jsonl").read_bytes(), "t.jsonl", {"model": "TerseNet"}
    )
    assert store.sync.flush(10)
    store.sync.close()
    monkeypatch.setattr(extract_mod, "EXTRACTOR_VERSION", "9.0.0")
    again = open_store(
        tmp_path / "a", demo_bench(), judge=ApproxJudge(), sync=synced(tmp_path / "a", hub)
    )
    assert again.get(sub.id).result["extractor_version"] == "9.0.0"
    assert again.sync.flush(10)
    record_id = ChangeLog(again.root / CHANGES_DIR).ids()[0]
    assert f"{CHANGES_DIR}/{record_id}.json" in hub.files()
    pushed = json.loads((hub.folder / sub.id / "result.json").read_text())
    assert pushed["extractor_version"] == "9.0.0" and pushed["rescored"]["change"] == record_id
    again.sync.close()
