"""Showing user-sent text as text: in CSV exports, LaTeX tables, Markdown and HTML.

Model names, links and answers are stored exactly as sent; these helpers are applied at the
moment text is put into a format that could otherwise interpret it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

#: A cell whose first visible character is one of these is a formula (= + - @) or a DDE
#: command (|) to spreadsheet programs (OWASP CSV injection). The character is compared
#: after NFKC folding, because some programs fold full-width and compatibility forms
#: ("＝", "＋", "﹢", "｜") to ASCII; leading spaces do not hide it.
FORMULA_STARTS = ("=", "+", "-", "@", "|")
#: A cell starting with one of these is also quoted: a spreadsheet may drop them and read
#: what follows as a formula.
CONTROL_STARTS = ("\t", "\r", "\n")

_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}
_LATEX_RE = re.compile("|".join(re.escape(ch) for ch in _LATEX))
_MD_PUNCT = re.compile(r"([!\"#$%'()*+,\-./:;=?@\[\\\]^_`{|}~])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def csv_safe(cell: Any) -> Any:
    """A cell a spreadsheet will show as text: formula-looking strings get a leading '.
    Non-strings (numbers, None) are returned unchanged."""
    if not isinstance(cell, str):
        return cell
    first = unicodedata.normalize("NFKC", cell.lstrip()[:1])
    if cell.startswith(CONTROL_STARTS) or first.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def latex_escape(text: Any) -> str:
    """Text for a LaTeX document body: every special character typeset literally, line
    breaks as spaces, control characters dropped."""
    plain = _CONTROL.sub("", _LINE_BREAKS.sub(" ", str(text)))
    return _LATEX_RE.sub(lambda m: _LATEX[m.group(0)], plain)


def md_escape(text: Any) -> str:
    """Text for a Markdown context (including a table cell): ASCII punctuation
    backslash-escaped, &, < and > as entities (so no HTML, link, emphasis or table column
    can be made), line breaks as spaces."""
    plain = _CONTROL.sub("", _LINE_BREAKS.sub(" ", str(text)))
    escaped = _MD_PUNCT.sub(
        r"\\\1", plain.replace("&", "\0amp").replace("<", "\0lt").replace(">", "\0gt")
    )
    return escaped.replace("\0amp", "&amp;").replace("\0lt", "&lt;").replace("\0gt", "&gt;")


def html_text(text: Any) -> str:
    """Text for an HTML context (element body or quoted attribute)."""
    return html.escape(str(text), quote=True)
