"""The board's own link (?table=&sort=&order=&q=&kinds=&weights=&sizes=&ci=): written and read
by the one link codec, every parameter left out at its default, visitor input made safe."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from analysis.links import (
    MAX_SEARCH_CHARS,
    BoardQuery,
    board_link,
    parse_board_query,
    parse_item_query,
    parse_model_query,
)


def read(link: str) -> BoardQuery:
    """As the browser (and Starlette) decode a query: blank values kept."""
    return parse_board_query(dict(parse_qsl(urlsplit(link).query, keep_blank_values=True)))


def test_the_default_board_is_the_bare_page():
    assert board_link(BoardQuery()) == ""
    assert board_link(BoardQuery(), base="https://space.example/") == "https://space.example/"
    # Explicit defaults are defaults: best first by Overall, every filter value ticked.
    assert board_link(BoardQuery(descending=True, kinds=("reported", "verified"))) == ""
    assert read("https://space.example/") == BoardQuery()


@pytest.mark.parametrize(
    "query, link",
    [
        (BoardQuery(table="table4"), "?table=table4"),
        (BoardQuery(sort="MC", descending=False), "?sort=MC&order=asc"),
        (BoardQuery(sort="Model"), "?sort=Model"),  # names A to Z by default
        (BoardQuery(sort="Model", descending=True), "?sort=Model&order=desc"),
        (BoardQuery(kinds=("verified",), intervals=True), "?kinds=verified&ci=1"),
        (BoardQuery(kinds=()), "?kinds="),  # nothing ticked is a state too
        (
            BoardQuery("table6", "SC_Global", False, "Foo, v2 & 100%", sizes=("< 5B", "≥ 50B")),
            "?table=table6&sort=SC_Global&order=asc&q=Foo%2C%20v2%20%26%20100%25"
            "&sizes=%3C%205B%2C%E2%89%A5%2050B",
        ),
    ],
)
def test_a_board_state_is_one_link_in_a_fixed_order_and_reads_back(query, link):
    assert board_link(query) == link
    assert read(link) == query
    # A board link names no other tab's view.
    params = dict(parse_qsl(urlsplit(link).query))
    assert parse_item_query(params).item is None and parse_model_query(params) is None


def test_filter_values_are_written_in_their_canonical_order():
    assert board_link(BoardQuery(weights=("unknown", "open"))) == "?weights=open%2Cunknown"


def test_a_hostile_or_stale_board_link_falls_back_to_what_the_board_can_show():
    got = read(
        "?table=table9&sort=__proto__&order=sideways&q="
        + "x" * (MAX_SEARCH_CHARS + 50)
        + "&kinds=verified,admin&weights=<script>&ci=yes"
    )
    assert got.table == "table3" and got.sort == "Overall"
    assert got.descending is None  # "sideways" is not "asc": best first, the default
    assert got.search == "x" * MAX_SEARCH_CHARS
    assert got.kinds == ("verified",) and got.weights == () and got.sizes is None
    assert got.intervals is False
    # A sort the table lacks (Table 4 has no MC) is the default sort, not a leaked direction.
    assert read("?table=table4&sort=MC&order=asc") == BoardQuery(table="table4")
