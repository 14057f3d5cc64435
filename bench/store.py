"""Speed of the submission store: a pipeline submit() of one benchmark-size upload (the demo's
prediction files, each once), scan() of 100 stored
submissions (cold: a fresh store reading every folder; warm: the cached listing), and a
re-score of 100 stale submissions. Prints medians over repeated runs with the sizes.

    python bench/store.py [--benchmark DIR] [--runs 7]

Without --benchmark it uses the demo bundle when present, else a synthetic bundle with the
real benchmark's size (2,765 items).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leaderboard import store as store_mod  # noqa: E402
from leaderboard.benchmark import Benchmark, load_local  # noqa: E402
from leaderboard.settings import DEMO_BUNDLE, Limits  # noqa: E402
from leaderboard.store import SubmissionStore  # noqa: E402
from leaderboard.submission import SubmissionPipeline  # noqa: E402
from tests.support.bundles import item, write_bundle  # noqa: E402

N_ITEMS = 2765
QTYPES = ["SC"] * 6 + ["MC"] * 2 + ["TF"] * 2 + ["OE"]


def synthetic(folder: Path) -> Benchmark:
    rows = [item(i, QTYPES[i % len(QTYPES)]) for i in range(1, N_ITEMS + 1)]
    for r in rows:
        r["id"] = f"q{int(r['id'][1:]):05d}"
    return load_local(write_bundle(folder, rows))


def upload(bench: Benchmark, seed: int) -> bytes:
    letters = "ABCD"
    rows = []
    for k, (item_id, qtype) in enumerate(
        zip(bench.items["id"], bench.items["qtype"], strict=False)
    ):
        pick = letters[(k * 7 + seed) % 4]
        text = {
            "SC": f"The answer is ({pick}).",
            "MC": f"{pick} and D",
            "TF": "True" if (k + seed) % 2 else "False",
            "OE": "The face looks slightly blurred and underexposed.",
        }[qtype]
        rows.append(json.dumps({"id": item_id, "prediction": text}))
    return "\n".join(rows).encode()


def median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--benchmark", default=None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--submissions", type=int, default=100)
    args = parser.parse_args()
    limits = Limits(submits_per_hour=0, attempts_per_hour=0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.benchmark:
            bench = load_local(args.benchmark)
        elif (DEMO_BUNDLE / "metadata.jsonl").exists():
            bench = load_local(DEMO_BUNDLE)
        else:
            bench = synthetic(tmp / "bundle")
        files = [upload(bench, s) for s in range(args.submissions)]
        demo = sorted((DEMO_BUNDLE / "predictions").glob("*.jsonl"))
        firsts = (
            [p.read_bytes() for p in demo] if demo and not args.benchmark else files[-args.runs :]
        )
        print(
            f"benchmark: {len(bench)} items; uploads for submit(): {len(firsts)} distinct "
            f"files of {statistics.median(len(f) for f in firsts) / 1024:.0f} KiB "
            f"({'demo predictions' if demo and not args.benchmark else 'synthetic'})"
        )

        add_times = []
        for run, data in enumerate(firsts):  # each file once: no warm extraction cache
            pipeline = SubmissionPipeline(
                bench, SubmissionStore(tmp / f"add{run}", bench), limits=limits
            )
            t0 = time.perf_counter()
            pipeline.submit(data, "p.jsonl", {"model": f"Bench {run}"})
            add_times.append(time.perf_counter() - t0)
        print(
            f"submit() one upload (parse, score, store): median {median_ms(add_times)} "
            f"over {len(add_times)} runs"
        )

        root = tmp / "many"
        pipeline = SubmissionPipeline(bench, SubmissionStore(root, bench), limits=limits)
        for i, data in enumerate(files):
            pipeline.submit(data, "p.jsonl", {"model": f"Model {i}"})
        cold, warm = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            fresh = SubmissionStore(root, bench)  # __init__ scans once
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            subs = fresh.submissions()
            warm.append(time.perf_counter() - t0)
        assert len(subs) == len(files)
        print(
            f"scan() of {len(files)} submissions: cold median {median_ms(cold)}, "
            f"warm median {median_ms(warm)}"
        )

        rescore = []
        for run in range(min(args.runs, 5)):
            store_mod.SCORER_VERSION = f"bench-{run}"
            fresh = SubmissionPipeline(bench, SubmissionStore(root, bench), limits=limits)
            t0 = time.perf_counter()
            done = fresh.rescore_stale()
            rescore.append(time.perf_counter() - t0)
            assert len(done) == len(files)
        print(
            f"rescore_stale() of {len(files)} submissions: median "
            f"{median_ms(rescore)} over {len(rescore)} runs"
        )


if __name__ == "__main__":
    main()
