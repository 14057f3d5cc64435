"""Uploads being judged: a pending row on the board until stored, the judge named on every
verified row, failures said on the row, and nothing stored when judging breaks off."""

from __future__ import annotations

import threading

import pytest

from analysis import board
from analysis.entries import PENDING, VERIFIED, Entry
from leaderboard.judges import JudgeInfo, Judgement
from leaderboard.settings import AppSettings
from leaderboard.taxonomy import TABLES
from tests.support.appdata import jsonl, write_app_bundle
from ui.state import AppState

# The tiny bundle's answers: item 6 is the only OE item (Overall and OE depend on it).
ALL_RIGHT = ["B", "C", "A, C", "True", "False", "Slight blur around the eyes.", "D", "B, D"]


class HeldJudge:
    """Scores every OE answer 2/2, but only once the test lets it (`go`); reports progress
    before waiting, as the reference judge does for cached items."""

    def __init__(self, fail: bool = False, crash: bool = False) -> None:
        self.info = JudgeInfo(backend="openai", model="held-judge")
        self.started, self.go = threading.Event(), threading.Event()
        self.fail, self.crash = fail, crash

    def judge(self, requests, progress=None):
        if progress:
            progress(0, len(requests))
        self.started.set()
        assert self.go.wait(30)
        if self.crash:
            raise RuntimeError("the judge process died")
        if progress:
            progress(len(requests), len(requests))
        if self.fail:
            return [Judgement(None, "HTTP 400: refused", "judge_failed") for _ in requests]
        return [Judgement(2, "Score: 2", "judged") for _ in requests]


@pytest.fixture()
def state(tmp_path):
    bundle = write_app_bundle(tmp_path / "bundle")
    return AppState.start(
        AppSettings(
            benchmark=str(bundle),
            seed_demo=False,
            submissions_dir=str(tmp_path / "subs"),
            judge="none",
        )
    )


def stored(state):
    return sorted(p.name for p in state.store.root.iterdir() if not p.name.startswith("."))


def submit_in_background(state, judge, model="Later", progress=None):
    state.judge = judge
    out: dict = {}

    def run():
        try:
            out["result"] = state.submit(
                jsonl(ALL_RIGHT),
                "p.jsonl",
                {"model": model, "params": "7B", "open": True},
                progress=progress,
            )
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            out["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    assert judge.started.wait(30)
    return worker, out


def test_upload_is_a_pending_row_while_judged_then_a_ranked_verified_row(state):
    judge = HeldJudge()
    worker, out = submit_in_background(state, judge)
    rows = state.leaderboard_rows("table3", search="Later")
    assert [r["kind"] for r in rows] == [PENDING]
    row = rows[0]
    assert row["type"] == "pending" and row["judge"] == "pending 0%" and row["rank"] is None
    assert row["judging"] == {"done": 0, "total": 1} and row["submission_id"] is None
    assert row["SC"] == 100.0 and row["MC"] == 100.0 and row["TF"] == 100.0
    assert row["OE"] is None and row["Overall"] is None
    assert row["null_reasons"]["OE"] == (
        "OE judging in progress 0/1 (openai · held-judge); pending rows are not stored until judged"
    )
    table4 = {r["model"]: r for r in state.leaderboard_rows("table4", kinds=["verified"])}
    assert table4["Later"]["Noise"] == 100.0  # a cell without OE items is shown already
    assert table4["Later"]["Exposure"] is None  # the OE item is a CGI exposure question
    assert stored(state) == [] and "Later" not in state.verified_models()
    assert "*1 row is pending*" in board.caption(state.view())
    assert state.leaderboard_rows("table3", kinds=["reported"], search="Later") == []

    judge.go.set()
    worker.join(30)
    result = out["result"]
    assert result.ok and result.rank == 1 and stored(state) == [result.submission.id]
    assert "Open-ended answers judged by openai · held-judge." in result.message
    rows = state.leaderboard_rows("table3", search="Later")
    assert [(r["kind"], r["judge"], r["rank"]) for r in rows] == [
        (VERIFIED, "openai · held-judge", 1)
    ]
    assert rows[0]["Overall"] == 100.0 and rows[0]["judging"] is None
    assert len(state.pending) == 0


def test_the_submit_handler_feeds_the_progress_bar_from_the_judge(state, tmp_path):
    import app as space

    seen = []

    def progress(value, desc=None, total=None, unit="steps"):
        seen.append((value, unit, desc))

    judge = HeldJudge()
    judge.go.set()
    state.judge = judge
    path = tmp_path / "p.jsonl"
    path.write_bytes(jsonl(ALL_RIGHT))
    html = space.Handlers(state).do_submit(
        str(path), "Bar", "", "", "", request=None, progress=progress
    )
    assert "is on the board" in html
    assert seen[0] == (0.0, "steps", "Reading and scoring the file")
    judged = [v for v, unit, desc in seen if unit == "answers"]
    assert judged == [(0, 1), (1, 1)]
    assert all("pending on the board" in d for _, unit, d in seen if unit == "answers")


def test_failed_judgements_leave_their_cells_empty_and_the_row_says_so(state):
    judge = HeldJudge(fail=True)
    judge.go.set()
    state.judge = judge
    out = state.submit(jsonl(ALL_RIGHT), "p.jsonl", {"model": "Unlucky"})
    assert out.ok and "could not score 1 open-ended answer(s)" in out.message
    row = state.leaderboard_rows("table3", search="Unlucky")[0]
    assert row["kind"] == VERIFIED and row["judge"] == "openai · held-judge · 1 failed"
    assert row["OE"] is None and row["null_reasons"]["OE"] == "1 open-ended item(s) judge_failed"
    assert row["SC"] == 100.0 and out.summary["status_counts"]["judge_failed"] == 1


def test_a_judge_that_breaks_off_stores_nothing_and_leaves_no_pending_row(state):
    judge = HeldJudge(crash=True)
    worker, out = submit_in_background(state, judge, model="Crashed")
    assert [r["kind"] for r in state.leaderboard_rows(search="Crashed")] == [PENDING]
    judge.go.set()
    worker.join(30)
    assert "judge process died" in str(out["error"])
    assert state.leaderboard_rows(search="Crashed") == [] and stored(state) == []


def test_no_pending_row_without_a_judge_or_without_oe_answers(state):
    out = state.submit(jsonl(ALL_RIGHT), "p.jsonl", {"model": "Unjudged"})
    assert out.ok and len(state.pending) == 0
    judge = HeldJudge()
    judge.go.set()
    state.judge = judge
    no_oe = ALL_RIGHT[:5] + [None] + ALL_RIGHT[6:]  # the OE answer missing: nothing to judge
    assert state.submit(jsonl(no_oe), "p.jsonl", {"model": "No OE"}).ok
    assert not judge.started.is_set()


def _entry(name, kind, overall, **more):
    values = {"table3": {c: None for c in TABLES["table3"].columns}}
    values["table3"].update(Overall=overall, SC=overall)
    return Entry(name, kind, values, **more)


def test_pending_rows_are_unranked_unmarked_and_filtered_with_verified_rows():
    es = [
        _entry("a", VERIFIED, 50.0),
        _entry("b", VERIFIED, 40.0),
        _entry("p", PENDING, 90.0, judging=(3, 10)),
    ]
    view = board.build_view(es, "table3", sort_by="SC")
    by = {r["model"]: r for r in board.to_rows(view)}
    assert by["p"]["rank"] is None and by["a"]["rank"] == 1 and by["b"]["rank"] == 2
    assert view.bold["SC"] == {1} and view.underline["SC"] == {2}  # p (row 0) unmarked
    css = board.styler(view).to_html().split("</style>")[0]
    italic = next(block for block in css.split("}") if "italic" in block)
    assert "row0_col2" in italic and "row2_col2" not in italic  # p's Type only
    assert {
        e.name for e in board.build_view(es, filters=board.Filters(kinds=("verified",))).entries
    } == {"a", "b", "p"}
    assert board.build_view(es, filters=board.Filters(kinds=("reported",))).entries == []


def test_the_judge_column_names_backend_and_model():
    def label(**kw):
        return _entry("m", VERIFIED, 1.0, **kw).judge_label

    assert label(judge="openai", judge_model="gpt-4o-mini") == "openai · gpt-4o-mini"
    assert label(judge="openai", judge_model="m", judge_failed=2) == "openai · m · 2 failed"
    assert label(judge="approx", judge_model="lexical", approx_judge=True) == "approx. OE judge"
    assert label(judge="none") == "none (OE unjudged)"
    assert _entry("m", PENDING, None, judging=(5, 9)).judge_label == "pending 55%"
