"""Judging after upload, in the launched app with the reference (OpenAI-protocol) judge.

`python app.py` runs with QBP_JUDGE=openai against the loopback stub judge. The stub answers
the first calls at once and holds the rest until the test lets them through, so the test
sees the upload mid-judging without relying on timing: a pending row (closed-ended cells,
OE "-" with its progress, unranked, not stored) that every client sees, then the verified,
ranked row naming the judge. The app is killed mid-judging once: nothing is stored, and the
retry re-sends none of the judgements made before the crash (the judge cache has them).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from leaderboard.benchmark import load_local
from leaderboard.judges import make_judge
from leaderboard.predictions import read_predictions
from leaderboard.scoring import score_predictions
from leaderboard.taxonomy import TABLES
from tests.conftest import DEMO
from tests.support.applaunch import launched_app
from tests.support.openai_stub import Call, Reply, StubServer

pytestmark = pytest.mark.app

DEMO_PREDS = DEMO / "predictions" / "simvl_large.jsonl"  # 542 OE answers, all readable
MODEL = "Judged Later (9B)"
JUDGE_LABEL = "openai · stub-judge"
WAIT = 60.0  # seconds before a poll gives up (a failure, not a timing measurement)


class GatedJudge:
    """Stub behaviour: answer "Score: 2" to the next `free` calls, hold the rest until
    `release()`. Remembers which prompts were answered."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._gate = threading.Event()
        self._free = 0
        self.answered: list[str] = []

    def hold_after(self, free: int) -> None:
        with self._lock:
            self._free, self._gate = free, threading.Event()

    def release(self) -> None:
        with self._lock:
            self._gate.set()

    def __call__(self, call: Call) -> Reply:
        with self._lock:
            passes, gate = self._free > 0, self._gate
            self._free -= passes
        if not passes:
            gate.wait(WAIT)
        with self._lock:
            self.answered.append(call.prompt)
        return Reply("The model answer matches the reference on every fact.\nScore: 2")


def distinct_oe_answers(bench, folder: Path) -> Path:
    """The demo file with each OE answer tagged by its id: one judge call per OE item, so
    the judge's progress counts calls."""
    oe = set(bench.items.loc[bench.items["qtype"] == "OE", "id"])
    rows = [json.loads(line) for line in DEMO_PREDS.read_text("utf-8").splitlines() if line]
    for row in rows:
        if row["id"] in oe:
            row["prediction"] = f"{row['prediction']} [{row['id']}]"
    path = folder / "judged_later.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    return path


def poll(fetch, until, what: str):
    """Call fetch() until until(value) holds; fail naming `what` after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = fetch()
        if until(value):
            return value
        time.sleep(0.05)
    pytest.fail(f"never saw {what}; last: {value!r}")


def rows_for(client, name: str) -> list[dict]:
    return client.predict(table="table3", search=name, api_name="/leaderboard")


def pending_at(done: int):
    return lambda rows: any(
        r["kind"] == "pending" and (r["judging"] or {}).get("done") == done for r in rows
    )


@pytest.fixture(scope="module")
def stub():
    gated = GatedJudge()
    with StubServer(gated) as server:
        server.gated = gated
        yield server
        gated.release()


def test_upload_is_pending_while_judged_then_verified_and_a_crash_stores_nothing(stub, tmp_path):
    from gradio_client import handle_file

    bench = load_local(DEMO)
    preds = distinct_oe_answers(bench, tmp_path)
    env = {
        "QBP_JUDGE": "openai",
        "OPENAI_BASE_URL": stub.base_url,
        "QBP_JUDGE_MODEL": "stub-judge",
        "QBP_JUDGE_CACHE": str(tmp_path / "judge.sqlite"),
    }
    pred = read_predictions(preds.read_bytes(), preds.name, bench)
    closed = score_predictions(bench, pred.predictions).tables.values["table3"]  # no judge
    to_judge = 542
    first, second = 150, 200

    # ---- run 1: killed while judging
    stub.gated.hold_after(first)
    with launched_app(tmp_path / "run1", env, submissions=tmp_path / "subs") as app:
        job = app.client().submit(
            file=handle_file(str(preds)), model=MODEL, params="9B", open="open", api_name="/submit"
        )
        watcher = app.client()
        rows = poll(
            lambda: rows_for(watcher, MODEL),
            pending_at(first),
            f"a pending row at {first}/{to_judge}",
        )
        row = next(r for r in rows if r["kind"] == "pending")
        assert row["judge"] == f"pending {100 * first // to_judge}%" and row["rank"] is None
        assert row["judging"] == {"done": first, "total": to_judge}
        assert row["params"] == "9B" and row["open"] is True
        for cell in ("SC", "MC", "TF"):  # closed-ended cells are there at once
            assert row[cell] == pytest.approx(closed[cell], abs=1e-9), cell
        for cell in ("OE", "Overall"):
            assert row[cell] is None
            assert row["null_reasons"][cell] == (
                f"OE judging in progress {first}/{to_judge} ({JUDGE_LABEL}); "
                "pending rows are not stored until judged"
            )
        assert app.stored() == []  # nothing is written while judging
        app.crash()
    answered_before_crash = set(stub.gated.answered)
    assert len(answered_before_crash) == first
    stub.gated.release()  # let the calls of the dead app finish
    stub.gated.hold_after(second)
    assert [p.name for p in (tmp_path / "subs").iterdir() if not p.name.startswith(".")] == []

    # ---- run 2: the same upload again; another client watches the board
    calls_before = len(stub.calls)
    with launched_app(tmp_path / "run2", env, submissions=tmp_path / "subs") as app:
        watcher = app.client()  # another user, reloading the board
        assert rows_for(watcher, MODEL) == []  # the crash left no row behind
        job = app.client().submit(
            file=handle_file(str(preds)), model=MODEL, params="9B", open="open", api_name="/submit"
        )
        poll(
            lambda: rows_for(watcher, MODEL),
            pending_at(first + second),
            f"the retry's pending row at {first + second}/{to_judge} (cached ones done)",
        )
        stub.gated.release()
        out = job.result(timeout=WAIT)
        assert out["rank"] >= 1 and "is on the board" in out["message"]
        rows = rows_for(watcher, MODEL)
        assert [r["kind"] for r in rows] == ["verified"]  # the pending row is gone
        final = rows[0]
        assert final["judge"] == JUDGE_LABEL and final["judging"] is None
        assert final["rank"] == out["rank"] and final["submission_id"] in app.stored()
        assert final["OE"] == 100.0  # every answer judged "Score: 2"
        assert "OE" not in final["null_reasons"]
    retried = stub.calls[calls_before:]
    assert not {c.prompt for c in retried} & answered_before_crash  # the cache had them
    assert len(retried) == to_judge - first

    # The CLI's scorer with the same judge and cache gives the same row, with no new call.
    with make_judge(
        "openai", base_url=stub.base_url, model="stub-judge", cache_path=tmp_path / "judge.sqlite"
    ) as judge:
        expected = score_predictions(bench, pred.predictions, judge=judge)
        assert judge.info.calls == 0 and judge.info.cache_hits == to_judge
    for cell in TABLES["table3"].columns:
        assert final[cell] == pytest.approx(expected.tables.values["table3"][cell], abs=1e-9)
