"""Owned model names (issue 10): the account that first stored a name owns it, names that
only look alike are one name, the paper's names are reserved, withdrawing hides and keeps the
name owned, and the rule holds under the store's write lock."""

from __future__ import annotations

import json

import pytest

from leaderboard.moderation import MODERATOR
from leaderboard.names import InvalidModelName
from leaderboard.ownership import Ownership, OwnershipError, paper_names
from leaderboard.settings import Limits
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline
from tests.support.storekit import listing, small_bench, variant

VICTIM = "Victim-VL (7B)"


@pytest.fixture()
def store(tmp_path):
    return SubmissionStore(tmp_path / "subs", small_bench(tmp_path / "b"))


def pipeline(store, **rule) -> SubmissionPipeline:
    ownership = Ownership(reserved=paper_names(), **rule)
    return SubmissionPipeline(
        store.benchmark,
        store,
        limits=Limits(submits_per_hour=0, attempts_per_hour=0),
        ownership=ownership,
    )


def test_the_first_account_owns_the_name_and_it_is_recorded(store):
    sub = pipeline(store).submit(variant(1), "p.jsonl", {"model": VICTIM}, account="alice")
    assert sub.meta.owner == "alice"
    assert json.loads((sub.path / "meta.json").read_text())["owner"] == "alice"
    v2 = pipeline(store).submit(variant(2), "p.jsonl", {"model": "victim-VL (7B)"}, account="alice")
    assert (v2.meta.version, v2.meta.owner) == (2, "alice")


@pytest.mark.parametrize(
    "other",
    [
        "victim-vl  (7b)",  # case and spacing
        "Victim-VL\u00a0(7B)",  # a no-break space
        "Victirn-VL (7B)",  # "rn" passes for "m"
        "VICTIM-VL (7B)",
        "Ｖｉｃｔｉｍ-VL (7B)",  # full width
    ],
)
def test_another_account_cannot_take_a_look_alike_name_and_nothing_is_stored(store, other):
    pipeline(store).submit(variant(1), "p.jsonl", {"model": VICTIM}, account="alice")
    before = listing(store.root)
    with pytest.raises(OwnershipError) as err:
        pipeline(store).submit(variant(2), "p.jsonl", {"model": other}, account="bob")
    message = str(err.value)
    assert "belongs to the account 'alice'" in message and "nothing was stored" in message
    assert VICTIM in message
    assert listing(store.root) == before


def test_a_cyrillic_look_alike_is_refused_at_the_form_naming_the_character(store):
    pipeline(store).submit(variant(1), "p.jsonl", {"model": VICTIM}, account="alice")
    before = listing(store.root)
    with pytest.raises(
        InvalidModelName,
        match="U\\+0412 CYRILLIC CAPITAL LETTER VE at position 13 looks like the ASCII 'B'",
    ):
        pipeline(store).submit(
            variant(2), "p.jsonl", {"model": "Victim-VL (7\u0412)"}, account="bob"
        )
    assert listing(store.root) == before


def test_the_same_file_of_another_owner_is_refused_not_called_a_repeat(store):
    pipeline(store).submit(variant(1), "p.jsonl", {"model": VICTIM}, account="alice")
    with pytest.raises(OwnershipError):
        pipeline(store).submit(variant(1), "p.jsonl", {"model": VICTIM}, account="bob")


@pytest.mark.parametrize("name", ["Qwen3-VL (8B)", "qwen3-vl  (8b)", "GPT-5.2", "Random guess"])
def test_paper_names_are_reserved_except_for_an_admin(store, name):
    with pytest.raises(OwnershipError, match="is a model reported in the paper"):
        pipeline(store).submit(variant(1), "p.jsonl", {"model": name}, account="alice")
    assert store.scan() == []
    sub = pipeline(store, admins=frozenset({"root"})).submit(
        variant(1), "p.jsonl", {"model": name}, account="root"
    )
    assert sub.meta.owner == "root"


def test_after_a_moderator_hides_it_the_name_stays_owned(store):
    first = pipeline(store).submit(variant(1), "p.jsonl", {"model": VICTIM}, account="alice")
    store.set_hidden(first.id, True, reason="spam", by=MODERATOR)
    with pytest.raises(OwnershipError, match="belongs to the account 'alice'"):
        pipeline(store).submit(variant(2), "p.jsonl", {"model": "victim-vl (7b)"}, account="bob")
    # ... and its owner cannot put a new version over the moderator's decision
    with pytest.raises(OwnershipError, match="hidden by a moderator"):
        pipeline(store).submit(variant(3), "p.jsonl", {"model": VICTIM}, account="alice")
    admin = pipeline(store, admins=frozenset({"root"}))
    v2 = admin.submit(variant(4), "p.jsonl", {"model": VICTIM}, account="root")
    assert v2.meta.owner == "alice"  # an admin's version keeps the name's owner
    assert [s.id for s in store.submissions()] == [v2.id]


def test_withdrawing_hides_every_version_keeps_the_files_and_the_name(store):
    rule = pipeline(store).ownership
    v1 = pipeline(store).submit(variant(1), "p.jsonl", {"model": VICTIM}, account="alice")
    v2 = pipeline(store).submit(variant(2), "p.jsonl", {"model": VICTIM}, account="alice")
    with pytest.raises(OwnershipError, match="only that account or an admin"):
        rule.withdraw(store, VICTIM, "bob")
    assert len(store.submissions()) == 1
    done = rule.withdraw(store, "victim-vl (7b)", "alice")
    assert {s.id for s in done} == {v1.id, v2.id} and all(s.hidden for s in done)
    assert store.submissions() == []
    assert store.get(v1.id).upload_path.read_bytes() == variant(1)  # nothing deleted
    record = store.get(v2.id).moderation
    assert record["by"] == "alice" and record["reason"] == "withdrawn by its owner"
    with pytest.raises(OwnershipError, match="already withdrawn"):
        rule.withdraw(store, VICTIM, "alice")
    with pytest.raises(OwnershipError, match="belongs to the account 'alice'"):
        pipeline(store).submit(variant(3), "p.jsonl", {"model": VICTIM}, account="bob")
    # the owner may come back with a new version
    v3 = pipeline(store).submit(variant(3), "p.jsonl", {"model": VICTIM}, account="alice")
    assert [s.id for s in store.submissions()] == [v3.id] and v3.meta.version == 3
    with pytest.raises(OwnershipError, match="no stored model is named"):
        rule.withdraw(store, "Nobody-VL", "alice")


def test_names_stored_before_owners_belong_to_the_legacy_owner(store):
    old = pipeline(store).submit(variant(1), "p.jsonl", {"model": "Old-VL"})  # the operator
    assert old.meta.owner is None
    with pytest.raises(OwnershipError, match="belongs to the account '\\(unclaimed\\)'"):
        pipeline(store).submit(variant(2), "p.jsonl", {"model": "Old-VL"}, account="alice")
    mine = pipeline(store, legacy_owner="alice")
    v2 = mine.submit(variant(2), "p.jsonl", {"model": "Old-VL"}, account="alice")
    assert v2.meta.owner is None and mine.ownership.owner(v2) == "alice"  # still the setting's


def test_two_accounts_racing_for_a_new_name_store_it_once(store):
    alice, bob = pipeline(store), pipeline(store)
    a = alice.prepare(variant(1), "p.jsonl", {"model": "Race-VL"}, account="alice")
    b = bob.prepare(variant(2), "p.jsonl", {"model": "race-vl"}, account="bob")  # both free
    alice.finish(a)
    with pytest.raises(OwnershipError, match="belongs to the account 'alice'"):
        bob.finish(b)  # decided again under the store's write lock
    assert [s.meta.owner for s in store.scan()] == ["alice"]


def test_a_refused_name_costs_an_attempt_but_not_a_submission(store):
    pipeline(store).submit(variant(1), "p.jsonl", {"model": VICTIM}, account="alice")
    limited = SubmissionPipeline(
        store.benchmark,
        store,
        limits=Limits(submits_per_hour=1, attempts_per_hour=5),
        ownership=Ownership(),
    )
    for _ in range(3):
        with pytest.raises(OwnershipError):
            limited.submit(variant(2), "p.jsonl", {"model": VICTIM}, client="ip:9", account="bob")
    assert (
        limited.submit(
            variant(2), "p.jsonl", {"model": "Bob-VL"}, client="ip:9", account="bob"
        ).meta.owner
        == "bob"
    )


def test_seeding_may_store_paper_names_and_owns_what_it_seeds(store):
    from leaderboard.identity import SEED_OWNER

    seeded = pipeline(store).submit(
        variant(1), "p.jsonl", {"model": "Qwen3-VL (8B)"}, account=SEED_OWNER
    )
    assert seeded.meta.owner == SEED_OWNER
    with pytest.raises(OwnershipError, match="belongs to the account '\\(demo bundle\\)'"):
        pipeline(store).submit(variant(2), "p.jsonl", {"model": "Qwen3-VL (8B)"}, account="alice")
