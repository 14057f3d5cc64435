"""Only the drill-down's images are served, from a folder of their own: the image a handler
returns is a copy there (never a path into the bundle or the Hub cache), named by a hash, and
launch() blocks every folder of ours."""

from __future__ import annotations

from pathlib import Path

from leaderboard.benchmark import load_local
from tests.support.bundles import item, jpeg_bytes, write_bundle
from ui.files import ServedImages, launch_paths


def bundle(tmp_path: Path):
    rows = [item(1), item(2, file_name="images/b.png"), item(3, file_name="metadata.jsonl")]
    root = write_bundle(tmp_path / "bundle", rows, images=False)
    (root / "images").mkdir()
    (root / "images" / "img1.jpg").write_bytes(jpeg_bytes(1))
    (root / "images" / "b.png").write_bytes(b"\x89PNG fake")
    return load_local(root)


def test_the_served_copy_lives_outside_the_bundle_and_holds_only_images(tmp_path):
    bench = bundle(tmp_path)
    images = ServedImages(bench, tmp_path / "served")
    first = Path(images.path_for("q001"))
    assert first.read_bytes() == jpeg_bytes(1)
    assert first.parent == images.folder and not first.is_relative_to(bench.root)
    assert "img1" not in first.name and first.suffix == ".jpg"
    assert images.path_for("q001") == str(first)  # copied once
    assert Path(images.path_for("q002")).suffix == ".png"
    assert images.path_for("q003") is None  # a bundle file that is no image is never served
    assert images.path_for("nope") is None
    assert sorted(p.suffix for p in images.folder.iterdir()) == [".jpg", ".png"]
    # A hard link or a copy, never a symlink (Gradio resolves those back into the bundle).
    assert not first.is_symlink()


def test_launch_paths_allow_the_served_folder_and_block_ours(tmp_path):
    served, upload, repo = tmp_path / "served", tmp_path / "gradio", tmp_path / "repo"
    private = [repo / "data" / "demo", repo / "submissions", repo, tmp_path / "hub"]
    allowed, blocked = launch_paths(private, [served], keep=[upload])
    assert allowed == [str(served.resolve())]
    assert blocked == [str(p.resolve()) for p in private]
    # A folder holding what must stay reachable is left to its narrower neighbours.
    allowed, blocked = launch_paths([tmp_path, repo / "submissions"], [served], keep=[upload])
    assert blocked == [str((repo / "submissions").resolve())]
