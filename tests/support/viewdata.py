"""A small varied benchmark and models with chosen right/wrong answers, for the view tests.

Every item gets its own image (so the bootstrap resamples items), and the items cycle
through six source/dimension combinations, the four question types and both scopes, so
every table has several non-empty cells. Models are given as a 0/1 (or 0/0.5/1 for OE)
vector of intended scores and go through the real scorer: the right answer where 1, a wrong
one where 0, and for OE a scripted judge.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from leaderboard.benchmark import Benchmark, load_local
from leaderboard.judges import JudgeInfo, Judgement
from leaderboard.scoring import score_predictions
from tests.support.bundles import item, write_bundle

COMBOS = [
    ("NI", "AVA", "Tech", "Blur"),
    ("NI", "SPAQ", "Aes", "Lighting"),
    ("SDI", "FIQA", "Tech", "Noise"),
    ("AGI", "AGHI-QA", "AIGC", "Anatomy"),
    ("AI", "BAID", "Aes", "Style"),
    ("CGI", "CGIQA-6k", "Tech", "Color"),
]
QTYPES = ["SC", "MC", "TF", "OE"]
GOLD = {"SC": "B", "MC": "AC", "TF": "True"}
RIGHT = {"SC": "B", "MC": "A, C", "TF": "True"}
WRONG = {"SC": "D", "MC": "B", "TF": "False"}
OE_ANSWER = {1.0: "excellent description", 0.5: "partial description", 0.0: "wrong description"}


def rows(n: int) -> list[dict]:
    out = []
    for i in range(n):
        src, ds, dim, sub = COMBOS[i % len(COMBOS)]
        qtype = QTYPES[i % len(QTYPES)]
        out.append(
            item(
                i,
                qtype,
                GOLD.get(qtype, "B"),
                file_name=f"images/p{i:03d}.jpg",
                image_source=src,
                source_dataset=ds,
                dimension=dim,
                subdimension=sub,
                scope="global" if (i // 12) % 2 == 0 else "local",
            )
        )
    return out


def make_bench(root: Path, n: int = 96) -> Benchmark:
    return load_local(write_bundle(root, rows(n), images=False))


class ScriptedJudge:
    """Judges OE answers by their text (see OE_ANSWER)."""

    info = JudgeInfo(backend="scripted", model="test")

    def judge(self, requests, progress=None):
        scale = {text: int(score * 2) for score, text in OE_ANSWER.items()}
        return [Judgement(scale[r.answer], f"Score: {scale[r.answer]}", "judged") for r in requests]


def predictions(bench: Benchmark, intended: np.ndarray) -> dict[str, str]:
    """Raw answers that score `intended` (per item) under the reference scorer."""
    out = {}
    for (item_id, qtype), want in zip(
        bench.items[["id", "qtype"]].itertuples(index=False), intended, strict=False
    ):
        if qtype == "OE":
            out[item_id] = OE_ANSWER[float(want)]
        else:
            out[item_id] = RIGHT[qtype] if want == 1 else WRONG[qtype]
    return out


def score_models(
    bench: Benchmark, intended: dict[str, np.ndarray], judged: bool | dict[str, bool] = True
) -> tuple[list[str], np.ndarray]:
    """(names, scores) through the real scorer; `judged` False leaves OE items unjudged."""
    names, rows_ = [], []
    for name, want in intended.items():
        use_judge = judged if isinstance(judged, bool) else judged.get(name, True)
        res = score_predictions(
            bench, predictions(bench, want), judge=ScriptedJudge() if use_judge else None
        )
        names.append(name)
        rows_.append(res.scores)
    return names, np.vstack(rows_)


def accuracy(n: int, share: float, seed: int) -> np.ndarray:
    """0/1 item scores with exactly round(share * n) ones, in a seeded random order."""
    x = np.zeros(n)
    x[: round(share * n)] = 1.0
    return np.random.default_rng(seed).permutation(x)
