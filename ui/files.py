"""What the Space serves by URL: the drill-down's images, and nothing else of ours.

Gradio serves a file by URL when it sits in `allowed_paths`, in its upload/cache folder, or
was returned by a handler (it copies those into its cache first, and only from
`allowed_paths`, the working directory or the temp directory). The benchmark folder holds
the gold answers (metadata.jsonl), the store holds every upload, the judge cache every
judgement: none of them may be reachable. So:

- `ServedImages` copies (hard-links when it can) the one image a drill-down shows into a
  folder of its own, keyed by benchmark hash, that holds nothing but such images; the
  handler returns that copy, so no path into the bundle or the Hub cache ever reaches Gradio.
- `launch_paths` gives launch() that folder as the only allowed path, and blocks every
  folder of ours (bundle, Hub cache, store, judge cache, the app's source, the working
  directory): blocked paths win over everything Gradio would otherwise serve or copy.

No Gradio here: app.py passes in the folders Gradio itself must keep (its upload folder).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from leaderboard.benchmark import Benchmark

log = logging.getLogger("qbp.files")

#: Suffixes of the files a drill-down may show (".img": images a Parquet shard held).
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".img"}
)
SERVED_DIR_NAME = "qbp-served-images"


def default_served_root() -> Path:
    """Where served images live unless QBP_SERVED_IMAGES_DIR says otherwise."""
    env = os.environ.get("QBP_SERVED_IMAGES_DIR", "").strip()
    return Path(env).expanduser() if env else Path(tempfile.gettempdir()) / SERVED_DIR_NAME


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass
class ServedImages:
    """The drill-down's images, copied on demand into `root/<benchmark hash>/`.

    Files are named by a hash of the image's place in the bundle (never by its path), so the
    folder reveals nothing and one image is copied once. A hard link costs no disk when the
    bundle is on the same file system; otherwise the bytes are copied (atomically)."""

    bench: Benchmark
    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.folder = self.root / self.bench.hash.replace(":", "-")[:32]
        self._lock = threading.Lock()

    def path_for(self, item_id: str) -> str | None:
        """The served copy of an item's image, or None (unknown id, no image, not an image
        file, unreadable)."""
        if item_id not in self.bench.index_of:
            return None
        source = self.bench.image_path(item_id)
        if source is None:
            return None
        source = Path(source)
        suffix = source.suffix.lower()
        if suffix not in IMAGE_SUFFIXES:
            log.warning("item %s: %s is not an image file; not served", item_id, source.name)
            return None
        ref = str(self.bench.items.iloc[self.bench.index_of[item_id]]["file_name"])
        name = hashlib.sha256(ref.encode("utf-8", "surrogatepass")).hexdigest()[:24] + suffix
        target = self.folder / name
        if target.is_file():
            return str(target)
        try:
            with self._lock:
                if not target.is_file():
                    self._place(source.resolve(), target)
        except OSError as exc:
            log.warning("item %s: image not served (%s)", item_id, exc)
            return None
        return str(target)

    def _place(self, source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            try:
                os.link(source, tmp)
            except OSError:  # another file system, or links not allowed: copy the bytes
                shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)


def hub_cache_folders() -> list[Path]:
    """The Hugging Face cache folders (a Hub bundle's files, and other repos' too)."""
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover - a dependency of the app
        return []
    return [Path(p) for p in {constants.HF_HUB_CACHE, constants.HF_HOME} if p]


def launch_paths(
    private: Iterable[str | Path], served: Sequence[str | Path], keep: Sequence[str | Path] = ()
) -> tuple[list[str], list[str]]:
    """(allowed_paths, blocked_paths) for launch(): only the `served` folders allowed; every
    `private` folder blocked, except one that contains a folder Gradio or we must still
    serve or copy from (`served`, `keep`: Gradio's upload folder), which
    is logged and left to its narrower neighbours in `private`."""
    needed = [Path(p).resolve() for p in (*served, *keep)]
    blocked: list[str] = []
    for raw in private:
        folder = Path(raw).resolve()
        clash = next((n for n in needed if _inside(n, folder)), None)
        if clash is not None:
            log.warning("%s is not blocked: it holds %s, which must stay reachable", folder, clash)
            continue
        if str(folder) not in blocked:
            blocked.append(str(folder))
    return [str(Path(p).resolve()) for p in served], blocked
