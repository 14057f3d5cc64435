"""A tiny bundle with three models' predictions and a models.json, for the app's analysis
tests (hand-checkable outcomes; answers any reasonable extractor reads the same way)."""

from __future__ import annotations

import json
from pathlib import Path

from leaderboard.benchmark import load_local
from leaderboard.store import SubmissionStore
from tests.support.bundles import item, write_bundle
from tests.support.storekit import submit

ITEMS = [
    item(1, "SC", "B", image_source="NI", source_dataset="AVA"),
    item(
        2,
        "SC",
        "C",
        image_source="NI",
        source_dataset="AVA",
        dimension="Aes",
        subdimension="Emotion",
        scope="local",
    ),
    item(3, "MC", "AC", image_source="SDI", source_dataset="FIQA", subdimension="Noise"),
    item(
        4,
        "TF",
        "True",
        image_source="AI",
        source_dataset="BAID",
        dimension="Aes",
        subdimension="Style",
    ),
    item(
        5,
        "TF",
        "False",
        image_source="AGI",
        source_dataset="AGHI-QA",
        dimension="AIGC",
        subdimension="Anatomy",
        scope="local",
    ),
    item(6, "OE", image_source="CGI", source_dataset="CGIQA-6k", subdimension="Exposure"),
    item(7, "SC", "D", image_source="NI", source_dataset="SPAQ", subdimension="Color"),
    item(
        8,
        "MC",
        "BD",
        image_source="AGI",
        source_dataset="EvalMi-50K",
        dimension="AIGC",
        subdimension="Texture",
    ),
]
OE_TEXT = "The face shows slight motion blur around the eyes."
ANSWERS = {
    "M1 (7B)": ["B", "C", "A, C", "True", "False", OE_TEXT, "D", "B, D"],  # closed all right
    "M2": ["B", "A", "A", "True", "True", "Looks fine.", "A", "I am not sure"],
    "M3 (72B)": ["C", "A", "A, C", "True", "False", None, "D", "B, D"],  # item 6 missing
}


def jsonl(answers: list[str | None]) -> bytes:
    rows = [
        {"id": f"q{i:03d}", "prediction": a}
        for i, a in enumerate(answers, start=1)
        if a is not None
    ]
    return "\n".join(json.dumps(r) for r in rows).encode()


def write_app_bundle(root: Path) -> Path:
    """The bundle plus predictions/*.jsonl and models.json, as the demo bundle has them."""
    write_bundle(root, ITEMS)
    (root / "predictions").mkdir(exist_ok=True)
    specs = []
    for n, (name, answers) in enumerate(ANSWERS.items()):
        (root / "predictions" / f"m{n}.jsonl").write_bytes(jsonl(answers))
        specs.append(
            {
                "model": name,
                "file": f"predictions/m{n}.jsonl",
                "params": "72B" if "72B" in name else ("7B" if "7B" in name else None),
                "open": n != 1,
                "link": f"https://example.org/m{n}",
            }
        )
    (root / "models.json").write_text(json.dumps(specs, indent=1))
    return root


def filled_store(tmp: Path) -> SubmissionStore:
    """A store over the tiny bundle holding the three models (no judge: OE unjudged)."""
    bench = load_local(write_app_bundle(tmp / "bundle"))
    store = SubmissionStore(tmp / "subs", bench)
    for n, (name, answers) in enumerate(ANSWERS.items()):
        submit(store, jsonl(answers), f"m{n}.jsonl", {"model": name})
    return store
