"""Reading uploaded prediction files: the public names, kept here for existing importers.

The reader lives in the `leaderboard.ingest` package (one module per step and per harness).
"""

from __future__ import annotations

from .ingest import (
    ACCEPTED_EXTENSIONS,
    ADVISED_EXTENSIONS,
    FORMATS,
    ID_COLUMNS,
    PREDICTION_COLUMNS,
    ParseReport,
    PredictionFile,
    display_name,
    read_prediction_path,
    read_predictions,
    short,
)
from .ingest.report import MAX_LISTED, MAX_SHOWN

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "ADVISED_EXTENSIONS",
    "FORMATS",
    "ID_COLUMNS",
    "MAX_LISTED",
    "MAX_SHOWN",
    "PREDICTION_COLUMNS",
    "ParseReport",
    "PredictionFile",
    "display_name",
    "read_prediction_path",
    "read_predictions",
    "short",
]
