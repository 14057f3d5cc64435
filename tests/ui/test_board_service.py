"""The board's server side (ui/board_table.py): one payload per store generation, the API
and downloads served from its cache, intervals of the table shown, bad requests refused."""

from __future__ import annotations

import json

import pytest

from leaderboard.settings import AppSettings
from tests.support.appdata import jsonl, write_app_bundle
from ui.board_table import BoardRequest, BoardService
from ui.state import AppState


@pytest.fixture()
def service(tmp_path) -> BoardService:
    bundle = write_app_bundle(tmp_path / "bundle")
    state = AppState.start(
        AppSettings(benchmark=str(bundle), submissions_dir=str(tmp_path / "subs"), judge="none")
    )
    state.resamples = 200
    return BoardService(state)


def test_one_payload_per_store_generation_and_a_submit_makes_a_new_one(service):
    first = service.payload_json()
    assert service.payload_json() is first and service.builds == 1
    rows = service.api_rows("table3")
    assert service.api_rows("table3") == rows and service.builds == 1
    data = json.loads(first)
    assert [r["n"] for r in data["rows"] if r["base"]] == ["Random guess"]
    assert "not shown" in data["baseline_note"]  # the tiny bundle is not the paper's
    out = service.state.submit(
        jsonl(["B", "C", "A, C", "True", "False", "x", "D", "A"]),
        "new.jsonl",
        {"model": "Newcomer"},
    )
    assert out.ok
    fresh = json.loads(service.payload_json())
    assert service.builds == 2 and fresh["token"] != data["token"]
    assert "Newcomer" in [r["n"] for r in fresh["rows"]]
    assert any(r["model"] == "Newcomer" for r in service.api_rows("table3"))


def test_the_api_rows_match_the_board_rank_rule_and_sorting(service):
    rows = service.api_rows("table6", sort_by="SC_Global")
    assert rows[0]["baseline"] and rows[0]["rank"] is None
    here = [r for r in rows if r["section"] == "verified"]
    values = [r["SC_Global"] for r in here if r["SC_Global"] is not None]
    assert values == sorted(values, reverse=True)
    assert [r["rank"] for r in here if r["rank"] is not None] == sorted(
        r["rank"] for r in here if r["rank"] is not None
    )
    import gradio as gr

    with pytest.raises(gr.Error, match="sort_by: cannot sort table6 by 'NIs'"):
        service.api_rows("table6", sort_by="NIs")
    with pytest.raises(gr.Error, match="unknown table 'table9'"):
        service.api_rows("table9")


def test_downloads_are_built_on_request_and_follow_the_view(service):
    req = BoardRequest.parse(
        {"table": "table4", "sort": "Model", "desc": False, "kinds": ["verified"]}
    )
    csv_file = service.export(req, "csv")
    assert csv_file["name"] == "qbp_table4.csv"
    lines = csv_file["text"].splitlines()
    assert lines[0].startswith("Section,Rank,Model,Overall (Table 3),Noise,Blur")
    models = [line.split(",")[2] for line in lines[1:]]
    assert models[0] == "Random guess" and models[1:] == sorted(models[1:], key=str.casefold)
    assert service.export(req, "csv")["text"] is csv_file["text"]  # cached
    tex = service.export(req, "tex")["text"]
    assert "\\textit{Verified here" in tex and "\\toprule" in tex
    with pytest.raises(ValueError, match="fmt must be csv or tex"):
        service.export(req, "xlsx")


def test_intervals_cover_the_verified_rows_of_the_table_shown(service):
    reply = service.intervals(BoardRequest.parse({"table": "table4", "sort": "Noise"}))
    data = json.loads(service.payload_json())
    names = {data["rows"][int(i)]["n"] for i in reply["texts"]}
    assert names == {"M1 (7B)", "M2", "M3 (72B)"}
    by_name = {data["rows"][int(i)]["n"]: t for i, t in reply["texts"].items()}
    assert set(by_name["M2"]) == set(data["tables"]["table4"]["v"])  # headline included
    # M3's missing OE answer scores 0, so its Overall is known; M1's OE is unjudged.
    assert by_name["M3 (72B)"]["Overall"] == "62.5 ± 12.5" and by_name["M1 (7B)"]["Overall"] == "-"
    assert by_name["M1 (7B)"]["Noise"] == "100.0 ± 0.0" and by_name["M2"]["Noise"] == "0.0 ± 0.0"
    ranges = {data["rows"][int(i)]["n"]: r for i, r in reply["ranges"].items()}
    assert ranges == {"M1 (7B)": ["1", 1], "M3 (72B)": ["1", 1], "M2": ["3", 2]}  # on Noise
    assert any("resamples" in n for n in reply["notes"])
    assert service.intervals(BoardRequest.parse({"table": "table4", "sort": "Noise"})) is reply


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"table": "table7"}, "unknown table"),
        ({"sort": "NIs"}, "cannot sort table3 by 'NIs'"),
        ({"kinds": ["admin"]}, "kinds must be a list of reported, verified"),
        ({"sizes": "all"}, "sizes must be a list"),
        ({"q": {"$ne": 1}}, "q must be text"),
        ({"desc": "no"}, "desc must be true or false"),
        ("table3", "must be a JSON object"),
    ],
)
def test_a_bad_board_request_names_the_bad_field(bad, message):
    with pytest.raises(ValueError, match=message):
        BoardRequest.parse(bad)


def test_the_page_config_is_current_as_soon_as_a_submit_returns(service):
    from types import SimpleNamespace

    html = SimpleNamespace(value="", _id=7)
    demo = SimpleNamespace(config={"components": [{"id": 7, "props": {"value": "old"}}]})
    service.attach(demo, html)
    service.publish(service.payload_json())
    assert "Newcomer" not in demo.config["components"][0]["props"]["value"]
    out = service.state.submit(jsonl(["B"] * 8), "n.jsonl", {"model": "Newcomer"})
    assert out.ok
    served = json.loads(demo.config["components"][0]["props"]["value"])
    assert (
        "Newcomer" in [r["n"] for r in served["rows"]]
        and html.value == demo.config["components"][0]["props"]["value"]
    )
    service.state.invalidate()  # a moderation does the same
    assert json.loads(html.value)["token"] == service.token()
