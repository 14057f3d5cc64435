"""Hostile uploads and concurrent submissions through the launched app's public API.

`python app.py` runs without an OE judge (judging is tested in test_app_judging.py; here it
would only cost time), a 2 MB upload limit and a rate limit high enough for the test. Malformed
or hostile files and forms sent with gradio_client each get a
clear message and store nothing, hostile but legitimate model names are stored as given
(text), the app keeps serving; 20 clients submitting at once all land once, unmixed, with
the values the scorer gives each file on its own; a file over the upload limit is refused
before any handler sees it.
"""

from __future__ import annotations

import gzip
import io
import json
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from leaderboard.benchmark import load_local
from leaderboard.predictions import read_predictions
from leaderboard.scoring import score_predictions
from leaderboard.taxonomy import TABLES
from tests.conftest import DEMO
from tests.support.apierrors import refusal
from tests.support.applaunch import launched_app

pytestmark = pytest.mark.app

MAX_MB = 2
N_CONCURRENT = 20
DEMO_FILES = sorted((DEMO / "predictions").glob("*.jsonl"))
GOOD = (DEMO / "predictions" / "tersenet.jsonl").read_bytes()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    env = {"QBP_JUDGE": "none", "QBP_MAX_UPLOAD_MB": str(MAX_MB), "QBP_SUBMITS_PER_HOUR": "1000"}
    with launched_app(tmp_path_factory.mktemp("uploads-app"), env) as launched:
        yield launched


@pytest.fixture(scope="module")
def bench():
    return load_local(DEMO)


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("predictions.json", b"0" * 10_000_000)
    return buf.getvalue()


def row(item_id: str, prediction: str) -> str:
    return json.dumps({"id": item_id, "prediction": prediction})


BAD_UPLOADS = [
    # (case, file name, bytes, form fields, substring the message must contain)
    ("binary-junk", "junk.csv", bytes(range(256)) * 8, {}, "junk.csv: not UTF-8 text"),
    (
        "truncated-json",
        "cut.json",
        b'[{"id": "qbp-00001", "prediction": "B"}, {"id": "qbp-0',
        {},
        "cut.json: not valid JSON",
    ),
    ("empty-file", "empty.jsonl", b"", {}, "empty.jsonl: the file is empty"),
    (
        "duplicate-ids",
        "dup.csv",
        b"id,prediction\nqbp-00002,A\nqbp-00001,B\nqbp-00002,C\n",
        {},
        "id 'qbp-00002' at rows 1 and 3",
    ),
    ("zip-bomb-named-json", "predictions.json", zip_bomb(), {}, "this is a ZIP archive"),
    ("gzip-named-jsonl", "p.jsonl", gzip.compress(GOOD), {}, "this is a gzip archive"),
    (
        "png-named-json",
        "p.json",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40,
        {},
        "this is a PNG image",
    ),
    (
        "utf16-no-bom",
        "u16.csv",
        "id,prediction\nqbp-00001,答えはB\n".encode("utf-16-le"),
        {},
        "UTF-16 text without a byte-order mark",
    ),
    ("nul-bytes", "nul.csv", b"id,prediction\nqbp-00001,B\x00\x00\n", {}, "contains NUL bytes"),
    (
        "1-MB-answer",
        "long.jsonl",
        row("qbp-00001", "B" * 1_000_000).encode(),
        {},
        "row 1 (id 'qbp-00001'): 1000000 characters",
    ),
    ("deep-nesting", "deep.json", b"[" * 100_000 + b"]" * 100_000, {}, "nested too deeply"),
    (
        "path-ids-only",
        "paths.jsonl",
        (row("../../etc/passwd", "B") + "\n" + row("/tmp/evil", "C")).encode(),
        {},
        "none of its 2 ids is in the benchmark",
    ),
    ("no-id-column", "cols.csv", b"name,prediction\nqbp-00001,B\n", {}, "no id column"),
    ("control-char-name", "p.jsonl", GOOD, {"model": "Evil\u202eName"}, "U+202E"),
    ("javascript-link", "p.jsonl", GOOD, {"link": "javascript:alert(1)"}, "http(s) URL"),
    ("long-name", "p.jsonl", GOOD, {"model": "M" * 200}, "at most 80"),
]

HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)> **bold** | col",
]


def submit(client, path: Path, model: str, **form):
    from gradio_client import handle_file

    return client.predict(file=handle_file(str(path)), model=model, api_name="/submit", **form)


def refused_submit(client, path: Path, model: str, **form) -> str:
    """The AppError message of a refused /submit."""
    from gradio_client import handle_file

    return refusal(client, file=handle_file(str(path)), model=model, api_name="/submit", **form)


def test_hostile_uploads_get_a_clear_message_store_nothing_and_the_app_keeps_serving(app, tmp_path):
    client = app.client()
    before = app.stored()
    for case, name, data, form, message in BAD_UPLOADS:
        path = tmp_path / case / name
        path.parent.mkdir()
        path.write_bytes(data)
        form = {"model": f"fuzz {case}", **form}
        text = refused_submit(client, path, **form)
        assert message in text, (case, text)
        assert len(text) < 2000, case  # a hostile file cannot flood the page
        assert app.stored() == before, case
    rows = client.predict(table="table3", api_name="/leaderboard")
    assert {r["model"] for r in rows} >= {"Qwen3-VL (32B)", "Random guess"}
    assert not any(r["model"].startswith("fuzz ") for r in rows)
    good = tmp_path / "good.jsonl"
    good.write_bytes(GOOD)
    assert submit(client, good, "Still Serving")["submission_id"]  # and still takes uploads


def test_hostile_but_legitimate_names_are_stored_as_given_and_returned_as_text(app, tmp_path):
    client = app.client()
    for n, name in enumerate(HOSTILE_NAMES):
        path = tmp_path / f"h{n}.jsonl"
        path.write_bytes(GOOD)  # the same file under another name is another model
        out = submit(client, path, name)
        assert out["row"]["model"] == name and name in out["message"]
        rows = client.predict(table="table3", search=name, api_name="/leaderboard")
        assert [r["model"] for r in rows] == [name]
        meta = json.loads((app.submissions / out["submission_id"] / "meta.json").read_text())
        assert meta["model"] == name


def variant(n: int) -> tuple[str, bytes]:
    """The n-th perturbed demo file: a demo model's answers with every 20th answer (offset
    n) dropped, so each file, and its scores, differ."""
    source = DEMO_FILES[n % len(DEMO_FILES)]
    lines = source.read_text("utf-8").splitlines()
    kept = [line for i, line in enumerate(lines) if i % N_CONCURRENT != n]
    return f"{source.stem}-{n:02d}.jsonl", ("\n".join(kept) + "\n").encode()


def test_twenty_concurrent_submissions_all_land_once_unmixed_with_their_scores(
    app, bench, tmp_path
):
    from gradio_client import Client, handle_file

    files = {f"Concurrent {n:02d}": variant(n) for n in range(N_CONCURRENT)}
    expected = {}
    for model, (name, data) in files.items():
        pred = read_predictions(data, name, bench)
        expected[model] = score_predictions(bench, pred.predictions).tables.values
        (tmp_path / name).write_bytes(data)
    assert len({json.dumps(v, sort_keys=True) for v in expected.values()}) == N_CONCURRENT
    before = set(app.stored())
    start = threading.Barrier(N_CONCURRENT)

    def one(model: str) -> dict:
        client = Client(app.url, verbose=False, download_files=False, analytics_enabled=False)
        start.wait(60)
        return client.predict(
            file=handle_file(str(tmp_path / files[model][0])), model=model, api_name="/submit"
        )

    with ThreadPoolExecutor(N_CONCURRENT) as pool:
        results = dict(zip(files, pool.map(one, files), strict=False))
    for model, out in results.items():
        assert not out["duplicate"], (model, out["message"])
        assert out["row"]["model"] == model
        assert out["row"]["SC"] == pytest.approx(expected[model]["table3"]["SC"])
    ids = {out["submission_id"] for out in results.values()}
    assert len(ids) == N_CONCURRENT and set(app.stored()) - before == ids

    client = Client(app.url, verbose=False, download_files=False, analytics_enabled=False)
    for table in ("table3", "table4"):
        rows = client.predict(table=table, search="Concurrent", api_name="/leaderboard")
        by = {r["model"]: r for r in rows}
        assert sorted(by) == sorted(files) and len(rows) == N_CONCURRENT
        for model, r in by.items():
            assert r["kind"] == "verified" and r["judge"] == "none (OE unjudged)"
            assert r["submission_id"] == results[model]["submission_id"]
            for cell in TABLES[table].columns:
                want = expected[model][table][cell]
                assert r[cell] == (None if want is None else pytest.approx(want, abs=1e-9)), (
                    model,
                    table,
                    cell,
                )
    for model, out in results.items():  # each stored upload is that client's file
        stored = app.submissions / out["submission_id"] / "upload.jsonl"
        assert stored.read_bytes() == files[model][1]


def test_upload_limit_is_enforced_at_the_upload_route(app, tmp_path):
    from gradio_client import handle_file

    limit = MAX_MB * 1024 * 1024
    assert httpx.get(app.url + "config").json()["max_file_size"] == limit
    big = tmp_path / "big.jsonl"
    big.write_bytes(row("qbp-00001", "B" * (limit + 10)).encode())
    with pytest.raises(ValueError, match=f"exceeds the maximum file size of {limit} bytes"):
        app.client().predict(file=handle_file(str(big)), model="Too Big", api_name="/submit")
    # A client that ignores the advertised limit is refused by the server (HTTP 413).
    with open(big, "rb") as fh:
        reply = httpx.post(
            app.url + "gradio_api/upload", files={"files": (big.name, fh)}, timeout=30
        )
    assert reply.status_code == 413
    assert f"maximum allowed size of {limit} bytes" in reply.text
    rows = app.client().predict(table="table3", search="Too Big", api_name="/leaderboard")
    assert rows == []
