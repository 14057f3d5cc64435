"""The UI/API glue of identity (issue 10): the account comes from what Gradio injects (the
signed-in profile, a token) or the local user, never from a typed field; rows name their
owner; the Submit tab's moderation list needs the admin token."""

from __future__ import annotations

import gradio as gr
import pytest

from leaderboard.identity import HUB, SEED_OWNER, Identities, IdentitySettings
from leaderboard.settings import AppSettings
from tests.support.appdata import jsonl, write_app_bundle
from ui.state import AppState

SECRET = "s3cret-token-of-enough-length"


@pytest.fixture()
def state(tmp_path):
    bundle = write_app_bundle(tmp_path / "bundle")
    return AppState.start(
        AppSettings(benchmark=str(bundle), submissions_dir=str(tmp_path / "subs"), judge="none")
    )


@pytest.fixture()
def handlers(state):
    import app as space

    return space.Handlers(state)


def on_the_hub(state, known: dict[str, str]) -> None:
    """The state as on a Space: accounts from the sign-in or a token the Hub knows."""
    state.identity = Identities(IdentitySettings(mode=HUB), verifier=known.get)


def profile(username: str) -> gr.OAuthProfile:
    return gr.OAuthProfile(
        {
            "name": username.title(),
            "preferred_username": username,
            "profile": f"https://huggingface.co/{username}",
            "picture": "",
        }
    )


def upload(tmp_path, answers, name="p.jsonl") -> str:
    path = tmp_path / name
    path.write_bytes(jsonl(answers))
    return str(path)


def test_locally_the_local_user_owns_what_it_submits_and_rows_say_so(state, handlers, tmp_path):
    html = handlers.do_submit(upload(tmp_path, ["B"]), "Mine", "", "", "", request=None)
    assert "owned by local" in html
    rows = {r["model"]: r for r in state.leaderboard_rows("table3", kinds=["verified"])}
    assert rows["Mine"]["owner"] == "local"
    assert rows["M1 (7B)"]["owner"] == SEED_OWNER  # the seeded demo rows
    assert rows["Random guess"]["owner"] is None  # the analytic row has no owner


def test_on_the_hub_the_ui_needs_a_sign_in_and_stores_it_as_the_owner(state, handlers, tmp_path):
    on_the_hub(state, {})
    before = state.store.scan()
    html = handlers.do_submit(upload(tmp_path, ["B"]), "Carol-VL", "", "", "", request=None)
    assert "sign in with Hugging Face" in html and "nothing was stored" in html
    assert len(state.store.scan()) == len(before)
    html = handlers.do_submit(
        upload(tmp_path, ["B"]), "Carol-VL", "", "", "", request=None, profile=profile("carol")
    )
    assert "owned by carol" in html
    stored = {s.meta.model: s for s in state.store.scan()}
    assert stored["Carol-VL"].meta.owner == "carol"
    # another signed-in user cannot add a version
    html = handlers.do_submit(
        upload(tmp_path, ["C"]), "carol-vl", "", "", "", request=None, profile=profile("dave")
    )
    assert "belongs to the account &#x27;carol&#x27;" in html


def test_the_api_account_is_the_tokens_not_a_typed_name(state, handlers, tmp_path):
    on_the_hub(state, {"hf_erin_token": "erin"})
    file = {"path": upload(tmp_path, ["B"]), "orig_name": "p.jsonl"}
    out = handlers.api_submit(
        file, "Erin-VL", request=None, oauth_token=gr.OAuthToken("hf_erin_token", "", 0)
    )
    assert out["row"]["owner"] == "erin", out["message"]
    stored = lambda: [(s.id, s.hidden) for s in state.store.scan()]  # noqa: E731
    before = stored()
    with pytest.raises(gr.Error) as info:
        handlers.api_submit(
            file, "Erin-VL", request=None, oauth_token=gr.OAuthToken("hf_forged", "", 0)
        )
    assert info.value.message.startswith("oauth_token: the token was not accepted")
    with pytest.raises(gr.Error) as info:
        handlers.api_withdraw("Erin-VL", request=None, profile=profile("mallory"))
    assert info.value.message.startswith("model: ") and "only that account or an admin" in (
        info.value.message
    )
    assert stored() == before and "Erin-VL" in state.verified_models()
    out = handlers.api_withdraw(
        "erin-vl", request=None, oauth_token=gr.OAuthToken("hf_erin_token", "", 0)
    )
    assert len(out["withdrawn"]) == 1 and "Withdrawn: Erin-VL" in out["message"]
    assert "Erin-VL" not in state.verified_models()


def test_the_moderation_list_is_empty_without_the_admin_token(state, handlers, monkeypatch):
    monkeypatch.setenv("QBP_ADMIN_TOKEN", SECRET)
    hidden_id = state.seeded[1]
    assert "now hidden" in handlers.hide(hidden_id, SECRET, "spam", None)
    for guess in ("", "not-the-token"):
        pick, problem = handlers.moderation_choices(guess, None)
        assert pick.choices == [] and "admin token" in problem
    pick, problem = handlers.moderation_choices(SECRET, None)
    assert problem == ""
    labels = dict((value, label) for label, value in pick.choices)
    assert labels[hidden_id].endswith("· hidden") and len(labels) == len(state.store.scan())
