"""The orjson reader and the exact standard-library reader give one result: the fast one is
used only when it provably read the same thing (leaderboard/ingest/jsontext.py). Every
harness file is read both ways and compared; the cases the fast reader cannot vouch for
(a key given twice, a colon spelled as an escape, NaN, huge integers, lone surrogates) still
get the exact reader's message."""

from __future__ import annotations

import dataclasses
import functools
import json

import pytest

from leaderboard.benchmark import load_benchmark
from leaderboard.errors import PredictionError
from leaderboard.ingest import jsontext
from leaderboard.predictions import read_predictions
from tests.support import harness_files as hf

N = 200


@pytest.fixture(scope="module")
def bench():
    return load_benchmark(str(hf.DEMO))


@functools.cache
def _files() -> dict[str, bytes]:
    items = hf.demo_items(N)
    replies = hf.demo_replies("thinkervl")  # long replies: quotes, colons, newlines, LaTeX
    return {
        "plain.jsonl": hf.plain_jsonl(items, replies),
        "s_v03.jsonl": hf.lmms_eval_samples(items, replies, "v0.3"),
        "s_v04.jsonl": hf.lmms_eval_samples(items, replies, "v0.4"),
        "s_v07.jsonl": hf.lmms_eval_samples(items, replies, "v0.7"),
        "qbench_portrait.json": hf.lmms_eval_v02_task_json(items, replies),
        "answers.jsonl": hf.llava_qbench(items, replies),
        "batch.jsonl": hf.openai_batch_output(items, replies),
        "chats.jsonl": hf.chat_jsonl(items, replies),
        "M_D.json": hf.vlmevalkit_file(hf.vlmevalkit_frame(items, replies), "json"),
    }


def _exact_only(monkeypatch) -> None:
    monkeypatch.setattr(jsontext, "_fast", lambda *a, **k: None)


@pytest.mark.parametrize(
    "name", ["plain.jsonl", "s_v03.jsonl", "s_v04.jsonl", "s_v07.jsonl", "qbench_portrait.json",
             "answers.jsonl", "batch.jsonl", "chats.jsonl", "M_D.json"]
)  # fmt: skip
def test_both_readers_give_the_same_predictions_and_report(bench, name, monkeypatch):
    data = _files()[name]
    fast = read_predictions(data, name, bench)
    _exact_only(monkeypatch)
    exact = read_predictions(data, name, bench)
    assert fast.predictions == exact.predictions
    assert dataclasses.asdict(fast.report) == dataclasses.asdict(exact.report)
    assert fast.report.matched == N


def test_the_fast_reader_is_the_one_used_on_harness_files(bench, monkeypatch):
    seen = []
    real = jsontext._fast
    monkeypatch.setattr(jsontext, "_fast", lambda *a: seen.append(real(*a)) or seen[-1])
    read_predictions(_files()["s_v03.jsonl"], "s.jsonl", bench)
    assert seen and seen[0] is not None and len(seen[0].values) == N


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b'{"id": "qbp-00001", "prediction": "B", "id": "qbp-00002"}\n', "p.jsonl",
         "p.jsonl line 1: key 'id' appears twice"),
        (b'{"id": "qbp-00001", "doc": {"id": "qbp-00001", "id": "x"}, "prediction": "B"}\n',
         "p.jsonl", "key 'id' appears twice"),
        (b'{"qbp-00001": "A", "qbp-00002": "B", "qbp-00001": "C"}', "p.json",
         "key 'qbp-00001' appears twice"),
        # a dropped key's colon made up for by a colon spelled \u003a elsewhere: the counts
        # alone would match, so the escape sends the file to the exact reader
        (b'{"id": "qbp-00001", "prediction": "B\\u003a", "prediction": "C"}\n', "p.jsonl",
         "key 'prediction' appears twice"),
    ],
)  # fmt: skip
def test_a_key_given_twice_is_refused_by_either_reader(bench, data, name, message):
    with pytest.raises(PredictionError, match=message):
        read_predictions(data, name, bench)


def test_values_orjson_refuses_still_read_the_standard_librarys_way(bench):
    rows = [
        b'{"id": "qbp-00001", "prediction": "B", "score": NaN}',
        b'{"id": "qbp-00002", "prediction": "A", "n": ' + b"9" * 30 + b"}",
    ]
    pf = read_predictions(b"\n".join(rows) + b"\n", "p.jsonl", bench)
    assert pf.predictions == {"qbp-00001": "B", "qbp-00002": "A"}
    with pytest.raises(PredictionError, match=r"line 1 \(id 'qbp-00001'\).*lone surrogate"):
        read_predictions(b'{"id": "qbp-00001", "prediction": "\\ud800"}\n', "p.jsonl", bench)


def test_a_line_separator_inside_a_reply_does_not_split_the_jsonl_line(bench, monkeypatch):
    """json.dumps(ensure_ascii=False) writes U+2028/U+2029/U+0085 raw inside strings; JSONL
    lines end at LF only, so the reply keeps them (str.splitlines used to cut the line)."""
    reply = "First paragraph.\u2028Second.\u2029Third.\x85 Answer: B"
    line = json.dumps({"id": "qbp-00001", "prediction": reply}, ensure_ascii=False)
    data = (line + "\n").encode()
    assert read_predictions(data, "p.jsonl", bench).predictions == {"qbp-00001": reply}
    _exact_only(monkeypatch)
    assert read_predictions(data, "p.jsonl", bench).predictions == {"qbp-00001": reply}


def test_too_many_rows_is_refused_by_count_before_any_parse(bench, monkeypatch):
    monkeypatch.setattr(jsontext, "_fast", lambda *a, **k: pytest.fail("parsed"))
    data = b'{"id": "x", "prediction": "B"}\n' * (len(bench) + 1)
    with pytest.raises(PredictionError, match=f"{len(bench) + 1} rows, more than"):
        read_predictions(data, "p.jsonl", bench)


def test_blank_lines_do_not_count_as_rows(bench):
    ids = bench.items["id"].tolist()
    data = b"\n\n".join(json.dumps({"id": i, "prediction": "B"}).encode() for i in ids) + b"\n\n\n"
    assert read_predictions(data, "p.jsonl", bench).report.matched == len(ids)


def test_a_large_compressed_file_is_named_before_its_bytes_are_counted_as_lines(bench):
    """A 4 MB gzip holds thousands of newline bytes; it is still told apart as gzip."""
    import gzip
    import os

    data = gzip.compress(os.urandom(4_000_000), compresslevel=1)
    assert data.count(b"\n") > len(bench)
    with pytest.raises(PredictionError, match=r"p\.jsonl: this is a gzip"):
        read_predictions(data, "p.jsonl", bench)


def test_millions_of_blank_lines_do_not_hide_the_rows(bench):
    ids = bench.items["id"].tolist()[:3]
    body = b"\n".join(json.dumps({"id": i, "prediction": "B"}).encode() for i in ids)
    data = b" \n" * 1_000_000 + body + b"\n"
    assert read_predictions(data, "p.jsonl", bench).report.matched == 3
