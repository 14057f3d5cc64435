"""The README's and the About tab's "From your harness to a submission": every example is a
line of a fixture in tests/data/harness/, the fixtures are what the builders in
tests/support/harness_files.py write, and each one is read against the demo bundle as the tool's
layout and scored item by item like the same answers in plain JSONL."""

from __future__ import annotations

import re

import pytest

from analysis.about import HARNESS_GUIDE, about_markdown
from leaderboard.benchmark import load_benchmark
from leaderboard.predictions import read_predictions
from leaderboard.scoring import score_predictions
from tests.support import harness_files as hf

README = (hf.REPO / "README.md").read_text("utf-8")
HARNESSES = {
    "20250601_120000_samples_qbench_portrait.jsonl": "lmms-eval samples v0.7+",
    "MyVLM_QBenchPortrait.xlsx": "VLMEvalKit XLSX",
    "MyVLM_QBenchPortrait.tsv": "VLMEvalKit TSV",
    "qbench_portrait_answers.jsonl": "LLaVA/Q-Instruct concatenated JSON",
    "batch_output.jsonl": "OpenAI Batch output",
}


def section(text: str) -> str:
    start = text.index("## From your harness to a submission")
    end = text.index("\n## ", start + 10)
    return text[start:end]


def code_lines(text: str) -> list[str]:
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section(text), flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def bench():
    return load_benchmark(str(hf.DEMO))


def test_readme_and_about_carry_the_same_guide():
    assert section(README).strip() == HARNESS_GUIDE.strip()
    assert HARNESS_GUIDE.strip() in about_markdown(2765, "data/demo", "approx")
    for tool in ("lmms-eval", "VLMEvalKit", "LLaVA-style", "OpenAI-compatible batch"):
        assert tool in HARNESS_GUIDE


def test_every_example_line_is_in_a_fixture():
    texts = [p.read_text("utf-8") for p in hf.FIXTURES.glob("*") if p.suffix != ".xlsx"]
    lines = code_lines(README)
    assert len(lines) >= 5
    for line in lines:
        assert any(line in t for t in texts), line[:80]


def test_fixtures_are_what_the_builders_write(bench):
    built = hf.doc_fixtures()
    assert sorted(built) == sorted(p.name for p in hf.FIXTURES.iterdir())
    for name, build in built.items():
        data, stored = build(), (hf.FIXTURES / name).read_bytes()
        if name.endswith(".xlsx"):  # xlsxwriter stamps a creation time: compare the content
            assert (
                read_predictions(data, name, bench).predictions
                == read_predictions(stored, name, bench).predictions
            )
        else:
            assert data == stored, name


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_each_fixture_is_scored_item_by_item(bench, name):
    items, replies = hf.demo_items(hf.DOC_ITEMS), hf.demo_replies()
    plain = read_predictions(hf.plain_jsonl(items, replies), "p.jsonl", bench)
    pf = read_predictions((hf.FIXTURES / name).read_bytes(), name, bench)
    assert pf.report.harness == HARNESSES[name] and pf.report.matched == hf.DOC_ITEMS
    want = score_predictions(bench, plain.predictions).items
    got = score_predictions(bench, pf.predictions).items
    assert got[["status", "parsed"]].astype(str).equals(want[["status", "parsed"]].astype(str))
    assert got["score"].fillna(-1).tolist() == want["score"].fillna(-1).tolist()
