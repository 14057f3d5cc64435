"""Bench: server time of the issue-6 views in the Space with many stored submissions.

Times the app's server side plus the serialisation Gradio does on its outputs (DataFrame and
Plot postprocess), on the demo bundle (2,765 items on shared images, so the bootstrap is
clustered) and a store of --submissions submissions generated like bench/app.py does.
"Intervals on" is what the board's toggle costs the server (`ui.board_table.BoardService`):
the interval texts, rank ranges and notes of the table shown (the browser's
`board_intervals` call) plus the error-bar chart of its headline cell. Medians over --runs
runs (>= 5) of:

  * intervals on, first touch: caches cleared and every items.parquet dropped from memory
    (what the first visitor after a start-up waits for);
  * intervals on, cold: caches cleared (score matrix, plan, intervals, ranks), per-item
    tables already in memory, the board's payload already built (target < 1 s);
  * intervals on, cached: the toggle again, and a switch to Table 4;
  * a comparison of the top two models once the plan is cached: the Compare tab's handler
    (target < 300 ms), and the /compare API;
  * the Items tab.

    python bench/stats_views.py [--submissions 100] [--runs 7] [--store DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from timing import median_ms  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def _build_store():
    """bench/app.py's store generator (one definition of the synthetic submissions)."""
    spec = importlib.util.spec_from_file_location("bench_app", ROOT / "bench" / "app.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build_store


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--submissions", type=int, default=100)
    ap.add_argument("--benchmark", default=str(ROOT / "data" / "demo"))
    ap.add_argument("--store", default=None, help="reuse or fill this folder")
    args = ap.parse_args()
    runs = max(5, args.runs)
    store = Path(args.store or tempfile.mkdtemp(prefix="qbp-bench-store-"))
    existing = (
        [p for p in store.glob("*") if p.is_dir() and not p.name.startswith(".")]
        if store.exists()
        else []
    )
    if len(existing) < args.submissions:
        secs = _build_store()(store, Path(args.benchmark), args.submissions - len(existing))
        print(f"store: {args.submissions} submissions generated in {secs:.1f} s -> {store}")

    import gradio as gr

    import app as space
    from analysis.intervals import clear_caches
    from leaderboard.settings import AppSettings
    from ui.board_table import BoardRequest, BoardService
    from ui.state import AppState

    state = AppState.start(
        AppSettings(benchmark=args.benchmark, submissions_dir=str(store), judge="approx")
    )
    h = space.Handlers(state)
    service = BoardService(state)
    grid, plot = gr.DataFrame(), gr.Plot()

    def serialise(*outputs) -> None:
        for out in outputs:
            if isinstance(out, gr.DataFrame):
                grid.postprocess(out.value)
            elif out is not None and hasattr(out, "to_plotly_json"):
                plot.postprocess(out)

    def intervals_on(table: str = "table3") -> None:
        req = BoardRequest(table)
        reply = service.intervals(req)  # sent as JSON by the component's server function
        assert reply["texts"], "no verified row got intervals"
        serialise(service.chart(req, "Overall" if table == "table3" else "Noise"))

    def clear() -> None:
        state.invalidate()
        clear_caches()
        service.current()  # the payload of the new generation: not what is timed

    def drop_items() -> None:
        clear()
        for sub in state.store.submissions():
            sub._items = None  # bench only: force re-reading items.parquet

    names = state.score_matrix()[0]
    a, b = names[:2]

    def compare() -> None:
        state._comparisons.clear()  # bench only: the plan stays cached, the pair does not
        summary, fig, cells, mcnemar, items = h.render_compare(a, b, "table3")
        serialise(fig, cells, items)

    def api() -> None:
        state._comparisons.clear()
        h.api_compare(a, b)

    first = median_ms(intervals_on, runs, drop_items)
    cold = median_ms(intervals_on, runs, clear)
    intervals_on()
    cached = median_ms(intervals_on, runs)
    switch = median_ms(lambda: intervals_on("table4"), runs)
    cmp_ms = median_ms(compare, runs)
    api_ms = median_ms(api, runs)
    items_ms = median_ms(lambda: serialise(*h.render_items("table3")), runs)

    print(
        f"sizes: {len(state.bench)} items on "
        f"{len(set(state.bench.image_clusters)) if state.clustered else len(state.bench)} "
        f"images (clustered bootstrap: {state.clustered}), {len(names)} verified models "
        f"with per-item scores, {len(state.entries())} board rows, {state.resamples} "
        f"resamples; medians over {runs} runs"
    )
    print(f"intervals on, first touch (read items):  {first:7.0f} ms")
    print(f"intervals on, cold (caches cleared):     {cold:7.0f} ms   target < 1000 ms")
    print(f"intervals on, cached (toggle again):     {cached:7.0f} ms")
    print(f"intervals on, switch to Table 4:         {switch:7.0f} ms")
    print(f"Compare tab, top two (plan cached):      {cmp_ms:7.0f} ms   target < 300 ms")
    print(f"/compare API (plan cached):              {api_ms:7.0f} ms")
    print(f"Items tab (Table 3):                     {items_ms:7.0f} ms")


if __name__ == "__main__":
    main()
