"""A model's page ranks and compares it as the board does (issue 13): within the board's
pools, the paper's models or the models verified here (on the demo, rows scored on the
synthetic bundle), so a simulated model's page shows the rank of its row on the board and a
paper model is never measured against the demo bundle's rows."""

from __future__ import annotations

import html
import json
import re

import pytest

from analysis import paper_board
from analysis.entries import REPORTED, VERIFIED
from tests.support.demostate import demo_state
from ui.board_table import BoardService
from ui.tabs.model import ModelHandlers

RANK = re.compile(r"rank (\d+) of (\d+) by Overall among the (paper's models|models verified here)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    state = demo_state(tmp_path_factory.mktemp("demo-subs"))
    return state, json.loads(BoardService(state).payload_json())


def board_ranks(payload) -> dict[tuple[str, str], int | None]:
    """(name, section) -> the Rank the board shows by Overall (its default sort)."""
    ranks = payload["tables"]["table3"]["r"]["Overall"]
    return {(r["n"], r["sec"]): ranks[i] for i, r in enumerate(payload["rows"])}


def test_every_model_page_shows_the_rank_of_its_row_on_the_board(demo):
    state, payload = demo
    shown = board_ranks(payload)
    pools = {"paper": 0, "verified": 0}
    for (_, sec), rank in shown.items():
        if rank is not None:
            pools["verified" if sec == paper_board.HERE else "paper"] += 1
    assert pools == {"paper": 25, "verified": 7}  # the demo: 25 paper models, 7 simulated
    pages = ModelHandlers(state)
    checked = 0
    for (name, sec), rank in shown.items():
        if sec == paper_board.BASELINE:
            continue
        page = pages.page(name)
        found = RANK.findall(html.unescape(page.header))  # as the page reads
        assert len(found) == 1, (name, page.header)
        got, of, pool = found[0]
        want_pool = "models verified here" if sec == paper_board.HERE else "paper's models"
        assert (int(got), int(of), pool) == (
            rank,
            pools["verified" if sec == paper_board.HERE else "paper"],
            want_pool,
        ), name
        checked += 1
    assert checked == 32
    # The simulated model at the top of its section is #1 there, and the paper's best is
    # still #1 among the paper's models (the demo rows displace nothing).
    top = html.unescape(pages.page("SimVL-Large (simulated)").header)
    assert "rank 1 of 7 by Overall among the models verified here" in top
    best = html.unescape(pages.page("Qwen3-VL (32B)").header)
    assert "rank 1 of 25 by Overall among the paper's models" in best


def test_a_paper_model_is_compared_with_the_papers_models_only(demo):
    state, _ = demo
    page = ModelHandlers(state).page("Qwen3-VL (8B)")
    entries = state.entries()
    paper = [e for e in entries if e.pool == "paper"]
    assert len(paper) == 25
    best = max(e.value("table3", "Overall") for e in paper)
    demo_best = max(e.value("table3", "Overall") or 0 for e in entries if e.kind == VERIFIED)
    assert demo_best > best  # SimVL-Large (simulated) is above every paper model ...
    # ... yet the paper model's page measures it against the paper's 25 only.
    assert "best of 25 paper models" in page.tables and "median of 25 paper models" in page.tables
    assert f"<td>{best:.2f}</td>" in page.tables
    assert f"<td>{demo_best:.2f}</td>" not in page.tables
    assert "best of 25 rows" in " ".join(t.name or "" for t in page.radar.data)
    assert all(e.kind == REPORTED for e in page.rows)


def test_a_simulated_model_is_compared_with_the_rows_verified_here(demo):
    state, _ = demo
    page = ModelHandlers(state).page("TerseNet (simulated)")
    assert "best of 7 verified here" in page.tables
    assert "best of 7 rows" in " ".join(t.name or "" for t in page.radar.data)


class _Event:
    def __init__(self, data):
        self._data = data


def test_a_click_on_the_board_opens_that_page_and_ignores_anything_else(demo):
    import gradio as gr

    state, payload = demo
    rank = board_ranks(payload)[("TerseNet (simulated)", paper_board.HERE)]
    handlers = ModelHandlers(state)
    out = handlers.from_board(_Event({"name": "TerseNet (simulated)"}))
    picker, header, tabs = out[0], out[1], out[-1]
    assert picker.value == "TerseNet (simulated)" and "<h2" in header
    assert f"rank {rank} of 7" in html.unescape(header) and tabs.selected == "model"
    for junk in ({}, {"name": 3}, {"name": "  "}, {"name": "x" * 500}, ["name"], None):
        out = handlers.from_board(_Event(junk))
        assert out == tuple(gr.skip() for _ in out) and len(out) == len(
            handlers.from_board(_Event({"name": "TerseNet (simulated)"}))
        ), junk
