"""Which container a file is (by its first bytes, then its extension), and its bytes as text.

Binary look-alikes get a message saying what they are; an Arrow file (what `datasets`
`save_to_disk` writes) gets a message saying how to export it instead.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import PredictionError

#: Containers read (what re-scoring a stored file is told), and the extensions that name them.
FORMATS: tuple[str, ...] = ("jsonl", "json", "csv", "tsv", "parquet", "xlsx")
EXTENSIONS: dict[str, str] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
}
#: For the app's file picker: every extension the reader accepts.
ACCEPTED_EXTENSIONS: tuple[str, ...] = tuple(EXTENSIONS)
#: Extensions refused with advice (worth letting through a picker so the advice is seen).
ADVISED_EXTENSIONS: tuple[str, ...] = (".arrow",)

ARROW_ADVICE = (
    "this is an Arrow file, as `datasets` `save_to_disk` writes; it is not "
    'accepted. Export the predictions with `Dataset.to_json("preds.jsonl")` or '
    '`Dataset.to_parquet("preds.parquet")` and upload that file'
)
_ZIP = b"PK\x03\x04"
_MAGIC = {
    _ZIP: "a ZIP archive (Excel and Word files are ZIP archives too)",
    b"\x1f\x8b": "a gzip archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"BZh": "a bzip2 archive",
    b"\xfd7zXZ\x00": "an xz archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"\x28\xb5\x2f\xfd": "a zstd archive",
    b"\xd0\xcf\x11\xe0": "a legacy Excel .xls (OLE) file; save it as .xlsx",
}


def _is_arrow(data: bytes, ext: str) -> bool:
    # IPC file ("ARROW1") or IPC stream (a 0xFFFFFFFF continuation marker), as datasets writes.
    return (
        ext == ".arrow"
        or data[:6] == b"ARROW1"
        or (data[:4] == b"\xff\xff\xff\xff" and ext not in EXTENSIONS)
    )


def _is_workbook(data: bytes) -> bool:
    """A ZIP whose directory names an Excel workbook (only the central directory is read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def detect_format(name: str, data: bytes) -> str:
    """The container: the file's own bytes first (a Parquet or ZIP signature), then its
    extension, then a look at the text."""
    ext = Path(name).suffix.lower()
    if data[:4] == b"PAR1":
        return "parquet"
    if _is_arrow(data, ext):
        raise PredictionError(f"{name}: {ARROW_ADVICE}")
    if data.startswith(_ZIP) and (ext == ".xlsx" or _is_workbook(data)):
        return "xlsx"
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"[":
        return "json"
    if head == b"{":
        return "jsonl" if b"\n{" in data.strip() else "json"
    return "tsv" if b"\t" in data.split(b"\n", 1)[0] else "csv"


def refuse_not_text(data: bytes, name: str) -> None:
    """From the first bytes alone: an archive or image, or UTF-16 without a byte-order mark,
    is refused with what it is, before anything counts its lines."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise PredictionError(
                f"{name}: this is {what}, not a prediction file; upload the "
                "JSONL, JSON, CSV, TSV, Parquet or XLSX file itself, "
                "uncompressed"
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    head = data[:200]
    zeros = sorted((head[0::2].count(0), head[1::2].count(0)))
    if len(head) >= 4 and zeros[1] > len(head) // 5 and zeros[0] <= len(head) // 50:
        raise PredictionError(
            f"{name}: looks like UTF-16 text without a byte-order mark; save the file as UTF-8"
        )


def decode_text(data: bytes, name: str) -> str:
    """Text from bytes: UTF-8 (BOM allowed) or UTF-16 with a BOM; anything else is refused."""
    refuse_not_text(data, name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise PredictionError(f"{name}: invalid UTF-16 text at byte {exc.start}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PredictionError(
            f"{name}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at "
            f"offset {exc.start}, line {line}; Latin-1, Shift-JIS and other "
            "encodings are not accepted); save the file as UTF-8"
        ) from exc
    if "\x00" in text:
        raise PredictionError(
            f"{name}: contains NUL bytes; this looks like a binary file, "
            "not JSON/JSONL/CSV/TSV text"
        )
    return text
