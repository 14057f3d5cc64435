"""Bounded work per request: every format's decoded size, columns, cells and line length are
capped and checked before the expensive step, so a small hostile file is refused quickly and
within a memory bound; a lone surrogate is refused with a message naming the row."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import time
import zipfile

import pandas as pd
import pytest

from leaderboard.benchmark import load_benchmark
from leaderboard.errors import InputError, PredictionError
from leaderboard.predictions import read_predictions
from leaderboard.settings import Limits
from tests.support import harness_files as hf

REPO = hf.REPO


@pytest.fixture(scope="module")
def bench():
    return load_benchmark(str(hf.DEMO))


@pytest.fixture(scope="module")
def ids(bench):
    return bench.items["id"].tolist()


def dictionary_bomb(ids: list[str], entry_chars: int = 506_000) -> bytes:
    """A Parquet file whose `prediction` column is dictionary-encoded: one entry of half a
    megabyte referenced by every row. Built from a DictionaryArray, so it is never expanded
    here either."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    column = pa.DictionaryArray.from_arrays(
        pa.array([0] * len(ids), pa.int32()), pa.array(["A" * entry_chars])
    )
    buf = io.BytesIO()
    pq.write_table(pa.table({"id": ids, "prediction": column}), buf, compression="zstd")
    return buf.getvalue()


def test_parquet_dictionary_bomb_is_refused_from_dictionary_sizes(bench, ids):
    data = dictionary_bomb(ids)
    assert len(data) < 9 * 1024 and len(ids) * 506_000 > 1.39e9  # 9 KB -> 1.4 GB decoded
    with pytest.raises(PredictionError) as err:
        read_predictions(data, "bomb.parquet", bench)
    assert "dictionary-encoded values expanded" in str(err.value)
    assert "1334 MB, over the 128 MB limit" in str(err.value)


def test_parquet_bomb_refusal_keeps_memory_bounded(ids, tmp_path):
    """Measured in a fresh process: peak RSS (VmHWM) before and after the refusal."""
    bomb = tmp_path / "bomb.parquet"
    bomb.write_bytes(dictionary_bomb(ids))
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from leaderboard.benchmark import load_benchmark
        from leaderboard.errors import PredictionError
        from leaderboard.predictions import read_predictions
        import pyarrow.parquet, pyarrow.compute, pandas

        def hwm():
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024

        bench = load_benchmark({str(hf.DEMO)!r})
        data = open({str(bomb)!r}, "rb").read()
        before = hwm()
        try:
            read_predictions(data, "bomb.parquet", bench)
            print("ACCEPTED")
        except PredictionError as exc:
            print("REFUSED", hwm() - before)
    """)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    assert out[0] == "REFUSED"
    assert int(out[1]) < 200 * 1024 * 1024, f"peak RSS grew {int(out[1]) >> 20} MB"


def test_parquet_within_the_cap_is_read(bench, ids):
    data = dictionary_bomb(ids[:40], entry_chars=10)
    pf = read_predictions(data, "small.parquet", bench)
    assert pf.report.matched == 40 and set(pf.predictions.values()) == {"A" * 10}


def test_parquet_columns_nobody_reads_are_listed_not_decoded(bench, ids):
    import pyarrow as pa
    import pyarrow.parquet as pq

    huge = pa.DictionaryArray.from_arrays(
        pa.array([0] * 40, pa.int32()), pa.array(["x" * 5_000_000])
    )
    buf = io.BytesIO()
    pq.write_table(
        pa.table({"id": ids[:40], "prediction": ["B"] * 40, "debug_blob": huge}),
        buf,
        compression="zstd",
    )
    pf = read_predictions(buf.getvalue(), "p.parquet", bench)
    assert pf.report.matched == 40


def wide_csv(columns: int = 100_000) -> bytes:
    header = ",".join(["id", "prediction"] + [f"c{i}" for i in range(columns - 2)])
    return (header + "\nqbp-00001,B" + "," * (columns - 2) + "\n").encode()


def test_wide_csv_is_refused_before_pandas_parses_it(bench, monkeypatch):
    data = wide_csv()
    assert 700_000 < len(data) < 900_000  # the 789 KB file

    def no_pandas(*args, **kwargs):
        raise AssertionError("pandas was asked to parse the wide file")

    monkeypatch.setattr(pd, "read_csv", no_pandas)
    start = time.perf_counter()
    with pytest.raises(PredictionError) as err:
        read_predictions(data, "wide.csv", bench)
    assert time.perf_counter() - start < 0.5
    assert "100000 columns, more than the 256" in str(err.value)


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_rows_with_thousands_of_keys_are_refused(bench, fmt):
    row = {"id": "qbp-00001", "prediction": "B", **{f"k{i}": 0 for i in range(1000)}}
    data = json.dumps(row).encode() if fmt == "jsonl" else json.dumps([row]).encode()
    with pytest.raises(PredictionError, match="1002 distinct keys in its rows, more than the 256"):
        read_predictions(data, f"p.{fmt}", bench)


def test_cell_count_is_capped(bench, ids):
    frame = pd.DataFrame({"id": ids, "prediction": "B", **{f"extra{i}": "x" for i in range(200)}})
    with pytest.raises(PredictionError, match="558530 cells, more than the 500000"):
        read_predictions(frame.to_csv(index=False).encode(), "p.csv", bench)


def test_json_value_bomb_is_refused_before_parsing(bench, monkeypatch):
    data = b"[" + b",".join([b"{}"] * 3_000_000) + b"]"  # 9 MB -> 3 million dicts
    import leaderboard.ingest.jsontext as jt

    monkeypatch.setattr(jt, "_decode", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(PredictionError, match="JSON values, more than the 500000"):
        read_predictions(data, "p.json", bench)


def test_line_length_is_capped(bench):
    data = b'id,prediction\nqbp-00001,"' + b"B" * 2_100_000 + b'"\n'
    with pytest.raises(PredictionError, match="p.csv line 2: 2100012 characters, more than"):
        read_predictions(data, "p.csv", bench)
    data = json.dumps({"id": "qbp-00001", "prediction": "B" * 2_100_000}).encode()
    with pytest.raises(PredictionError, match="p.jsonl line 1: 2100037 characters"):
        read_predictions(data, "p.jsonl", bench, Limits(max_file_bytes=1 << 30))


def test_json_nesting_is_refused(bench):
    with pytest.raises(PredictionError, match="nested too deeply"):
        read_predictions(
            b'{"id": "qbp-00001", "prediction": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
            "p.jsonl",
            bench,
        )


# ---------------------------------------------------------------- XLSX
def _one_row_workbook(padded: dict[str, int] | None = None, extra: bytes = b"") -> bytes:
    """A real one-row workbook re-zipped (deflated), members named in `padded` grown to that
    many bytes with spaces, plus an `extra` member of zeros when given."""
    good = hf.vlmevalkit_file(pd.DataFrame({"id": ["qbp-00001"], "prediction": ["B"]}), "xlsx")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info)
            size = (padded or {}).get(info.filename, len(body))
            dst.writestr(info.filename, body + b" " * (size - len(body)))
        if extra:
            dst.writestr("xl/media/padding.bin", extra)
    return out.getvalue()


def xlsx_bomb() -> bytes:
    """A real workbook plus one member that inflates a thousandfold."""
    return _one_row_workbook(extra=b"\0" * 200_000_000)


def test_xlsx_zip_bomb_is_refused_before_the_workbook_is_opened(bench, monkeypatch):
    import python_calamine

    data = xlsx_bomb()
    assert len(data) < 400_000
    monkeypatch.setattr(
        python_calamine.CalamineWorkbook, "from_filelike", lambda *a, **k: pytest.fail("opened")
    )
    with pytest.raises(PredictionError, match="the workbook unpacks to 191 MB, over the 64 MB"):
        read_predictions(data, "bomb.xlsx", bench)


def test_xlsx_with_many_members_and_plain_zip_are_refused(bench):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(100):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", "<x/>")
    with pytest.raises(PredictionError, match="101 members, more than the 64"):
        read_predictions(out.getvalue(), "many.xlsx", bench)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("predictions.jsonl", "{}")
    with pytest.raises(PredictionError, match="not an Excel workbook"):
        read_predictions(out.getvalue(), "p.xlsx", bench)


def test_wide_xlsx_is_refused_at_its_first_wide_row(bench):
    frame = pd.DataFrame(
        [["qbp-00001", "B"] + ["x"] * 300],
        columns=["id", "prediction"] + [f"c{i}" for i in range(300)],
    )
    with pytest.raises(PredictionError, match="sheet row 1: more than 256 columns"):
        read_predictions(hf.vlmevalkit_file(frame, "xlsx"), "wide.xlsx", bench)


# ---------------------------------------------------------------- lone surrogates
@pytest.mark.parametrize(
    "data, name, where",
    [
        (
            b'{"id": "qbp-00001", "prediction": "B"}\n'
            b'{"id": "qbp-00002", "prediction": "x\\ud800"}\n',
            "p.jsonl",
            (
                "p.jsonl line 2 (id 'qbp-00002'): the prediction contains a lone surrogate "
                "(\\ud800 at character 2)"
            ),
        ),
        (
            b'[{"id": "qbp-00001", "prediction": "B"}, {"id": "qbp-\\udfff", "prediction": "B"}]',
            "p.json",
            "p.json row 2: the id contains a lone surrogate",
        ),
        (b'{"qbp-00001": "\\ud83d"}', "p.json", "p.json key 'qbp-00001': the prediction contains"),
    ],
)
def test_lone_surrogate_is_refused_naming_the_row(bench, data, name, where):
    with pytest.raises(PredictionError) as err:
        read_predictions(data, name, bench)
    assert where in str(err.value)


def test_lone_surrogate_through_the_store_is_a_message_and_nothing_stored(tmp_path):
    from leaderboard.store import SubmissionStore
    from tests.support.storekit import submit

    store = SubmissionStore(tmp_path / "subs", load_benchmark(str(hf.DEMO)))
    with pytest.raises(InputError, match="lone surrogate"):
        submit(store, b'{"id": "qbp-00001", "prediction": "\\ud800"}', "p.jsonl", {"model": "S"})
    assert [p for p in (tmp_path / "subs").iterdir() if not p.name.startswith(".")] == []


def _lying_xlsx(real_size: int, claimed: int) -> bytes:
    """A workbook whose sheet inflates to `real_size` bytes while the ZIP's central directory
    claims `claimed`: the header check alone would pass it, a parser trusting the stream
    would inflate it all."""
    sheet = "xl/worksheets/sheet1.xml"
    data = bytearray(_one_row_workbook(padded={sheet: real_size}))
    # central directory entry: signature PK\1\2, uncompressed size at offset 24 (4 bytes LE)
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0
        name_len = int.from_bytes(data[pos + 28 : pos + 30], "little")
        if data[pos + 46 : pos + 46 + name_len] == sheet.encode():
            data[pos + 24 : pos + 28] = claimed.to_bytes(4, "little")
            break
        pos += 4
    return bytes(data)


def test_xlsx_whose_zip_headers_understate_its_size_is_refused_without_inflating(
    bench, monkeypatch
):
    import python_calamine

    data = _lying_xlsx(real_size=70_000_000, claimed=2_000)
    assert len(data) < 400_000
    monkeypatch.setattr(
        python_calamine.CalamineWorkbook, "from_filelike", lambda *a, **k: pytest.fail("opened")
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # the directory's claim passes the cap
        assert sum(i.file_size for i in zf.infolist()) < 64 * 1024 * 1024
    with pytest.raises(PredictionError, match=r"lying\.xlsx: not a readable XLSX file \(Bad CRC"):
        read_predictions(data, "lying.xlsx", bench)
