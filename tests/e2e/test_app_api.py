"""The launched app's named API endpoints, driven with gradio_client."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from leaderboard.taxonomy import TABLES
from tests.conftest import DEMO, REPO
from tests.support.apierrors import refusal

pytestmark = pytest.mark.app


def test_only_the_named_endpoints_are_public(client):
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    # no admin token set, so no /moderate, /review_clear or /rejudge_with
    assert set(endpoints) == {
        "/submit",
        "/withdraw",
        "/leaderboard",
        "/item",
        "/compare",
        "/provenance",
        "/changes",
        "/version_diff",
        "/judge_agreement",
        "/flag_item",
        "/rejudge",
    }
    params = [p["parameter_name"] for p in endpoints["/submit"]["parameters"]]
    # no typed-in identity: the account comes from a token gradio_client sends when asked
    assert params == [
        "file",
        "model",
        "params",
        "open",
        "link",
        "harness",
        "harness_version",
        "prompt_template",
        "temperature",
        "max_tokens",
        "thinking",
    ]
    assert [p["parameter_name"] for p in endpoints["/withdraw"]["parameters"]] == ["model"]
    assert (
        endpoints["/submit"]["oauth_token"] == endpoints["/withdraw"]["oauth_token"] == ("optional")
    )
    params = [p["parameter_name"] for p in endpoints["/compare"]["parameters"]]
    assert params == ["model_a", "model_b"]


def own_run(tmp_path, name: str = "tersenet.jsonl", every: int = 15):
    """A demo file with every `every`-th answer changed: another model's run, not a copy of
    the seeded row (which would be held for review)."""
    lines = (DEMO / "predictions" / name).read_text().splitlines()
    rows = [json.loads(x) for x in lines if x.strip()]
    for n, row in enumerate(rows):
        if n % every == 0:
            row["prediction"] = "The answer is (A)."
    path = tmp_path / f"own_{name}"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def test_submitted_file_gets_the_values_the_cli_gives(client, app_server, tmp_path):
    from gradio_client import handle_file

    preds = own_run(tmp_path)
    out = client.predict(
        file=handle_file(str(preds)),
        model="TerseNet API test",
        params="3B",
        open="open",
        link="https://example.org/tersenet",
        api_name="/submit",
    )
    assert out["rank"] >= 1 and f"rank {out['rank']} of" in out["message"]
    assert out["report"]["matched"] == 2745 and out["report"]["missing"] == 20
    assert out["report"]["examples"]["unreadable"]  # a few unreadable answers shown

    cli_json = tmp_path / "cli.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "leaderboard",
            "score",
            "--benchmark",
            str(DEMO),
            "--predictions",
            str(preds),
            "--judge",
            "approx",
            "--json",
            str(cli_json),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(cli_json.read_text())["tables"]["table3"]

    rows = client.predict(table="table3", search="TerseNet API test", api_name="/leaderboard")
    assert len(rows) == 1
    row = rows[0]
    assert row["kind"] == "verified" and row["approx_judge"] and row["rank"] == out["rank"]
    for cell in TABLES["table3"].columns:
        assert row[cell] == pytest.approx(cli[cell], abs=1e-9), cell
        assert out["row"][cell] == pytest.approx(cli[cell], abs=1e-9), cell
    assert f"{row['Overall']:.2f}" in proc.stdout  # the CLI's printed row


def test_malformed_file_is_refused_with_the_reason_and_nothing_stored(client, app_server, tmp_path):
    from gradio_client import handle_file

    before = app_server.stored()
    bad = tmp_path / "bad.csv"
    bad.write_text("question_id,response\nqbp-00001,B\nqbp-00001,C\n")
    text = refusal(client, file=handle_file(str(bad)), model="Broken", api_name="/submit")
    assert text.startswith("file: ") and "duplicate id" in text and "qbp-00001" in text
    nocol = tmp_path / "nocol.jsonl"
    nocol.write_text('{"foo": "qbp-00001", "bar": "B"}\n')
    text = refusal(client, file=handle_file(str(nocol)), model="Broken", api_name="/submit")
    assert text.startswith("file: ") and "no id column" in text
    assert app_server.stored() == before


def test_leaderboard_rows_are_numeric_and_filterable(client):
    rows = client.predict(table="table4", kinds=["reported"], api_name="/leaderboard")
    paper = pd.read_csv(REPO / "data" / "paper" / "table4.csv", dtype=str).set_index("model")
    assert len(rows) == len(paper)
    by = {r["model"]: r for r in rows}
    assert by["Qwen3-VL (32B)"]["Blur"] == float(paper.loc["Qwen3-VL (32B)", "Blur"])
    assert all(isinstance(r["Noise"], float) for r in rows)
    overall_sorted = [r for r in rows if r["rank"] is not None]
    assert [r["rank"] for r in overall_sorted] == sorted(r["rank"] for r in overall_sorted)
    closed = client.predict(
        table="table3", kinds=["reported"], weights=["closed"], api_name="/leaderboard"
    )
    assert {r["model"] for r in closed} == {
        "Qwen3-VL-Plus",
        "Grok-4",
        "Claude-Sonnet-4.5",
        "Gemini-2.5-Pro",
        "GPT-5.2",
        "Random guess",
    }
    by_mc = client.predict(
        table="table3", kinds=["reported"], sort_by="MC", api_name="/leaderboard"
    )
    mc = [r["MC"] for r in by_mc if r["MC"] is not None]
    assert mc == sorted(mc, reverse=True) and mc[-1] == 0.36


def test_item_detail_endpoint(client, app_server):
    models = app_server.state.verified_models()[:2]
    item_id = app_server.state.bench.items["id"].iloc[0]
    d = client.predict(item_id=item_id, models=models, api_name="/item")
    assert d["id"] == item_id and d["question"] and d["answer"]
    assert [m["model"] for m in d["models"]] == models
    assert d["unknown_models"] == []
    sub = {s.meta.model: s for s in app_server.state.store.submissions()}[models[0]]
    stored = sub.items().set_index("id").loc[item_id]
    assert d["models"][0]["raw"] == stored["raw"] and d["models"][0]["status"] == stored["status"]
    # Errors: tests/e2e/test_app_api_errors.py


def test_compare_endpoint_gives_the_paired_comparison_of_the_stored_submissions(client, app_server):
    import numpy as np

    from analysis.compare import compare_models

    state = app_server.state
    a, b = state.verified_models()[:2]
    out = client.predict(model_a=a, model_b=b, api_name="/compare")
    assert out["model_a"] == a and out["model_b"] == b

    # Computed directly from the stored per-item scores, independently of the app's cache.
    subs = {s.meta.model: s for s in state.store.submissions()}
    names = [n for n in state.verified_models() if n in subs]
    scores = np.vstack([subs[n].items()["score"].to_numpy(dtype=float) for n in names])
    direct = compare_models(a, b, names, scores, state.bench)
    cells = {(c["table"], c["cell"]): c for c in out["cells"]}
    assert len(cells) == len(direct.cells) == 47
    for row in direct.cells.to_dict(orient="records"):
        got = cells[(row["table"], row["cell"])]
        for key in ("a_value", "b_value", "diff", "low", "high"):
            want = row[key]
            assert (got[key] is None) if np.isnan(want) else got[key] == pytest.approx(want), (
                row["cell"],
                key,
            )
        assert got["significant"] == bool(row["significant"])
    m = direct.mcnemar
    assert (out["mcnemar"]["b"], out["mcnemar"]["c"]) == (m.b, m.c) and m.b + m.c > 0
    assert out["mcnemar"]["p"] == pytest.approx(m.p)
    assert out["discordant_ids"] == direct.discordant["id"].tolist()
    assert set(out["a_ahead_ids"]) | set(out["b_ahead_ids"]) == set(out["discordant_ids"])

    same = client.predict(model_a=a, model_b=a, api_name="/compare")
    diffs = [c["diff"] for c in same["cells"] if c["diff"] is not None]
    assert diffs and all(d == 0 for d in diffs)
    assert all(c["low"] == 0 and c["high"] == 0 for c in same["cells"] if c["diff"] is not None)
    assert same["mcnemar"]["b"] == same["mcnemar"]["c"] == 0 and same["mcnemar"]["p"] == 1
    assert same["discordant_ids"] == []
