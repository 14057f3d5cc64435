"""Who is asking: an account proven by a sign-in or a token, never a name the visitor types.

Two modes, chosen once from the environment (`IdentitySettings.from_env`):

- **hub** (on Hugging Face Spaces, where SPACE_ID is set, or QBP_IDENTITY=hub): the UI's
  account is the Hugging Face user signed in through the Space's OAuth (the session Gradio
  keeps; `hf_oauth: true` in the README front matter); an API caller proves its account with
  a Hugging Face token (`gradio_client.Client(url, oauth_token=...)`), checked with
  `huggingface_hub.whoami`. Nobody is signed in by default.
- **local** (anywhere else, the default): one configured local user (QBP_LOCAL_USER, default
  "local") is whoever uses the app without a token, so a laptop and the tests run offline;
  QBP_LOCAL_TOKENS ("token1:alice,token2:bob") gives API callers other accounts. An empty
  QBP_LOCAL_USER turns the anonymous local user off (then a token is needed).

The account names an owner in the store (`meta.json` "owner", see `leaderboard.ownership`).
Names that cannot be an HF username ("(demo bundle)", "(unclaimed)", with parentheses) are
the store's own owners: no sign-in can ever become them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .errors import InputError
from .forms import MAX_NAME, SubmissionError, clean_text
from .limits import RateLimiter
from .settings import SettingError

log = logging.getLogger(__name__)

MODE_ENV = "QBP_IDENTITY"
LOCAL_USER_ENV = "QBP_LOCAL_USER"
LOCAL_TOKENS_ENV = "QBP_LOCAL_TOKENS"
ADMINS_ENV = "QBP_ADMIN_USERS"
LEGACY_OWNER_ENV = "QBP_LEGACY_OWNER"
HUB, LOCAL = "hub", "local"
DEFAULT_LOCAL_USER = "local"
#: The owner of the demo rows seeded at first start (not a possible HF username).
SEED_OWNER = "(demo bundle)"
#: The owner of submissions stored before names had owners, unless QBP_LEGACY_OWNER says
#: otherwise (not a possible HF username, so only an admin can manage them).
DEFAULT_LEGACY_OWNER = "(unclaimed)"
MIN_TOKEN = 8  # a shorter local token is refused as a setting (too easy to guess)
TOKEN_CACHE_SECONDS = 600.0  # a verified Hub token is trusted this long without a new call
TOKEN_CACHE_SIZE = 1024
TOKEN_TRIES = 20  # tokens a client may have refused ...
TOKEN_PERIOD = 15 * 60.0  # ... per this many seconds (each refusal may cost a Hub call)

#: token -> account name, or None when the token proves nothing; raises IdentityError when
#: it cannot tell now (the Hub is unreachable).
Verifier = Callable[[str], "str | None"]


class IdentityError(InputError):
    """No account could be established for a request; the message says how to get one."""


@dataclass(frozen=True)
class Account:
    """A proven account: its name and how it was proven ("oauth", "token", "local")."""

    name: str
    via: str


def _account_name(value: str, where: str) -> str:
    try:
        name = clean_text(value, MAX_NAME, where, required=True)
    except SubmissionError as exc:
        raise SettingError(str(exc)) from None
    assert name is not None
    return name


def parse_tokens(text: str) -> dict[str, str]:
    """QBP_LOCAL_TOKENS ("token1:alice, token2:bob") as token -> account; SettingError
    naming the entry that is not `token:name` or whose token is too short."""
    tokens: dict[str, str] = {}
    for n, entry in enumerate((e.strip() for e in text.split(",")), start=1):
        if not entry:
            continue
        token, sep, name = entry.partition(":")
        token = token.strip()
        if not sep or not name.strip():
            raise SettingError(f"{LOCAL_TOKENS_ENV}: entry {n} is not token:name")
        if len(token) < MIN_TOKEN:
            raise SettingError(
                f"{LOCAL_TOKENS_ENV}: the token of entry {n} is shorter than {MIN_TOKEN} characters"
            )
        if token in tokens:
            raise SettingError(f"{LOCAL_TOKENS_ENV}: entry {n} repeats a token")
        tokens[token] = _account_name(name, f"{LOCAL_TOKENS_ENV} entry {n}")
    return tokens


@dataclass(frozen=True)
class IdentitySettings:
    """How accounts are established, and which accounts are special."""

    mode: str = LOCAL  # HUB or LOCAL
    local_user: str | None = DEFAULT_LOCAL_USER  # LOCAL: the account of a request w/o token
    local_tokens: Mapping[str, str] = field(default_factory=dict)  # LOCAL: token -> account
    admins: frozenset[str] = frozenset()  # accounts that may manage every model name
    legacy_owner: str = DEFAULT_LEGACY_OWNER  # owner of stored submissions without one
    oauth: bool = False  # HUB on a Space whose OAuth is configured: a sign-in button exists

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> IdentitySettings:
        env = os.environ if env is None else env
        mode = (env.get(MODE_ENV) or "").strip().lower() or (HUB if env.get("SPACE_ID") else LOCAL)
        if mode not in (HUB, LOCAL):
            raise SettingError(f"{MODE_ENV} must be {HUB!r} or {LOCAL!r}, got {mode!r}")
        raw_user = env.get(LOCAL_USER_ENV)
        local_user = (
            DEFAULT_LOCAL_USER
            if raw_user is None
            else _account_name(raw_user, LOCAL_USER_ENV)
            if raw_user.strip()
            else None
        )
        admins = frozenset(
            _account_name(a, ADMINS_ENV)
            for a in (env.get(ADMINS_ENV) or "").split(",")
            if a.strip()
        )
        legacy = (env.get(LEGACY_OWNER_ENV) or "").strip()
        return cls(
            mode=mode,
            local_user=local_user,
            local_tokens=parse_tokens(env.get(LOCAL_TOKENS_ENV) or ""),
            admins=admins,
            legacy_owner=_account_name(legacy, LEGACY_OWNER_ENV)
            if legacy
            else DEFAULT_LEGACY_OWNER,
            # Gradio mounts the real sign-in routes only on a Space (SYSTEM=spaces, SPACE_ID)
            # with the OAuth settings `hf_oauth: true` provides; elsewhere its LoginButton
            # would need this machine's own HF login, so there is no button.
            oauth=(
                mode == HUB
                and env.get("SYSTEM") == "spaces"
                and bool(env.get("SPACE_ID"))
                and bool(env.get("OAUTH_CLIENT_ID"))
            ),
        )


def hub_verifier(token: str) -> str | None:
    """The Hugging Face user a token belongs to (`huggingface_hub.whoami`), None for a token
    the Hub refuses or one that is not a user's; IdentityError when the Hub cannot be asked."""
    import httpx
    from huggingface_hub import whoami
    from huggingface_hub.errors import HfHubHTTPError

    if not token.isascii() or not token.isprintable() or len(token) > 512:
        return None  # no Hub token looks like this (and it could not go into a header)
    try:
        info = whoami(token=token, cache=False)
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (401, 403):
            return None
        log.warning("whoami failed: %s", exc)
        raise IdentityError(
            "the Hugging Face token could not be checked now (the Hub did "
            "not answer); try again in a minute"
        ) from None
    except (httpx.HTTPError, OSError) as exc:
        log.warning("whoami unreachable: %s", exc)
        raise IdentityError(
            "the Hugging Face token could not be checked now (the Hub is "
            "unreachable); try again in a minute"
        ) from None
    if not isinstance(info, dict) or info.get("type") != "user" or not info.get("name"):
        return None
    return str(info["name"])


class Identities:
    """Establishes the account of a request from what Gradio hands the handler: the signed-in
    user's name (the OAuth session, hub mode) and a token (the API). Thread-safe."""

    def __init__(
        self,
        settings: IdentitySettings | None = None,
        verifier: Verifier | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or IdentitySettings()
        self._verify = verifier or (
            hub_verifier if self.settings.mode == HUB else self._local_verifier
        )
        self._clock = clock
        self._cache: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.tries = RateLimiter(TOKEN_TRIES, "refused tokens", clock=clock, period=TOKEN_PERIOD)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Identities:
        return cls(IdentitySettings.from_env(env))

    @property
    def hub(self) -> bool:
        return self.settings.mode == HUB

    def _local_verifier(self, token: str) -> str | None:
        """A QBP_LOCAL_TOKENS token's account; every entry compared in constant time."""
        given = token.encode("utf-8", "surrogatepass")
        found = None
        for known, name in self.settings.local_tokens.items():
            if hmac.compare_digest(given, known.encode("utf-8")):
                found = name
        return found

    def from_token(self, token: str, client: str | None = None) -> Account:
        """The account a token proves (cached a few minutes), or IdentityError; a client
        whose tokens keep being refused waits (RateLimitError) before the next check."""
        token = token.strip()
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit[1] > now:
                return Account(hit[0], "token")
        self.tries.take(client or "unknown")
        try:
            name = self._verify(token)
        except IdentityError:  # the Hub could not be asked: not the client's refusal
            self.tries.refund(client or "unknown")
            raise
        if name:
            self.tries.refund(client or "unknown")
        else:
            where = "Hugging Face" if self.hub else LOCAL_TOKENS_ENV
            raise IdentityError(
                f"the token was not accepted ({where} does not know it); nothing was stored"
            )
        with self._lock:
            self._cache[key] = (name, now + TOKEN_CACHE_SECONDS)
            while len(self._cache) > TOKEN_CACHE_SIZE:
                self._cache.popitem(last=False)
        return Account(name, "token")

    def resolve(
        self, signed_in: str | None = None, token: str | None = None, client: str | None = None
    ) -> Account:
        """The account of a request: in hub mode the signed-in user, else the token's; in
        local mode the token's, else the local user. IdentityError says how to get one.
        `client` (a `limits.client_key`) is who is throttled when tokens are refused."""
        if self.hub and signed_in:
            return Account(signed_in, "oauth")
        if token and token.strip():
            return self.from_token(token, client)
        if self.hub:
            raise IdentityError(
                "sign in with Hugging Face to submit (the Sign in button on the Submit tab); "
                "API callers pass a Hugging Face token: Client(url, oauth_token=...)"
            )
        if self.settings.local_user:
            return Account(self.settings.local_user, "local")
        raise IdentityError(
            f"no account: this app has no local user ({LOCAL_USER_ENV} is "
            f"empty); pass a token from {LOCAL_TOKENS_ENV}"
        )

    def describe(self) -> str:
        """One sentence for the Submit tab: how submitting identifies you here."""
        if self.hub:
            return (
                "Submitting needs a Hugging Face account: use the Sign in button. A "
                "model name belongs to the account that first stored it; only that "
                "account adds versions or withdraws it."
            )
        who = self.settings.local_user
        if who:
            return (
                f"Running locally: you submit as the local user “{who}” "
                f"({LOCAL_USER_ENV}); a model name belongs to the account that first "
                "stored it."
            )
        return (
            f"Running locally without a local user: submit through the API with a "
            f"token from {LOCAL_TOKENS_ENV}."
        )
