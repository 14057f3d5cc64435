"""The scoring CLI: its printed row, its JSON contract, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from leaderboard.cli import main
from tests.support.bundles import item, write_bundle

REPO = Path(__file__).resolve().parents[2]


def _bundle(tmp_path):
    rows = [
        item(1, "SC", "B"),
        item(2, "MC", "AC"),
        item(3, "TF", "False"),
        item(4, "SC", "D", image_source="CGI", source_dataset="CGIQA-6k"),
    ]
    return write_bundle(tmp_path / "b", rows)


def test_cli_prints_table3_and_writes_json(tmp_path, capsys):
    preds = tmp_path / "p.jsonl"
    preds.write_text(
        '{"id": "q001", "prediction": "B"}\n{"id": "q002", "prediction": "C"}\n'
        '{"id": "q003", "prediction": "False"}\n'
    )
    out_json = tmp_path / "out" / "r.json"
    code = main(
        [
            "score",
            "--benchmark",
            str(_bundle(tmp_path)),
            "--predictions",
            str(preds),
            "--model",
            "TestVL",
            "--json",
            str(out_json),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "TestVL" in printed and "Overall" in printed
    assert "50.00" in printed  # Overall: 2 of 4 right
    assert "missing 1" in printed
    data = json.loads(out_json.read_text())
    assert data["tables"]["table3"]["Overall"] == 50.0
    assert data["tables"]["table3"]["OE"] is None
    assert data["counts"]["table3"]["CGI"] == 1
    assert data["random_baseline"]["table3"]["SC"] == 25.0
    assert data["status_counts"]["missing"] == 1
    assert [i["parsed"] for i in data["items"]] == ["B", "C", "False", None]
    assert [i["score"] for i in data["items"]] == [1.0, 0.0, 1.0, 0.0]


def test_cli_bad_input_exits_nonzero_with_message(tmp_path):
    preds = tmp_path / "p.csv"
    preds.write_text("id,prediction\nq001,B\nq001,C\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "leaderboard",
            "score",
            "--benchmark",
            str(_bundle(tmp_path)),
            "--predictions",
            str(preds),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert "duplicate id" in proc.stderr and "q001" in proc.stderr
    assert proc.stdout == ""


def test_cli_missing_benchmark(tmp_path, capsys):
    code = main(["score", "--benchmark", str(tmp_path / "nope"), "--predictions", "x.jsonl"])
    assert code == 2 and "neither a local folder" in capsys.readouterr().err


def test_cli_intervals_are_seeded_and_bracket_the_value(tmp_path):
    rows = [item(i, "SC", "ABCD"[i % 4], file_name=f"images/img{i}.jpg") for i in range(40)]
    bundle = write_bundle(tmp_path / "big", rows)
    preds = tmp_path / "p.jsonl"
    preds.write_text(
        "\n".join(f'{{"id": "q{i:03d}", "prediction": "{"AB"[i % 2]}"}}' for i in range(40))
    )
    outs = []
    for k in range(2):
        out = tmp_path / f"r{k}.json"
        assert (
            main(
                [
                    "score",
                    "--benchmark",
                    str(bundle),
                    "--predictions",
                    str(preds),
                    "--json",
                    str(out),
                    "--intervals",
                    "--seed",
                    "7",
                    "--resamples",
                    "500",
                ]
            )
            == 0
        )
        outs.append(json.loads(out.read_text()))
    assert outs[0]["intervals"] == outs[1]["intervals"]  # deterministic under the seed
    low, high = outs[0]["intervals"]["table3"]["Overall"]
    assert low < outs[0]["tables"]["table3"]["Overall"] == 50.0 < high
    assert outs[0]["intervals"]["table3"]["OE"] is None  # null cell, null interval
    assert set(outs[0]["intervals"]) == {"table3", "table4", "table5", "table6"}


def test_cli_approx_judge_fills_oe_cells_and_reports_the_judge(tmp_path):
    rows = [
        item(1, "SC", "B"),
        item(2, "OE", answer="The face is blurred by camera shake."),
        item(3, "OE", answer="The background is strongly overexposed."),
    ]
    bundle = write_bundle(tmp_path / "b", rows)
    preds = tmp_path / "p.jsonl"
    preds.write_text(
        '{"id": "q001", "prediction": "B"}\n'
        '{"id": "q002", "prediction": "Camera shake blurred the face."}\n'
        '{"id": "q003", "prediction": "I like the colours."}\n'
    )
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "score",
                "--benchmark",
                str(bundle),
                "--predictions",
                str(preds),
                "--judge",
                "approx",
                "--json",
                str(out),
            ]
        )
        == 0
    )
    data = json.loads(out.read_text())
    assert data["judge"]["backend"] == "approx" and data["judge"]["approximate"] is True
    oe = [i for i in data["items"] if i["qtype"] == "OE"]
    assert [i["judge_score"] for i in oe] == [2, 0]
    assert all("Score:" in i["judge_raw"] for i in oe)
    assert data["tables"]["table3"]["OE"] == 50.0
    assert data["tables"]["table3"]["Overall"] == pytest.approx(100 * 2 / 3)


def test_cli_openai_judge_without_model_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("QBP_JUDGE_MODEL", raising=False)
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"id": "q001", "prediction": "B"}\n')
    code = main(
        [
            "score",
            "--benchmark",
            str(_bundle(tmp_path)),
            "--predictions",
            str(preds),
            "--judge",
            "openai",
        ]
    )
    assert code == 2 and "model" in capsys.readouterr().err.lower()


def test_cli_rescore_rescores_stale_submissions(tmp_path, capsys, monkeypatch):
    from leaderboard import store as store_mod
    from leaderboard.benchmark import load_local
    from leaderboard.store import SubmissionStore
    from leaderboard.submission import SubmissionPipeline

    bundle = _bundle(tmp_path)
    store = SubmissionStore(tmp_path / "subs", load_local(bundle))
    sub = SubmissionPipeline(store.benchmark, store).submit(
        b'{"id": "q001", "prediction": "B"}\n', "p.jsonl", {"model": "M"}
    )
    (store.root / ".tmp-20990101T000000000000Z-000000000000").mkdir()
    args = ["rescore", "--submissions", str(store.root), "--benchmark", str(bundle)]
    assert main(args) == 0
    assert "1 submission(s), 0 stale" in capsys.readouterr().out
    monkeypatch.setattr(store_mod, "SCORER_VERSION", "99.0")
    assert main(args + ["--clean"]) == 0
    out = capsys.readouterr().out
    assert "1 stale" in out and f"re-scored {sub.id}" in out and "removed 1 temp" in out
    assert main(["rescore", "--submissions", str(tmp_path / "nope")]) == 2
    assert "submission folder not found" in capsys.readouterr().err


def _oe_bundle(tmp_path):
    rows = [item(1, "SC", "B"), item(2, "OE", answer="The face is blurred by camera shake.")]
    preds = tmp_path / "p.jsonl"
    preds.write_text(
        '{"id": "q001", "prediction": "B"}\n'
        '{"id": "q002", "prediction": "Camera shake blurred the face."}\n'
    )
    return write_bundle(tmp_path / "oe", rows), preds


def test_cli_judges_open_answers_as_the_app_does_by_default(tmp_path, capsys):
    from leaderboard.settings import AppSettings
    from ui.state import make_app_judge

    bundle, preds = _oe_bundle(tmp_path)
    assert main(["score", "--benchmark", str(bundle), "--predictions", str(preds)]) == 0
    printed = capsys.readouterr().out
    app_judge = make_app_judge(AppSettings().judge)  # what `python app.py` judges with
    assert f"judge: {app_judge.info.backend} " in printed
    assert "(approximate: an offline lexical judge, not the paper's GPT judge)" in printed
    assert "100.00" in printed.splitlines()[3]  # Overall of the row: both items right


def test_cli_without_a_judge_says_why_overall_is_a_dash(tmp_path, capsys):
    bundle, preds = _oe_bundle(tmp_path)
    assert (
        main(["score", "--benchmark", str(bundle), "--predictions", str(preds), "--judge", "none"])
        == 0
    )
    printed = capsys.readouterr().out
    assert printed.splitlines()[3].split()[-1] == "-"  # Overall
    assert (
        'judge: none, so 1 open-ended answer(s) are unjudged and OE and Overall print "-"; '
        "--judge approx (the app's default) or --judge openai scores them"
    ) in printed
