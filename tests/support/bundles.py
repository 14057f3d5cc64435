"""Small hand-made benchmark bundles for tests (written in the canonical imagefolder layout)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OPTIONS = ["Slight motion blur on the face", "Strong sensor noise in the shadows",
           "Overexposed forehead", "No visible distortion"]


def item(i: int, qtype: str = "SC", answer: Any = "B", **over: Any) -> dict[str, Any]:
    """One valid canonical item; keyword arguments override fields."""
    row = {
        "file_name": f"images/img{i % 3}.jpg", "id": f"q{i:03d}",
        "question": f"Question {i}: which distortion is most visible on the subject?",
        "options": list(OPTIONS) if qtype in ("SC", "MC") else [],
        "answer": answer, "qtype": qtype, "scope": "global", "image_source": "NI",
        "source_dataset": "AVA", "dimension": "Tech", "subdimension": "Blur",
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
