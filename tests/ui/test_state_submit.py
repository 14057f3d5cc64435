"""An app upload is parsed once and extracted once however many stages look at it (the
preview shown on upload, the pending row, the judge, the store): the submit reuses the
preview's parse, and the pending row is built from the pipeline's prepared result with no
callback from the core and no second scoring."""

from __future__ import annotations

import pytest

from leaderboard.judges import JudgeInfo, Judgement
from leaderboard.settings import AppSettings
from tests.support.appdata import jsonl, write_app_bundle
from ui.state import AppState

# The tiny app bundle's answers: item 6 is its only OE item.
ALL_RIGHT = ["B", "C", "A, C", "True", "False", "Slight blur around the eyes.", "D", "B, D"]


class WatchingJudge:
    """Scores every OE answer 2/2 and records what the board showed while it worked."""

    def __init__(self, state: AppState) -> None:
        self.info = JudgeInfo(backend="test", model="watching")
        self.state = state
        self.seen: list[list[str]] = []

    def judge(self, requests, progress=None):
        self.seen.append([r["kind"] for r in self.state.leaderboard_rows(search="Mine")])
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


def test_a_previewed_then_submitted_upload_is_parsed_once_and_extracted_once(state, counters):
    parse, score, extract = counters
    judge = state.judge = WatchingJudge(state)
    data = jsonl(ALL_RIGHT)
    summary = state.preview(data, "mine.jsonl")
    assert summary["status_counts"]["unjudged"] == 1
    out = state.submit(data, "mine.jsonl", {"model": "Mine"})
    assert out.ok and out.submission.result["tables"]["table3"]["Overall"] == 100.0
    assert judge.seen == [["pending"]]  # the pending row was on the board while judging
    assert (parse.calls, score.calls) == (1, 1)
    assert extract.calls == len(state.bench)  # one extraction per item, in all
    assert state.leaderboard_rows(search="Mine")[0]["kind"] == "verified"


def test_a_submit_without_preview_parses_once_and_another_file_parses_again(state, counters):
    parse, score, extract = counters
    state.judge = WatchingJudge(state)
    assert state.submit(jsonl(ALL_RIGHT), "a.jsonl", {"model": "Mine"}).ok
    assert (parse.calls, score.calls, extract.calls) == (1, 1, len(state.bench))
    other = ALL_RIGHT[:-1] + ["A"]
    assert state.submit(jsonl(other), "a.jsonl", {"model": "Mine"}).ok
    assert (parse.calls, score.calls) == (2, 2)
