"""Bench: one demo submission through AppState.submit with the reference (OpenAI) judge.

The judge is the loopback stub answering "Score: 2" after --latency seconds per call, at the
judge's default concurrency (8). Prints medians over --runs runs (>= 5) of:
  * the whole submit, cold (all 542 OE answers judged; a fresh judge cache each run);
  * the same file again for a new model name, warm (every judgement cached): what a retry
    after a crash mid-judging costs;
  * the pending-row overhead (`ui.pending.start_pending` on the pipeline's preview), paid
    before judging starts, next to what it cost when the row scored the upload once more
    (`score_closed` again, as before issue 11);
  * the submit that follows a preview of the same bytes: the parse is reused (cache hit) vs
    parsed again (fresh pipeline cache);
  * building the Table 3 view while one upload is pending, and with none.

    python bench/submit_judged.py [--runs 5] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leaderboard.judges import make_judge  # noqa: E402
from leaderboard.scoring import score_closed  # noqa: E402
from leaderboard.settings import DEMO_BUNDLE, AppSettings  # noqa: E402
from tests.support.openai_stub import Reply, StubServer  # noqa: E402
from ui.pending import start_pending  # noqa: E402
from ui.state import AppState  # noqa: E402

PREDS = DEMO_BUNDLE / "predictions" / "simvl_large.jsonl"


def median_s(samples: list[float]) -> str:
    return f"{statistics.median(samples):.3f} s"


def median_ms(samples: list[float]) -> str:
    return f"{1000 * statistics.median(samples):.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (>= 5)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per judge call")
    args = parser.parse_args()
    runs = max(5, args.runs)
    data = PREDS.read_bytes()
    cold, warm, overhead, rescored, view_pending, view_none = [], [], [], [], [], []
    preview_hit, preview_miss = [], []
    with (
        StubServer(lambda call: Reply("Score: 2", delay=args.latency)) as stub,
        tempfile.TemporaryDirectory() as tmp,
    ):
        state = AppState.start(
            AppSettings(
                benchmark=str(DEMO_BUNDLE),
                seed_demo=False,
                submissions_dir=f"{tmp}/subs",
                judge="none",
            )
        )
        bench = state.bench
        for run in range(runs):
            state.judge = make_judge(
                "openai",
                base_url=stub.base_url,
                model="stub",
                cache_path=f"{tmp}/cache-{run}.sqlite",
            )
            t = time.perf_counter()
            assert state.submit(data, PREDS.name, {"model": f"cold {run}"}).ok
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert state.submit(data, PREDS.name, {"model": f"warm {run}"}).ok
            warm.append(time.perf_counter() - t)
        preview = state.pipeline.preview(data, PREDS.name)
        for _ in range(runs):
            t = time.perf_counter()
            row = start_pending(preview, {"model": "pending"}, state.judge)
            overhead.append(time.perf_counter() - t)
            t = time.perf_counter()
            score_closed(bench, preview.upload.predictions, preview.upload.report)
            rescored.append(time.perf_counter() - t)
        for _ in range(runs):
            state.pipeline._previews.clear()  # a submit whose preview was not kept
            t = time.perf_counter()
            state.pipeline.preview(data, PREDS.name)
            preview_miss.append(time.perf_counter() - t)
            t = time.perf_counter()  # the submit's own parse after the upload's preview
            state.pipeline.preview(data, PREDS.name)
            preview_hit.append(time.perf_counter() - t)
        state.view()
        for _ in range(runs):
            t = time.perf_counter()
            state.view()
            view_none.append(time.perf_counter() - t)
        key = state.pending.add(row)
        for _ in range(runs):
            t = time.perf_counter()
            state.view()
            view_pending.append(time.perf_counter() - t)
        state.pending.drop(key)
        stored = len(state.store.submissions())
    print(
        f"items {len(bench)}, OE answers judged {row.total}, judge latency "
        f"{args.latency * 1000:.0f} ms/call, concurrency 8, runs {runs}, "
        f"stored models at the end {stored}"
    )
    print(f"submit, cold judge cache : {median_s(cold)}")
    print(f"submit, warm judge cache : {median_s(warm)}")
    print(
        f"pending row (start)      : {median_ms(overhead)}  (scoring again, as before: "
        f"{median_ms(rescored)})"
    )
    print(
        f"submit's parse + score   : {median_ms(preview_miss)} parsed, "
        f"{median_ms(preview_hit)} reused from the preview"
    )
    print(f"Table 3 view, no pending : {median_ms(view_none)}")
    print(f"Table 3 view, 1 pending  : {median_ms(view_pending)}")


if __name__ == "__main__":
    main()
