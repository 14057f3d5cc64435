"""The Space's sign-in contract (issue 10): the front matter turns OAuth on, the OAuth
libraries Gradio needs are pinned, and the README documents every identity setting."""

from __future__ import annotations

import re
from pathlib import Path

from leaderboard import identity

ROOT = Path(__file__).resolve().parents[2]


def test_front_matter_turns_on_sign_in_with_hugging_face():
    front = (ROOT / "README.md").read_text().split("---")[1]
    assert re.search(r"^hf_oauth:\s*true$", front, re.M)


def test_the_oauth_routes_libraries_are_pinned():
    pins = {
        line.split("==")[0].lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert {"authlib", "itsdangerous"} <= pins  # gradio[oauth]: the Space's real routes


def test_every_identity_setting_is_in_the_readme_settings_table():
    readme = (ROOT / "README.md").read_text()
    for name in (
        identity.MODE_ENV,
        identity.LOCAL_USER_ENV,
        identity.LOCAL_TOKENS_ENV,
        identity.ADMINS_ENV,
        identity.LEGACY_OWNER_ENV,
    ):
        assert f"| `{name}` |" in readme, name
