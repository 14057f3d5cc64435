"""At start-up the app removes what a crash left in the store (a temp folder of ~one upload,
`*.tmp` files) and keeps every whole submission."""

from __future__ import annotations

from leaderboard.settings import AppSettings
from leaderboard.store import SubmissionStore
from tests.support.storekit import GOOD, small_bench, submit
from ui.state import AppState


def test_the_app_cleans_crash_leftovers_at_start_up(tmp_path):
    store = SubmissionStore(tmp_path / "subs", small_bench(tmp_path / "b"))
    sub = submit(store, GOOD, "p.jsonl", {"model": "Crash-VL"})
    (store.root / ".tmp-20260101T000000000000Z-abcdefabcdef").mkdir()
    (sub.path / "items.parquet.tmp").write_bytes(b"x" * 1000)
    state = AppState.start(
        AppSettings(
            benchmark=str(tmp_path / "b"),
            seed_demo=False,
            submissions_dir=str(store.root),
            judge="none",
        )
    )
    assert not list(store.root.rglob("*.tmp")) and not list(store.root.glob(".tmp-*"))
    assert [s.id for s in state.store.submissions()] == [sub.id]
