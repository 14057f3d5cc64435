"""Build the offline demo bundle `data/demo/`: items, images and simulated submissions.

    python data/build_demo.py                 # everything, into data/demo/
    python data/build_demo.py --no-images     # metadata + predictions only (fast)
    python data/build_demo.py --solve         # re-solve data/demo_allocation.csv first
    python data/build_demo.py --out /tmp/demo # somewhere else

Deterministic: the same seed and allocation give byte-identical files. The item counts
equal the real benchmark's (../shared/paper/COUNTS.md) and the analytic Random row equals
the paper's printed Random rows of Tables 3-5.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
ROOT = DATA_DIR.parent
for p in (str(ROOT), str(DATA_DIR)):
    if p not in sys.path:
        sys.path.insert(0, p)

from demogen import allocation, counts, images, items, predictions  # noqa: E402

from leaderboard.taxonomy import TABLES  # noqa: E402

SEED = 20260101
DEFAULT_OUT = DATA_DIR / "demo"


def build_metadata(out: Path, seed: int = SEED) -> tuple[list[dict], list[images.ImageSpec]]:
    """Write metadata.jsonl; return the items and the image specs they use."""
    out.mkdir(parents=True, exist_ok=True)
    rows, specs = items.build_items(allocation.read_csv(), seed)
    items.write_metadata(rows, out / "metadata.jsonl")
    return rows, specs


def build_images(out: Path, specs: list[images.ImageSpec]) -> None:
    """Render every image; remove stale images the metadata no longer references."""
    folder = out / "images"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {Path(s.file_name).name for s in specs}
    for old in folder.glob("*.jpg"):
        if old.name not in wanted:
            old.unlink()
    for spec in specs:
        (out / spec.file_name).write_bytes(images.render(spec))


def build_predictions(
    out: Path, rows: list[dict], specs: list[images.ImageSpec], seed: int = SEED
) -> dict[str, dict[str, predictions.Answer]]:
    """Write one JSONL per simulated model plus models.json; return the answers."""
    (out / "predictions").mkdir(parents=True, exist_ok=True)
    difficulty = predictions.item_difficulty(rows, seed)
    levels = {s.file_name: s.level for s in specs}
    answers = {}
    for model in predictions.MODELS:
        answers[model.name] = predictions.simulate(model, rows, difficulty, levels, seed)
        predictions.write_predictions(answers[model.name], rows, out / model.file)
    meta = [
        {"name": m.name, "file": m.file, "params": m.params, "open": m.open, "link": m.link}
        for m in predictions.MODELS
    ]
    (out / "models.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return answers


def random_row_check(rows: list[dict]) -> list[tuple[str, float, float]]:
    """(cell, printed, analytic) for every printed Random cell of Tables 3-6."""
    out = []
    for key in ("table3", "table4", "table5", "table6"):
        for cell, printed in counts.read_random_row(key).items():
            sel = [r for r in rows if all(r[f] == v for f, v in cell.where)]
            n_sc = sum(r["qtype"] == "SC" for r in sel)
            n_tf = sum(r["qtype"] == "TF" for r in sel)
            out.append((f"{key}:{cell.name}", printed, counts.analytic_random(n_sc, n_tf)))
    return out


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--no-images", action="store_true", help="skip rendering the images")
    ap.add_argument(
        "--solve",
        action="store_true",
        help="re-solve the allocation (MILP) and rewrite data/demo_allocation.csv",
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    if args.solve:
        allocation.write_csv(allocation.solve())
        print(f"allocation solved -> {allocation.ALLOCATION_CSV}")
    rows, specs = build_metadata(args.out, args.seed)
    if not args.no_images:
        build_images(args.out, specs)
    answers = build_predictions(args.out, rows, specs, args.seed)

    checks = random_row_check(rows)
    bad = [c for c in checks if c[1] != c[2]]
    print(
        f"{len(rows)} items, {len(specs)} images, {len(answers)} prediction files "
        f"in {time.perf_counter() - t0:.1f} s; bundle {_size(args.out) / 1e6:.2f} MB"
    )
    print(
        f"Random row: {len(checks) - len(bad)}/{len(checks)} printed cells reproduced"
        + ("" if not bad else f"; MISMATCH {bad}")
    )
    cols = ["Overall", *TABLES["table3"].columns[8:12]]
    print(f"{'intended accuracy (%)':30s}" + "".join(f"{c:>9s}" for c in cols))
    for name, ans in answers.items():
        acc = predictions.intended_accuracy(ans, rows)
        acc.update(predictions.intended_accuracy(ans, rows, "qtype"))
        print(f"{name:30s}" + "".join(f"{acc[c]:9.2f}" for c in cols))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
