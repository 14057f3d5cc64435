"""Bench: bootstrap intervals of every table cell plus rank ranges, at leaderboard scale.

Synthetic but realistic: 2,765 items whose source/dimension/sub-dimension/type/scope mix
follows ../shared/paper/COUNTS.md, masks for every cell of Tables 3-6 built from the
taxonomy, 100 models with item scores in {0, 0.5, 1}. Prints the median over runs.

    python bench/bootstrap.py [--models 100] [--resamples 2000] [--runs 7]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_seconds as median_time  # noqa: E402

from leaderboard.bootstrap import bootstrap_counts, cell_intervals, rank_ranges  # noqa: E402
from leaderboard.taxonomy import QTYPES, SCOPES, SUBDIMENSIONS, TABLES  # noqa: E402

# COUNTS.md: dimension within source (Table 5), shares of sub-dimensions, types and scopes
SOURCE_DIM = {
    ("NI", "Tech"): 1083,
    ("NI", "Aes"): 393,
    ("SDI", "Tech"): 114,
    ("SDI", "Aes"): 107,
    ("AGI", "Tech"): 25,
    ("AGI", "AIGC"): 353,
    ("AGI", "Aes"): 18,
    ("AI", "Aes"): 489,
    ("CGI", "Tech"): 156,
    ("CGI", "Aes"): 27,
}
SUB_COUNTS = {
    "Noise": 118,
    "Blur": 805,
    "Exposure": 176,
    "Color": 82,
    "Artifacts": 197,
    "Anatomy": 118,
    "Texture": 204,
    "Semantics": 31,
    "Emotion": 311,
    "Composition": 407,
    "Lighting": 163,
    "Style": 153,
}
QTYPE_COUNTS = {"SC": 848, "MC": 830, "TF": 545, "OE": 542}
GLOBAL_SHARE = {"SC": 441 / 848, "MC": 431 / 830, "TF": 247 / 545, "OE": 244 / 542}


def synthetic_items(rng: np.random.Generator) -> dict[str, np.ndarray]:
    source = np.concatenate([[s] * n for (s, _), n in SOURCE_DIM.items()])
    dimension = np.concatenate([[d] * n for (_, d), n in SOURCE_DIM.items()])
    sub = np.empty(source.size, dtype=object)
    for dim, subs in SUBDIMENSIONS.items():
        where = np.flatnonzero(dimension == dim)
        p = np.array([SUB_COUNTS[s] for s in subs], dtype=float)
        sub[where] = rng.choice(subs, size=where.size, p=p / p.sum())
    p = np.array([QTYPE_COUNTS[q] for q in QTYPES], dtype=float)
    qtype = rng.choice(QTYPES, size=source.size, p=p / p.sum())
    glob = rng.random(source.size) < np.array([GLOBAL_SHARE[q] for q in qtype])
    scope = np.where(glob, SCOPES[0], SCOPES[1])
    return {
        "image_source": source,
        "dimension": dimension,
        "subdimension": sub.astype(str),
        "qtype": qtype,
        "scope": scope,
    }


def table_masks(items: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    n = len(items["qtype"])
    out: dict[str, dict[str, np.ndarray]] = {}
    for key, table in TABLES.items():
        for cell in table.cells:
            mask = np.ones(n, dtype=bool)
            for field, value in cell.where:
                mask &= items[field] == value
            out.setdefault(key, {})[cell.name] = mask
    return out


def synthetic_scores(rng: np.random.Generator, n_models: int, qtype: np.ndarray) -> np.ndarray:
    ability = rng.normal(0.4, 0.5, size=(n_models, 1))
    easiness = rng.normal(0.3, 1.2, size=(1, qtype.size))
    p = 1 / (1 + np.exp(-(ability + easiness)))
    scores = (rng.random(p.shape) < p).astype(np.float64)
    oe = qtype == "OE"
    judge = np.round(2 * p[:, oe] + rng.normal(0, 0.4, (n_models, oe.sum())))
    scores[:, oe] = judge.clip(0, 2) / 2
    scores[: max(1, n_models // 20), np.flatnonzero(oe)[:3]] = np.nan  # a few unjudged rows
    return scores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    items = synthetic_items(rng)
    masks = table_masks(items)
    scores = synthetic_scores(rng, args.models, items["qtype"])
    n_items = scores.shape[1]
    n_cells = sum(len(c) for c in masks.values())
    mask_items = sum(int(m.sum()) for c in masks.values() for m in c.values())
    clusters = np.arange(n_items) // 2  # 2 questions per image, to time the clustered path
    R, M = args.resamples, args.models

    def fresh() -> None:  # default calls: each builds its own plan
        cell_intervals(scores, masks, resamples=R, seed=0)
        rank_ranges(scores, resamples=R, seed=0)

    def shared() -> None:  # one plan for both (what the app does)
        counts = bootstrap_counts(n_items, R, seed=0)
        cell_intervals(scores, masks, counts=counts)
        rank_ranges(scores, counts=counts)

    def clustered() -> None:
        counts = bootstrap_counts(n_items, R, seed=0, clusters=clusters)
        cell_intervals(scores, masks, counts=counts)
        rank_ranges(scores, counts=counts)

    counts = bootstrap_counts(n_items, R, seed=0)
    print(
        f"sizes: {M} models x {n_items} items x {R} resamples; {n_cells} cells "
        f"(Tables 3-6), {mask_items} item-cell memberships "
        f"({mask_items / n_items:.1f} per item); median of {args.runs} runs"
    )
    parts = {
        "plan (bootstrap_counts)": lambda: bootstrap_counts(n_items, R, seed=0),
        "cell_intervals, given plan": lambda: cell_intervals(scores, masks, counts=counts),
        "rank_ranges (Overall), given plan": lambda: rank_ranges(scores, counts=counts),
        "TOTAL, one shared plan": shared,
        "TOTAL, default calls (2 plans)": fresh,
        "TOTAL, clustered plan (2 items/image)": clustered,
    }
    for name, fn in parts.items():
        print(f"  {name:<40} {median_time(fn, args.runs):7.3f} s")
    print(
        f"memory: plan float32 {R * n_items * 4 / 2**20:.0f} MB; "
        f"resampled cell means float32 {n_cells * R * M * 4 / 2**20:.0f} MB; "
        f"largest column copy {R * n_items * 4 / 2**20:.0f} MB; "
        f"scores float32 {M * n_items * 4 / 2**20:.1f} MB"
    )


if __name__ == "__main__":
    main()
