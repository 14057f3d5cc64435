"""Bench: the statistics views (issue 6) at leaderboard scale, cold and cached.

A synthetic 2,765-item benchmark is built in memory with the paper's category mix (the item
generator of bench/bootstrap.py), one image per item as in the paper ("each image corresponding
to a single question"), and 100 models with Bernoulli/judge-like item scores, a few OE
items unjudged. Times are medians over runs:

- cold: caches cleared, then board_intervals(table 3) + rank_table(Overall), i.e. the plan,
  every cell of Tables 3-6 and the rank ranges (what the first board view costs);
- cached: the same two calls again (what every later view costs), and a switch to Table 4;
- the other views once the plan is cached: a comparison, item analysis, figures.

With --demo, also the demo bundle (data/demo: 2,765 items on 174 shared images, so the
plan is clustered by image) and its 7 simulated models, scored with the offline approximate
judge (scoring is not timed).

    python bench/views.py [--models 100] [--resamples 2000] [--runs 7] [--demo]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timing import median_seconds as median_time  # noqa: E402

from analysis.compare import compare_models, comparison_summary, delta_figure  # noqa: E402
from analysis.intervals import (
    board_intervals,
    cache_info,
    clear_caches,  # noqa: E402
    errorbar_figure,
    rank_table,
)
from analysis.items import (
    difficulty_by_category,
    difficulty_figure,  # noqa: E402
    item_analysis,
    unanimous_failures,
)
from leaderboard.benchmark import Benchmark, content_hash  # noqa: E402
from leaderboard.taxonomy import SOURCE_DATASETS  # noqa: E402


def _generators():
    """bench/bootstrap.py's synthetic item mix and scores (one definition of the mix)."""
    spec = importlib.util.spec_from_file_location(
        "bench_bootstrap", ROOT / "bench" / "bootstrap.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.synthetic_items, mod.synthetic_scores


def synthetic_benchmark(rng: np.random.Generator) -> Benchmark:
    synthetic_items, _ = _generators()
    f = synthetic_items(rng)
    n = len(f["qtype"])
    choice = np.isin(f["qtype"], ("SC", "MC"))
    items = pd.DataFrame(
        {
            "file_name": [f"images/{i:05d}.jpg" for i in range(n)],
            "id": [f"s{i:05d}" for i in range(n)],
            "question": [f"Synthetic question {i}" for i in range(n)],
            "options": [["a", "b", "c", "d"] if c else [] for c in choice],
            "answer": np.where(
                f["qtype"] == "SC",
                "B",
                np.where(f["qtype"] == "MC", "AC", np.where(f["qtype"] == "TF", "True", "ref")),
            ),
            "qtype": f["qtype"],
            "scope": f["scope"],
            "image_source": f["image_source"],
            "source_dataset": [SOURCE_DATASETS[s][0] for s in f["image_source"]],
            "dimension": f["dimension"],
            "subdimension": f["subdimension"],
        }
    )
    return Benchmark(items=items, root=ROOT, source="synthetic", hash=content_hash(items))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=int, default=100)
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--demo", action="store_true", help="also time the demo bundle")
    args = ap.parse_args()
    R, M = args.resamples, args.models

    rng = np.random.default_rng(0)
    bench = synthetic_benchmark(rng)
    _, synthetic_scores = _generators()
    scores = synthetic_scores(rng, M, bench.items["qtype"].to_numpy())
    judged = ~np.isnan(scores).any(axis=1)
    names = [f"model-{i:03d}" for i in range(M)]
    a, b = [n for n, ok in zip(names, judged, strict=False) if ok][:2]  # two models with an Overall

    def first_view() -> None:
        board_intervals(names, scores, bench, "table3", resamples=R)
        rank_table(names, scores, bench, "Overall", resamples=R)

    print(
        f"sizes: {M} models x {len(bench)} items x {R} resamples, one image per item; "
        f"{M - int(judged.sum())} models with unjudged OE items; median of {args.runs} "
        "runs"
    )
    rows = {
        "COLD board_intervals + rank_table": (first_view, clear_caches),
        "cached board_intervals + rank_table": (first_view, None),
        "cached view switch to Table 4": (
            lambda: board_intervals(names, scores, bench, "table4", resamples=R),
            None,
        ),
        "compare_models (plan cached)": (
            lambda: compare_models(a, b, names, scores, bench, resamples=R),
            None,
        ),
        "summary + delta_figure": (
            lambda: (comparison_summary(cmp), delta_figure(cmp, "table5")),
            None,
        ),
        "errorbar_figure (Overall, 100 models)": (
            lambda: errorbar_figure(None, t3, "Overall"),
            None,
        ),
        "item_analysis + unanimous_failures": (
            lambda: (item_analysis(names, scores, bench), unanimous_failures(names, scores, bench)),
            None,
        ),
        "difficulty_by_category + figure": (
            lambda: difficulty_figure(difficulty_by_category(names, scores, bench), "table4"),
            None,
        ),
    }
    first_view()
    cmp = compare_models(a, b, names, scores, bench, resamples=R)
    t3 = board_intervals(names, scores, bench, "table3", resamples=R)
    for label, (fn, before) in rows.items():
        print(f"  {label:<42} {median_time(fn, args.runs, before):8.4f} s")
    print(f"cache: {cache_info()}")
    if args.demo:
        demo(R, args.runs)


def demo(resamples: int, runs: int) -> None:
    import json

    from leaderboard.benchmark import load_local
    from leaderboard.judges import make_judge
    from leaderboard.submission import SubmissionPipeline

    root = ROOT / "data" / "demo"
    bench = load_local(root)
    pipeline = SubmissionPipeline(bench, judge=make_judge("approx"))
    names, rows = [], []
    for m in json.loads((root / "models.json").read_text("utf-8")):
        path = root / m["file"]
        rows.append(pipeline.score(*pipeline.read_file(path))[1].scores)
        names.append(m["name"])
    scores = np.vstack(rows)

    def first_view() -> None:
        board_intervals(names, scores, bench, "table3", resamples=resamples)
        rank_table(names, scores, bench, "Overall", resamples=resamples)

    n_images = len(set(bench.image_clusters)) if bench.image_clusters is not None else 0
    print(
        f"demo: {len(names)} models x {len(bench)} items on {n_images} images x "
        f"{resamples} resamples (clustered); median of {runs} runs"
    )
    print(
        f"  {'COLD board_intervals + rank_table':<42} "
        f"{median_time(first_view, runs, clear_caches):8.4f} s"
    )
    print(f"  {'cached board_intervals + rank_table':<42} {median_time(first_view, runs):8.4f} s")


if __name__ == "__main__":
    main()
