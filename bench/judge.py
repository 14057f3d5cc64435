"""Bench: time to judge the 542 OE items against a loopback endpoint that answers in 100 ms.

Prints the median wall time at concurrency 1, 8 and 16 (each timed run on a fresh temp cache)
and of a fully cached re-score, with the sizes. Targets: concurrency 16 under 6 s, cached
re-score under 200 ms. Concurrency 1 takes about a minute by design; `--quick` skips it.

    python bench/judge.py [--quick] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leaderboard.judges import JudgeRequest  # noqa: E402
from leaderboard.judges.reference import OpenAIJudge  # noqa: E402
from tests.support.openai_stub import Call, Reply, StubServer  # noqa: E402

N_OE = 542  # open-ended items in Q-Bench-Portrait (COUNTS.md)
LATENCY = 0.100  # seconds the stub endpoint takes per call
ISSUES = (
    "blur on the face",
    "grain in the shadows",
    "overexposed forehead",
    "a green color cast",
    "six fingers on the left hand",
    "waxy skin texture",
    "an off-center composition",
    "soft window light",
)


def oe_items(n: int = N_OE) -> list[JudgeRequest]:
    """OE-like requests with realistic text lengths (question ~20 words, answers ~40)."""
    out = []
    for i in range(n):
        issue = ISSUES[i % len(ISSUES)]
        out.append(
            JudgeRequest(
                question=f"Item {i}: considering the whole image, how does {issue} influence the "
                "appearance of the subject's skin tones, eyes and hair?",
                reference=f"The {issue} is clearly visible: skin tones look uneven and blotchy, "
                "fine details in the eyes and the hair strands are lost, and the overall "
                "impression is of a degraded, low-quality portrait.",
                answer=f"Model answer {i}: the image shows {issue}; the skin looks somewhat uneven "
                "and the eyes are less detailed than they should be, although the hair "
                "keeps most of its texture and the lighting is acceptable.",
            )
        )
    return out


def reply(call: Call) -> Reply:
    return Reply(f"Partly matches the reference.\nScore: {len(call.answer) % 3}", delay=LATENCY)


def timed_run(
    base_url: str, items: list[JudgeRequest], concurrency: int, cache_path: Path
) -> tuple[float, OpenAIJudge]:
    judge = OpenAIJudge(
        model="bench-judge",
        base_url=base_url,
        api_key="bench",
        cache_path=cache_path,
        concurrency=concurrency,
        timeout=30.0,
    )
    start = time.perf_counter()
    out = judge.judge(items)
    elapsed = time.perf_counter() - start
    failed = sum(j.status != "judged" for j in out)
    if failed:
        raise SystemExit(f"{failed} items failed to judge: {out[0].raw}")
    return elapsed, judge


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip concurrency 1 (~1 min)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per setting")
    args = parser.parse_args()
    items = oe_items()
    print(
        f"items: {len(items)} OE requests (all distinct), endpoint latency "
        f"{LATENCY * 1000:.0f} ms (loopback stub), runs per setting: {args.runs}"
    )
    with StubServer(reply) as stub, tempfile.TemporaryDirectory() as tmp:
        for concurrency in (8, 16) if args.quick else (1, 8, 16):
            runs = 1 if concurrency == 1 else args.runs  # one ~55 s run is enough
            times, peak = [], 0
            for r in range(runs):
                stub.max_in_flight = 0
                elapsed, judge = timed_run(
                    stub.base_url, items, concurrency, Path(tmp) / f"c{concurrency}-{r}.sqlite"
                )
                judge.close()
                times.append(elapsed)
                peak = max(peak, stub.max_in_flight)
            target = "  (target < 6 s)" if concurrency == 16 else ""
            print(
                f"concurrency {concurrency:2d}: median {statistics.median(times):6.2f} s over "
                f"{runs} run(s) [min {min(times):.2f}, max {max(times):.2f}], peak in flight "
                f"{peak}, ideal {len(items) * LATENCY / concurrency:.2f} s{target}"
            )

        warm = Path(tmp) / "warm.sqlite"
        timed_run(stub.base_url, items, 16, warm)[1].close()
        calls_before = len(stub.calls)
        times = []
        for _ in range(max(args.runs, 5)):
            judge = OpenAIJudge(
                model="bench-judge", base_url=stub.base_url, api_key="bench", cache_path=warm
            )
            start = time.perf_counter()
            out = judge.judge(items)
            times.append(time.perf_counter() - start)
            judge.close()
            assert all(j.cached for j in out)
        calls = len(stub.calls) - calls_before
        print(
            f"cached re-score: median {statistics.median(times) * 1000:6.1f} ms over "
            f"{len(times)} runs [min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}], "
            f"{len(items)} items, {calls} calls  (target < 200 ms)"
        )


if __name__ == "__main__":
    main()
