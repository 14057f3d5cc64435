"""Submission store: atomic folders, de-duplication, versions, moderation, re-scoring."""

from __future__ import annotations

import json

import pytest

from leaderboard import SCORER_VERSION
from leaderboard import store as store_mod
from leaderboard.benchmark import load_local
from leaderboard.errors import InputError
from leaderboard.store import SubmissionStore
from tests.support.bundles import item, write_bundle
from tests.support.storekit import rescore_stale, submit


@pytest.fixture()
def store(tmp_path):
    rows = [item(i, q) for i, q in enumerate(["SC", "MC", "TF", "SC"], start=1)]
    bench = load_local(write_bundle(tmp_path / "bundle", rows))
    return SubmissionStore(tmp_path / "subs", bench)


def upload(answers: dict[str, str]) -> bytes:
    return "\n".join(json.dumps({"id": k, "prediction": v}) for k, v in answers.items()).encode()


GOOD = upload({"q001": "B", "q002": "B", "q003": "True", "q004": "C"})


def stored_dirs(store):
    return sorted(p.name for p in store.root.iterdir() if p.name != ".lock")


def test_add_stores_file_byte_for_byte_with_meta_and_result(store):
    sub = submit(
        store,
        GOOD,
        "preds.jsonl",
        {"model": "TestVL", "params": "7B", "open": True, "link": "https://example.org/m"},
    )
    assert (sub.path / "upload.jsonl").read_bytes() == GOOD
    meta = json.loads((sub.path / "meta.json").read_text())
    assert meta["model"] == "TestVL" and meta["version"] == 1 and len(meta["file_sha256"]) == 64
    assert sub.result["tables"]["table3"]["Overall"] == 75.0
    assert sub.result["benchmark"]["hash"] == store.benchmark.hash
    assert list(sub.items()["score"]) == [1.0, 1.0, 1.0, 0.0]
    assert sub.items()["raw"].tolist()[0] == "B"


def test_same_file_same_model_is_not_stored_twice(store):
    a = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    b = submit(store, GOOD, "other-name.jsonl", {"model": " testvl "})
    assert b.id == a.id and b.duplicate
    assert len(stored_dirs(store)) == 1


def test_new_file_for_a_model_is_a_new_version_and_old_stays(store):
    a = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    b = submit(store, upload({"q001": "B"}), "p.jsonl", {"model": "TestVL"})
    assert b.meta.version == 2
    assert [s.id for s in store.submissions()] == [b.id]
    assert {s.id for s in store.submissions(all_versions=True)} == {a.id, b.id}


@pytest.mark.parametrize(
    "meta, message",
    [
        ({"model": ""}, "Model name is required"),
        ({"model": "x" * 81}, "at most 80"),
        ({"model": "bad\u202ename"}, "control or invisible"),
        ({"model": "ok", "link": "javascript:alert(1)"}, r"http\(s\) URL"),
    ],
)
def test_bad_form_stores_nothing(store, meta, message):
    with pytest.raises(InputError, match=message):
        submit(store, GOOD, "p.jsonl", meta)
    assert stored_dirs(store) == []


def test_bad_file_stores_nothing(store):
    with pytest.raises(InputError, match="duplicate id"):
        submit(
            store,
            b'{"id":"q001","prediction":"B"}\n{"id":"q001","prediction":"C"}',
            "p.jsonl",
            {"model": "x"},
        )
    assert stored_dirs(store) == []


def test_hide_and_unhide(store):
    sub = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    store.set_hidden(sub.id, True)
    assert store.submissions() == [] and store.submissions(include_hidden=True)[0].hidden
    store.set_hidden(sub.id, False)
    assert [s.id for s in store.submissions()] == [sub.id]


def test_leftover_temp_folders_are_reported_and_ignored(store):
    submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    (store.root / ".tmp-20260101T000000000000Z-abcdefabcdef").mkdir()
    assert len(store.scan()) == 1
    assert store.leftovers == [".tmp-20260101T000000000000Z-abcdefabcdef"]
    assert store.clean_leftovers() == [".tmp-20260101T000000000000Z-abcdefabcdef"]


def test_stale_results_are_rescored_from_the_raw_file(store, monkeypatch):
    sub = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    assert not store.is_stale(sub)
    monkeypatch.setattr(store_mod, "SCORER_VERSION", "99.0")
    fresh = SubmissionStore(store.root, store.benchmark)
    assert fresh.is_stale(fresh.get(sub.id))
    assert rescore_stale(fresh) == [sub.id]
    again = SubmissionStore(store.root, store.benchmark)
    assert again.get(sub.id).result["scorer_version"] == "99.0"
    assert again.get(sub.id).result["tables"]["table3"]["Overall"] == 75.0
    assert rescore_stale(again) == []


def test_rescoring_keeps_the_old_result_and_says_why(store, monkeypatch):
    sub = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    old = (sub.path / "result.json").read_bytes()
    monkeypatch.setattr(store_mod, "SCORER_VERSION", "99.0")
    fresh = SubmissionStore(store.root, store.benchmark)
    rescore_stale(fresh)
    again = fresh.get(sub.id)
    assert again.result["rescored"]["from_scorer_version"] == SCORER_VERSION
    assert (sub.path / again.result["rescored"]["previous"]).read_bytes() == old
    assert (sub.path / "upload.jsonl").read_bytes() == GOOD  # the raw file is never touched


def test_a_stale_result_that_cannot_be_rescored_is_reported_not_fatal(store, monkeypatch):
    sub = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    (sub.path / "upload.jsonl").write_bytes(b"garbage")  # as if the file were damaged
    monkeypatch.setattr(store_mod, "SCORER_VERSION", "99.0")
    fresh = SubmissionStore(store.root, store.benchmark)
    assert rescore_stale(fresh) == []
    assert any(sub.id in p and "could not be re-scored" in p for p in fresh.problems)
    assert fresh.get(sub.id).result["scorer_version"] == SCORER_VERSION  # left as it was


def test_judged_results_are_not_rescored_without_a_judge(store, monkeypatch):
    sub = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    result = json.loads((sub.path / "result.json").read_text())
    result["status_counts"]["judged"] = 1
    (sub.path / "result.json").write_text(json.dumps(result))
    monkeypatch.setattr(store_mod, "SCORER_VERSION", "99.0")
    fresh = SubmissionStore(store.root, store.benchmark)
    assert rescore_stale(fresh) == []
    assert any("no judge is configured" in p for p in fresh.problems)


def test_same_file_under_another_model_name_is_flagged(store):
    a = submit(store, GOOD, "p.jsonl", {"model": "Original"})
    b = submit(store, GOOD, "p.jsonl", {"model": "Copycat"})
    assert b.id != a.id and b.meta.same_file_as == [a.id]


def test_a_repeat_upload_does_not_mark_the_stored_one_as_duplicate(store):
    a = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    assert submit(store, GOOD, "p.jsonl", {"model": "TestVL"}).duplicate
    assert not store.get(a.id).duplicate and not store.submissions()[0].duplicate


def test_listeners_hear_of_every_change_and_cannot_break_a_submit(store):
    heard = []
    store.listeners += [heard.append, lambda _id: 1 / 0]
    sub = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    store.set_hidden(sub.id, True)
    assert heard == [sub.id, sub.id]


def test_upload_is_named_by_the_store(store):
    sub = submit(store, GOOD, "../../x/<evil>.jsonl", {"model": "TestVL"})
    assert sorted(p.name for p in sub.path.iterdir()) == [
        "items.parquet",
        "meta.json",
        "result.json",
        "upload.jsonl",
    ]
    assert sub.meta.file_name == "<evil>.jsonl"  # shown as text, never used as a path


def test_unreadable_folder_is_reported_and_skipped(store):
    sub = submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    broken = store.root / "20200101T000000000000Z-aaaaaaaaaaaa"
    broken.mkdir()
    (broken / "meta.json").write_text("{not json")
    assert [s.id for s in store.scan()] == [sub.id]
    assert store.problems and "20200101T000000000000Z-aaaaaaaaaaaa: unreadable" in store.problems[0]


def test_a_full_disk_stores_nothing_and_says_it_is_the_server(store, monkeypatch):
    import errno
    import os

    from leaderboard.store import StorageError

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match="could not be stored on the server \\(No space left"):
        submit(store, GOOD, "p.jsonl", {"model": "TestVL"})
    assert stored_dirs(store) == [] and store.scan() == []
    monkeypatch.undo()
    assert submit(store, GOOD, "p.jsonl", {"model": "TestVL"}).meta.version == 1
