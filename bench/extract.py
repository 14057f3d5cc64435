"""Bench: extracting one model's answers to the whole benchmark (2,765 items).

The answers mix the styles real MLLMs produce, in the paper's question-type proportions
(SC 848, MC 830, TF 545, OE 542): bare letters, "The answer is (C).", "C. Underexposed",
long explanations that end in a cue, think blocks, Chinese, refusals, an option's text after
a cue, "<text> (B)" with the other letters discussed, "So, no, ...", made-up follow-up
questions. Prints the median wall time over several runs; with --baseline, also the median of
another copy of the extractor (e.g. main's) timed on the same answers in the same run, runs
interleaved, and the ratio.

    python bench/extract.py [--runs 7] [--baseline ../main/leaderboard/extract.py]
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import median_seconds  # noqa: E402

from leaderboard.extract import extract  # noqa: E402
from leaderboard.taxonomy import OPTION_LETTERS  # noqa: E402

COUNTS = {"SC": 848, "MC": 830, "TF": 545, "OE": 542}  # ../shared/paper/COUNTS.md
OPTIONS = (
    "Slight motion blur on the face",
    "Strong sensor noise in the shadows",
    "Overexposed highlights on the forehead",
    "No visible distortion",
)
SC_STYLES = (
    "{L}",
    "{L}.",
    "({L})",
    "The answer is ({L}).",
    "{L}. {T}",
    "Answer: {L}",
    "**{L}**",
    "The correct option is {L}: {T}.",
    "Looking at the portrait, the skin in the shadow areas and the edges of the jawline "
    "were checked carefully. The other options describe problems that are not visible "
    "here. Therefore, the answer is {L}.",
    "<think>The question asks about the main distortion. Option A would need streaks, "
    "B grain, C clipped highlights. Looking again...</think>\n{L}",
    "{L}\n\nThe face shows {t}, which matches this option best.",
    "答案是{L}",
    "I'm sorry, I can't help with that.",
    "{t}",
    'The correct answer is "{T}." The other options describe problems that are not visible.',
    "{T} ({L}). The other letters would need streaks, grain or clipped highlights instead.",
    "{L}. {T}\nQuestion: Which part of the image is most affected?\nAnswer: (A)",
)
MC_STYLES = (
    "{L}{M}",
    "{L}, {M}",
    "{L} and {M}",
    "The correct options are {L} and {M}.",
    "Answer: {L}, {M}",
    "({L})({M})",
    "Both problems are visible: the first is clear in the shadows and the second around "
    "the face. So the answer is {L} and {M}.",
    "Options {L} and {M} are correct.",
    "{L}",
    "答案是{L}{M}",
)
TF_STYLES = (
    "True",
    "False",
    "Yes",
    "No.",
    "True.",
    "The statement is false.",
    "False. The face is sharp and evenly exposed.",
    "The skin texture looks natural and the lighting is soft, so the statement is true.",
    "Not true.",
    "正确",
    "<think>Check the exposure first.</think>\nTrue",
    "The face is bright and the shadows keep their detail. So, no, the statement does not hold.",
    "Correct white balance and accurate skin tones; the claim of a color cast is incorrect.",
)
OE_STYLES = (
    "The subject's face is slightly soft because of camera shake, and the shadows show "
    "fine grain, which lowers the perceived sharpness of the skin texture.",
    "The lighting is soft and comes from the left, giving gentle shadows on the cheek.",
    "I'm sorry, I can't help with that.",
    "<think>Describe noise and compression.</think>\nMild JPEG blocking around the hair.",
)


def answers() -> list[tuple[str, str, tuple[str, ...]]]:
    """(qtype, raw, options) rows in the benchmark's proportions, deterministic."""
    rows: list[tuple[str, str, tuple[str, ...]]] = []
    letters = itertools.cycle(OPTION_LETTERS)
    for qtype, n in COUNTS.items():
        styles = {"SC": SC_STYLES, "MC": MC_STYLES, "TF": TF_STYLES, "OE": OE_STYLES}[qtype]
        options = OPTIONS if qtype in ("SC", "MC") else ()
        for i in range(n):
            a = next(letters)
            b = OPTION_LETTERS[(OPTION_LETTERS.index(a) + 2) % len(OPTION_LETTERS)]
            first, second = sorted((a, b))
            t = OPTIONS[OPTION_LETTERS.index(a)]
            raw = styles[i % len(styles)].format(
                L=first if qtype == "MC" else a, M=second, T=t, t=t.lower()
            )
            rows.append((qtype, raw, options))
    return rows


def _load_baseline(path: str) -> Callable[..., object]:
    """`extract` from another copy of the module (its own imports resolve in this tree)."""
    spec = importlib.util.spec_from_file_location("baseline_extract", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"--baseline: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", help="path of another extract.py to time alongside")
    args = parser.parse_args()
    rows = answers()
    runs = max(args.runs, 5)
    baseline = _load_baseline(args.baseline) if args.baseline else None

    def run(fn: Callable[..., object]) -> Callable[[], None]:
        def go() -> None:
            for qtype, raw, options in rows:
                fn(qtype, raw, options)

        return go

    times, base_times = [], []
    for _ in range(runs):  # interleaved, so a busy machine slows both alike
        times.append(median_seconds(run(extract), 1))
        if baseline:
            base_times.append(median_seconds(run(baseline), 1))
    ok = sum(extract(q, r, o).status == "ok" for q, r, o in rows)
    med = statistics.median(times)
    print(
        f"extract: {len(rows)} answers (SC {COUNTS['SC']}, MC {COUNTS['MC']}, "
        f"TF {COUNTS['TF']}, OE {COUNTS['OE']}), {ok} ok; "
        f"median {med * 1e3:.1f} ms over {runs} runs "
        f"({med / len(rows) * 1e6:.1f} us/answer)"
    )
    if baseline:
        base = statistics.median(base_times)
        base_ok = sum(baseline(q, r, o).status == "ok" for q, r, o in rows)
        print(
            f"baseline {args.baseline}: {base_ok} ok; median {base * 1e3:.1f} ms "
            f"({base / len(rows) * 1e6:.1f} us/answer); this/baseline = {med / base:.2f}x"
        )


if __name__ == "__main__":
    main()
