"""Prediction files: every accepted format, column recognition, the parse report, refusals."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from leaderboard.benchmark import load_local
from leaderboard.errors import PredictionError
from leaderboard.predictions import read_predictions
from leaderboard.settings import Limits
from tests.support.bundles import item, write_bundle


@pytest.fixture()
def bench(tmp_path):
    rows = [item(i, q) for i, q in enumerate(["SC", "MC", "TF", "OE", "SC"], start=1)]
    return load_local(write_bundle(tmp_path / "bundle", rows))


ANSWERS = {"q001": "B", "q002": "A and C", "q003": "True.", "q004": "It is blurry."}


def as_rows(id_col="id", pred_col="prediction"):
    return [{id_col: k, pred_col: v} for k, v in ANSWERS.items()]


def encode(fmt: str, rows: list[dict]) -> bytes:
    frame = pd.DataFrame(rows)
    if fmt == "jsonl":
        return "\n".join(json.dumps(r) for r in rows).encode()
    if fmt == "json":
        return json.dumps(rows).encode()
    if fmt == "csv":
        return frame.to_csv(index=False).encode()
    if fmt == "tsv":
        return frame.to_csv(index=False, sep="\t").encode()
    buf = io.BytesIO()
    frame.to_parquet(buf)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "tsv", "parquet"])
def test_every_format_reads_the_same(bench, fmt):
    pf = read_predictions(encode(fmt, as_rows()), f"preds.{fmt}", bench)
    assert pf.predictions == ANSWERS
    rep = pf.report
    assert (rep.format, rep.rows, rep.matched, rep.missing, rep.unknown) == (fmt, 4, 4, 1, 0)
    assert rep.missing_ids == ["q005"]
    assert (rep.id_column, rep.prediction_column) == ("id", "prediction")


def test_json_object_id_to_text(bench):
    pf = read_predictions(json.dumps(ANSWERS).encode(), "preds.json", bench)
    assert pf.predictions == ANSWERS and pf.report.id_column == "(object keys)"


def test_wrapped_list_and_sniffed_format(bench):
    data = json.dumps({"predictions": as_rows()}).encode()
    assert read_predictions(data, "upload", bench).predictions == ANSWERS


@pytest.mark.parametrize(
    "id_col, pred_col",
    [("question_id", "response"), ("index", "output"), ("QID", "Answer"), ("id", "model_output")],
)
def test_common_column_names_are_recognised_and_reported(bench, id_col, pred_col):
    pf = read_predictions(encode("jsonl", as_rows(id_col, pred_col)), "p.jsonl", bench)
    assert pf.predictions == ANSWERS
    assert (pf.report.id_column, pf.report.prediction_column) == (id_col, pred_col)


def test_prediction_column_preferred_over_answer(bench):
    rows = [{"id": k, "answer": "gold", "prediction": v} for k, v in ANSWERS.items()]
    pf = read_predictions(encode("csv", rows), "p.csv", bench)
    assert pf.report.prediction_column == "prediction" and pf.predictions == ANSWERS


def test_unknown_and_empty_are_reported(bench):
    rows = as_rows() + [{"id": "zzz", "prediction": "B"}]
    rows[0]["prediction"] = "  "
    rep = read_predictions(encode("jsonl", rows), "p.jsonl", bench).report
    assert (rep.unknown, rep.unknown_ids, rep.empty) == (1, ["zzz"], 1)


def test_numbers_and_nulls_as_answers_are_text(bench):
    data = b'{"id": "q001", "prediction": 2}\n{"id": "q003", "prediction": null}\n'
    pf = read_predictions(data, "p.jsonl", bench)
    assert pf.predictions == {"q001": "2", "q003": ""}


def test_utf8_bom_and_utf16_are_read(bench):
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in as_rows())
    assert read_predictions(b"\xef\xbb\xbf" + text.encode(), "p.jsonl", bench).report.matched == 4
    assert read_predictions(text.encode("utf-16"), "p.jsonl", bench).report.matched == 4


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "p.jsonl", "the file is empty"),
        (b"\xff\xd8\xff\xe0junk\x00\x01", "p.json", "this is a JPEG image"),
        (b"\xe9t\xe9,B\n", "p.csv", "not UTF-8 text"),
        (b'[{"id": "q001", "prediction": "B"', "p.json", "not valid JSON"),
        (
            b'{"id": "q001", "prediction": "B"}\n{"id": ',
            "p.jsonl",
            "p.jsonl line 2: not valid JSON",
        ),
        (b'"just a string"', "p.json", "JSON of the wrong shape"),
        (b'{"a": {"b": 1}, "c": 2}', "p.json", "JSON object of the wrong shape"),
        (b"[1, 2, 3]", "p.json", "row 1 is int"),
        (b"name,score\nx,1\n", "p.csv", "no id column"),
        (b"id,score\nq001,1\n", "p.csv", "no prediction column"),
        (b"id,prediction\nq001,B\nq001,C\n", "p.csv", "duplicate id"),
        (b"id,prediction\nnope,B\n", "p.csv", "none of its 1 ids is in the benchmark"),
        (b"id,prediction\n,B\n", "p.csv", "p.csv row 2: empty id"),
        (b"PAR1garbage", "p.parquet", "not a readable Parquet file"),
    ],
)
def test_malformed_files_get_clear_messages(bench, data, name, message):
    with pytest.raises(PredictionError) as err:
        read_predictions(data, name, bench)
    assert message in str(err.value)


def test_more_rows_than_the_benchmark_is_refused(bench):
    rows = [{"id": f"x{i}", "prediction": "B"} for i in range(6)]
    with pytest.raises(PredictionError, match="6 rows, more than the benchmark's 5 items"):
        read_predictions(encode("jsonl", rows), "p.jsonl", bench)


def test_limits_are_settings(bench):
    rows = as_rows()
    rows[0]["prediction"] = "B" * 50
    with pytest.raises(PredictionError, match="longer than the 10-character limit"):
        read_predictions(encode("jsonl", rows), "p.jsonl", bench, Limits(max_answer_chars=10))
    with pytest.raises(PredictionError, match="upload limit"):
        read_predictions(encode("jsonl", rows), "p.jsonl", bench, Limits(max_file_bytes=20))


def test_path_in_file_name_is_dropped(bench):
    pf = read_predictions(encode("jsonl", as_rows()), "../../etc/p.jsonl", bench)
    assert pf.report.file_name == "p.jsonl"
