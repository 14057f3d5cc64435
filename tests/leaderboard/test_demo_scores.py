"""The scorer on the demo bundle: its Random row is the paper's, and every simulated model's
closed-ended scores are exactly what the generator intended (the extractor reads them right)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from leaderboard.benchmark import load_benchmark
from leaderboard.predictions import read_prediction_path
from leaderboard.scoring import baseline, score_predictions
from leaderboard.settings import DEMO_BUNDLE, PAPER_DIR
from leaderboard.taxonomy import TABLES


@pytest.fixture(scope="module")
def bench():
    return load_benchmark(DEMO_BUNDLE)


@pytest.mark.parametrize("key", list(TABLES))
def test_scorer_random_row_equals_the_papers(bench, key):
    with (PAPER_DIR / f"{key}.csv").open(newline="", encoding="utf-8") as fh:
        printed = next(r for r in csv.DictReader(fh) if r["model"].startswith("Random"))
    values = baseline(bench).values[key]
    for cell in TABLES[key].cells:
        got = values[cell.name]
        shown = "-" if got is None else f"{got:.2f}"
        assert shown == printed[cell.name], cell.name


@pytest.fixture(scope="module")
def intended(tmp_path_factory):
    """Per model, the generator's intended closed-ended accuracy per question type."""
    import importlib.util
    import sys

    data = Path(__file__).resolve().parents[2] / "data"
    spec = importlib.util.spec_from_file_location("build_demo", data / "build_demo.py")
    build_demo = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(data))
    try:
        spec.loader.exec_module(build_demo)
        from demogen import predictions as sim
    finally:
        sys.path.remove(str(data))
    out = tmp_path_factory.mktemp("regen")
    rows, specs = build_demo.build_metadata(out)
    answers = build_demo.build_predictions(out, rows, specs)
    return {name: sim.intended_accuracy(a, rows, "qtype") for name, a in answers.items()}


MODELS = json.loads((DEMO_BUNDLE / "models.json").read_text())


@pytest.mark.parametrize("model", MODELS, ids=[m["file"] for m in MODELS])
def test_closed_scores_equal_the_generators_intent(bench, intended, model):
    pf = read_prediction_path(DEMO_BUNDLE / model["file"], bench)
    res = score_predictions(bench, pf.predictions, report=pf.report)
    t3 = res.tables.values["table3"]
    assert all(t3[q] is not None for q in ("SC", "MC", "TF"))
    assert t3["OE"] is None and t3["Overall"] is None  # no judge: never a guessed number
    assert sum(res.status_counts.values()) == len(bench) == 2765
    assert res.status_counts["missing"] == pf.report.missing
    for qtype in ("SC", "MC", "TF"):
        assert round(t3[qtype], 2) == intended[model["name"]][qtype], qtype
