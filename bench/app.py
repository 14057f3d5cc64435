"""Speed of the Space with many stored submissions.

Prints medians over --runs runs (>= 5) of:
  * start-up beyond importing gradio (fresh interpreter each run): importing the app,
    loading the benchmark, opening the store, building the Blocks; and the same plus
    launching the server until it answers (targets: under 1.5 s);
  * the board's server side (`ui.board_table.BoardService`; sorting, searching and switching
    tables happen in the browser on the payload): the payload of all four tables rebuilt
    after a store change (what the next page load or refresh waits for), a /leaderboard
    table right after a store change and from the cache, and a CSV / LaTeX download;
  * a drill-down item across all stored models (target 100 ms) and the disagreement list.

The store is generated once into a temp dir (or --store) from perturbed demo predictions,
through the submission pipeline with the approximate judge, as uploads are.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import median_ms  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def perturbed(lines: list[str], rng: random.Random, share: float = 0.12) -> bytes:
    """The same ids, with a share of the answers swapped for other rows' answers."""
    rows = [json.loads(x) for x in lines if x.strip()]
    preds = [r["prediction"] for r in rows]
    for r in rows:
        if rng.random() < share:
            r["prediction"] = rng.choice(preds)
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()


def build_store(root: Path, bench_dir: Path, n: int) -> float:
    """Fill `root` with n submissions; returns the seconds it took."""
    from leaderboard.benchmark import load_benchmark
    from leaderboard.judges import make_judge
    from leaderboard.settings import Limits
    from leaderboard.store import SubmissionStore
    from leaderboard.submission import SubmissionPipeline

    bench = load_benchmark(bench_dir)
    pipeline = SubmissionPipeline(
        bench, SubmissionStore(root, bench), judge=make_judge("approx"), limits=Limits()
    )
    files = sorted((bench_dir / "predictions").glob("*.jsonl"))
    t0 = time.perf_counter()
    for k in range(n):
        base = files[k % len(files)]
        data = perturbed(base.read_text("utf-8").splitlines(), random.Random(k))
        pipeline.submit(
            data, base.name, {"model": f"Bench-{k:03d} ({base.stem})", "params": "7B", "open": True}
        )
    return time.perf_counter() - t0


def child_startup(store: str, bench_dir: str, launch: bool) -> None:
    """One start-up in this fresh interpreter; prints JSON timings."""
    t0 = time.perf_counter()
    import gradio  # noqa: F401  (excluded from the start-up figure)

    t1 = time.perf_counter()
    import app as space
    from leaderboard.settings import AppSettings
    from ui.state import AppState

    state = AppState.start(AppSettings(benchmark=bench_dir, submissions_dir=store, judge="approx"))
    demo = space.build(state)
    t2 = time.perf_counter()
    out = {
        "gradio_import_s": t1 - t0,
        "startup_s": t2 - t1,
        "submissions": len(state.store.submissions()),
    }
    if launch:
        demo.queue().launch(
            server_name="127.0.0.1",
            server_port=0 or None,
            prevent_thread_lock=True,
            quiet=True,
            **space.launch_kwargs(state),
        )
        out["startup_launch_s"] = time.perf_counter() - t1
        demo.close()
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--submissions", type=int, default=100)
    ap.add_argument("--benchmark", default=str(REPO / "data" / "demo"))
    ap.add_argument("--store", default=None, help="reuse or fill this folder")
    ap.add_argument("--child", choices=["startup", "launch"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_startup(args.store, args.benchmark, args.child == "launch")
        return
    runs = max(5, args.runs)
    store = Path(args.store or tempfile.mkdtemp(prefix="qbp-bench-store-"))
    existing = (
        [p for p in store.glob("*") if p.is_dir() and not p.name.startswith(".")]
        if store.exists()
        else []
    )
    if len(existing) < args.submissions:
        secs = build_store(store, Path(args.benchmark), args.submissions - len(existing))
        print(f"store: {args.submissions} submissions generated in {secs:.1f} s -> {store}")

    def child(kind: str) -> dict:
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                kind,
                "--store",
                str(store),
                "--benchmark",
                args.benchmark,
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=True,
        )
        return json.loads(proc.stdout.strip().splitlines()[-1])

    starts = [child("startup") for _ in range(runs)]
    launches = [child("launch") for _ in range(runs)]
    import app as space
    from leaderboard.settings import AppSettings
    from ui.board_table import BoardRequest, BoardService
    from ui.state import AppState

    state = AppState.start(
        AppSettings(benchmark=args.benchmark, submissions_dir=str(store), judge="approx")
    )
    h = space.Handlers(state)
    service = BoardService(state)
    n_items, n_models = len(state.bench), len(state.verified_models())
    n_rows = len(state.entries())

    def store_changed() -> None:
        """What a submit or a moderation does to the board: a new store generation."""
        state.invalidate()

    def changed_and_built() -> None:
        store_changed()
        service.current()

    service.current()  # warm (entries, masks)
    payload_ms = median_ms(service.current, runs, store_changed)
    payload_kb = len(service.payload_json().encode()) / 1024
    tables = iter(["table4", "table5", "table6", "table3"] * (2 * runs))
    api_cold_ms = median_ms(lambda: service.api_rows(next(tables)), runs, changed_and_built)
    service.api_rows("table4")
    api_warm_ms = median_ms(lambda: service.api_rows("table4"), runs)
    view = BoardRequest("table5", sort="NI_Tech")
    csv_ms = median_ms(lambda: service.export(view, "csv"), runs, changed_and_built)
    tex_ms = median_ms(lambda: service.export(view, "tex"), runs, changed_and_built)
    models = state.verified_models()
    ids = state.bench.items["id"].tolist()
    t0 = time.perf_counter()
    h.show_item(ids[0], ids, models)  # first touch reads every items.parquet
    cold_ms = (time.perf_counter() - t0) * 1000
    picks = iter(ids[1:])
    item_ms = median_ms(lambda: h.show_item(next(picks), ids, models), runs)
    list_ms = median_ms(lambda: h.list_items(models, "", "", "", "", "", "disagree"), runs)

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(
        f"sizes: {n_items} items, {n_models} verified models ({starts[0]['submissions']} "
        f"stored submissions), {n_rows} leaderboard rows; medians over {runs} runs"
    )
    print(f"gradio import (excluded):         {med(starts, 'gradio_import_s') * 1000:7.0f} ms")
    print(
        f"start-up beyond gradio (build):   {med(starts, 'startup_s') * 1000:7.0f} ms"
        "   target < 1500 ms"
    )
    print(f"start-up incl. server launch:     {med(launches, 'startup_launch_s') * 1000:7.0f} ms")
    print(
        f"board payload after a change:     {payload_ms:7.1f} ms   "
        f"(4 tables, {n_rows} rows, {payload_kb:.0f} KB of JSON)"
    )
    print(f"/leaderboard after a change:      {api_cold_ms:7.1f} ms   (one table, Tables 3-6)")
    print(f"/leaderboard cached:              {api_warm_ms:7.2f} ms")
    print(f"download CSV / LaTeX (Table 5):   {csv_ms:7.1f} / {tex_ms:.1f} ms")
    print(
        f"drill-down item x {n_models} models:      {item_ms:7.1f} ms   target < 100 ms "
        f"(first touch, reading {n_models} items.parquet: {cold_ms:.0f} ms)"
    )
    print(f"drill-down list, disagree x {n_models}:   {list_ms:7.1f} ms")


if __name__ == "__main__":
    main()
