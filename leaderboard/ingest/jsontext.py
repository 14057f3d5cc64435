"""JSON, JSONL and concatenated JSON (objects written back to back with no newline, as the
LLaVA and Q-Instruct Q-Bench scripts append them): exact types, ids never coerced to numbers,
a key given twice refused, every failure placed.

Two readers with one result. orjson reads the common case about three times faster than the
standard library (a 5.6 MB lmms-eval v0.3 samples file: ~11 ms vs ~32 ms), but it neither
reports duplicate keys nor accepts everything the standard library does (NaN, huge integers,
lone surrogate escapes). So its result is used only when it parsed everything and the file's
keys can be counted from its bytes and that count equals the parsed objects' keys; anything
else goes to the exact standard-library reader, which names the place of every failure.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..errors import PredictionError
from ..settings import Limits
from .bounds import check_json_values
from .report import short
from .sniff import decode_text, refuse_not_text

_WS = " \t\r\n"


@dataclass
class JsonDoc:
    """What a JSON-family file holds: `values` are the top-level values in file order, with
    where each one was found ("line 3", "object 7"); a JSON document has one value."""

    kind: str  # "document", "lines" or "concatenated"
    values: list[Any] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json object hook: a key given twice is ambiguous (which answer counts?), so refuse."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys)


def _place(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"column {col}" if "\n" not in text else f"line {line}, column {col}"


def _decode(text: str, where: str, start: int = 0) -> tuple[Any, int]:
    """One JSON value at `start`; every failure (syntax, duplicate key, nesting, huge integer)
    becomes a message naming the place."""
    try:
        return _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise PredictionError(
            f"{where}: not valid JSON at {_place(text, exc.pos)} ({exc.msg.lower()})"
        ) from exc
    except _DuplicateKey as exc:
        raise PredictionError(
            f"{where}: key {short(exc.key)} appears twice in one object (duplicate id or field)"
        ) from None
    except RecursionError:
        raise PredictionError(f"{where}: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more than 4300 digits
        why = "a number with thousands of digits" if "digits" in str(exc) else str(exc)[:100]
        raise PredictionError(f"{where}: unusable JSON value ({why})") from None


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def loads(text: str, where: str) -> Any:
    """A whole text as one JSON value (trailing whitespace allowed)."""
    value, end = _decode(text, where, _skip_ws(text, 0))
    if _skip_ws(text, end) != len(text):
        raise PredictionError(f"{where}: not valid JSON at {_place(text, end)} (extra data)")
    return value


def _concatenated(text: str, name: str, limit_rows: int, limits: Limits) -> JsonDoc:
    doc = JsonDoc("concatenated")
    pos = _skip_ws(text, 0)
    while pos < len(text):
        value, end = _decode(text, f"{name} object {len(doc.values) + 1}", pos)
        if end - pos > limits.max_line_chars:
            raise PredictionError(
                f"{name} object {len(doc.values) + 1}: {end - pos} "
                f"characters, more than the {limits.max_line_chars}-character "
                "row limit"
            )
        doc.values.append(value)
        doc.labels.append(f"object {len(doc.values)}")
        if len(doc.values) > limit_rows:
            raise PredictionError(f"{name}: more than the benchmark's {limit_rows} items (objects)")
        pos = _skip_ws(text, end)
    return doc


def _no_key_dropped(raw: bytes, values: list[Any]) -> bool:
    """orjson keeps the last of two equal keys silently. Every key is followed by a colon and
    orjson writes every colon of a string as is, so the parsed values re-serialised hold as
    many colons as the file exactly when no key (with its value) was dropped, provided the
    file spells no colon as an escape (\\u003a): then the exact reader decides. Two byte
    counts (memchr) instead of a second parse."""
    if b"\\u003" in raw and (b"\\u003a" in raw or b"\\u003A" in raw):
        return False
    return raw.count(b":") == orjson.dumps(values).count(b":")


def _as_utf8(data: bytes, name: str) -> tuple[bytes, str | None]:
    """The bytes to parse (UTF-8, no BOM), and the text when decoding was needed anyway."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :], None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = decode_text(data, name)
        return text.encode("utf-8", "surrogatepass"), text
    return data, None


def _fast(raw: bytes, name: str, fmt: str, limit_rows: int, limits: Limits) -> JsonDoc | None:
    """The file read by orjson, or None when the exact reader must decide (see the module
    docstring); the result is what the exact reader would return."""
    try:
        if fmt != "jsonl":
            doc = JsonDoc("document", [orjson.loads(raw)], [name])
        else:
            doc = JsonDoc("lines")
            for lineno, line in enumerate(raw.split(b"\n"), start=1):
                if not line or line.isspace():  # no stripped copy per line
                    continue
                if len(line) > limits.max_line_chars or len(doc.values) == limit_rows:
                    return None
                obj = orjson.loads(line)
                if not isinstance(obj, dict):
                    return None
                doc.values.append(obj)
                doc.labels.append(f"line {lineno}")
    except orjson.JSONDecodeError:
        return None
    return doc if _no_key_dropped(raw, doc.values) else None


_NONBLANK_LINE = re.compile(rb"^[ \t\r\f\v]*[^\s]", re.MULTILINE)


def _nonblank_lines(raw: bytes, limit: int) -> int:
    """The non-blank lines, or an upper bound of them when that is within `limit`: counts
    first (a final newline ends the last line), then one match at a time (a file of millions
    of tiny lines is counted without splitting it into millions of objects)."""
    bound = raw.count(b"\n") + 1 - (1 if raw.endswith(b"\n") else 0)
    if bound <= limit:
        return bound
    return sum(1 for _ in _NONBLANK_LINE.finditer(raw))


def _is_extra_data(exc: PredictionError) -> bool:
    return "(extra data)" in str(exc)


def read_json_text(data: bytes, name: str, fmt: str, limit_rows: int, limits: Limits) -> JsonDoc:
    """Parse a JSON-family file, bounded: rows are counted before anything is parsed and the
    number of values is capped (a 20 MB `[{},{},...]` would otherwise be 7 million dicts).
    The text is decoded only for the exact reader; orjson reads the bytes."""
    refuse_not_text(data, name)
    raw, decoded = _as_utf8(data, name)
    if fmt == "jsonl":
        lines = _nonblank_lines(raw, limit_rows)
        if lines > limit_rows:
            raise PredictionError(
                f"{name}: {lines} rows, more than the benchmark's {limit_rows} items"
            )
    check_json_values(raw, lambda: decoded or decode_text(data, name), name, limits)
    fast = _fast(raw, name, fmt, limit_rows, limits)
    if fast is not None:
        return fast
    text = decoded or decode_text(data, name)
    if not text or text.isspace():
        raise PredictionError(f"{name}: the file is empty")
    if fmt != "jsonl":
        try:
            return JsonDoc("document", [loads(text, name)], [name])
        except PredictionError as exc:
            if not _is_extra_data(exc):
                raise
        return _concatenated(text, name, limit_rows, limits)
    doc = JsonDoc("lines")
    for lineno, line in enumerate(text.split("\n"), start=1):  # JSONL lines end at LF only
        if not line.strip():
            continue
        if len(line) > limits.max_line_chars:
            if line.lstrip().startswith("{") and ("}{" in line or "} {" in line):
                return _concatenated(text, name, limit_rows, limits)  # capped per object
            raise PredictionError(
                f"{name} line {lineno}: {len(line)} characters, more than "
                f"the {limits.max_line_chars}-character line limit"
            )
        try:
            obj = loads(line, f"{name} line {lineno}")
        except PredictionError as exc:
            if _is_extra_data(exc) and line.lstrip().startswith("{"):
                return _concatenated(text, name, limit_rows, limits)
            raise
        if not isinstance(obj, dict):
            raise PredictionError(
                f"{name} line {lineno}: expected a JSON object with an "
                f"id and a prediction, got {type(obj).__name__}"
            )
        doc.values.append(obj)
        doc.labels.append(f"line {lineno}")
    return doc
