"""The benchmark's taxonomy: the single owner of categories, their order and labels.

Every table, chart, filter, validator and generator reads categories from here, so a
renamed or reordered category changes everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass

QTYPES: tuple[str, ...] = ("SC", "MC", "TF", "OE")
CLOSED_QTYPES: tuple[str, ...] = ("SC", "MC", "TF")
CHOICE_QTYPES: tuple[str, ...] = ("SC", "MC")  # the types with 2 to 4 lettered options
SCOPES: tuple[str, ...] = ("global", "local")
IMAGE_SOURCES: tuple[str, ...] = ("NI", "SDI", "AGI", "AI", "CGI")
DIMENSIONS: tuple[str, ...] = ("Tech", "AIGC", "Aes")
SUBDIMENSIONS: dict[str, tuple[str, ...]] = {
    "Tech": ("Noise", "Blur", "Exposure", "Color", "Artifacts"),
    "AIGC": ("Anatomy", "Texture", "Semantics"),
    "Aes": ("Emotion", "Composition", "Lighting", "Style"),
}
SOURCE_DATASETS: dict[str, tuple[str, ...]] = {
    "NI": ("CGFIQA-40k", "PIQ", "LiveBeauty", "MEBEAUTY", "KonIQ-10k", "SPAQ", "AVA", "TAD66K"),
    "SDI": ("FIQA", "PIPAL", "KADID-10k"),
    "AGI": ("AGHI-QA", "EvalMi-50K"),
    "AI": ("ArtEmis", "BAID"),
    "CGI": ("CGIQA-6k", "NBU-CIQAD"),
}
OPTION_LETTERS: tuple[str, ...] = ("A", "B", "C", "D")
TF_VALUES: tuple[str, ...] = ("True", "False")

#: Allowed values of every categorical item field, in display order.
FIELD_VALUES: dict[str, tuple[str, ...]] = {
    "qtype": QTYPES,
    "scope": SCOPES,
    "image_source": IMAGE_SOURCES,
    "dimension": DIMENSIONS,
    "subdimension": tuple(s for subs in SUBDIMENSIONS.values() for s in subs),
    "source_dataset": tuple(d for ds in SOURCE_DATASETS.values() for d in ds),
}
SUBDIMENSION_TO_DIMENSION: dict[str, str] = {
    s: d for d, subs in SUBDIMENSIONS.items() for s in subs
}
DATASET_TO_SOURCE: dict[str, str] = {d: src for src, ds in SOURCE_DATASETS.items() for d in ds}

#: Human labels as printed in the paper.
LABELS: dict[str, str] = {
    "NI": "NIs",
    "SDI": "SDIs",
    "AGI": "AGIs",
    "AI": "AIs",
    "CGI": "CGIs",
    "Tech": "Tech.",
    "AIGC": "AIGC",
    "Aes": "Aes.",
    "SC": "SC",
    "MC": "MC",
    "TF": "TF",
    "OE": "OE",
    "global": "Global",
    "local": "Local",
    "Overall": "Overall",
}
LONG_LABELS: dict[str, str] = {
    "NI": "Natural images",
    "SDI": "Synthetic-distortion images",
    "AGI": "AI-generated images",
    "AI": "Artistic images",
    "CGI": "Computer-graphics images",
    "Tech": "Technical distortions",
    "AIGC": "AIGC-specific distortions",
    "Aes": "Aesthetics",
    "SC": "Single-choice",
    "MC": "Multiple-choice",
    "TF": "True/false",
    "OE": "Open-ended",
}


@dataclass(frozen=True)
class Cell:
    """One column of a results table: the items whose fields equal all of `where`."""

    name: str  # column name in ../shared/paper/tables/table*.csv, e.g. "NI_Tech"
    label: str  # header as printed, e.g. "Tech."
    group: str  # column group as printed, e.g. "NIs"
    where: tuple[tuple[str, str], ...]  # (field, value) pairs; empty = every item


@dataclass(frozen=True)
class Table:
    key: str  # "table3"
    title: str
    cells: tuple[Cell, ...]

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.cells]

    @property
    def groups(self) -> list[tuple[str, list[Cell]]]:
        """Consecutive cells sharing a group, for two-level headers."""
        out: list[tuple[str, list[Cell]]] = []
        for c in self.cells:
            if out and out[-1][0] == c.group:
                out[-1][1].append(c)
            else:
                out.append((c.group, [c]))
        return out


def _table3() -> Table:
    cells = [Cell(s, LABELS[s], "Image Sources", (("image_source", s),)) for s in IMAGE_SOURCES]
    cells += [Cell(d, LABELS[d], "Quality Dimensions", (("dimension", d),)) for d in DIMENSIONS]
    cells += [Cell(q, LABELS[q], "Question Types", (("qtype", q),)) for q in QTYPES]
    cells.append(Cell("Overall", "Overall", "Overall", ()))
    return Table("table3", "Image sources, quality dimensions and question types", tuple(cells))


_DIM_GROUPS = {
    "Tech": "Technical Distortions",
    "AIGC": "AIGC-specific Distortions",
    "Aes": "Aesthetics",
}


def _table4() -> Table:
    cells = [
        Cell(s, s, _DIM_GROUPS[d], (("subdimension", s),))
        for d, subs in SUBDIMENSIONS.items()
        for s in subs
    ]
    return Table("table4", "Fine-grained quality dimensions", tuple(cells))


#: Dimensions present within each image source (Table 5's layout).
SOURCE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "NI": ("Tech", "Aes"),
    "SDI": ("Tech", "Aes"),
    "AGI": ("Tech", "AIGC", "Aes"),
    "AI": ("Aes",),
    "CGI": ("Tech", "Aes"),
}


def _table5() -> Table:
    cells = []
    for src, dims in SOURCE_DIMENSIONS.items():
        group = LABELS[src]
        cells += [
            Cell(f"{src}_{d}", LABELS[d], group, (("image_source", src), ("dimension", d)))
            for d in dims
        ]
        if len(dims) > 1:
            cells.append(Cell(f"{src}_Overall", "Overall", group, (("image_source", src),)))
    return Table("table5", "Quality dimensions within image sources", tuple(cells))


def _table6() -> Table:
    cells = [
        Cell(f"{q}_{LABELS[s]}", LABELS[s], q, (("qtype", q), ("scope", s)))
        for q in QTYPES
        for s in SCOPES
    ]
    return Table("table6", "Global and local questions per question type", tuple(cells))


TABLES: dict[str, Table] = {t.key: t for t in (_table3(), _table4(), _table5(), _table6())}
TABLE_KEYS: tuple[str, ...] = tuple(TABLES)
TABLE_TITLES: dict[str, str] = {
    "table3": "Table 3",
    "table4": "Table 4",
    "table5": "Table 5",
    "table6": "Table 6",
}


def _norm(text: str) -> str:
    """How a table or cell is matched when named by a caller: case, dots, underscores and
    spacing ignored ("Table 3" = "table3", "Tech." = "tech", "NIs Tech." = "nis_tech")."""
    return "".join(str(text).casefold().replace(".", " ").replace("_", " ").split())


def table_key(text: str) -> str:
    """The key of a table named by key or title ("table3", "Table 3", "3"); ValueError
    listing the tables otherwise."""
    wanted = _norm(text)
    for key, title in TABLE_TITLES.items():
        if wanted in (_norm(key), _norm(title), _norm(key).removeprefix("table")):
            return key
    shown = ", ".join(f"{TABLE_TITLES[k]} ({k})" for k in TABLES)
    raise ValueError(f"unknown table {str(text)[:40]!r}; one of {shown}")


def cell_key(table: str, text: str) -> str:
    """The name of a cell of `table` given by name ("NI", "NI_Tech") or by its printed
    label ("NIs", "Tech."); a label that repeats within the table (Table 5's "Tech.") is
    given with its group ("NIs Tech."). ValueError listing the cells otherwise."""
    cells = TABLES[table].cells
    wanted = _norm(text)
    hits = [c.name for c in cells if wanted in (_norm(c.name), _norm(f"{c.group} {c.label}"))]
    hits = hits or [c.name for c in cells if wanted == _norm(c.label)]
    if len(hits) == 1:
        return hits[0]
    labels = [c.label for c in cells]
    shown = ", ".join(
        c.label if labels.count(c.label) == 1 else f"{c.group} {c.label}" for c in cells
    )
    if len(hits) > 1:
        raise ValueError(
            f"{str(text)[:40]!r} is more than one column of "
            f"{TABLE_TITLES[table]}; name its group too: {shown}"
        )
    raise ValueError(f"no column {str(text)[:40]!r} in {TABLE_TITLES[table]}; one of {shown}")
