"""Errors that carry a user-facing message naming what is wrong and where."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input (benchmark bundle or prediction file). The message is shown as is."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        full = message
        if self.problems:
            shown = self.problems[:20]
            more = len(self.problems) - len(shown)
            full += "\n" + "\n".join(f"  - {p}" for p in shown)
            if more > 0:
                full += f"\n  ... and {more} more"
        super().__init__(full)


class BenchmarkError(InputError):
    """The benchmark bundle is malformed."""


class PredictionError(InputError):
    """The prediction file cannot be scored."""
