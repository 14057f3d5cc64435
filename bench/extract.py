"""Bench: extracting one model's answers to the whole benchmark (2,765 items).

The answers mix the styles real MLLMs produce, in the paper's question-type proportions
(SC 848, MC 830, TF 545, OE 542): bare letters, "The answer is (C).", "C. Underexposed",
long explanations that end in a cue, think blocks, Chinese, refusals. Prints the median
wall time over several runs.

    python bench/extract.py [--runs 7]
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leaderboard.extract import extract  # noqa: E402
from leaderboard.taxonomy import OPTION_LETTERS  # noqa: E402

COUNTS = {"SC": 848, "MC": 830, "TF": 545, "OE": 542}  # ../shared/paper/COUNTS.md
OPTIONS = ("Slight motion blur on the face", "Strong sensor noise in the shadows",
           "Overexposed highlights on the forehead", "No visible distortion")
SC_STYLES = (
    "{L}", "{L}.", "({L})", "The answer is ({L}).", "{L}. {T}", "Answer: {L}", "**{L}**",
    "The correct option is {L}: {T}.",
    "Looking at the portrait, the skin in the shadow areas and the edges of the jawline "
    "were checked carefully. The other options describe problems that are not visible "
    "here. Therefore, the answer is {L}.",
    "<think>The question asks about the main distortion. Option A would need streaks, "
    "B grain, C clipped highlights. Looking again...</think>\n{L}",
    "{L}\n\nThe face shows {t}, which matches this option best.",
    "答案是{L}", "I'm sorry, I can't help with that.", "{t}",
)
MC_STYLES = (
    "{L}{M}", "{L}, {M}", "{L} and {M}", "The correct options are {L} and {M}.",
    "Answer: {L}, {M}", "({L})({M})",
    "Both problems are visible: the first is clear in the shadows and the second around "
    "the face. So the answer is {L} and {M}.",
    "Options {L} and {M} are correct.", "{L}", "答案是{L}{M}",
)
TF_STYLES = (
    "True", "False", "Yes", "No.", "True.", "The statement is false.",
    "False. The face is sharp and evenly exposed.",
    "The skin texture looks natural and the lighting is soft, so the statement is true.",
    "Not true.", "正确", "<think>Check the exposure first.</think>\nTrue",
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
            raw = styles[i % len(styles)].format(L=first if qtype == "MC" else a, M=second,
                                                 T=t, t=t.lower())
            rows.append((qtype, raw, options))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rows = answers()
    times = []
    for _ in range(max(args.runs, 5)):
        t0 = time.perf_counter()
        for qtype, raw, options in rows:
            extract(qtype, raw, options)
        times.append(time.perf_counter() - t0)
    ok = sum(extract(q, r, o).status == "ok" for q, r, o in rows)
    print(f"extract: {len(rows)} answers (SC {COUNTS['SC']}, MC {COUNTS['MC']}, "
          f"TF {COUNTS['TF']}, OE {COUNTS['OE']}), {ok} ok; "
          f"median {statistics.median(times) * 1e3:.1f} ms over {len(times)} runs "
          f"({statistics.median(times) / len(rows) * 1e6:.1f} us/answer)")


if __name__ == "__main__":
    main()
