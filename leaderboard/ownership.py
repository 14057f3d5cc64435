"""Who may store a model name, add versions to it, and withdraw it.

A model name belongs to the account that first stored it; its owner is recorded in every
version's `meta.json` ("owner"). Two names are one name when `names.name_key` says so (case,
width, spacing, invisible characters, look-alike letters): "victim-vl  (7b)" is
"Victim-VL (7B)". Only the owner, or an admin account (QBP_ADMIN_USERS), adds versions or
withdraws it. Withdrawing hides every version (a moderation record, nothing deleted), and the
name stays owned: hiding never frees a name. A name whose latest version a moderator hid
takes new versions from an admin only. The paper's model names and its Random row are
reserved: a verified row under one of them would pass for the paper's.

Submissions stored before names had owners (no "owner" in meta.json) belong to the legacy
owner (QBP_LEGACY_OWNER, default "(unclaimed)", which no sign-in can be).

The pipeline asks `claim` before it parses a file and again inside the store's write lock
(`SubmissionStore.put(..., claim=...)`), so two accounts racing for a new name cannot both
get it. `account=None` is the operator (the CLI, in-process tests), who may do what an admin
may; so is `identity.SEED_OWNER`, the owner of the rows seeded from the bundle at first start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .errors import InputError
from .identity import DEFAULT_LEGACY_OWNER, SEED_OWNER, IdentitySettings
from .moderation import MODERATOR
from .names import collides
from .settings import PAPER_DIR
from .store import Submission, SubmissionStore

#: The paper's analytic baseline row (its name in every table).
BASELINE = "Random guess"


class OwnershipError(InputError):
    """A model name this account may not store, add versions to or withdraw."""


@cache
def paper_names(paper_dir: str = str(PAPER_DIR)) -> tuple[str, ...]:
    """The models reported in the paper (data/paper/models.csv) and its Random row."""
    path = Path(paper_dir) / "models.csv"
    if not path.is_file():
        return (BASELINE,)
    models = pd.read_csv(path, dtype=str, keep_default_na=False)["model"].tolist()
    return (BASELINE, *(m for m in models if m.strip()))


@dataclass(frozen=True)
class Ownership:
    """The ownership rule, with the accounts that are special and the reserved names."""

    legacy_owner: str = DEFAULT_LEGACY_OWNER
    admins: frozenset[str] = frozenset()
    reserved: tuple[str, ...] = ()

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, paper_dir: str | Path = PAPER_DIR
    ) -> Ownership:
        settings = IdentitySettings.from_env(env)
        return cls(settings.legacy_owner, settings.admins, paper_names(str(paper_dir)))

    # ------------------------------------------------------------------ reading
    def owner(self, sub: Submission) -> str:
        """The account a stored submission belongs to (the legacy owner when unrecorded)."""
        return sub.meta.owner or self.legacy_owner

    def owner_of(self, versions: Sequence[Submission]) -> str | None:
        """The owner of a name: that of its first stored version (None: never stored)."""
        return self.owner(versions[0]) if versions else None

    def is_admin(self, account: str | None) -> bool:
        """The operator (None), an admin account, or the store's own seeding owner (a name no
        sign-in can be: seeding is the operator's act, and may seed paper names)."""
        return account is None or account == SEED_OWNER or account in self.admins

    def may_manage(self, account: str | None, versions: Sequence[Submission]) -> bool:
        """True when `account` may add versions to, withdraw or re-judge this name."""
        return self.is_admin(account) or (bool(versions) and account == self.owner_of(versions))

    @staticmethod
    def hidden_by_moderator(sub: Submission) -> bool:
        """Hidden with the admin token (records from before "by" existed were all that)."""
        return sub.hidden and sub.moderation.get("by", MODERATOR) == MODERATOR

    # ------------------------------------------------------------------ deciding
    def claim(self, name: str, account: str | None, versions: Sequence[Submission]) -> str | None:
        """The owner to record for a new version of `name` stored by `account`, given the
        name's stored versions (hidden included, oldest first); OwnershipError when the
        account may not. A new name is the account's; a known one keeps its first version's
        record (None, the legacy owner, stays None so that QBP_LEGACY_OWNER still decides)."""
        if self.is_admin(account):
            return versions[0].meta.owner if versions else account
        assert account is not None
        if not versions:
            paper = collides(name, self.reserved)
            if paper is not None:
                same = "" if paper == name else f" (the same name as {paper!r})"
                raise OwnershipError(
                    f"model name {name!r}{same} is a model reported in the paper: its row "
                    "on the board is the paper's, and only an admin can store a verified "
                    f"row under that name; submit it as {name + ' (re-run)'!r} or another "
                    "name of your own"
                )
            return account
        owner = self.owner_of(versions)
        stored = versions[0].meta.model
        if account != owner:
            same = (
                ""
                if stored == name
                else (
                    f" is the same name as {stored!r} (names that differ only in case, spacing "
                    "or look-alike characters are one name) and"
                )
            )
            raise OwnershipError(
                f"model name {name!r}{same} belongs to the account {owner!r}: only that "
                "account can add versions of it or withdraw it. Choose another name; "
                "nothing was stored"
            )
        if self.hidden_by_moderator(versions[-1]):
            raise OwnershipError(
                f"{stored!r} was hidden by a moderator: only an admin can add versions of it "
                "now; nothing was stored"
            )
        return versions[0].meta.owner

    def check_manage(self, name: str, account: str | None, versions: Sequence[Submission]) -> None:
        """OwnershipError unless `account` may withdraw (or re-judge) the model `name`."""
        if not versions:
            raise OwnershipError(f"no stored model is named {name!r}")
        if not self.may_manage(account, versions):
            raise OwnershipError(
                f"{versions[0].meta.model!r} belongs to the account "
                f"{self.owner_of(versions)!r}: only that account or an admin can change it"
            )

    def withdraw(self, store: SubmissionStore, name: str, account: str | None) -> list[Submission]:
        """Hide every visible version of the model `name` (a moderation record saying who
        withdrew it; nothing is deleted, and the name stays owned). Returns the versions
        hidden; OwnershipError when the account may not, or nothing is left to withdraw."""
        versions = store.versions(name)
        self.check_manage(name, account, versions)
        visible = [s for s in versions if not s.hidden]
        if not visible:
            raise OwnershipError(
                f"{versions[0].meta.model!r} is not on the board (already withdrawn or hidden)"
            )
        who = account or MODERATOR
        reason = (
            "withdrawn by its owner"
            if account == self.owner_of(versions)
            else ("withdrawn by an admin")
        )
        return [store.set_hidden(s.id, True, reason=reason, by=who) for s in visible]
