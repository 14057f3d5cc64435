"""How many demo items go to each (source, dimension, sub-dimension, question type, scope).

The allocation must hit every joint count of the real benchmark AND make the analytic Random
row equal the paper's printed Random cells of Tables 3-5. Each printed cell admits only a few
(closed items, TF items) pairs for its category, so we solve in two small MILPs:

1. pick one admissible (n_SC + n_TF, n_TF) pair per category such that sources, dimensions,
   sub-dimensions and source x dimension cells add up (a selection problem, < 1 s);
2. spread those closed counts, plus MC/OE and the scopes, over the finest slots as evenly
   as possible (a transport problem).

The result is committed as `data/demo_allocation.csv`, so the bundle does not depend on the
solver version; `python data/build_demo.py --solve` redoes it.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from demogen import counts
from leaderboard.taxonomy import QTYPES, SCOPES, SOURCE_DIMENSIONS, SUBDIMENSIONS, Cell

ALLOCATION_CSV = Path(__file__).resolve().parents[1] / "demo_allocation.csv"
FIELDS = ("image_source", "dimension", "subdimension", "qtype", "scope")
_CATEGORY_FIELDS = frozenset({"image_source", "dimension", "subdimension"})


@dataclass(frozen=True, order=True)
class Slot:
    """One allocation cell: items sharing all five categorical fields."""

    image_source: str
    dimension: str
    subdimension: str
    qtype: str
    scope: str

    def get(self, field: str) -> str:
        return getattr(self, field)


def all_slots() -> list[Slot]:
    """Every admissible combination (AIGC only in AGI, etc.), in taxonomy order."""
    return [
        Slot(src, dim, sub, q, s)
        for src, dims in SOURCE_DIMENSIONS.items()
        for dim in dims
        for sub in SUBDIMENSIONS[dim]
        for q in QTYPES
        for s in SCOPES
    ]


def matches(slot: Slot, where: tuple[tuple[str, str], ...]) -> bool:
    return all(slot.get(f) == v for f, v in where)


def category_size(cell: Cell) -> int:
    """Items in a source / dimension / sub-dimension / source x dimension category."""
    where = dict(cell.where)
    if "subdimension" in where:
        return counts.SUBDIMENSION_COUNTS[where["subdimension"]]
    if "image_source" in where and "dimension" in where:
        return counts.SOURCE_DIMENSION_COUNTS[(where["image_source"], where["dimension"])]
    if "image_source" in where:
        return counts.SOURCE_COUNTS[where["image_source"]]
    return counts.DIMENSION_COUNTS[where["dimension"]]


def admissible_pairs(size: int, printed: float) -> list[tuple[int, int]]:
    """All (closed, tf) with 1 <= closed <= size whose analytic Random rounds to `printed`."""
    return [
        (k, t)
        for k in range(1, size + 1)
        for t in range(k + 1)
        if counts.analytic_random(k - t, t) == printed
    ]


def _milp(
    cost: np.ndarray,
    a: np.ndarray,
    lo: list[float],
    hi: list[float],
    integrality: np.ndarray,
    upper: float = np.inf,
) -> np.ndarray:
    res = milp(
        cost,
        constraints=LinearConstraint(a, lo, hi),
        integrality=integrality,
        bounds=Bounds(0, upper),
        options={"time_limit": 60},
    )
    if res.x is None:
        raise RuntimeError(f"demo allocation infeasible: {res.message}")
    return np.rint(res.x).astype(int)


def solve_closed(targets: dict[Cell, float]) -> dict[Cell, tuple[int, int]]:
    """Stage 1: (n_SC + n_TF, n_TF) per category, consistent across all partitions.

    Prefers closed shares near the overall 1393/2765 so MC and OE spread evenly.
    """
    cats: list[Cell] = []
    for c in targets:  # one category per `where` (Table 5's NI_Overall is Table 3's NI)
        if c.where and {f for f, _ in c.where} <= _CATEGORY_FIELDS:
            twin = next((d for d in cats if d.where == c.where), None)
            if twin is None:
                cats.append(c)
            elif targets[twin] != targets[c]:
                raise ValueError(f"{twin.name} and {c.name} print different Random values")
    var = [(c, k, t) for c in cats for k, t in admissible_pairs(category_size(c), targets[c])]
    n = len(var)
    rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []

    def sums(terms: list[tuple[Cell, int]], which: int) -> np.ndarray:
        sign = dict(terms)
        return np.array([sign.get(c, 0) * (k, t)[which] for c, k, t in var], dtype=float)

    by_where = {c.where: c for c in cats}

    def cat(**where: str) -> Cell:
        order = ("image_source", "dimension", "subdimension")
        return by_where[tuple((f, where[f]) for f in order if f in where)]

    for c in cats:  # exactly one pair per category
        rows.append(np.array([1.0 if v[0] == c else 0.0 for v in var]))
        lo.append(1)
        hi.append(1)

    def equal(parent: Cell, children: list[Cell]) -> None:
        for which in (0, 1):
            rows.append(sums([(parent, 1)] + [(ch, -1) for ch in children], which))
            lo.append(0)
            hi.append(0)

    for src, dims in SOURCE_DIMENSIONS.items():
        equal(cat(image_source=src), [cat(image_source=src, dimension=d) for d in dims])
    for dim, subs in SUBDIMENSIONS.items():
        equal(
            cat(dimension=dim),
            [
                cat(image_source=s, dimension=dim)
                for s, ds in SOURCE_DIMENSIONS.items()
                if dim in ds
            ],
        )
        equal(cat(dimension=dim), [cat(subdimension=s) for s in subs])
    n_sc, n_tf = counts.QTYPE_COUNTS["SC"], counts.QTYPE_COUNTS["TF"]
    for which, total in ((0, n_sc + n_tf), (1, n_tf)):
        rows.append(sums([(cat(dimension=d), 1) for d in SUBDIMENSIONS], which))
        lo.append(total)
        hi.append(total)
    share = (n_sc + n_tf) / counts.N_ITEMS
    cost = np.array([abs(k - share * category_size(c)) for c, k, _ in var])
    x = _milp(cost, np.array(rows), lo, hi, np.ones(n), upper=1)
    return {var[i][0]: var[i][1:] for i in np.flatnonzero(x)}


def solve_slots(
    closed: dict[Cell, tuple[int, int]], min_per_subdim_cell: int = 2
) -> dict[Slot, int]:
    """Stage 2: spread the category counts over slots, near a proportional allocation."""
    slots = all_slots()
    n = len(slots)
    rows: list[np.ndarray] = []
    lo: list[float] = []
    hi: list[float] = []

    def add(pred: Callable[[Slot], bool], low: float, high: float) -> None:
        rows.append(np.concatenate([[1.0 if pred(s) else 0.0 for s in slots], np.zeros(n)]))
        lo.append(low)
        hi.append(high)

    for (src, dim), c in counts.SOURCE_DIMENSION_COUNTS.items():
        add(lambda s: (s.image_source, s.dimension) == (src, dim), c, c)
    for sub, c in counts.SUBDIMENSION_COUNTS.items():
        add(lambda s: s.subdimension == sub, c, c)
    for (q, sc), c in counts.SCOPE_COUNTS.items():
        add(lambda s: (s.qtype, s.scope) == (q, sc), c, c)
    for cell, (k, t) in closed.items():
        add(lambda s: s.qtype in ("SC", "TF") and matches(s, cell.where), k, k)
        add(lambda s: s.qtype == "TF" and matches(s, cell.where), t, t)
    for src, dims in SOURCE_DIMENSIONS.items():
        for dim in dims:
            for sub in SUBDIMENSIONS[dim]:
                add(
                    lambda s: (s.image_source, s.subdimension) == (src, sub),
                    min_per_subdim_cell,
                    np.inf,
                )
    # e_i >= |x_i - target_i| with target the product of the marginal shares
    target = np.array(
        [
            counts.SOURCE_DIMENSION_COUNTS[(s.image_source, s.dimension)]
            * counts.SUBDIMENSION_COUNTS[s.subdimension]
            / counts.DIMENSION_COUNTS[s.dimension]
            * counts.SCOPE_COUNTS[(s.qtype, s.scope)]
            / counts.N_ITEMS
            for s in slots
        ]
    )
    eye = np.eye(n)
    a = np.vstack([np.array(rows), np.hstack([eye, -eye]), np.hstack([eye, eye])])
    lo_all = np.concatenate([lo, np.full(n, -np.inf), target])
    hi_all = np.concatenate([hi, target, np.full(n, np.inf)])
    cost = np.concatenate([np.zeros(n), np.ones(n)])
    x = _milp(cost, a, list(lo_all), list(hi_all), np.concatenate([np.ones(n), np.zeros(n)]))
    return {s: int(v) for s, v in zip(slots, x[:n], strict=False) if v > 0}


def solve(targets: dict[Cell, float] | None = None) -> dict[Slot, int]:
    """Slot counts meeting every COUNTS.md marginal and every printed Random cell."""
    targets = counts.random_targets() if targets is None else targets
    return solve_slots(solve_closed(targets))


def write_csv(alloc: dict[Slot, int], path: Path = ALLOCATION_CSV) -> None:
    order = {s: i for i, s in enumerate(all_slots())}
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([*FIELDS, "n"])
        for s in sorted(alloc, key=order.__getitem__):
            w.writerow([*(s.get(f) for f in FIELDS), alloc[s]])


def read_csv(path: Path = ALLOCATION_CSV) -> dict[Slot, int]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {Slot(*(r[f] for f in FIELDS)): int(r["n"]) for r in csv.DictReader(fh)}
