"""Red team, private gold: through the launched app, by raw HTTP, every private file answers
403/404 (gold answers by absolute and relative path, the bundle's model list and prediction
files, a stored submission's upload, items and meta, the judge cache, the Hub cache, an
export file, the app's source, /etc/passwd), while the drill-down's image still loads, for a
local bundle and for a Hub bundle read from the Hub cache."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO, REPO
from tests.support.applaunch import launched_app
from tests.support.bundles import item, jpeg_bytes, write_bundle
from tests.support.rawqueue import config, file_url, fn_index, queue_call

pytestmark = pytest.mark.app

REFUSED = (403, 404)


def fetch(url: str, path: str | Path) -> httpx.Response:
    return httpx.get(f"{url}gradio_api/file={path}", timeout=30)


def drill_image(url: str, item_id: str, models: list[str] | None = None) -> httpx.Response:
    """The drill-down's image of an item, fetched as the page does (show_item's output)."""
    cfg = config(url)
    out = queue_call(
        url,
        fn_index(cfg, "show_item"),
        [item_id, [item_id], models or [], "", "", "", "", "", "all"],
    )
    assert out["success"], out
    image = out["output"]["data"][0]
    assert image and image.get("url"), out
    return httpx.get(file_url(url, image), timeout=30)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """The demo, seeded, with its store, judge cache and Hub cache outside the working
    directory (so each is blocked in its own right, not only as part of the cwd)."""
    root = tmp_path_factory.mktemp("redteam-files")
    cache = root / "judge-cache" / "judge.sqlite"
    cache.parent.mkdir()
    cache.write_bytes(b"SQLite format 3\0 judgements of other users")
    hub = root / "hub" / "datasets--someone--else" / "blobs"
    hub.mkdir(parents=True)
    (hub / "secret").write_text("another repo's file")
    env = {
        "QBP_SEED_DEMO": "1",
        "QBP_JUDGE": "approx",
        "QBP_JUDGE_CACHE": str(cache),
        "HF_HUB_CACHE": str(root / "hub"),
    }
    with launched_app(root / "cwd", env, submissions=root / "store") as app:
        app.private = {"cache": cache, "hub": hub / "secret", "cwd": root / "cwd"}
        yield app


def test_gold_answers_store_caches_and_source_are_not_served(demo_app):
    url = demo_app.url
    subs = [p for p in demo_app.submissions.iterdir() if not p.name.startswith(".")]
    assert subs, "the demo was not seeded"
    sub = subs[0]
    private = [
        DEMO / "metadata.jsonl",
        os.path.relpath(DEMO / "metadata.jsonl", demo_app.private["cwd"]),  # relative path
        DEMO / "models.json",
        next((DEMO / "predictions").iterdir()),
        DEMO / "README.md",
        sub / f"upload.{next(p.suffix[1:] for p in sub.iterdir() if p.stem == 'upload')}",
        sub / "items.parquet",
        sub / "meta.json",
        sub / "result.json",
        demo_app.submissions / ".lock",
        demo_app.private["cache"],
        demo_app.private["hub"],
        demo_app.log,  # the server's own log, in its working directory
        REPO / "app.py",
        REPO / "leaderboard" / "settings.py",
        "/etc/passwd",
    ]
    for path in private:
        assert Path(str(path)).exists() or str(path).startswith(".."), path
        answer = fetch(url, path)
        assert answer.status_code in REFUSED, (path, answer.status_code, answer.text[:80])
        assert b"qbp-" not in answer.content  # no gold item leaked in an error page


def test_the_shared_export_folder_is_not_served(demo_app):
    """The board builds its CSV/LaTeX downloads in the response (ui/board_table.py), so no
    visitor's export is a file; a file in the temp folder older exports used is not served
    (only the drill-down's image copies are)."""
    export = Path(tempfile.gettempdir()) / "qbp-exports" / "0123456789abcdef" / "qbp_table3.csv"
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_text("Rank,Model\n1,someone else's view\n", encoding="utf-8")
    assert fetch(demo_app.url, export).status_code in REFUSED


def test_the_drill_down_image_still_loads(demo_app):
    bench_row = next(
        line for line in (DEMO / "metadata.jsonl").read_text().splitlines() if '"qbp-00007"' in line
    )
    image = drill_image(demo_app.url, "qbp-00007")
    import json

    original = DEMO / json.loads(bench_row)["file_name"]
    assert image.status_code == 200 and image.content == original.read_bytes()


def hub_cache_with_bundle(hub: Path) -> Path:
    """A Hub dataset repo as huggingface_hub caches it: refs/main, a snapshot whose files
    are symlinks into blobs/. Returns the snapshot folder."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = hub / "datasets--qbp-test--portrait"
    snap = repo / "snapshots" / commit
    write_bundle(snap, [item(i) for i in range(1, 7)], images=False)
    (repo / "blobs").mkdir(parents=True)
    (snap / "images").mkdir()
    for i in range(3):
        blob = repo / "blobs" / f"blob{i}"
        blob.write_bytes(jpeg_bytes(i))
        (snap / "images" / f"img{i}.jpg").symlink_to(blob)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return snap


def test_a_hub_bundle_serves_its_images_and_not_the_hub_cache(tmp_path):
    hub = tmp_path / "hub"
    snap = hub_cache_with_bundle(hub)
    other = hub / "datasets--someone--else" / "snapshots" / "x"
    other.mkdir(parents=True)
    (other / "metadata.jsonl").write_text('{"answer": "their gold"}\n')
    env = {
        "QBP_BENCHMARK": "qbp-test/portrait",
        "HF_HUB_CACHE": str(hub),
        "HF_HUB_OFFLINE": "1",
        "QBP_JUDGE": "none",
    }
    with launched_app(tmp_path / "cwd", env) as app:
        for path in (
            snap / "metadata.jsonl",
            snap / "images" / "img1.jpg",
            hub / "datasets--qbp-test--portrait" / "blobs" / "blob1",
            hub / "datasets--qbp-test--portrait" / "refs" / "main",
            other / "metadata.jsonl",
        ):
            assert fetch(app.url, path).status_code in REFUSED, path
        image = drill_image(app.url, "q001")  # item 1 shows images/img1.jpg
        assert image.status_code == 200 and image.content == jpeg_bytes(1)
