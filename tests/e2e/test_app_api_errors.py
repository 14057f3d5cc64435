"""The API's one error shape, through the launched app with gradio_client: a bad argument
is refused with a message that names it (AppError), whatever the endpoint; tables and
cells are taken by key or by label."""

from __future__ import annotations

from itertools import groupby

import pytest

from tests.support.apierrors import refusal

pytestmark = pytest.mark.app


refused = refusal  # the AppError's message


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"table": "table9"}, "table: unknown table 'table9'; one of Table 3 (table3)"),
        (
            {"table": "table6", "sort_by": "NIs"},
            "sort_by: no column 'NIs' in Table 6; one of SC Global",
        ),
        (
            {"table": "Table 5", "sort_by": "Tech."},
            "sort_by: 'Tech.' is more than one column of Table 5; name its group too",
        ),
        ({"kinds": ["admin"]}, "kinds: unknown value 'admin'; allowed: reported, verified"),
        ({"weights": ["heavy"]}, "weights: unknown value 'heavy'; allowed: open, closed, unknown"),
    ],
)
def test_leaderboard_names_the_bad_argument(client, kwargs, message):
    text = refused(client, api_name="/leaderboard", **kwargs)
    assert text.startswith(message), text
    assert "upstream Gradio app" not in text


def sorted_within_sections(rows: list[dict], cell: str) -> bool:
    """Each section of the board (the paper's open and closed rows, the verified rows)
    is best first by `cell`."""
    for _, group in groupby(rows, key=lambda r: r["section"]):
        values = [r[cell] for r in group if r[cell] is not None and not r["baseline"]]
        if values != sorted(values, reverse=True):
            return False
    return True


def test_leaderboard_takes_labels_and_keys_alike(client):
    by_key = client.predict(table="table3", sort_by="NI", api_name="/leaderboard")
    by_label = client.predict(table="Table 3", sort_by="NIs", api_name="/leaderboard")
    assert by_key == by_label and len(by_label) > 10
    assert sorted_within_sections(by_label, "NI")
    fine = client.predict(
        table="table5", sort_by="NIs Tech.", kinds=["Reported"], api_name="/leaderboard"
    )
    assert sorted_within_sections(fine, "NI_Tech")
    assert {r["kind"] for r in fine if not r["baseline"]} == {"reported"} and len(fine) > 10


def test_item_and_compare_refuse_the_same_way(client, app_server):
    a, b = app_server.state.verified_models()[:2]
    text = refused(client, item_id="nope", api_name="/item")
    assert text == "item_id: no item with id 'nope' in the loaded benchmark"
    item_id = app_server.state.bench.items["id"].iloc[0]
    text = refused(client, item_id=item_id, models=[a, "No such model"], api_name="/item")
    assert text.startswith("models: 'No such model' is not a verified model; verified: ")
    assert a in text
    text = refused(client, model_a=a, model_b="No such model", api_name="/compare")
    assert text.startswith("model_b: 'No such model' is not a verified model")
    text = refused(client, model_a="nope", model_b=b, api_name="/compare")
    assert text.startswith("model_a: 'nope' is not a verified model")
    # Names as the store matches them: case and spacing do not matter.
    out = client.predict(model_a=a.upper(), model_b=f"  {b} ", api_name="/compare")
    assert (out["model_a"], out["model_b"]) == (a, b)
