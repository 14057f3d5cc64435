"""The demo items: one metadata row per item, from the allocation, image pools and templates.

Everything is drawn from one seeded `random.Random`, so the same seed gives the same
metadata.jsonl byte for byte, with or without rendering the images.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter, defaultdict
from pathlib import Path

from demogen import counts
from demogen.allocation import Slot, all_slots
from demogen.images import ImageSpec, plan_pool, pool_size
from demogen.questions import make_question
from leaderboard.benchmark import CANONICAL_FIELDS
from leaderboard.taxonomy import FIELD_VALUES, IMAGE_SOURCES, OPTION_LETTERS, SOURCE_DATASETS

FIELD_ORDER = CANONICAL_FIELDS
#: Datasets in order of affinity for aesthetics-type questions (Emotion for artworks), so
#: AVA/TAD66K carry most aesthetic items and ArtEmis most emotion items, as in real life.
_DATASET_AFFINITY: dict[str, tuple[str, ...]] = {
    "NI": ("AVA", "TAD66K", "LiveBeauty", "MEBEAUTY", "CGFIQA-40k", "KonIQ-10k", "SPAQ", "PIQ"),
    "SDI": ("PIPAL", "FIQA", "KADID-10k"),
    "AGI": ("EvalMi-50K", "AGHI-QA"),
    "AI": ("ArtEmis", "BAID"),
    "CGI": ("CGIQA-6k", "NBU-CIQAD"),
}
assert {k: set(v) for k, v in _DATASET_AFFINITY.items()} == {
    k: set(v) for k, v in SOURCE_DATASETS.items()
}, "affinity order must cover the taxonomy"
_MC_K_WEIGHTS = (3, 5, 2)  # how many gold options an MC item has: 1, 2 or 3


def _affinity(slot: Slot) -> float:
    if slot.image_source == "AI":
        return 1.0 if slot.subdimension == "Emotion" else 0.0
    return 1.0 if slot.dimension == "Aes" else 0.0


def _assign_datasets(slots: list[Slot], rng: random.Random) -> list[str]:
    """Exact dataset counts within each source, biased by question affinity."""
    out = [""] * len(slots)
    for src, names in _DATASET_AFFINITY.items():
        assert sorted(names) == sorted(SOURCE_DATASETS[src])
        idx = [i for i, s in enumerate(slots) if s.image_source == src]
        idx.sort(key=lambda i: -(_affinity(slots[i]) + rng.uniform(0, 1.5)))
        labels = [n for n in names for _ in range(counts.DATASET_COUNTS[n])]
        for i, label in zip(idx, labels, strict=True):
            out[i] = label
    return out


def _balanced_bools(n: int, rng: random.Random) -> list[bool]:
    vals = [True] * (n // 2) + [False] * (n // 2)
    if n % 2:
        vals.append(rng.random() < 0.5)
    rng.shuffle(vals)
    return vals


def build_items(alloc: dict[Slot, int], seed: int) -> tuple[list[dict], list[ImageSpec]]:
    """Metadata rows (sorted by id) and the image specs they reference."""
    rng = random.Random(seed)
    order = {s: i for i, s in enumerate(all_slots())}
    slots = [s for s in sorted(alloc, key=order.__getitem__) for _ in range(alloc[s])]
    rng.shuffle(slots)  # ids interleave categories, like a real benchmark dump
    datasets = _assign_datasets(slots, rng)

    # image pools per (source, sub-dimension); items mostly share an image with items of
    # the same source dataset (contiguous chunks)
    by_pool: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, s in enumerate(slots):
        by_pool[(s.image_source, s.subdimension)].append(i)
    next_index: Counter[str] = Counter()
    image_of: list[ImageSpec | None] = [None] * len(slots)
    specs: list[ImageSpec] = []
    subdims = FIELD_VALUES["subdimension"]
    for src, sub in sorted(by_pool, key=lambda k: (IMAGE_SOURCES.index(k[0]), subdims.index(k[1]))):
        members = by_pool[(src, sub)]
        pool = plan_pool(rng, src, sub, pool_size(len(members)), next_index[src] + 1)
        next_index[src] += len(pool)
        specs += pool
        dorder = _DATASET_AFFINITY[src]
        members.sort(key=lambda i: dorder.index(datasets[i]))
        chunk = math.ceil(len(members) / len(pool))
        for j, i in enumerate(members):
            image_of[i] = pool[j // chunk]

    # balanced gold answers
    sc_idx = [i for i, s in enumerate(slots) if s.qtype == "SC"]
    letters = [OPTION_LETTERS[j % 4] for j in range(len(sc_idx))]
    rng.shuffle(letters)
    sc_letter = dict(zip(sc_idx, letters, strict=False))
    tf_gold: dict[int, bool] = {}
    for sub in counts.SUBDIMENSION_COUNTS:
        idx = [i for i, s in enumerate(slots) if s.qtype == "TF" and s.subdimension == sub]
        tf_gold.update(zip(idx, _balanced_bools(len(idx), rng), strict=False))

    items = []
    for i, s in enumerate(slots):
        spec = image_of[i]
        assert spec is not None
        mc_k = rng.choices((1, 2, 3), _MC_K_WEIGHTS)[0]
        q = make_question(
            spec,
            s.qtype,
            s.scope,
            rng,
            sc_letter=sc_letter.get(i, "A"),
            tf_gold=tf_gold.get(i, True),
            mc_k=mc_k,
        )
        items.append(
            {
                "file_name": spec.file_name,
                "id": f"qbp-{i + 1:05d}",
                "question": q.question,
                "options": q.options,
                "answer": q.answer,
                "qtype": s.qtype,
                "scope": s.scope,
                "image_source": s.image_source,
                "source_dataset": datasets[i],
                "dimension": s.dimension,
                "subdimension": s.subdimension,
            }
        )
    return items, specs


def write_metadata(items: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for item in items:
            fh.write(json.dumps({k: item[k] for k in FIELD_ORDER}, ensure_ascii=False) + "\n")
