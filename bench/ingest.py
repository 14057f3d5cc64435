"""Reading speed per harness format on a full-size file (every demo item, 2,765 rows), against
the time scoring the same answers takes (leaderboard.scoring.score_predictions, cold caches).

Reading must stay under scoring: the parse is not what a submitter waits for. The files are
built as each tool writes them (tests/support/harness_files.py). Prints medians over --runs
runs; parse/score is the median of the runs' own ratios (each run parses, then scores, back
to back), which a shared machine's bursts of load disturb least.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import median_ms  # noqa: E402
from leaderboard import scoring  # noqa: E402
from leaderboard.benchmark import load_benchmark  # noqa: E402
from leaderboard.predictions import read_predictions  # noqa: E402
from tests.support import harness_files as hf  # noqa: E402


def files(items: list[dict], replies: dict[str, str]) -> dict[str, tuple[str, bytes]]:
    vlm = hf.vlmevalkit_frame(items, replies)
    return {
        "plain JSONL": ("preds.jsonl", hf.plain_jsonl(items, replies)),
        "plain CSV": ("preds.csv", _csv(items, replies)),
        "plain Parquet": ("preds.parquet", _parquet(items, replies)),
        "lmms-eval v0.3 samples": ("s.jsonl", hf.lmms_eval_samples(items, replies, "v0.3")),
        "lmms-eval v0.7 samples": ("s.jsonl", hf.lmms_eval_samples(items, replies, "v0.7")),
        "VLMEvalKit XLSX": ("M_D.xlsx", hf.vlmevalkit_file(vlm, "xlsx")),
        "VLMEvalKit TSV": ("M_D.tsv", hf.vlmevalkit_file(vlm, "tsv")),
        "LLaVA concatenated JSON": ("answers.jsonl", hf.llava_qbench(items, replies)),
        "OpenAI Batch output": ("batch.jsonl", hf.openai_batch_output(items, replies)),
        "chat transcripts JSONL": ("chats.jsonl", hf.chat_jsonl(items, replies)),
    }


def _csv(items, replies) -> bytes:
    import pandas as pd

    frame = pd.DataFrame(
        {"id": [i["id"] for i in items], "prediction": [replies[i["id"]] for i in items]}
    )
    return frame.to_csv(index=False).encode()


def _parquet(items, replies) -> bytes:
    import io

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame(
        {"id": [i["id"] for i in items], "prediction": [replies[i["id"]] for i in items]}
    ).to_parquet(buf)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--model", default="thinkervl", help="demo model whose replies are used")
    args = ap.parse_args()
    import datasets

    datasets.disable_progress_bars()
    bench = load_benchmark(str(hf.DEMO))
    items, replies = hf.demo_items(), hf.demo_replies(args.model)
    built = files(items, replies)

    def cold(predictions) -> Callable[[], object]:
        def run():
            scoring._extract_cached.cache_clear()
            scoring._MASK_CACHE.clear()
            return scoring.score_predictions(bench, predictions)

        return run

    base = read_predictions(*reversed(built["plain JSONL"]), bench).predictions
    score = cold(base)
    print(
        f"items: {len(bench)}, rows per file: {len(items)}, replies: {args.model}, "
        f"runs: {args.runs} (medians; parse/score is the median of paired per-run ratios)"
    )
    print(
        f"{'format':28s} {'harness recognised':34s} {'size':>9s} {'parse ms':>9s} "
        f"{'score ms':>9s} {'parse/score':>11s}"
    )
    worst = 0.0
    for label, (name, data) in built.items():
        pf = read_predictions(data, name, bench)
        assert pf.report.matched == len(items), (label, pf.report.matched)
        parse_times, score_times, ratios = [], [], []
        for _ in range(args.runs):  # paired: parse and score back to back, the same load on both
            p = median_ms(lambda d=data, n=name: read_predictions(d, n, bench), 1)
            s = median_ms(score, 1)
            parse_times.append(p)
            score_times.append(s)
            ratios.append(p / s)
        parse_ms, score_ms = statistics.median(parse_times), statistics.median(score_times)
        ratio = statistics.median(ratios)
        worst = max(worst, ratio)
        print(
            f"{label:28s} {pf.report.harness:34s} {len(data) / 1024:7.0f} KB "
            f"{parse_ms:9.1f} {score_ms:9.1f} {ratio:10.2f}x"
        )
    verdict = "under" if worst < 1 else "NOT under"
    print(f"slowest parse / scoring: {worst:.2f}x -> reading stays {verdict} the scoring time")


if __name__ == "__main__":
    main()
