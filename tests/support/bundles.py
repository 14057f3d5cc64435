"""Small hand-made benchmark bundles for tests (written in the canonical imagefolder layout)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OPTIONS = [
    "Slight motion blur on the face",
    "Strong sensor noise in the shadows",
    "Overexposed forehead",
    "No visible distortion",
]


def item(i: int, qtype: str = "SC", answer: Any = "B", **over: Any) -> dict[str, Any]:
    """One valid canonical item; keyword arguments override fields."""
    row = {
        "file_name": f"images/img{i % 3}.jpg",
        "id": f"q{i:03d}",
        "question": f"Question {i}: which distortion is most visible on the subject?",
        "options": list(OPTIONS) if qtype in ("SC", "MC") else [],
        "answer": answer,
        "qtype": qtype,
        "scope": "global",
        "image_source": "NI",
        "source_dataset": "AVA",
        "dimension": "Tech",
        "subdimension": "Blur",
    }
    if qtype == "TF" and answer == "B":
        row["answer"] = "True"
    if qtype == "OE" and answer == "B":
        row["answer"] = "The face shows slight motion blur around the eyes."
    row.update(over)
    return row


def write_bundle(root: Path, rows: list[dict[str, Any]], images: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    with (root / "metadata.jsonl").open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    if images:
        (root / "images").mkdir(exist_ok=True)
        for r in rows:
            p = root / r["file_name"]
            if not p.exists():
                p.write_bytes(b"\xff\xd8\xff\xd9")
    return root


def jpeg_bytes(i: int) -> bytes:
    """A real 8x8 JPEG, a different colour per i, so a drill-down can open it."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), ((37 * i) % 256, (91 * i) % 256, 120)).save(buf, format="JPEG")
    return buf.getvalue()


def write_parquet_shard(
    path: Path, rows: list[dict[str, Any]], images: list[bytes] | None = None
) -> Path:
    """One Parquet shard as `Dataset.push_to_hub` writes it: the columns of `rows` plus an
    `image` struct column {bytes, path} when images are given."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    if images is not None:
        frame["image"] = [{"bytes": b, "path": f"{i}.jpg"} for i, b in enumerate(images)]
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path)
    return path


def write_json_array(
    path: Path,
    rows: list[dict[str, Any]],
    images: bool = True,
    image_field: str = "img_path",
    image_dir: str = "",
) -> Path:
    """A metadata file that is one JSON array of objects (LLVisionQA's llvisionqa_dev.json),
    with each row's image written under `image_dir` next to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    if images:
        for i, r in enumerate(rows):
            img = path.parent / image_dir / r[image_field]
            img.parent.mkdir(parents=True, exist_ok=True)
            img.write_bytes(jpeg_bytes(i))
    return path
