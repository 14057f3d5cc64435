"""Drill-down links: one codec writes and reads them (analysis/links.py), so every model
name and filter a link carries comes back as it was written."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from analysis.drilldown import ItemFilters
from analysis.links import ItemQuery, item_link, page_base, parse_item_query

AWKWARD = ["Qwen3-VL 8B", "Foo, v2", "100% & more=yes", "模型", "a,b,,c", "%2C", "x+y"]


def opened(link: str) -> ItemQuery:
    """What the app reads from a link: the decoded query, as a web framework hands it."""
    return parse_item_query(dict(parse_qsl(urlsplit(link).query)))


def test_awkward_model_names_survive_a_round_trip():
    link = item_link("q 01/ä", AWKWARD)
    assert link.startswith("?item=q%2001%2F%C3%A4&models=")
    assert " " not in link and "&more" not in link
    assert opened(link) == ItemQuery("q 01/ä", AWKWARD, ItemFilters())


def test_a_comma_name_stays_one_model_next_to_another():
    query = opened(item_link("q001", ["Foo, v2", "Bar"]))
    assert query.models == ["Foo, v2", "Bar"]


def test_filters_travel_with_the_link_and_defaults_are_left_out():
    filters = ItemFilters(
        image_source="AGI",
        dimension="Tech",
        subdimension="Blur",
        qtype="MC",
        scope="local",
        outcome="all_wrong",
    )
    link = item_link("q001", ["Foo, v2"], filters, base="https://space.example/app/")
    assert link.startswith("https://space.example/app/?item=q001&models=Foo%252C%20v2&")
    assert opened(link) == ItemQuery("q001", ["Foo, v2"], filters)
    assert item_link("q001", ["A", "B"], ItemFilters()) == "?item=q001&models=A%2CB"
    assert item_link("q001") == "?item=q001"


def test_unknown_or_hostile_filter_values_are_dropped_on_reading():
    query = parse_item_query(
        {
            "item": "q001",
            "dimension": "Nope",
            "qtype": "<script>",
            "outcome": "javascript:alert(1)",
            "scope": "local",
        }
    )
    assert query.filters == ItemFilters(scope="local")
    assert parse_item_query({}) == ItemQuery(None, [], ItemFilters())


@pytest.mark.parametrize(
    "url, base",
    [
        ("http://127.0.0.1:7860/?item=q001&models=A#top", "http://127.0.0.1:7860/"),
        ("https://user-space.hf.space/sub/path?x=1", "https://user-space.hf.space/sub/path"),
        ("https://host.example", "https://host.example/"),
        ("javascript:alert(1)//http://x", ""),
        ("/relative?item=1", ""),
        ("", ""),
        (None, ""),
        ("http://[::1", ""),
    ],
)
def test_the_page_base_keeps_scheme_host_and_path_only(url, base):
    assert page_base(url) == base


def _request(headers: dict[str, str]):
    """A Gradio request as the queue sees it: the POST to /gradio_api/queue/join."""
    import gradio as gr
    from starlette.requests import Request

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/gradio_api/queue/join",
        "query_string": b"item=q001",
        "root_path": "",
        "scheme": "http",
        "server": ("10.0.0.1", 7860),
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    return gr.Request(request=Request(scope))


@pytest.mark.parametrize(
    "headers, base",
    [
        (
            {"host": "127.0.0.1:7860", "referer": "http://127.0.0.1:7860/app/?item=q1#x"},
            "http://127.0.0.1:7860/app/",
        ),
        ({"host": "127.0.0.1:7860"}, "http://127.0.0.1:7860/"),  # no Referer: the app's root
        (
            {
                "host": "10.0.0.1:7860",
                "x-forwarded-host": "space.example",
                "x-forwarded-proto": "https",
            },
            "https://space.example/",
        ),  # behind a proxy
    ],
)
def test_share_links_start_at_the_page_the_visitor_is_on(headers, base):
    from ui.tabs.drilldown import page_url

    assert page_url(_request(headers)) == base
    assert page_url(None) == ""
