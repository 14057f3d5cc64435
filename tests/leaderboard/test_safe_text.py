"""User text shown as text: spreadsheet formulas neutralised, LaTeX and Markdown escaped."""

from __future__ import annotations

import pytest

from leaderboard.safe_text import csv_safe, html_text, latex_escape, md_escape


@pytest.mark.parametrize(
    "cell",
    [
        "=cmd|' /C calc'!A0",
        "+SUM(A1)",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        ' =HYPERLINK("x")',
        "\uff1d1+1",
    ],
)
def test_formula_looking_cells_get_a_leading_quote(cell):
    assert csv_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["GPT-4o", "Qwen2-VL 7B", "", "a=b", "模型", 3, 45.5, None])
def test_ordinary_cells_and_numbers_are_unchanged(cell):
    assert csv_safe(cell) == cell


@pytest.mark.parametrize(
    "text, expected",
    [
        ("50% & $x_1$ #1", r"50\% \& \$x\_1\$ \#1"),
        ("a\\b{c}", r"a\textbackslash{}b\{c\}"),
        ("^~<>|", r"\textasciicircum{}\textasciitilde{}\textless{}\textgreater{}\textbar{}"),
        ("line1\nline2\r\n", "line1 line2 "),
        ("plain Qwen2-VL", "plain Qwen2-VL"),
    ],
)
def test_latex_escape(text, expected):
    assert latex_escape(text) == expected


def test_latex_escape_cannot_open_a_command():
    out = latex_escape(r"\input{/etc/passwd}\def\x{}")
    assert "\\input" not in out and "\\def" not in out


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "**bold**",
        "a | b",
        "# Title",
        "![img](http://x/y.png)",
        "`code`",
        "<img src=x onerror=alert(1)>",
        "line\nbreak",
        "https://evil.example/path",
    ],
)
def test_md_escape_leaves_no_markup(text):
    out = md_escape(text)
    assert "<" not in out and ">" not in out and "\n" not in out
    for ch in "*[]()|#!`_":  # every markup character is escaped
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch)


def test_md_escape_keeps_text_readable():
    assert md_escape("Qwen2-VL 7B") == "Qwen2\\-VL 7B"
    assert md_escape("A & B") == "A &amp; B"
    assert md_escape("模型 🚀") == "模型 🚀"


def test_html_text():
    assert html_text('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
