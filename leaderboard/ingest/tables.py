"""CSV/TSV, Parquet and XLSX into rows, each bounded before the expensive step:

- CSV/TSV: the header line is read alone (the csv module) and its width capped before pandas
  parses anything; pandas then reads at most one row past the benchmark's size.
- Parquet: rows, columns, values and uncompressed size from the footer; then the columns that
  can matter are read with their dictionaries kept (nothing is expanded) and the exact decoded
  size is computed from the dictionary entries' lengths before a single string is built.
- XLSX: the ZIP directory (member count, unpacked size, encryption) before anything is
  unpacked; members then unpacked by zipfile within their declared sizes and the cap, and the
  first sheet read by python-calamine from those bytes, each row's width capped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import PredictionError
from ..settings import Limits, mb
from .bounds import check_cells, check_columns, check_decoded, check_lines


@dataclass
class Rows:
    """Rows as dicts in file order, the columns in order, where each row was found."""

    records: list[dict[str, Any]]
    columns: list[str]
    labels: list[str] = field(default_factory=list)
    first_row: int = 1  # how the container numbers its first data row (CSV: 2, after a header)


def read_delimited(text: str, name: str, fmt: str, limit_rows: int, limits: Limits) -> Rows:
    sep = "\t" if fmt == "tsv" else ","
    check_lines(text, name, limits)
    try:  # the header alone: a 100,000-column line is refused before pandas sees it
        header = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    except csv.Error as exc:
        raise PredictionError(
            f"{name}: not a readable {fmt.upper()} header line ({str(exc)[:120]})"
        ) from exc
    check_columns(len(header), name, limits)
    try:  # one row past the cap is enough to refuse, without parsing a million
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="c",
            nrows=limit_rows + 1,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise PredictionError(
            f"{name}: not a readable {fmt.upper()} table ({str(exc).strip()[:200]})"
        ) from exc
    if len(frame) > limit_rows:
        raise PredictionError(f"{name}: more rows than the benchmark's {limit_rows} items")
    check_cells(len(frame) * len(frame.columns), name, limits)
    columns = [str(c) for c in frame.columns]
    values = [frame.iloc[:, j].tolist() for j in range(len(columns))]  # fast, unlike to_dict
    records = (
        [dict(zip(columns, row, strict=False)) for row in zip(*values, strict=False)]
        if columns
        else []
    )
    return Rows(records, columns, [f"row {i + 2}" for i in range(len(frame))], first_row=2)


# ---------------------------------------------------------------------------- Parquet
def _decoded_bytes(array: Any) -> int:
    """Bytes the values of an Arrow array take once decoded; dictionary arrays are measured
    from their entries' lengths and indices, without expanding them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        return sum(_decoded_bytes(chunk) for chunk in array.chunks)
    kind = array.type
    if pa.types.is_dictionary(kind):
        values = array.dictionary
        if (
            pa.types.is_string(values.type)
            or pa.types.is_binary(values.type)
            or pa.types.is_large_string(values.type)
            or pa.types.is_large_binary(values.type)
        ):
            lengths = pc.binary_length(values)
            total = pc.sum(pc.take(lengths, array.indices)).as_py() or 0
            return int(total) + 4 * len(array)
        return _decoded_bytes(values) * max(1, len(array)) // max(1, len(values))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
        return _decoded_bytes(array.flatten()) + 8 * len(array)
    if pa.types.is_map(kind):
        return _decoded_bytes(array.keys) + _decoded_bytes(array.items) + 8 * len(array)
    if pa.types.is_struct(kind):
        return sum(_decoded_bytes(array.field(i)) for i in range(kind.num_fields))
    return int(array.nbytes)


def read_parquet(
    data: bytes, name: str, limit_rows: int, limits: Limits, wanted: frozenset[str]
) -> Rows:
    """`wanted`: lower-cased top-level column names a reader can use; other columns are
    listed but never read."""
    import pyarrow.parquet as pq

    try:
        pfile = pq.ParquetFile(io.BytesIO(data))  # reads the footer only
        meta = pfile.metadata
        if meta.num_rows > limit_rows:
            raise PredictionError(
                f"{name}: {meta.num_rows} rows, more than the benchmark's {limit_rows} items"
            )
        check_columns(meta.num_columns, name, limits)
        groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
        expanded = sum(g.total_byte_size for g in groups)
        if expanded > limits.max_expanded_bytes:
            raise PredictionError(
                f"{name}: Parquet data expands to {mb(expanded)} MB, "
                f"over the {mb(limits.max_expanded_bytes)} MB limit"
            )
        check_cells(
            sum(g.column(j).num_values for g in groups for j in range(g.num_columns)),
            name,
            limits,
            "Parquet values",
        )
        columns = [str(f.name) for f in pfile.schema_arrow]
        read = [c for c in columns if c.lower().strip() in wanted]
        leaves = [meta.schema.column(j) for j in range(meta.num_columns)]
        keep = [
            leaf.path
            for leaf in leaves
            if leaf.physical_type == "BYTE_ARRAY" and leaf.path.split(".")[0] in read
        ]
        table = (
            pq.ParquetFile(io.BytesIO(data), read_dictionary=keep).read(
                columns=read, use_pandas_metadata=False
            )
            if read
            else None
        )
    except PredictionError:
        raise
    except Exception as exc:  # noqa: BLE001 - any pyarrow failure is a corrupt file
        raise PredictionError(f"{name}: not a readable Parquet file ({str(exc)[:200]})") from exc
    if table is None:
        return Rows([{} for _ in range(meta.num_rows)], columns)
    decoded = sum(_decoded_bytes(table.column(i)) for i in range(table.num_columns))
    check_decoded(
        decoded, name, limits, "Parquet data decodes (dictionary-encoded values expanded) to"
    )
    records = table.to_pylist()
    return Rows(records, columns, [f"row {i + 1}" for i in range(len(records))])


# ---------------------------------------------------------------------------- XLSX
def _check_zip(data: bytes, name: str, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise PredictionError(f"{name}: not a readable XLSX file ({str(exc)[:120]})") from exc
    if len(infos) > limits.max_archive_members:
        raise PredictionError(
            f"{name}: its ZIP container has {len(infos)} members, more than "
            f"the {limits.max_archive_members} an Excel workbook needs"
        )
    unpacked = sum(i.file_size for i in infos)
    if unpacked > limits.max_xlsx_bytes:
        raise PredictionError(
            f"{name}: the workbook unpacks to {mb(unpacked)} MB, over the "
            f"{mb(limits.max_xlsx_bytes)} MB limit"
        )
    if any(i.flag_bits & 0x1 for i in infos):
        raise PredictionError(f"{name}: the workbook is encrypted; save it without a password")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise PredictionError(
            f"{name}: a ZIP archive, not an Excel workbook (no "
            "xl/workbook.xml); upload the XLSX file VLMEvalKit wrote, or "
            "export the sheet as CSV"
        )


def _cell_text(value: Any) -> Any:
    """Cells as text (what a CSV would hold): integral floats without ".0", bools as words."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unique(names: list[str]) -> list[str]:
    """Repeated header names made distinct the way pandas does ("a", "a.1")."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        if n in seen:
            seen[n] += 1
            n = f"{n}.{seen[n]}"
        seen.setdefault(n, 0)
        out.append(n)
    return out


def _verified_members(data: bytes, name: str, limits: Limits) -> bytes:
    """The workbook's members decompressed by Python's zipfile (which stops at each member's
    declared size and checks its CRC) and re-packed uncompressed: the XLSX parser then reads
    only bytes already counted against the cap, whatever the archive's headers claim."""
    out = io.BytesIO()
    total = 0
    try:
        with (
            zipfile.ZipFile(io.BytesIO(data)) as src,
            zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst,
        ):
            for info in src.infolist():
                if info.is_dir():
                    continue
                with src.open(info) as member:
                    body = member.read(limits.max_xlsx_bytes - total + 1)
                total += len(body)
                if total > limits.max_xlsx_bytes:
                    raise PredictionError(
                        f"{name}: the workbook unpacks to more than the "
                        f"{mb(limits.max_xlsx_bytes)} MB limit"
                    )
                dst.writestr(info.filename, body)
    except PredictionError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise PredictionError(f"{name}: not a readable XLSX file ({str(exc)[:120]})") from exc
    return out.getvalue()


def _blank(value: Any) -> bool:
    return value is None or value == ""


def read_xlsx(data: bytes, name: str, limit_rows: int, limits: Limits) -> Rows:
    """The first sheet, as strings; the header is its first non-empty row. Read with
    python-calamine (Rust; pandas' fastest Excel engine): 2,765 rows in ~20 ms where openpyxl
    took ~200 ms, ten times the scoring it feeds."""
    _check_zip(data, name, limits)
    import python_calamine

    width = limits.max_columns
    scanned_cap = 2 * limit_rows + 10  # blank rows included
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(
            io.BytesIO(_verified_members(data, name, limits))
        )
        if not book.sheet_names:
            raise PredictionError(f"{name}: the workbook has no sheet")
        sheet = book.get_sheet_by_index(0)
        grid = sheet.to_python(skip_empty_area=False, nrows=scanned_cap + 1)
    except PredictionError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed workbook XML and the like
        raise PredictionError(f"{name}: not a readable XLSX file ({str(exc)[:200]})") from exc
    header: list[str] | None = None
    records: list[dict[str, Any]] = []
    labels: list[str] = []
    cells = 0
    for rowno, row in enumerate(grid, start=1):
        if rowno > scanned_cap:
            raise PredictionError(f"{name}: more rows than the benchmark's {limit_rows} items")
        values = list(row)
        while values and _blank(values[-1]):
            values.pop()
        if len(values) > width:
            raise PredictionError(
                f"{name} sheet row {rowno}: more than "
                f"{width} columns, the most a prediction file may have"
            )
        if header is None:
            if not values:
                continue
            header = _unique(
                [f"Unnamed: {i}" if _blank(v) else _cell_text(v) for i, v in enumerate(values)]
            )
            continue
        if not values:
            continue
        cells += len(header)
        check_cells(cells, name, limits)
        texts = [v if v.__class__ is str else _cell_text(v) for v in values[: len(header)]]
        texts += [None] * (len(header) - len(texts))
        records.append(dict(zip(header, [t or None for t in texts], strict=True)))
        labels.append(f"sheet row {rowno}")
        if len(records) > limit_rows:
            raise PredictionError(f"{name}: more rows than the benchmark's {limit_rows} items")
    if header is None:
        raise PredictionError(f"{name}: the first sheet is empty")
    return Rows(records, header, labels, first_row=2)
