"""The API's one error shape through the launched app (`python app.py`, gradio_client): every
endpoint family refuses a call by raising AppError whose message names the argument at
fault (or, when none is, says why), nothing stored changes, and a success carries no `ok`
or `error` field.

One app with two accounts (alice, bob: QBP_LOCAL_TOKENS, no anonymous local user) and an
admin token, so the admin endpoints are there too.
"""

from __future__ import annotations

import pytest

from leaderboard.label_flags import flags_root
from tests.conftest import DEMO
from tests.support.apierrors import refusal
from tests.support.applaunch import launched_app

pytestmark = pytest.mark.app

SECRET = "refusal-admin-token-0123456789"
ALICE, BOB = "tok-alice-refusals", "tok-bob-refusals"
ENV = {
    "QBP_LOCAL_TOKENS": f"{ALICE}:alice,{BOB}:bob",
    "QBP_LOCAL_USER": "",
    "QBP_ADMIN_TOKEN": SECRET,
    "QBP_JUDGE": "approx",
    "QBP_SUBMITS_PER_HOUR": "0",
    "QBP_ATTEMPTS_PER_HOUR": "0",
}
PREDS = DEMO / "predictions"
MODEL = "Refusal-VL (7B)"


def as_account(app, token: str | None = None):
    from gradio_client import Client

    return Client(
        app.url, oauth_token=token, verbose=False, download_files=False, analytics_enabled=False
    )


def upload(file: str = "tersenet.jsonl"):
    from gradio_client import handle_file

    return handle_file(str(PREDS / file))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The app, alice's and bob's clients, and alice's stored submission of MODEL."""
    with launched_app(tmp_path_factory.mktemp("refusals"), env=ENV) as app:
        alice, bob = as_account(app, ALICE), as_account(app, BOB)
        first = alice.predict(file=upload(), model=MODEL, params="7B", api_name="/submit")
        yield app, alice, bob, first["submission_id"]


def board(client) -> list[tuple[str, str | None, bool]]:
    """What the board shows of the verified rows: (model, submission id, held for review)."""
    rows = client.predict(table="table3", kinds=["verified"], api_name="/leaderboard")
    return [(r["model"], r["submission_id"], bool(r["under_review"])) for r in rows]


def stored_state(app, client) -> tuple:
    """Everything a refusal must leave alone: the stored folders, the rows on the board, the
    label flags and the change records."""
    flags = flags_root(app.submissions)
    listed = sorted(p.name for p in flags.iterdir()) if flags.is_dir() else []
    return app.stored(), board(client), listed, client.predict(api_name="/changes")


def test_a_success_has_no_ok_or_error_field(world):
    app, alice, _, sub_id = world
    out = alice.predict(file=upload("chattyvlm.jsonl"), model="Second-VL", api_name="/submit")
    assert not {"ok", "error"} & set(out) and out["submission_id"] in app.stored()
    assert "owned by alice" in out["message"]
    done = alice.predict(model="Second-VL", api_name="/withdraw")
    assert set(done) == {"message", "withdrawn"} and done["withdrawn"] == [out["submission_id"]]
    judged = alice.predict(submission_id=sub_id, api_name="/rejudge")
    assert "ok" not in judged and judged["judge_failed_now"] == 0
    assert judged["message"].startswith("nothing to re-judge")


def test_submit_by_another_account_or_with_a_bad_file_names_the_argument(world, tmp_path):
    from gradio_client import handle_file

    app, alice, bob, _ = world
    before = stored_state(app, alice)
    text = refusal(
        bob, file=upload("random_guess.jsonl"), model="refusal-vl (7b)", api_name="/submit"
    )
    assert text.startswith(f"model: model name 'refusal-vl (7b)' is the same name as '{MODEL}'"), (
        text
    )
    assert "belongs to the account 'alice'" in text
    assert "nothing was stored" in text
    bad = tmp_path / "bad.csv"
    bad.write_text("id,prediction\nqbp-00001,B\nqbp-00001,C\n")
    text = refusal(alice, file=handle_file(str(bad)), model="Bad File VL", api_name="/submit")
    assert text.startswith("file: ") and "duplicate id" in text and "qbp-00001" in text, text
    text = refusal(
        alice, file=upload(), model="Linked-VL", link="javascript:alert(1)", api_name="/submit"
    )
    assert text == "link: Link must be an http(s) URL"
    text = refusal(alice, file=upload(), model="Hot-VL", temperature=9.0, api_name="/submit")
    assert text.startswith("temperature: Temperature must be between 0 and "), text
    text = refusal(as_account(app), file=upload(), model="Anon-VL", api_name="/submit")
    assert text.startswith("oauth_token: no account"), text
    assert stored_state(app, alice) == before


def test_withdraw_and_rejudge_of_a_row_you_do_not_own(world):
    app, alice, bob, sub_id = world
    before = stored_state(app, alice)
    text = refusal(bob, model=MODEL, api_name="/withdraw")
    assert text.startswith("model: ") and "only that account or an admin" in text, text
    text = refusal(bob, model="  ", api_name="/withdraw")
    assert text == "model: type the name of the model to withdraw"
    text = refusal(bob, submission_id=sub_id, api_name="/rejudge")
    assert text == (
        "submission_id: only the account that owns this model name, or the admin token, "
        "may re-judge it"
    )
    text = refusal(alice, submission_id="20990101T000000000000Z-000000000000", api_name="/rejudge")
    assert text.startswith("submission_id: no stored submission '20990101T"), text
    text = refusal(bob, submission_id=sub_id, token="not-the-token", api_name="/rejudge")
    assert text == "token: wrong admin token"
    assert stored_state(app, alice) == before


def test_flag_item_on_an_unknown_item_or_without_a_reason(world):
    app, alice, _, _ = world
    before = stored_state(app, alice)
    text = refusal(
        alice, item_id="qbp-99999", reason="the key looks wrong to me", api_name="/flag_item"
    )
    assert text == "item_id: item 'qbp-99999' is not a benchmark item"
    text = refusal(alice, item_id="qbp-00001", reason="no", api_name="/flag_item")
    assert text.startswith("reason: Reason is too short"), text
    assert stored_state(app, alice) == before


def test_admin_endpoints_with_a_wrong_token_or_an_unknown_row(world):
    app, alice, _, sub_id = world
    before = stored_state(app, alice)
    text = refusal(
        alice, submission_id=sub_id, hidden=True, token="guess", reason="", api_name="/moderate"
    )
    assert text == "token: wrong admin token"
    text = refusal(
        alice, submission_id="nope", hidden=True, token=SECRET, reason="", api_name="/moderate"
    )
    assert text == "submission_id: no stored submission 'nope'"
    text = refusal(
        alice,
        submission_id=sub_id,
        hidden=True,
        token=SECRET,
        reason="a\u202eb",
        api_name="/moderate",
    )
    assert text.startswith("reason: Reason contains a control or invisible character"), text
    text = refusal(alice, submission_id=sub_id, token="guess", api_name="/review_clear")
    assert text == "token: wrong admin token"
    text = refusal(alice, submission_id=sub_id, token=SECRET, api_name="/review_clear")
    assert text == f"submission_id: {MODEL} version 1 is not under review"
    text = refusal(
        alice, submission_id=sub_id, judge="approx", token="guess", api_name="/rejudge_with"
    )
    assert text == "token: wrong admin token"
    text = refusal(
        alice, submission_id=sub_id, judge="oracle", token=SECRET, api_name="/rejudge_with"
    )
    assert text == "judge: unknown judge 'oracle'; one of approx, openai"
    assert stored_state(app, alice) == before


def test_read_endpoints_name_the_bad_argument(world):
    app, alice, _, _ = world
    text = refusal(alice, table="NIs", api_name="/leaderboard")
    assert text.startswith("table: unknown table 'NIs'; one of Table 3 (table3)"), text
    text = refusal(alice, table="Table 4", sort_by="Overal", api_name="/leaderboard")
    assert text.startswith("sort_by: no column 'Overal' in Table 4"), text
    assert refusal(alice, item_id="qbp-99999", api_name="/item") == (
        "item_id: no item with id 'qbp-99999' in the loaded benchmark"
    )
    text = refusal(alice, model_a=MODEL, model_b="Nobody", api_name="/compare")
    assert text.startswith("model_b: 'Nobody' is not a verified model; verified: "), text
    assert MODEL in text
    assert refusal(alice, row="Nobody", api_name="/provenance") == (
        "row: no model named 'Nobody' on the board"
    )
    assert refusal(alice, record_id="nope", api_name="/changes") == (
        "record_id: no change record with id 'nope'"
    )
    assert refusal(alice, limit=0, api_name="/changes") == (
        "limit: must be a whole number from 1 to 1000; got '0'"
    )
    text = refusal(alice, row=MODEL, api_name="/version_diff")
    assert text.startswith("row: ") and "no earlier visible version" in text, text
    text = refusal(alice, row=MODEL, api_name="/judge_agreement")
    assert text.startswith("row: ") and "judged by one judge only" in text, text
