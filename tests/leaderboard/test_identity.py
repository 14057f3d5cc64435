"""Who is asking (issue 10): an account proven by a sign-in or a token, never a typed name;
the local user offline; Hub tokens checked by whoami, cached, and refused ones throttled."""

from __future__ import annotations

import httpx
import pytest

from leaderboard.identity import (
    DEFAULT_LEGACY_OWNER,
    HUB,
    LOCAL,
    TOKEN_CACHE_SECONDS,
    TOKEN_TRIES,
    Identities,
    IdentityError,
    IdentitySettings,
    hub_verifier,
    parse_tokens,
)
from leaderboard.limits import RateLimitError
from leaderboard.settings import SettingError

TOKENS = "tok-alice-0001:alice, tok-bob-00002:bob"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingVerifier:
    """A Hub stand-in: these tokens are these users; counts the calls."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known, self.calls = known, 0

    def __call__(self, token: str) -> str | None:
        self.calls += 1
        return self.known.get(token)


def test_off_spaces_the_local_user_is_whoever_has_no_token():
    ids = Identities.from_env({})
    assert ids.settings.mode == LOCAL and ids.settings.legacy_owner == DEFAULT_LEGACY_OWNER
    who = ids.resolve()
    assert (who.name, who.via) == ("local", "local")
    assert Identities.from_env({"QBP_LOCAL_USER": " ana "}).resolve().name == "ana"
    # a signed-in name means nothing off the Hub (nothing could have signed it)
    assert ids.resolve(signed_in="alice").name == "local"


def test_local_tokens_give_their_accounts_and_an_unknown_token_is_refused():
    ids = Identities.from_env({"QBP_LOCAL_TOKENS": TOKENS})
    assert ids.resolve(token="tok-alice-0001").name == "alice"
    assert ids.resolve(token=" tok-bob-00002 ").name == "bob"
    with pytest.raises(IdentityError, match="token was not accepted"):
        ids.resolve(token="tok-alice-0002")
    with pytest.raises(IdentityError, match="token was not accepted"):
        ids.resolve(token="пароль-\ud800")  # no crash on text no token can be


def test_without_a_local_user_a_token_is_needed():
    ids = Identities.from_env({"QBP_LOCAL_USER": "", "QBP_LOCAL_TOKENS": TOKENS})
    with pytest.raises(IdentityError, match="no local user"):
        ids.resolve()
    assert ids.resolve(token="tok-bob-00002").name == "bob"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"QBP_LOCAL_TOKENS": "tok-alice-0001"}, "entry 1 is not token:name"),
        ({"QBP_LOCAL_TOKENS": "tok-alice-0001:alice,short:bob"}, "entry 2 is shorter than 8"),
        ({"QBP_LOCAL_TOKENS": "tok-alice-0001:alice,tok-alice-0001:bob"}, "repeats a token"),
        ({"QBP_LOCAL_TOKENS": "tok-alice-0001:ali\u202ece"}, "control or invisible"),
        ({"QBP_IDENTITY": "ldap"}, "QBP_IDENTITY must be 'hub' or 'local'"),
    ],
)
def test_bad_identity_settings_stop_start_up_naming_the_variable(env, message):
    with pytest.raises(SettingError, match=message):
        IdentitySettings.from_env(env)


def test_on_spaces_the_hub_decides_and_oauth_shows_the_sign_in():
    settings = IdentitySettings.from_env({"SPACE_ID": "org/space"})
    assert settings.mode == HUB and not settings.oauth
    space = {"SPACE_ID": "o/s", "SYSTEM": "spaces", "OAUTH_CLIENT_ID": "x"}
    assert IdentitySettings.from_env(space).oauth
    # off a real Space, Gradio's sign-in would need this machine's own HF login: no button
    assert not IdentitySettings.from_env({**space, "SYSTEM": ""}).oauth
    assert not IdentitySettings.from_env({**space, "QBP_IDENTITY": "local"}).oauth
    assert IdentitySettings.from_env({"SPACE_ID": "o/s", "QBP_IDENTITY": "local"}).mode == LOCAL
    admins = IdentitySettings.from_env({"QBP_ADMIN_USERS": "root, ops"}).admins
    assert admins == frozenset({"root", "ops"})


def test_hub_mode_takes_the_signed_in_user_or_a_verified_token_never_nothing():
    verifier = CountingVerifier({"hf_alice": "alice"})
    ids = Identities(IdentitySettings(mode=HUB), verifier=verifier)
    assert ids.resolve(signed_in="carol").name == "carol"
    assert ids.resolve(signed_in="carol").via == "oauth"
    assert ids.resolve(token="hf_alice").name == "alice"
    with pytest.raises(IdentityError, match="sign in with Hugging Face"):
        ids.resolve()
    with pytest.raises(IdentityError, match="Hugging Face does not know it"):
        ids.resolve(token="hf_mallory")
    # the local user and the local tokens do not exist on the Hub
    with pytest.raises(IdentityError, match="sign in"):
        Identities(IdentitySettings(mode=HUB, local_user="local"), verifier=verifier).resolve()


def test_verified_tokens_are_cached_for_a_while_then_checked_again():
    clock, verifier = Clock(), CountingVerifier({"hf_alice": "alice"})
    ids = Identities(IdentitySettings(mode=HUB), verifier=verifier, clock=clock)
    for _ in range(5):
        assert ids.from_token("hf_alice").name == "alice"
    assert verifier.calls == 1
    clock.now += TOKEN_CACHE_SECONDS + 1
    ids.from_token("hf_alice")
    assert verifier.calls == 2


def test_refused_tokens_are_throttled_per_client_and_good_ones_cost_nothing():
    clock, verifier = Clock(), CountingVerifier({"hf_alice": "alice", "hf_bob": "bob"})
    ids = Identities(IdentitySettings(mode=HUB), verifier=verifier, clock=clock)
    for _ in range(3 * TOKEN_TRIES):  # a good token never runs out
        ids.from_token("hf_alice", client="ip:1")
        clock.now += TOKEN_CACHE_SECONDS + 1
    for n in range(TOKEN_TRIES):
        with pytest.raises(IdentityError):
            ids.resolve(token=f"hf_guess{n}", client="ip:1")
    calls = verifier.calls
    with pytest.raises(RateLimitError, match="refused tokens per 15 minutes"):
        ids.resolve(token="hf_bob", client="ip:1")
    assert verifier.calls == calls  # the Hub is not asked while the client waits
    assert ids.resolve(token="hf_bob", client="ip:2").name == "bob"  # others unaffected


def _hub_error(status: int):
    from huggingface_hub.errors import HfHubHTTPError

    request = httpx.Request("GET", "https://huggingface.co/api/whoami-v2")
    return HfHubHTTPError("refused", response=httpx.Response(status, request=request))


def test_hub_verifier_reads_whoami_and_tells_a_refusal_from_an_outage(monkeypatch):
    import huggingface_hub

    answers = {
        "hf_user": {"type": "user", "name": "alice"},
        "hf_org": {"type": "org", "name": "some-org"},
    }

    def whoami(token, cache=False):
        if token == "hf_bad":
            raise _hub_error(401)
        if token == "hf_down":
            raise _hub_error(503)
        if token == "hf_offline":
            raise httpx.ConnectError("no route to host")
        return answers[token]

    monkeypatch.setattr(huggingface_hub, "whoami", whoami)
    assert hub_verifier("hf_user") == "alice"
    assert hub_verifier("hf_org") is None  # an organisation's token is nobody's account
    assert hub_verifier("hf_bad") is None
    assert hub_verifier("hf_\u00e9t\u00e9") is None  # not a token; never sent to the Hub
    for token in ("hf_down", "hf_offline"):
        with pytest.raises(IdentityError, match="could not be checked now"):
            hub_verifier(token)


def test_parse_tokens_skips_empty_entries():
    assert parse_tokens(" , tok-alice-0001:alice ,") == {"tok-alice-0001": "alice"}
