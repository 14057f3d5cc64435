"""A model's page: its rows in every table against the board, failure cases by category
that the drill-down lists exactly, versions, provenance, and reported (paper) rows."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from analysis import drilldown
from analysis import model_page as mp
from analysis import trust_views as tv
from analysis.entries import reported_entries, verified_entries
from analysis.links import ItemQuery, parse_item_query
from leaderboard.judges import make_judge
from leaderboard.settings import PAPER_DIR
from leaderboard.taxonomy import TABLES
from tests.support.appdata import ANSWERS, filled_store, jsonl
from tests.support.storekit import submit

M2_V2 = ["B", "C", "A", "True", "True", "Looks fine.", "A", "B, D"]  # 2 and 8 now right


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The tiny app store (no judge), plus a second version of M2 judged by the approximate
    judge and a third one hidden by a moderator (so the board shows version 2)."""
    store = filled_store(tmp_path_factory.mktemp("mp"))
    submit(
        store,
        jsonl(M2_V2),
        "m2-v2.jsonl",
        {"model": "M2", "params": "13B"},
        judge=make_judge("approx"),
    )
    v3 = submit(store, jsonl(["A"] * 8), "m2-v3.jsonl", {"model": "m2"})
    store.set_hidden(v3.id, True, "spam")
    return store


@pytest.fixture(scope="module")
def entries(store):
    return reported_entries(PAPER_DIR) + verified_entries(store.benchmark, store.submissions())


def page_of(store, entries, name):
    rows = mp.rows_for(entries, name)
    current = next((store.get(e.submission_id) for e in rows if e.submission_id), None)
    versions = [s for s in store.versions(rows[0].name) if not s.hidden] if rows else []
    return mp.build_page(name, entries, store.benchmark, versions, current)


def test_a_name_finds_its_rows_however_it_is_typed(entries):
    assert [e.name for e in mp.rows_for(entries, "  m1   (7b) ")] == ["M1 (7B)"]
    assert [e.kind for e in mp.rows_for(entries, "grok-4")] == ["reported"]
    names = mp.model_names(entries)
    assert "Random guess" not in names and names == sorted(names, key=str.casefold)
    assert mp.suggestions(entries, "Qwen3 VL 32B")[0] == "Qwen3-VL (32B)"


def test_the_rows_of_every_table_stand_against_the_best_and_the_median(store, entries):
    page = page_of(store, entries, "M2")
    row = page.rows[0]
    compared = mp.pool(entries, row)  # the board's pool of the row: verified here
    assert compared and all(e.pool == "verified" for e in compared)
    for table in TABLES.values():
        assert f"{table.title}</div>" in page.tables
    for cell in TABLES["table3"].cells:
        vals = [
            e.value("table3", cell.name)
            for e in compared
            if e.value("table3", cell.name) is not None
        ]
        if row.value("table3", cell.name) is not None:
            assert f"{row.value('table3', cell.name):.2f}" in page.tables
        assert f"<td>{max(vals):.2f}</td>" in page.tables
        assert f"<td>{float(np.median(vals)):.2f}</td>" in page.tables
    assert f"best of {len(compared)}" in page.tables
    assert "13B parameters" in page.header  # version 2's form
    assert f"Overall {row.value('table3', 'Overall'):.2f}, rank " in page.header
    m1 = page_of(store, entries, "M1 (7B)")  # no judge: no Overall, and the page says why
    assert "Overall -, not ranked (1 open-ended item(s) unjudged)" in m1.header
    assert page.radar is not None and page.radar.data[-1].name == "M2 (verified)"


def test_failures_count_each_category_and_open_exactly_those_items(store, entries):
    page = page_of(store, entries, "M2")
    by = {(r.group, r.category): r for r in page.failure_rows}
    # Version 2 of M2 misses items 3, 5 and 7, and its OE answer (item 6) is judged wrong.
    assert (by["Image Sources", "NIs"].wrong, by["Image Sources", "NIs"].items) == (1, 3)
    assert by["Image Sources", "NIs"].examples == ("q007",)
    assert by["Question Types", "OE"].wrong == 1 and by["Question Types", "OE"].share == 100
    assert by["Image Sources", "AIs"].wrong == 0 and by["Image Sources", "AIs"].link == ""
    m1 = page_of(store, entries, "M1 (7B)")  # unjudged OE: counted neither way
    cgi = next(r for r in m1.failure_rows if r.category == "CGIs")
    assert (cgi.wrong, cgi.unscored, cgi.share) == (0, 1, None)
    assert "Unjudged open-ended items are counted neither way." in m1.failures_note
    frames = {"M2": store.get(page.rows[0].submission_id).items()}
    for r in page.failure_rows:
        if not r.link:
            continue
        query = parse_item_query(dict(parse_qsl(urlsplit(r.link).query)))
        assert query.item == r.examples[0] and query.models == ["M2"]
        assert query.filters.outcome == "any_wrong"
        listed = drilldown.item_list(store.benchmark, frames, query.filters)["ID"].tolist()
        assert len(listed) == r.wrong and listed[: len(r.examples)] == list(r.examples)
    assert (
        mp.failure_link(page.failure_rows, "Image Sources", "NIs")
        == by["Image Sources", "NIs"].link
    )
    grid = page.failures
    assert list(grid.columns) == list(mp.FAILURE_COLUMNS) and len(grid) == 5 + 3 + 4 + 12
    assert page.failures_note.startswith("Most often not right: ")


def test_versions_and_provenance_are_the_row_details_views(store, entries):
    page = page_of(store, entries, "M2")
    v = page.versions
    assert list(v.columns) == list(tv.VERSIONS_HEADERS)
    assert v["Version"].tolist() == [2, 1]  # version 3 is hidden by a moderator
    assert v["Shown"].tolist() == ["◀ shown", ""]
    assert v.iloc[0]["Submission id"] == page.current_id == page.rows[0].submission_id
    assert v.iloc[0]["Overall"] == round(page.rows[0].value("table3", "Overall"), 2)
    prov = dict(page.provenance.itertuples(index=False))
    assert prov["File"] == "m2-v2.jsonl" and prov["Version"] == "2"
    assert store.benchmark.hash in prov["Benchmark"]
    assert prov["Harness"] == tv.NOT_DECLARED


def test_hostile_names_and_links_stay_text(tmp_path_factory):
    evil = "<img src=x onerror=alert(1)>"
    s = filled_store(tmp_path_factory.mktemp("evil"))
    submit(
        s, jsonl(ANSWERS["M2"]), "evil.jsonl", {"model": evil, "link": "https://x.example/?a=1&b=2"}
    )
    ents = verified_entries(s.benchmark, s.submissions())
    evil_page = page_of(s, ents, evil)
    for html in (evil_page.header, evil_page.tables):
        assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in evil_page.header
    assert "href='https://x.example/?a=1&amp;b=2'" in evil_page.header


def test_a_paper_row_shows_its_values_and_says_there_is_no_per_item_data(entries):
    page = mp.build_page("Qwen3-VL (32B)", entries, None)  # type: ignore[arg-type]
    assert page.found and [e.kind for e in page.rows] == ["reported"]
    assert mp.PAPER_NOTE in page.header
    assert page.provenance.iloc[0]["Value"].startswith("from the paper, Table 3")
    assert "<td><b>64.00</b></td>" in page.tables  # the paper's best Overall, in bold
    assert page.failure_rows == [] and mp.PAPER_NOTE in page.failures_note
    assert page.versions.empty


def test_an_unknown_name_gets_suggestions_not_an_error(entries):
    page = mp.build_page("Qwen3 VL 32B", entries, None)  # type: ignore[arg-type]
    assert not page.found and page.radar is None
    assert "No model called <b>Qwen3 VL 32B</b>" in page.header
    assert "Did you mean: Qwen3-VL (32B)" in page.header


def test_the_failure_filters_are_the_categories_fields():
    cell = next(c for c in TABLES["table3"].cells if c.name == "NI")
    assert mp.failure_filters(cell) == drilldown.ItemFilters(image_source="NI", outcome="any_wrong")
    sub = next(c for c in TABLES["table4"].cells if c.name == "Blur")
    assert mp.failure_filters(sub).subdimension == "Blur"
    assert ItemQuery("q001", ["M"], mp.failure_filters(sub)).filters.outcome == "any_wrong"
