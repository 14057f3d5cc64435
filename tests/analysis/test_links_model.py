"""Model page links (?model=NAME): written and read by the one link codec."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from analysis.links import MAX_MODEL_CHARS, model_link, parse_item_query, parse_model_query

AWKWARD = ["Qwen3-VL (32B)", "Foo, v2", "100% & more=yes", "模型", "a+b #1"]


@pytest.mark.parametrize("name", AWKWARD)
def test_a_model_name_survives_a_round_trip(name):
    link = model_link(name, base="https://space.example/app/")
    assert link.startswith("https://space.example/app/?model=")
    assert " " not in link and "&more" not in link and "#" not in link
    params = dict(parse_qsl(urlsplit(link).query))
    assert parse_model_query(params) == name
    assert parse_item_query(params).item is None  # not a drill-down link


def test_an_empty_or_overlong_model_is_no_model():
    assert model_link("M") == "?model=M"
    assert parse_model_query({}) is None
    assert parse_model_query({"model": "   "}) is None
    assert parse_model_query({"model": "x" * (MAX_MODEL_CHARS + 1)}) is None
    assert parse_model_query({"model": "  M2 "}) == "M2"
