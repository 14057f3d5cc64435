"""Shared pieces for the trust tests (issue 12): the demo scored through the real pipeline
pieces, an extractor that mis-reads one answer style, and a second judge that disagrees."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from leaderboard import scoring
from leaderboard.benchmark import Benchmark, load_local
from leaderboard.extract import Extraction
from leaderboard.judges import ApproxJudge, JudgeInfo, Judgement, JudgeRequest
from leaderboard.predictions import PredictionFile, read_predictions
from leaderboard.scoring import ScoreResult, score_predictions
from leaderboard.settings import Limits

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
PREDICTIONS = DEMO / "predictions"


@lru_cache(maxsize=1)
def demo_bench() -> Benchmark:
    return load_local(DEMO)


def demo_file(name: str) -> PredictionFile:
    data = (PREDICTIONS / name).read_bytes()
    return read_predictions(data, name, demo_bench(), Limits.unlimited())


def score_demo(name: str, judge=None) -> ScoreResult:
    pred = demo_file(name)
    return score_predictions(demo_bench(), pred.predictions, judge=judge, report=pred.report)


def misread_bold_sc(monkeypatch) -> None:
    """A changed extractor: single-choice answers that use markdown bold are unreadable."""
    real = scoring._extract_cached

    def changed(qtype: str, raw: str | None, options: tuple[str, ...]) -> Extraction:
        if qtype == "SC" and raw and "**" in raw:
            return Extraction(None, "unreadable")
        return real(qtype, raw, options)

    monkeypatch.setattr(scoring, "_extract_cached", changed)


class ShiftedJudge:
    """The approximate judge, but every `every`-th answer gets one point more (capped at
    2) and every `fail_every`-th fails: a second judge that disagrees in a known way."""

    def __init__(self, every: int = 3, fail_every: int = 0) -> None:
        self.base = ApproxJudge()
        self.every, self.fail_every = every, fail_every
        self.info = JudgeInfo(backend="shifted", model="approx+1", prompt_version="t1")

    def judge(self, requests: Sequence[JudgeRequest], progress=None) -> list[Judgement]:
        out = []
        for n, j in enumerate(self.base.judge(requests), start=1):
            if self.fail_every and n % self.fail_every == 0:
                out.append(Judgement(None, "boom", "judge_failed"))
            elif n % self.every == 0:
                out.append(Judgement(min(2, (j.score or 0) + 1), "shifted", "judged"))
            else:
                out.append(j)
        return out
