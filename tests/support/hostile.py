"""The hostile uploads of issue 10, built in memory for the red-team tests and bench/abuse.py:
a 9 KB Parquet file that decodes to 1.4 GB, a 789 KB CSV with 100,000 columns, an XLSX whose
ZIP unpacks to 191 MB, a lone surrogate in an answer, and a 19 MB file of filler."""

from __future__ import annotations

import io
import json
import zipfile

from tests.support import harness_files as hf


def demo_ids() -> list[str]:
    return [
        json.loads(line)["id"]
        for line in (hf.DEMO / "metadata.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]


def parquet_bomb(ids: list[str], entry_chars: int = 506_000) -> bytes:
    """`prediction` dictionary-encoded: one half-megabyte entry referenced by every row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    column = pa.DictionaryArray.from_arrays(
        pa.array([0] * len(ids), pa.int32()), pa.array(["A" * entry_chars])
    )
    buf = io.BytesIO()
    pq.write_table(pa.table({"id": ids, "prediction": column}), buf, compression="zstd")
    return buf.getvalue()


def wide_csv(columns: int = 100_000) -> bytes:
    header = ",".join(["id", "prediction"] + [f"c{i}" for i in range(columns - 2)])
    return (header + "\nqbp-00001,B" + "," * (columns - 2) + "\n").encode()


def xlsx_bomb() -> bytes:
    """A real workbook plus one member that inflates a thousandfold."""
    import pandas as pd

    good = hf.vlmevalkit_file(pd.DataFrame({"id": ["qbp-00001"], "prediction": ["B"]}), "xlsx")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * 200_000_000)
    return out.getvalue()


SURROGATE = (
    b'{"id": "qbp-00001", "prediction": "B"}\n{"id": "qbp-00002", "prediction": "x\\ud800"}\n'
)


def filler(n_bytes: int = 19 * 1024 * 1024) -> bytes:
    """A JSONL-looking file of `n_bytes` that no row of the benchmark matches."""
    line = b'{"id": "not-an-item", "prediction": "' + b"z" * 200 + b'"}\n'
    return (line * (n_bytes // len(line) + 1))[:n_bytes]
