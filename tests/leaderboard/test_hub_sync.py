"""Hub persistence without a network: off when not configured, start-up never blocked by a Hub
that refuses or never answers (the status says so), and a full push/restore round trip through
an in-memory stand-in for the Hub that selects files with huggingface_hub's own filter."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from types import SimpleNamespace

import httpx2
import pytest
from huggingface_hub.errors import RepositoryNotFoundError
from huggingface_hub.utils import filter_repo_objects

from leaderboard.hub_sync import HubSync, open_store, sync_status
from leaderboard.settings import SettingError
from tests.support.storekit import listing, small_bench, submit, variant

TOKEN = "hf_testtokenthatmustnotleak"


@pytest.fixture()
def bench(tmp_path):
    return small_bench(tmp_path / "bundle")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hub_env(endpoint: str, timeout: str = "5") -> dict[str, str]:
    return {
        "QBP_SUBMISSIONS_REPO": "someone/qbp-submissions",
        "HF_TOKEN": TOKEN,
        "HF_ENDPOINT": endpoint,
        "QBP_SYNC_TIMEOUT": timeout,
    }


def test_without_settings_everything_stays_local(tmp_path, bench):
    store = open_store(tmp_path / "subs", bench, env={})
    status = sync_status(store)
    assert status.state == "off" and not status.enabled and status.healthy
    assert "QBP_SUBMISSIONS_REPO" in status.message and "this machine only" in status.message
    assert submit(store, variant(1), "p.jsonl", {"model": "Local"}).meta.version == 1


def test_a_bad_repo_id_is_a_clear_setting_error(tmp_path, bench):
    with pytest.raises(SettingError, match="QBP_SUBMISSIONS_REPO must look like owner/name"):
        open_store(
            tmp_path / "subs", bench, env={"QBP_SUBMISSIONS_REPO": "../x", "HF_TOKEN": TOKEN}
        )


def test_refusing_hub_start_up_works_locally_and_says_sync_is_failing(tmp_path, bench):
    env = hub_env(f"http://127.0.0.1:{closed_port()}")
    store = open_store(tmp_path / "subs", bench, env=env)
    status = sync_status(store)
    assert status.state == "failing" and not status.healthy
    assert (
        "restore" in status.message and "serving the submissions on this machine" in status.message
    )
    sub = submit(store, variant(1), "p.jsonl", {"model": "Offline"})
    assert store.get(sub.id).meta.model == "Offline"  # stored locally all the same
    assert store.sync.flush(1.0) is False  # the push cannot succeed...
    status = sync_status(store)  # ...and the status says so, retrying
    assert status.state == "failing" and status.pending == 1
    assert "1 not yet saved to the Hub" in status.message
    assert TOKEN not in status.message and TOKEN not in (status.last_error or "")
    store.sync.close()


def test_hub_that_never_answers_does_not_hang_start_up(tmp_path, bench):
    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        env = hub_env(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout="0.5")
        store = open_store(tmp_path / "subs", bench, env=env)
        status = sync_status(store)
        assert status.state == "failing" and "restore" in status.message
        submit(store, variant(2), "p.jsonl", {"model": "Still works"})
        store.sync.close(0.1)


# ---------------------------------------------------------------- an in-memory Hub
class FakeHub:
    """The three Hub calls HubSync makes, on a local folder; patterns as the real client."""

    def __init__(self, folder: Path, exists: bool = True) -> None:
        self.folder = folder
        self.exists = exists
        self.commits: list[str] = []
        folder.mkdir(parents=True, exist_ok=True)

    def files(self) -> list[str]:
        return sorted(
            str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file()
        )

    def repo_info(self, repo_id, repo_type=None, timeout=None):
        if not self.exists:
            request = httpx2.Request("GET", f"https://hub.test/api/datasets/{repo_id}")
            raise RepositoryNotFoundError("404", response=httpx2.Response(404, request=request))
        return SimpleNamespace(
            sha="f" * 40, siblings=[SimpleNamespace(rfilename=f) for f in self.files()]
        )

    def create_repo(self, repo_id, repo_type=None, private=None, exist_ok=False):
        self.exists = True

    def upload_folder(
        self, *, repo_id, repo_type, folder_path, allow_patterns, ignore_patterns, commit_message
    ):
        local = sorted(
            str(p.relative_to(folder_path)) for p in Path(folder_path).rglob("*") if p.is_file()
        )
        for rel in filter_repo_objects(
            local, allow_patterns=allow_patterns, ignore_patterns=ignore_patterns
        ):
            (self.folder / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(folder_path) / rel, self.folder / rel)
        self.commits.append(commit_message)

    def download(
        self,
        repo_id,
        *,
        repo_type,
        revision,
        local_dir,
        token,
        endpoint,
        allow_patterns,
        etag_timeout,
    ):
        for rel in filter_repo_objects(self.files(), allow_patterns=allow_patterns):
            (Path(local_dir) / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.folder / rel, Path(local_dir) / rel)
        return str(local_dir)


def synced(root: Path, hub: FakeHub) -> HubSync:
    return HubSync(
        root,
        "someone/qbp-submissions",
        TOKEN,
        api=hub,
        download=hub.download,
        timeout=10,
        retry_base=0.05,
    )


def test_round_trip_push_then_restore_on_a_fresh_machine(tmp_path, bench):
    hub = FakeHub(tmp_path / "hub", exists=False)
    first = open_store(tmp_path / "a", bench, sync=synced(tmp_path / "a", hub))
    assert sync_status(first).state == "ok"  # a repo that does not exist yet is fine
    subs = [submit(first, variant(i), "p.jsonl", {"model": f"M{i}"}) for i in range(3)]
    first.set_hidden(subs[1].id, True, reason="spam")
    (first.root / ".tmp-20990101T000000000000Z-000000000000").mkdir()  # never pushed
    assert first.sync.flush(10)
    status = sync_status(first)
    assert status.state == "ok" and status.pending == 0 and status.last_push
    assert not any(f.startswith(".") or f.endswith(".tmp") for f in hub.files())
    first.sync.close()

    second = open_store(tmp_path / "b", bench, sync=synced(tmp_path / "b", hub))
    status = sync_status(second)
    assert status.state == "ok" and status.restored == 3 and "restored 3" in status.message
    assert listing(second.root) == [p for p in listing(first.root) if not p.startswith(".")]
    for sub in subs:  # byte for byte, hidden state included
        for name in ("upload.jsonl", "meta.json", "result.json", "items.parquet"):
            assert (second.root / sub.id / name).read_bytes() == (sub.path / name).read_bytes()
    assert [s.id for s in second.submissions()] == [subs[0].id, subs[2].id]
    assert second.get(subs[1].id).moderation["reason"] == "spam"
    assert not (second.root / ".hub-restore").exists()
    second.sync.close()


def test_restore_skips_incomplete_remote_folders_and_pushes_local_only_ones(tmp_path, bench):
    hub = FakeHub(tmp_path / "hub")
    first = open_store(tmp_path / "a", bench, sync=synced(tmp_path / "a", hub))
    good, broken = (submit(first, variant(i), "p.jsonl", {"model": f"M{i}"}) for i in range(2))
    assert first.sync.flush(10)
    first.sync.close()
    (hub.folder / broken.id / "result.json").unlink()  # a half-pushed folder on the Hub

    second_root = tmp_path / "b"
    local_only = submit(
        open_store(second_root, bench, env={}), variant(9), "p.jsonl", {"model": "Local only"}
    )
    second = open_store(second_root, bench, sync=synced(second_root, hub))
    assert {s.id for s in second.scan()} == {good.id, local_only.id}
    status = sync_status(second)
    assert (
        status.state == "failing" and broken.id in status.message and "incomplete" in status.message
    )
    assert second.sync.flush(10)
    assert f"{local_only.id}/upload.jsonl" in hub.files()
    second.sync.close()


def test_newer_moderation_on_the_hub_wins_over_the_local_one(tmp_path, bench):
    hub = FakeHub(tmp_path / "hub")
    store = open_store(tmp_path / "a", bench, sync=synced(tmp_path / "a", hub))
    sub = submit(store, variant(1), "p.jsonl", {"model": "M"})
    assert store.sync.flush(10)
    store.sync.close()
    remote = {
        "hidden": True,
        "at": "2999-01-01T00:00:00+00:00",
        "reason": "elsewhere",
        "history": [],
    }
    (hub.folder / sub.id / "moderation.json").write_text(json.dumps(remote))
    again = open_store(tmp_path / "a", bench, sync=synced(tmp_path / "a", hub))
    assert again.get(sub.id).hidden and again.get(sub.id).moderation["reason"] == "elsewhere"
    again.sync.close()


class FlakyHub(FakeHub):
    """Refuses the first `failures` calls, like a Hub that is down at start-up."""

    def __init__(self, folder: Path, failures: int) -> None:
        super().__init__(folder)
        self.failures = failures

    def repo_info(self, *args, **kwargs):
        if self.failures > 0:
            self.failures -= 1
            raise httpx2.ConnectError("[Errno 111] Connection refused")
        return super().repo_info(*args, **kwargs)


def test_failed_restore_is_retried_in_the_background_and_brings_old_rows_back(tmp_path, bench):
    hub = FakeHub(tmp_path / "hub")
    first = open_store(tmp_path / "a", bench, sync=synced(tmp_path / "a", hub))
    old = submit(first, variant(1), "p.jsonl", {"model": "Saved earlier"})
    assert first.sync.flush(10)
    first.sync.close()

    flaky = FlakyHub(hub.folder, failures=2)
    store = open_store(tmp_path / "b", bench, sync=synced(tmp_path / "b", flaky))
    assert sync_status(store).state == "failing" and store.scan() == []
    new = submit(store, variant(2), "p.jsonl", {"model": "Submitted while the Hub was down"})
    assert store.sync.flush(10)  # retried with backoff until the Hub answered
    assert {s.id for s in store.scan()} == {old.id, new.id}
    assert sync_status(store).state == "ok" and f"{new.id}/result.json" in hub.files()
    store.sync.close()
