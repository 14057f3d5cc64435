"""The real benchmark's category counts and the paper's Random rows: the demo's targets.

The counts are those of ../shared/paper/COUNTS.md (derived from the paper's tables); the demo
bundle reproduces them exactly so every table and chart of the app has the real shape.
"""

from __future__ import annotations

import csv
from pathlib import Path

from leaderboard.taxonomy import TABLES, Cell

PAPER_DIR = Path(__file__).resolve().parents[1] / "paper"

N_ITEMS = 2765
SOURCE_COUNTS: dict[str, int] = {"NI": 1476, "SDI": 221, "AGI": 396, "AI": 489, "CGI": 183}
DIMENSION_COUNTS: dict[str, int] = {"Tech": 1378, "AIGC": 353, "Aes": 1034}
QTYPE_COUNTS: dict[str, int] = {"SC": 848, "MC": 830, "TF": 545, "OE": 542}
#: (qtype, scope) -> items (Table 6 layout).
SCOPE_COUNTS: dict[tuple[str, str], int] = {
    ("SC", "global"): 441,
    ("SC", "local"): 407,
    ("MC", "global"): 431,
    ("MC", "local"): 399,
    ("TF", "global"): 247,
    ("TF", "local"): 298,
    ("OE", "global"): 244,
    ("OE", "local"): 298,
}
SUBDIMENSION_COUNTS: dict[str, int] = {
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
#: (image source, dimension) -> items (Table 5 layout).
SOURCE_DIMENSION_COUNTS: dict[tuple[str, str], int] = {
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
DATASET_COUNTS: dict[str, int] = {
    "CGFIQA-40k": 149,
    "PIQ": 184,
    "LiveBeauty": 196,
    "MEBEAUTY": 100,
    "KonIQ-10k": 147,
    "SPAQ": 118,
    "AVA": 500,
    "TAD66K": 82,
    "FIQA": 145,
    "PIPAL": 44,
    "KADID-10k": 32,
    "AGHI-QA": 217,
    "EvalMi-50K": 179,
    "ArtEmis": 327,
    "BAID": 162,
    "CGIQA-6k": 166,
    "NBU-CIQAD": 17,
}


def read_random_row(table_key: str, paper_dir: Path = PAPER_DIR) -> dict[Cell, float]:
    """The printed Random-guess row of one paper table: cell -> percent ("-" cells skipped)."""
    path = paper_dir / f"{table_key}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    row = next(r for r in rows if r["model"].startswith("Random"))
    return {c: float(row[c.name]) for c in TABLES[table_key].cells if row[c.name] != "-"}


def random_targets(paper_dir: Path = PAPER_DIR) -> dict[Cell, float]:
    """Every printed Random cell of Tables 3-5 (Table 6's is fixed by the question type)."""
    out: dict[Cell, float] = {}
    for key in ("table3", "table4", "table5"):
        out.update(read_random_row(key, paper_dir))
    return out


def analytic_random(n_sc: int, n_tf: int) -> float:
    """Expected accuracy (percent, 2 decimals) of uniform guessing over SC and TF items."""
    return round(100 * (0.25 * n_sc + 0.5 * n_tf) / (n_sc + n_tf), 2)
