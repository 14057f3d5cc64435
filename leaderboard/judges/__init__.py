"""Open-ended judges: the protocol the scorer talks to, the backends and their cache.

- `protocol`: `Judge`, `JudgeRequest`, `Judgement`, `JudgeInfo`, `Progress`.
- `factory`: `make_judge` (one factory for the CLI, the app and the tests) and the CLI options.
- `approx`: the offline lexical judge, labelled approximate.
- `reference`: the reference LLM judge over any OpenAI-compatible endpoint (the SDK is imported
  only when one is built, so importing this package stays cheap).
- `cache`: the on-disk SQLite cache of judgements.
- `budget`: what judging one submission may cost (calls, characters, wall time).
"""

from __future__ import annotations

from .approx import APPROX_MODEL, ApproxJudge, approx_score
from .budget import BudgetMeter, JudgeBudget
from .cache import CACHE_ENV, JudgeCache, cache_key, default_cache_path
from .factory import JUDGE_BACKENDS, add_judge_arguments, judge_from_args, make_judge
from .protocol import Judge, JudgeInfo, Judgement, JudgeRequest, Progress
from .reference import PROMPT_TEMPLATE, PROMPT_VERSION, OpenAIJudge, parse_score

__all__ = [
    "APPROX_MODEL",
    "CACHE_ENV",
    "JUDGE_BACKENDS",
    "PROMPT_TEMPLATE",
    "PROMPT_VERSION",
    "ApproxJudge",
    "BudgetMeter",
    "Judge",
    "JudgeBudget",
    "JudgeCache",
    "JudgeInfo",
    "JudgeRequest",
    "Judgement",
    "OpenAIJudge",
    "Progress",
    "add_judge_arguments",
    "approx_score",
    "cache_key",
    "default_cache_path",
    "judge_from_args",
    "make_judge",
    "parse_score",
]
