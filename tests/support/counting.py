"""Counting the pipeline's stages: how often a file is parsed, scored and extracted."""

from __future__ import annotations


class Counter:
    """Wraps a function and counts its calls (monkeypatched over the pipeline's stages)."""

    def __init__(self, fn) -> None:
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)
