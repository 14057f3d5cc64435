"""`python -m leaderboard score` and an app upload of the same demo prediction file give the
same tables, counts and per-item results, because both run the same pipeline stages
(`SubmissionPipeline.preview`, then `judge_preview`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from leaderboard.cli import main
from leaderboard.settings import DEMO_BUNDLE, AppSettings
from leaderboard.submission import SubmissionPipeline
from ui.state import AppState

REPO = DEMO_BUNDLE.parent.parent
PREDS = DEMO_BUNDLE / "predictions" / "tersenet.jsonl"  # OE, unreadable and missing answers


@pytest.fixture()
def spies(monkeypatch):
    """Which pipeline objects ran the two stages, in order."""
    calls: list[tuple[str, int]] = []
    for stage in ("preview", "judge_preview"):
        original = getattr(SubmissionPipeline, stage)

        def spy(self, *args, _original=original, _stage=stage, **kwargs):
            calls.append((_stage, id(self)))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(SubmissionPipeline, stage, spy)
    return calls


def _app_upload(tmp_path):
    state = AppState.start(
        AppSettings(
            benchmark=str(DEMO_BUNDLE),
            seed_demo=False,
            submissions_dir=str(tmp_path / "subs"),
            judge="approx",
        )
    )
    out = state.submit(PREDS.read_bytes(), PREDS.name, {"model": "TerseNet"})
    assert out.ok, out.message
    return state, out.submission


def _cli_score(args, capsys) -> str:
    assert main(args) == 0
    return capsys.readouterr().out


def test_cli_score_and_an_app_upload_run_the_same_stages(tmp_path, spies, capsys):
    out_json = tmp_path / "cli.json"
    _cli_score(
        [
            "score",
            "--benchmark",
            str(DEMO_BUNDLE),
            "--predictions",
            str(PREDS),
            "--judge",
            "approx",
            "--json",
            str(out_json),
        ],
        capsys,
    )
    cli_calls = [stage for stage, _ in spies]
    assert cli_calls == ["preview", "judge_preview"]
    spies.clear()
    state, sub = _app_upload(tmp_path)
    assert [stage for stage, _ in spies] == ["preview", "judge_preview"]
    assert {owner for _, owner in spies} == {id(state.pipeline)}
    cli = json.loads(out_json.read_text())
    for key in ("tables", "counts", "null_reasons", "status_counts", "parse_report", "judge"):
        assert sub.result[key] == cli[key], key


def test_python_m_leaderboard_score_matches_the_stored_app_upload(tmp_path):
    out_json = tmp_path / "cli.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "leaderboard",
            "score",
            "--benchmark",
            str(DEMO_BUNDLE),
            "--predictions",
            str(PREDS),
            "--judge",
            "approx",
            "--json",
            str(out_json),
            "--model",
            "TerseNet",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    cli = json.loads(out_json.read_text())
    _, sub = _app_upload(tmp_path)
    assert sub.result["tables"] == cli["tables"]
    assert sub.result["status_counts"] == cli["status_counts"]
    assert sum(cli["status_counts"].values()) == len(cli["items"]) == 2765
    assert all(cli["status_counts"][k] > 0 for k in ("judged", "unreadable", "missing"))
    items = sub.items()
    cli_items = pd.DataFrame(cli["items"])
    assert items["id"].tolist() == cli_items["id"].tolist()
    for column in ("parsed", "status", "score"):
        stored = items[column].where(items[column].notna(), None).tolist()
        printed = cli_items[column].where(cli_items[column].notna(), None).tolist()
        assert stored == printed, column
    overall = f"{cli['tables']['table3']['Overall']:.2f}"
    assert overall in run.stdout  # the Table 3 row the CLI printed is the stored one
