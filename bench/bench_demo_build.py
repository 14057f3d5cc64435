"""Time the demo-bundle generator: metadata + predictions, and (with --full) the images.

python bench/bench_demo_build.py          # 5 runs of metadata + predictions
python bench/bench_demo_build.py --full   # 5 runs including rendering the images
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "data")]

import build_demo  # noqa: E402
from demogen import predictions  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--full", action="store_true", help="also render the images")
    args = ap.parse_args()
    times: dict[str, list[float]] = {"metadata": [], "images": [], "predictions": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            t0 = time.perf_counter()
            rows, specs = build_demo.build_metadata(out)
            t1 = time.perf_counter()
            if args.full:
                build_demo.build_images(out, specs)
            t2 = time.perf_counter()
            build_demo.build_predictions(out, rows, specs)
            t3 = time.perf_counter()
        times["metadata"].append(t1 - t0)
        times["images"].append(t2 - t1)
        times["predictions"].append(t3 - t2)
    print(
        f"demo build: {len(rows)} items, {len(specs)} images, {len(predictions.MODELS)} models, "
        f"{args.runs} runs"
    )
    for stage, ts in times.items():
        if stage == "images" and not args.full:
            continue
        print(
            f"  {stage:12s} median {statistics.median(ts):7.3f} s"
            f"  (min {min(ts):.3f}, max {max(ts):.3f})"
        )


if __name__ == "__main__":
    main()
