"""The form's model name goes through `names.check_name` (issue 10): cleaned to its display
form, and refused, naming the character and where, when it would deceive a reader."""

from __future__ import annotations

import re

import pytest

from leaderboard.errors import InputError
from leaderboard.forms import clean_form


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("  Victim-VL   (7B) ", "Victim-VL (7B)"),
        ("Victim-VL\u00a0(7B)", "Victim-VL (7B)"),  # a no-break space is a space
        ("Ｖｉｃｔｉｍ-VL (7B)", "Victim-VL (7B)"),  # full width is cleaned, not refused
        ("ГигаЧат (7B)", "ГигаЧат (7B)"),  # a word in another script is no disguise
        ("通义千问-VL", "通义千问-VL"),
    ],
)
def test_names_are_cleaned_to_what_the_board_shows(typed, stored):
    assert clean_form({"model": typed})["model"] == stored


@pytest.mark.parametrize(
    "typed, message",
    [
        (
            "Victim-VL (7\u0412)",
            "U+0412 CYRILLIC CAPITAL LETTER VE at position 13 looks like the ASCII 'B'",
        ),
        ("Qw\u0435n-VL", "U+0435 CYRILLIC SMALL LETTER IE at position 3 looks like the ASCII 'e'"),
        ("Victim\u202e-VL", "U+202E at position 7"),  # bidi override
        ("Victim\u200b-VL", "U+200B at position 7"),  # zero-width space
        ("---", "has no letter or digit"),
        ("", "Model name is required"),
        ("x" * 81, "at most 80"),
    ],
)
def test_deceptive_names_are_refused_naming_the_character(typed, message):
    with pytest.raises(InputError, match=re.escape(message)):
        clean_form({"model": typed})
