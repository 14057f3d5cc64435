"""The app's state without a UI: seeding, submission, rows for the API, item detail."""

from __future__ import annotations

import json

import pytest

from leaderboard.judges import JudgeInfo, Judgement
from leaderboard.settings import AppSettings
from tests.support.appdata import ANSWERS, jsonl, write_app_bundle
from ui.state import AppState


@pytest.fixture()
def state(tmp_path):
    bundle = write_app_bundle(tmp_path / "bundle")
    return AppState.start(
        AppSettings(benchmark=str(bundle), submissions_dir=str(tmp_path / "subs"), judge="none")
    )


class FullMarks:
    """A judge giving every OE answer 2/2, so Overall is defined."""

    info = JudgeInfo(backend="test", model="full-marks")

    def judge(self, requests, progress=None):
        return [Judgement(2, "Score: 2", "judged") for _ in requests]


def stored(state):
    return sorted(p.name for p in state.store.root.iterdir() if not p.name.startswith("."))


def test_empty_store_is_seeded_once_from_models_json(state, tmp_path):
    assert len(state.seeded) == 3 and len(stored(state)) == 3
    names = {e.name for e in state.entries() if e.kind == "verified"}
    assert names == set(ANSWERS) | {"Random guess"}
    meta = json.loads((state.store.root / state.seeded[0] / "meta.json").read_text())
    assert meta["model"] == "M1 (7B)" and meta["params"] == "7B" and meta["open"] is True
    again = AppState.start(state.settings)
    assert again.seeded == [] and len(stored(again)) == 3


def test_verified_rows_are_labelled_and_random_row_comes_from_the_benchmark(state):
    rows = state.leaderboard_rows("table3", kinds=["verified"])
    by = {r["model"]: r for r in rows}
    assert by["M1 (7B)"]["SC"] == 100.0 and by["M1 (7B)"]["OE"] is None
    assert "unjudged" in by["M1 (7B)"]["null_reasons"]["OE"]
    assert by["M1 (7B)"]["judge"] == "none (OE unjudged)"
    assert by["Random guess"]["baseline"] and by["Random guess"]["SC"] == 25.0
    assert by["Random guess"]["rank"] is None
    assert all(r["kind"] == "verified" for r in rows)


def test_accepted_submission_is_on_the_board_at_once_with_its_rank(state):
    answers = ["B", "C", "A, C", "True", "False", "x", "D", "A"]
    state.judge = FullMarks()
    out = state.submit(
        jsonl(answers), "mine.jsonl", {"model": "Mine", "params": "3B", "open": True}
    )
    assert out.ok and out.rank is not None and out.ranked > 0
    assert "rank" in out.message
    row = next(r for r in state.leaderboard_rows("table3", search="mine"))
    assert row["model"] == "Mine" and row["SC"] == 100.0 and row["MC"] == 50.0
    assert row["Overall"] == 87.5 and row["judge"] == "test · full-marks"  # 7 of 8 right
    assert out.rank == 1 and "rank 1 of" in out.message  # the seeded rows have no Overall
    assert out.row["SC"] == 100.0 and out.as_json()["submission_id"] == out.submission.id
    assert "Mine" in state.verified_models()


def test_rejected_submission_names_the_problem_and_stores_nothing(state):
    before = stored(state)
    bad = b'{"id": "q001", "prediction": "B"}\n{"id": "q001", "prediction": "C"}\n'
    out = state.submit(bad, "dup.jsonl", {"model": "Dup"})
    assert not out.ok and "duplicate id" in out.message and "q001" in out.message
    out = state.submit(jsonl(["B"]), "p.jsonl", {"model": "X", "link": "javascript:alert(1)"})
    assert not out.ok and "http(s) URL" in out.message
    out = state.submit(b"not json at all {", "p.jsonl", {"model": "X"})
    assert not out.ok and "line 1" in out.message
    assert stored(state) == before


def test_preview_reports_columns_ids_and_unreadable_examples(state):
    summary = state.preview(jsonl(ANSWERS["M2"][:7]), "m2.jsonl")
    assert summary["id_column"] == "id" and summary["prediction_column"] == "prediction"
    assert summary["matched"] == 7 and summary["missing"] == 1
    assert summary["missing_ids"] == ["q008"]
    with pytest.raises(Exception, match="no id column"):
        state.preview(b'[{"foo": "q001", "prediction": "B"}]', "x.json")


def test_item_detail_lists_unknown_models(state):
    d = state.item("q002", "M2,m1 (7b),Ghost")
    assert [m["model"] for m in d["models"]] == ["M2", "M1 (7B)"]
    assert d["unknown_models"] == ["Ghost"]
    with pytest.raises(KeyError):
        state.item("nope", [])


def test_submissions_are_rate_limited_per_client(tmp_path, monkeypatch):
    monkeypatch.setenv("QBP_SUBMITS_PER_HOUR", "1")
    bundle = write_app_bundle(tmp_path / "bundle")
    state = AppState.start(
        AppSettings(
            benchmark=str(bundle),
            seed_demo=False,
            submissions_dir=str(tmp_path / "subs"),
            judge="none",
        )
    )
    assert state.submit(jsonl(["B"]), "a.jsonl", {"model": "A"}, client="ip:10.0.0.1").ok
    out = state.submit(jsonl(["C"]), "b.jsonl", {"model": "B"}, client="ip:10.0.0.1")
    assert not out.ok and "submissions" in out.message
    assert state.submit(jsonl(["C"]), "b.jsonl", {"model": "B"}, client="ip:10.0.0.2").ok
    assert {s.meta.model for s in state.store.submissions()} == {"A", "B"}


def test_moderation_hides_a_row_only_with_the_admin_token(state, monkeypatch):
    import app as space

    monkeypatch.setenv("QBP_ADMIN_TOKEN", "s3cret-token-of-enough-length")
    h = space.Handlers(state)
    sub_id = state.seeded[1]
    assert "wrong admin token" in h.moderate(sub_id, "guess", "", True)
    assert "M2" in state.verified_models()
    assert "now hidden" in h.moderate(sub_id, "s3cret-token-of-enough-length", "spam", True)
    assert "M2" not in state.verified_models()
    assert h.api_moderate(sub_id, False, "s3cret-token-of-enough-length")["hidden"] is False
    assert "M2" in state.verified_models()
