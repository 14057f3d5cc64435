"""Hostile and malformed uploads through the submission pipeline: each refused one gets a message
naming what is wrong and where, stores nothing, and the store keeps serving; the hostile inputs
that are legitimately accepted are stored as given and shown only as text."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from leaderboard.errors import InputError
from leaderboard.safe_text import csv_safe, html_text, md_escape
from leaderboard.settings import Limits
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline
from tests.support.storekit import GOOD, IDS, listing, small_bench, upload

LIMITS = Limits(max_expanded_bytes=2 * 1024 * 1024, submits_per_hour=0, attempts_per_hour=0)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    store = SubmissionStore(root / "subs", small_bench(root / "bundle"))
    return SubmissionPipeline(store.benchmark, store, limits=LIMITS)


@pytest.fixture(scope="module")
def store(pipeline):
    return pipeline.store


def parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def zip_bomb() -> bytes:
    """A small ZIP whose one member expands 1000-fold."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("predictions.json", b"0" * 10_000_000)
    return buf.getvalue()


def gzip_of(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


CSV_TEXT = "id,prediction\nq001,答えはB café\n"
BAD_FILES = [
    # (case, bytes, uploaded file name, substring the message must contain)
    ("empty", b"", "p.jsonl", "p.jsonl: the file is empty"),
    ("blank-lines", b"  \n\r\n\t\n", "p.csv", "p.csv: the file is empty"),
    (
        "latin-1",
        "id,prediction\nq001,café B\n".encode("latin-1"),
        "p.csv",
        "not UTF-8 text (invalid byte 0xe9",
    ),
    (
        "latin-1-jsonl",
        '{"id": "q001", "prediction": "réponse B"}'.encode("latin-1"),
        "p.jsonl",
        "p.jsonl: not UTF-8 text",
    ),
    (
        "shift-jis",
        CSV_TEXT.replace(" café", "").encode("shift_jis"),
        "p.csv",
        "line 2; Latin-1, Shift-JIS",
    ),
    ("gbk", "id,prediction\nq001,答案是B\n".encode("gbk"), "p.csv", "save the file as UTF-8"),
    (
        "utf16-le-no-bom",
        CSV_TEXT.encode("utf-16-le"),
        "p.csv",
        "UTF-16 text without a byte-order mark",
    ),
    (
        "utf16-be-no-bom",
        CSV_TEXT.encode("utf-16-be"),
        "p.jsonl",
        "UTF-16 text without a byte-order mark",
    ),
    ("utf16-bad", b"\xff\xfe" + b"\x00\xd8" * 3, "p.csv", "invalid UTF-16 text"),
    ("nul-bytes", b"id,prediction\nq001,B\x00\x00\n", "p.csv", "contains NUL bytes"),
    ("binary-junk", bytes(range(256)) * 8, "p.csv", "not UTF-8 text"),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, "p.json", "this is a PNG image"),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "p.csv", "this is a PDF document"),
    ("zip-bomb-named-json", zip_bomb(), "predictions.json", "this is a ZIP archive"),
    ("gzip-named-jsonl", gzip_of(GOOD), "p.jsonl", "this is a gzip archive"),
    (
        "truncated-json",
        b'[{"id": "q001", "prediction": "B"}, {"id": "q0',
        "p.json",
        "p.json: not valid JSON",
    ),
    ("truncated-jsonl", GOOD[:-7], "p.jsonl", "p.jsonl line 5: not valid JSON at column 16"),
    ("truncated-object", b'{"q001": "B", "q002":', "p.json", "not valid JSON"),
    ("json-string", b'"B"', "p.json", "JSON of the wrong shape (str)"),
    ("json-number", b"42", "p.json", "JSON of the wrong shape (int)"),
    ("json-null", b"null", "p.json", "JSON of the wrong shape (NoneType)"),
    ("json-nan", b"NaN", "p.json", "JSON of the wrong shape (float)"),
    ("json-list-of-ints", b"[1, 2, 3]", "p.json", "row 1 is int"),
    ("json-list-of-lists", b'[["q001", "B"]]', "p.json", "row 1 is list"),
    (
        "json-object-of-objects",
        b'{"q001": {"a": 1}, "q002": {"a": 2}}',
        "p.json",
        "JSON object of the wrong shape",
    ),
    (
        "jsonl-array-line",
        b'{"id": "q001", "prediction": "B"}\n["q002", "C"]\n',
        "p.jsonl",
        "p.jsonl line 2: expected a JSON object",
    ),
    ("json-deep-nesting", b"[" * 100_000 + b"]" * 100_000, "p.json", "nested too deeply"),
    (
        "json-huge-integer",
        b'[{"id": ' + b"9" * 5000 + b', "prediction": "B"}]',
        "p.json",
        "a number with thousands of digits",
    ),
    (
        "json-duplicate-key",
        b'{"q001": "A", "q002": "B", "q001": "C"}',
        "p.json",
        "key 'q001' appears twice",
    ),
    (
        "jsonl-duplicate-field",
        b'{"id": "q001", "prediction": "B", "id": "q002"}',
        "p.jsonl",
        "p.jsonl line 1: key 'id' appears twice",
    ),
    (
        "duplicate-ids-jsonl",
        upload({"q001": "B"}) + b"\n" + upload({"q001": "C"}),
        "p.jsonl",
        "id 'q001' at rows 1 and 2",
    ),
    (
        "duplicate-ids-csv",
        b"id,prediction\nq002,A\nq001,B\nq002,C\n",
        "p.csv",
        "id 'q002' at rows 1 and 3",
    ),
    (
        "million-rows-csv",
        b"id,prediction\n" + b"q001,B\n" * 1_000_000,
        "p.csv",
        "more rows than the benchmark's 5 items",
    ),
    (
        "700k-rows-jsonl",
        b'{"id": "q001"}\n' * 700_000,
        "p.jsonl",
        "700000 rows, more than the benchmark's 5 items",
    ),
    (
        "50-MB-answer",
        b'{"id": "q001", "prediction": "' + b"A" * 50_000_000 + b'"}',
        "p.jsonl",
        "over the 20 MB upload limit",
    ),
    (
        "long-answer",
        upload({"q001": "B" * 25_000}),
        "p.jsonl",
        "row 1 (id 'q001'): 25000 characters",
    ),
    ("long-id", upload({"q" * 10_000: "B", "q001": "B"}), "p.jsonl", "longer than 200 characters"),
    ("csv-only-header", b"id,prediction\n", "p.csv", "no rows below the header line"),
    ("csv-unclosed-quote", b'id,prediction\nq001,"B\n', "p.csv", "not a readable CSV table"),
    (
        "csv-no-id-column",
        b"name,prediction\nq001,B\n",
        "p.csv",
        "no id column; found columns 'name', 'prediction'",
    ),
    ("csv-no-prediction-column", b"id,score\nq001,1\n", "p.csv", "no prediction column"),
    ("csv-empty-id", b"id,prediction\nq001,B\n,C\n", "p.csv", "p.csv row 3: empty id"),
    (
        "html-named-csv",
        b"<html><body><script>alert(1)</script></body></html>",
        "p.csv",
        "no rows below the header line",
    ),
    (
        "unknown-ids-only",
        upload({"../../etc/passwd": "B", "..\\..\\boot.ini": "C"}),
        "p.jsonl",
        "none of its 2 ids is in the benchmark",
    ),
    (
        "parquet-wrong-columns",
        parquet(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})),
        "p.parquet",
        "no id column; found columns 'a', 'b'",
    ),
    (
        "parquet-no-prediction",
        parquet(pd.DataFrame({"id": IDS})),
        "p.parquet",
        "no prediction column",
    ),
    (
        "parquet-truncated",
        parquet(pd.DataFrame({"id": IDS, "prediction": "B"}))[:300],
        "p.parquet",
        "not a readable Parquet file",
    ),
    (
        "parquet-too-many-rows",
        parquet(pd.DataFrame({"id": [f"x{i}" for i in range(9)], "prediction": "B"})),
        "p.parquet",
        "9 rows, more than the benchmark's 5 items",
    ),
    (
        "parquet-expands",
        parquet(
            pd.DataFrame({"id": IDS, "prediction": ["A" * 600_000 + str(i) for i in range(5)]})
        ),
        "p.parquet",
        "Parquet data expands to 2.9 MB, over the 2 MB limit",
    ),
]

BAD_FORMS = [
    # (case, form fields, substring of the message)
    ("no-model", {}, "Model name is required"),
    ("blank-model", {"model": "   "}, "Model name is required"),
    ("long-model", {"model": "M" * 81}, "Model name is 81 characters long; at most 80"),
    ("nul-in-model", {"model": "Model\x00X"}, "control or invisible character (U+0000"),
    ("newline-in-model", {"model": "Model\nX"}, "(U+000A at position 6)"),
    ("rtl-override-model", {"model": "abc\u202edcba"}, "U+202E"),
    ("zero-width-model", {"model": "Ad\u200bmin"}, "U+200B"),
    ("list-as-model", {"model": ["a", "b"]}, "Model name must be text, not list"),
    ("javascript-link", {"model": "M", "link": "javascript:alert(1)"}, "http(s) URL"),
    ("data-link", {"model": "M", "link": "data:text/html,<script>x</script>"}, "http(s) URL"),
    ("quote-in-link", {"model": "M", "link": 'https://x.org/"onmouseover="a'}, "http(s) URL"),
    ("open-as-text", {"model": "M", "open": "yes"}, "open must be true, false or empty"),
    ("long-params", {"model": "M", "params": "7" * 21}, "Parameter count is 21 characters"),
]


def _good_after(pipeline: SubmissionPipeline, case: str) -> None:
    sub = pipeline.submit(GOOD, "good.jsonl", {"model": f"good after {case}"})
    assert sub.path.parent == pipeline.store.root and not sub.duplicate


@pytest.mark.parametrize("case, data, name, message", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_file_is_refused_with_a_clear_message_and_nothing_stored(
    pipeline, store, case, data, name, message
):
    before = listing(store.root)
    with pytest.raises(InputError) as err:
        pipeline.submit(data, name, {"model": f"fuzz {case}"})
    assert message in str(err.value)
    assert len(str(err.value)) < 2000  # a hostile file cannot flood the page
    assert listing(store.root) == before
    _good_after(pipeline, case)


@pytest.mark.parametrize("case, form, message", BAD_FORMS, ids=[c[0] for c in BAD_FORMS])
def test_bad_form_is_refused_and_nothing_stored(pipeline, store, case, form, message):
    before = listing(store.root)
    with pytest.raises(InputError) as err:
        pipeline.submit(GOOD, "p.jsonl", form)
    assert message in str(err.value)
    assert listing(store.root) == before
    _good_after(pipeline, "form " + case)


def test_upload_that_is_not_bytes_is_refused(pipeline):
    with pytest.raises(InputError, match="must be the file's bytes"):
        pipeline.submit(GOOD.decode(), "p.jsonl", {"model": "text instead of bytes"})
    with pytest.raises(InputError, match="must be a mapping"):
        pipeline.submit(GOOD, "p.jsonl", "model")


def test_oversized_file_on_disk_is_refused_before_it_is_read(pipeline, tmp_path, monkeypatch):
    big = tmp_path / "huge.jsonl"
    with open(big, "wb") as fh:  # sparse: 50 MB that costs no disk
        fh.truncate(50_000_000)

    def no_reading(self):
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(InputError, match="huge.jsonl: 48 MB, over the 20 MB upload limit"):
        pipeline.submit_file(big, {"model": "huge"})


# ---------------------------------------------------------------- accepted, stored as text
HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)",
    '@HYPERLINK("http://x")',
    "-2+3",
    "[x](javascript:alert(1))",
    "**bold** | col",
    "模型-7B 🚀",
    "Robert'); DROP TABLE models;--",
    "../../etc/passwd",
    "%s%n{0}${HOME}",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_model_names_are_stored_as_given_and_shown_as_text(pipeline, store, name):
    sub = pipeline.submit(GOOD, "p.jsonl", {"model": name, "submitter": name})
    again = store.get(sub.id)
    assert again.meta.model == name and again.meta.submitter == name
    meta = json.loads((sub.path / "meta.json").read_text("utf-8"))
    assert meta["model"] == name
    assert sorted(p.name for p in sub.path.iterdir()) == [
        "items.parquet",
        "meta.json",
        "result.json",
        "upload.jsonl",
    ]
    assert "<" not in html_text(name) and "<" not in md_escape(name)
    assert not str(csv_safe(name)).startswith(("=", "+", "-", "@"))


def test_path_like_ids_and_file_names_never_become_paths(pipeline, store, tmp_path_factory):
    outside = store.root.parent
    before_outside = sorted(p.name for p in outside.iterdir())
    data = upload(
        {
            "q001": "B",
            "../../etc/passwd": "B",
            "/tmp/evil": "C",
            "..\\..\\x": "D",
            "q002": "A and C",
        }
    )
    sub = pipeline.submit(data, "../../../tmp/evil\\..\\name.jsonl", {"model": "path tricks"})
    assert sub.meta.file_name == "name.jsonl"
    assert sub.result["parse_report"]["unknown_ids"] == [
        "../../etc/passwd",
        "/tmp/evil",
        "..\\..\\x",
    ]
    assert (sub.path / "upload.jsonl").read_bytes() == data
    assert sorted(p.name for p in outside.iterdir()) == before_outside
    assert not Path("/tmp/evil").exists()


def test_nan_numbers_and_markup_as_answers_are_scored_as_unreadable_text(pipeline):
    data = (
        b'[{"id": "q001", "prediction": NaN}, {"id": "q002", "prediction": 3},'
        b' {"id": "q003", "prediction": Infinity}, {"id": "q005", "prediction":'
        b' "<img src=x onerror=alert(1)> =HYPERLINK(1)"}]'
    )
    sub = pipeline.submit(data, "p.json", {"model": "numbers"})
    items = sub.items().set_index("id")
    assert items.loc["q001", "raw"] == "" and items.loc["q002", "raw"] == "3"
    assert items.loc["q005", "raw"] == "<img src=x onerror=alert(1)> =HYPERLINK(1)"
    assert set(items.loc[["q001", "q002", "q003"], "status"]) == {"unreadable"}
    # result.json is strict JSON: no NaN or Infinity leaked into it
    json.loads(
        (sub.path / "result.json").read_text(),
        parse_constant=lambda c: pytest.fail(f"{c} in result.json"),
    )


@pytest.mark.parametrize(
    "data, name",
    [
        (b"\xef\xbb\xbf" + GOOD, "bom.jsonl"),
        (GOOD.decode().encode("utf-16"), "utf16-bom.jsonl"),
        (b"id,prediction\r\nq001,B\r\nq003,True\r\n", "crlf.csv"),
        (b"id\tprediction\nq001\tB\n", "tabs.tsv"),
        (GOOD, "C:\\Users\\me\\Desktop\\preds.jsonl"),
    ],
)
def test_odd_but_valid_files_are_accepted(pipeline, data, name):
    sub = pipeline.submit(data, name, {"model": f"odd {name[-9:]}"})
    assert sub.upload_path.read_bytes() == data
    assert "\\" not in sub.meta.file_name and "/" not in sub.meta.file_name


def test_fuzz_corpus_is_large_enough():
    assert len(BAD_FILES) + len(BAD_FORMS) + len(HOSTILE_NAMES) >= 40
    assert len(BAD_FILES) >= 40
