"""Every cell of the paper's Tables 3-6 from per-item scores, and the analytic Random row.

A cell is the mean item score over its items, in percent, full precision (display rounds).
Overall is the mean over all items (micro). A cell with no items, or holding an item whose
score is unknown (OE unjudged, judge failed), is null with a reason, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .taxonomy import TABLES

CellValues = dict[str, dict[str, float | None]]  # table key -> cell name -> value
CellCounts = dict[str, dict[str, int]]


@dataclass(frozen=True)
class CellMasks:
    """Item masks of every cell of every table, stacked for one matrix product."""

    names: list[tuple[str, str]]  # (table key, cell name), row order of `matrix`
    matrix: np.ndarray  # bool (n_cells, n_items)

    @cached_property
    def weights(self) -> np.ndarray:
        """The masks as float64, for counting and summing by matrix product (a bool @ bool
        product would be a logical OR, not a count)."""
        return self.matrix.astype(np.float64)

    def as_dict(self) -> dict[str, dict[str, np.ndarray]]:
        out: dict[str, dict[str, np.ndarray]] = {}
        for (table, cell), row in zip(self.names, self.matrix, strict=False):
            out.setdefault(table, {})[cell] = row
        return out

    def unflatten(self, values: np.ndarray) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for (table, cell), v in zip(self.names, values, strict=False):
            out.setdefault(table, {})[cell] = v
        return out


def build_cell_masks(arrays: dict[str, np.ndarray], n_items: int) -> CellMasks:
    """Masks from the categorical field arrays of a benchmark (see Benchmark.arrays)."""
    names, rows = [], []
    for key, table in TABLES.items():
        for cell in table.cells:
            mask = np.ones(n_items, dtype=bool)
            for fld, value in cell.where:
                mask &= arrays[fld] == value
            names.append((key, cell.name))
            rows.append(mask)
    return CellMasks(names, np.vstack(rows))


@dataclass
class TableResult:
    values: CellValues  # percent, full precision, None when null
    counts: CellCounts  # items per cell
    null_reasons: dict[str, dict[str, str]]  # table -> cell -> why it is null


def compute_tables(
    masks: CellMasks, scores: np.ndarray, unknown_reason: np.ndarray | None = None
) -> TableResult:
    """Cell means of `scores` (float per item, NaN = unknown) over every mask.

    `unknown_reason` (per item, e.g. "unjudged") only words the null reasons.
    """
    m = masks.weights
    known = ~np.isnan(scores)
    sums = m @ np.where(known, scores, 0.0)
    n = masks.matrix.sum(axis=1)
    n_unknown = (m @ (~known)).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = 100.0 * sums / n
    values: CellValues = {}
    counts: CellCounts = {}
    reasons: dict[str, dict[str, str]] = {}
    for i, (table, cell) in enumerate(masks.names):
        counts.setdefault(table, {})[cell] = int(n[i])
        value: float | None = float(means[i])
        if n[i] == 0:
            value = None
            reasons.setdefault(table, {})[cell] = "no items in this category"
        elif n_unknown[i] > 0:
            value = None
            what = "unscored"
            if unknown_reason is not None:
                kinds = sorted(set(unknown_reason[masks.matrix[i] & ~known]))
                what = "/".join(kinds)
            reasons.setdefault(table, {})[cell] = f"{int(n_unknown[i])} open-ended item(s) {what}"
        values.setdefault(table, {})[cell] = value
    return TableResult(values, counts, reasons)


def random_baseline(
    masks: CellMasks, qtypes: np.ndarray, n_options: np.ndarray | None = None
) -> TableResult:
    """Expected accuracy of uniform guessing over the SC and TF items of each cell,
    (0.25 n_SC + 0.5 n_TF) / (n_SC + n_TF); null where a cell has neither (MC, OE).
    With `n_options` (options per item) an SC item with k options counts 1/k, not 0.25."""
    m = masks.weights
    is_sc = qtypes == "SC"
    n_sc = m @ is_sc
    n_tf = m @ (qtypes == "TF")
    if n_options is None:
        sc_hits = 0.25 * n_sc
    else:
        sc_hits = m @ np.where(is_sc, 1.0 / np.maximum(n_options, 1), 0.0)
    values: CellValues = {}
    counts: CellCounts = {}
    reasons: dict[str, dict[str, str]] = {}
    for i, (table, cell) in enumerate(masks.names):
        n = int(n_sc[i] + n_tf[i])
        counts.setdefault(table, {})[cell] = n
        if n == 0:
            values.setdefault(table, {})[cell] = None
            reasons.setdefault(table, {})[cell] = "random guessing is defined for SC and TF only"
        else:
            value = 100.0 * (sc_hits[i] + 0.5 * n_tf[i]) / n
            values.setdefault(table, {})[cell] = float(value)  # a number JSON keeps as one
    return TableResult(values, counts, reasons)
