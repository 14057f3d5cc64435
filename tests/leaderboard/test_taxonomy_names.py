"""Tables and cells named by a caller: by key or by the label the paper prints."""

from __future__ import annotations

import pytest

from leaderboard.taxonomy import TABLES, cell_key, table_key


@pytest.mark.parametrize(
    "text, key",
    [
        ("table3", "table3"),
        ("Table 3", "table3"),
        ("3", "table3"),
        (" TABLE  6 ", "table6"),
        ("table_5", "table5"),
    ],
)
def test_a_table_by_key_or_title(text, key):
    assert table_key(text) == key


def test_an_unknown_table_lists_the_tables():
    with pytest.raises(ValueError, match=r"unknown table 'table9'; one of Table 3 \(table3\)"):
        table_key("table9")


@pytest.mark.parametrize(
    "table, text, key",
    [
        ("table3", "NIs", "NI"),
        ("table3", "NI", "NI"),
        ("table3", "Tech.", "Tech"),
        ("table3", "tech", "Tech"),
        ("table3", "overall", "Overall"),
        ("table4", "blur", "Blur"),
        ("table5", "NIs Tech.", "NI_Tech"),
        ("table5", "NI_Tech", "NI_Tech"),
        ("table5", "AIGC", "AGI_AIGC"),
        ("table6", "SC Global", "SC_Global"),
        ("table6", "sc_local", "SC_Local"),
    ],
)
def test_a_cell_by_key_or_printed_label(table, text, key):
    assert cell_key(table, text) == key


def test_every_cell_is_found_by_its_own_name():
    for key, table in TABLES.items():
        for cell in table.cells:
            assert cell_key(key, cell.name) == cell.name


def test_a_repeated_or_unknown_label_is_refused_with_the_columns():
    with pytest.raises(
        ValueError,
        match="'Tech.' is more than one column of Table 5; name its group too: NIs Tech., ",
    ):
        cell_key("table5", "Tech.")
    with pytest.raises(ValueError, match="no column 'NIs' in Table 6; one of SC Global"):
        cell_key("table6", "NIs")
