"""Red team, issue 10 (identity, ownership, moderation): the attacks, made against the launched
app (`python app.py` in a subprocess) through gradio_client and raw queue calls, held.

Accounts are proven by tokens (QBP_LOCAL_TOKENS here; a Hugging Face token verified by whoami
on a Space, see the hub-mode test), sent the way gradio_client sends them to endpoints that
take one: `Client(url, oauth_token=...)`.
"""

from __future__ import annotations

import contextlib

import httpx
import pytest

from tests.conftest import DEMO
from tests.support import rawqueue
from tests.support.apierrors import refusal
from tests.support.applaunch import launched_app
from tests.support.hub_stub import HubStub

pytestmark = pytest.mark.app

SECRET = "s3cret-admin-token-0123456789"
ALICE, BOB, ROOT = "tok-alice-0001", "tok-bob-00002", "tok-root-00003"
ENV = {
    "QBP_LOCAL_TOKENS": f"{ALICE}:alice,{BOB}:bob,{ROOT}:root",
    "QBP_LOCAL_USER": "",  # no anonymous local user: every call names its account
    "QBP_ADMIN_TOKEN": SECRET,
    "QBP_ADMIN_USERS": "root",
    "QBP_SUBMITS_PER_HOUR": "0",
    "QBP_ATTEMPTS_PER_HOUR": "0",
}
PREDS = DEMO / "predictions"
VICTIM = "Victim-VL (7B)"


def client(app, token: str | None = None):
    from gradio_client import Client

    return Client(
        app.url, oauth_token=token, verbose=False, download_files=False, analytics_enabled=False
    )


def submit(c, model: str, file: str = "tersenet.jsonl") -> dict:
    from gradio_client import handle_file

    return c.predict(
        file=handle_file(str(PREDS / file)), model=model, params="7B", api_name="/submit"
    )


def refused_submit(c, model: str, file: str = "tersenet.jsonl") -> str:
    """The AppError message of a refused /submit."""
    from gradio_client import handle_file

    return refusal(
        c, file=handle_file(str(PREDS / file)), model=model, params="7B", api_name="/submit"
    )


def rows(c, search: str) -> list[dict]:
    return c.predict(table="table3", search=search, api_name="/leaderboard")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with launched_app(tmp_path_factory.mktemp("owned"), env=ENV) as proc:
        yield proc


@pytest.fixture(scope="module")
def alice(app):
    return client(app, ALICE)


@pytest.fixture(scope="module")
def bob(app):
    return client(app, BOB)


def test_impersonation_by_another_account_is_refused_and_nothing_stored(app, alice, bob):
    first = submit(alice, VICTIM)
    assert "owned by alice" in first["message"] and first["row"]["owner"] == "alice"
    before = app.stored()
    for name in ("victim-vl  (7b)", "Victim-VL\u00a0(7B)", "Victirn-VL (7B)"):
        text = refused_submit(bob, name, "random_guess.jsonl")
        assert text.startswith("model: ") and "belongs to the account 'alice'" in text, text
        assert "'Victim-VL (7B)'" in text and "nothing was stored" in text
    text = refused_submit(bob, "Victim-VL (7\u0412)", "random_guess.jsonl")  # a Cyrillic "В"
    assert text.startswith("model: ")
    assert "U+0412 CYRILLIC CAPITAL LETTER VE at position 13 looks like the ASCII 'B'" in text
    assert app.stored() == before
    board = rows(alice, "victim")
    assert [(r["model"], r["owner"]) for r in board] == [(VICTIM, "alice")]
    assert board[0]["submission_id"] == first["submission_id"]


def test_after_a_moderator_hides_it_another_account_cannot_take_it_over(app, alice, bob):
    first = submit(alice, "Hidden-VL")
    hidden = client(app).predict(
        submission_id=first["submission_id"],
        hidden=True,
        token=SECRET,
        reason="test",
        api_name="/moderate",
    )
    assert hidden == {"submission_id": first["submission_id"], "model": "Hidden-VL", "hidden": True}
    before = app.stored()
    text = refused_submit(bob, "hidden-vl", "random_guess.jsonl")
    assert text.startswith("model: ") and "belongs to the account 'alice'" in text
    assert app.stored() == before and rows(bob, "hidden-vl") == []


def test_a_paper_model_name_cannot_be_taken(app, alice):
    before = app.stored()
    for name in ("Qwen3-VL (8B)", "qwen3-vl  (8b)"):
        text = refused_submit(alice, name)
        assert text.startswith("model: ") and "is a model reported in the paper" in text
    assert app.stored() == before
    assert {r["kind"] for r in rows(alice, "Qwen3-VL (8B)")} == {"reported"}


def test_the_owner_adds_version_2_and_withdraws_and_the_name_stays_theirs(app, alice, bob):
    v1 = submit(alice, "Owner-VL", "simvl_tiny.jsonl")
    v2 = submit(alice, "owner-vl", "chattyvlm.jsonl")
    assert "(version 2, owned by alice)" in v2["message"]
    assert [r["submission_id"] for r in rows(bob, "owner-vl")] == [v2["submission_id"]]
    text = refusal(bob, model="Owner-VL", api_name="/withdraw")
    assert text.startswith("model: ") and "only that account or an admin" in text
    assert [r["submission_id"] for r in rows(bob, "owner-vl")] == [v2["submission_id"]]
    done = alice.predict(model="Owner-VL", api_name="/withdraw")
    assert set(done["withdrawn"]) == {v1["submission_id"], v2["submission_id"]}
    assert rows(bob, "owner-vl") == []
    assert {v1["submission_id"], v2["submission_id"]} <= set(app.stored())  # nothing deleted
    before = app.stored()
    text = refused_submit(bob, "Owner-VL", "random_guess.jsonl")
    assert text.startswith("model: ") and "belongs to the account 'alice'" in text
    assert app.stored() == before


def test_an_admin_account_may_add_a_version_of_any_name(app, alice):
    first = submit(alice, "Admin-Fix-VL")
    out = submit(client(app, ROOT), "admin-fix-vl", "chattyvlm.jsonl")
    assert first["row"]["owner"] == "alice" and out["row"]["owner"] == "alice", out["message"]
    assert "(version 2, owned by alice)" in out["message"]


def test_a_call_without_a_valid_token_has_no_account(app):
    before = app.stored()
    text = refused_submit(client(app), "Anon-VL")
    assert text.startswith("oauth_token: no account"), text
    text = refused_submit(client(app, "tok-forged-999"), "Anon-VL")
    assert text.startswith("oauth_token: the token was not accepted"), text
    assert app.stored() == before


def test_hidden_submissions_are_not_listed_without_the_admin_token(app, alice):
    out = submit(alice, "Secretly-Hidden-VL", "bilingualvl.jsonl")
    sub_id = out["submission_id"]
    client(app).predict(
        submission_id=sub_id, hidden=True, token=SECRET, reason="", api_name="/moderate"
    )
    cfg = rawqueue.config(app.url)
    listing = rawqueue.event_index(cfg, ["mod-token"], ["mod-pick", "mod-out"])
    for token in ("", "not-the-admin-token"):  # what any visitor can send
        msg = rawqueue.call(app.url, listing, [token])
        pick, problem = msg["output"]["data"]
        assert pick["choices"] == [] and "wrong admin token" in problem
        assert sub_id not in str(msg)
    msg = rawqueue.call(app.url, listing, [SECRET])
    choices = {value: label for label, value in msg["output"]["data"][0]["choices"]}
    assert choices[sub_id].endswith("· hidden")


def test_admin_token_guesses_are_throttled_through_the_api_and_the_ui(tmp_path):
    with launched_app(tmp_path, env=ENV) as app:
        c = client(app, ALICE)
        sub_id = submit(c, "Guarded-VL")["submission_id"]
        listing = rawqueue.event_index(
            rawqueue.config(app.url), ["mod-token"], ["mod-pick", "mod-out"]
        )
        for n in range(5):
            if n % 2:
                problem = rawqueue.call(app.url, listing, [f"guess-{n}"])["output"]["data"][1]
            else:
                problem = refusal(
                    c,
                    submission_id=sub_id,
                    hidden=True,
                    token=f"guess-{n}",
                    reason="",
                    api_name="/moderate",
                )
            assert "wrong admin token" in problem, n
        text = refusal(
            c, submission_id=sub_id, hidden=True, token=SECRET, reason="", api_name="/moderate"
        )
        assert text.startswith("token: rate limit: ")
        assert "at most 5 admin-token attempts per 15 minutes" in text
        pick, problem = rawqueue.call(app.url, listing, [SECRET])["output"]["data"]
        assert pick["choices"] == [] and "rate limit" in problem
        assert [r["model"] for r in rows(c, "Guarded-VL")] == ["Guarded-VL"]  # not hidden


def test_on_a_space_accounts_are_hugging_face_accounts(tmp_path):
    """Hub mode, offline: whoami answered by a loopback stand-in for huggingface.co, and the
    Space's OAuth settings as `hf_oauth: true` provides them (the sign-in routes are real)."""
    with HubStub({"hf_alice_token": "alice"}) as hub:
        env = {
            "SYSTEM": "spaces",
            "SPACE_ID": "qbp/leaderboard",
            "HF_ENDPOINT": hub.url,
            "OAUTH_CLIENT_ID": "client-123",
            "OAUTH_CLIENT_SECRET": "secret-456",
            "OAUTH_SCOPES": "openid profile",
            "OPENID_PROVIDER_URL": hub.url,
            "QBP_LOCAL_TOKENS": f"{ALICE}:alice",
        }  # ignored on a Space
        with launched_app(tmp_path, env=env) as app:
            before = app.stored()
            text = refused_submit(client(app), "Hub-VL")
            assert text.startswith("oauth_token: sign in with Hugging Face"), text
            text = refused_submit(client(app, ALICE), "Hub-VL")
            assert text.startswith("oauth_token: ") and "Hugging Face does not know it" in text
            assert app.stored() == before
            mine = client(app, "hf_alice_token")
            first = submit(mine, "Hub-VL")
            second = submit(mine, "hub-vl", "chattyvlm.jsonl")
            assert first["row"]["owner"] == "alice"
            assert second["row"]["owner"] == "alice" and "version 2" in second["message"]
            assert hub.whoami_calls.count("hf_alice_token") == 1  # verified once, cached
            # the Submit tab offers the real sign-in, which sends the visitor to the provider
            cfg = rawqueue.config(app.url)
            assert any(c.get("props", {}).get("elem_id") == "sub-login" for c in cfg["components"])
            with contextlib.closing(httpx.Client(base_url=app.url)) as http:
                login = http.get("login/huggingface", follow_redirects=False)
            assert login.status_code in (302, 307)
            assert login.headers["location"].startswith(f"{hub.url}/oauth/authorize?")
            assert "client_id=client-123" in login.headers["location"]
