"""Speed of the scoring core on the demo: load the bundle; score one submission, all tables.

Targets on a 2-core machine: loading under 300 ms, scoring with all tables under 100 ms
(excluding interpreter start and imports). Prints medians over several runs and the sizes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leaderboard import scoring  # noqa: E402
from leaderboard.benchmark import load_benchmark  # noqa: E402
from leaderboard.predictions import read_prediction_path  # noqa: E402
from leaderboard.settings import DEMO_BUNDLE  # noqa: E402
from leaderboard.submission import SubmissionPipeline  # noqa: E402


def median_ms(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--benchmark", default=str(DEMO_BUNDLE))
    ap.add_argument("--predictions", default=None, help="default: first demo prediction file")
    args = ap.parse_args()
    preds = (
        Path(args.predictions)
        if args.predictions
        else sorted((Path(args.benchmark) / "predictions").glob("*.jsonl"))[0]
    )

    load_ms, bench = median_ms(lambda: load_benchmark(args.benchmark), args.runs)
    parse_ms, pf = median_ms(lambda: read_prediction_path(preds, bench), args.runs)

    def score_cold():
        scoring._extract_cached.cache_clear()  # no help from earlier runs' extractions
        scoring._MASK_CACHE.clear()
        return scoring.score_predictions(bench, pf.predictions, report=pf.report)

    score_ms, result = median_ms(score_cold, args.runs)
    pipeline = SubmissionPipeline(bench, cache_size=0)  # no preview cache: parse every run
    total_ms, _ = median_ms(
        lambda: (scoring._extract_cached.cache_clear(), pipeline.score(*pipeline.read_file(preds))),
        args.runs,
    )
    cells = sum(len(v) for v in result.tables.values.values())
    print(f"items: {len(bench)}, models: 1 ({preds.name}), table cells: {cells}, runs: {args.runs}")
    print(f"load benchmark (validate + hash): median {load_ms:7.1f} ms  (target < 300 ms)")
    print(f"parse prediction file:            median {parse_ms:7.1f} ms")
    print(f"score + all tables (cold caches): median {score_ms:7.1f} ms  (target < 100 ms)")
    print(f"pipeline: read + parse + score:   median {total_ms:7.1f} ms")


if __name__ == "__main__":
    main()
