"""Choosing a judge backend: one factory for the CLI, the app and the tests.

`none` means no judge (OE items stay `unjudged` and the leaderboard says so), `approx` the
offline lexical judge (labelled approximate), `openai` the reference LLM judge with its cache.
"""

from __future__ import annotations

import argparse
import os

from .approx import ApproxJudge
from .cache import CACHE_ENV
from .protocol import Judge
from .reference import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ENV_API_KEY,
    ENV_BASE_URL,
    ENV_MODEL,
    OpenAIJudge,
)

JUDGE_BACKENDS: tuple[str, ...] = ("none", "approx", "openai")


def make_judge(
    backend: str,
    *,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    cache_path: str | os.PathLike[str] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = DEFAULT_TIMEOUT,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> Judge | None:
    """The judge for `backend`, or None for "none".

    For "openai", unset base URL / model / key fall back to $OPENAI_BASE_URL /
    $QBP_JUDGE_MODEL / $OPENAI_API_KEY and the cache to $QBP_JUDGE_CACHE or
    `.cache/judge.sqlite`; a missing model or base URL raises ValueError saying which.
    """
    name = (backend or "none").strip().lower()
    if name == "none":
        return None
    if name == "approx":
        return ApproxJudge()
    if name == "openai":
        return OpenAIJudge(
            model=model,
            base_url=base_url,
            api_key=api_key,
            cache_path=cache_path,
            concurrency=concurrency,
            timeout=timeout,
            max_retries=max_retries,
        )
    raise ValueError(
        f"unknown judge backend {backend!r}: choose one of {', '.join(JUDGE_BACKENDS)}"
    )


def add_judge_arguments(parser: argparse.ArgumentParser, default: str = "none") -> None:
    """Add the --judge* options (the API key is read from the environment only); `default`
    is the backend when --judge is not given."""
    group = parser.add_argument_group(
        "open-ended judge", f"The API key is read from ${ENV_API_KEY}, never from the command line."
    )
    group.add_argument(
        "--judge",
        choices=JUDGE_BACKENDS,
        default=default,
        help="how to score open-ended answers: none (left unjudged), approx "
        "(offline lexical approximation), openai (LLM judge, as in the "
        f"paper) [default: {default}]",
    )
    group.add_argument(
        "--judge-base-url",
        default=None,
        metavar="URL",
        help=f"OpenAI-compatible endpoint [default: ${ENV_BASE_URL}]",
    )
    group.add_argument(
        "--judge-model",
        default=None,
        metavar="NAME",
        help=f"judge model name [default: ${ENV_MODEL}]",
    )
    group.add_argument(
        "--judge-cache",
        default=None,
        metavar="PATH",
        help=f"SQLite judgement cache [default: ${CACHE_ENV} or .cache/judge.sqlite]",
    )
    group.add_argument(
        "--judge-concurrency",
        type=_positive_int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"parallel judge calls [default: {DEFAULT_CONCURRENCY}]",
    )
    group.add_argument(
        "--judge-timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds per judge call [default: {DEFAULT_TIMEOUT:g}]",
    )
    group.add_argument(
        "--judge-retries",
        type=int,
        default=DEFAULT_MAX_RETRIES,
        metavar="N",
        help=f"retries per item after the first call [default: {DEFAULT_MAX_RETRIES}]",
    )


def judge_from_args(args: argparse.Namespace) -> Judge | None:
    """The judge selected by options added with `add_judge_arguments`."""
    return make_judge(
        args.judge,
        base_url=args.judge_base_url,
        model=args.judge_model,
        cache_path=args.judge_cache,
        concurrency=args.judge_concurrency,
        timeout=getattr(args, "judge_timeout", DEFAULT_TIMEOUT),
        max_retries=getattr(args, "judge_retries", DEFAULT_MAX_RETRIES),
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
