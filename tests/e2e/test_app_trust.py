"""The trust endpoints of the launched app, driven with gradio_client (issue 12): a row's
provenance, change records, version diff, judge agreement, label flags, and the admin's
review clearing and re-judging, each checked against what is stored."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.intervals import shared_plan
from leaderboard.agreement import judge_agreement
from leaderboard.changes import CHANGES_DIR, ChangeLog
from leaderboard.judges import ApproxJudge
from leaderboard.label_flags import LabelFlags, flags_root
from leaderboard.store import SubmissionStore
from leaderboard.submission import SubmissionPipeline
from leaderboard.version_diff import version_diff
from tests.conftest import DEMO
from tests.support.apierrors import refusal
from tests.support.applaunch import launched_app
from tests.support.storekit import NO_RATE_LIMIT
from tests.support.trustkit import ShiftedJudge, demo_bench

refused = refusal  # the AppError's message (the API's one error shape)

pytestmark = pytest.mark.app

TOKEN = "e2e-admin-token-0123456789"
CHATTY = "ChattyVLM (simulated)"


def own_run(name: str, every: int = 15) -> bytes:
    """A demo file with every `every`-th answer changed (another run, not a copy)."""
    rows = [json.loads(x) for x in (DEMO / "predictions" / name).read_text().splitlines()]
    for n, row in enumerate(rows):
        if n % every == 0:
            row["prediction"] = "The answer is (A)."
    return ("\n".join(json.dumps(r) for r in rows) + "\n").encode()


# ----------------------------------------------------------------------------- session app


def test_provenance_of_a_stored_row_a_paper_row_and_nothing(client, app_server):
    state = app_server.state
    model = state.verified_models()[0]
    sub = next(s for s in state.store.submissions() if s.meta.model == model)
    out = client.predict(row=model, api_name="/provenance")
    assert out["kind"] == "verified" and out["submission_id"] == sub.id
    prov = out["provenance"]
    assert prov["file"]["sha256"] == sub.meta.file_sha256
    assert prov["file"]["size"] == sub.upload_path.stat().st_size
    assert prov["benchmark"]["hash"] == state.bench.hash
    assert prov["scorer_version"] == sub.result["scorer_version"]
    assert prov["extractor_version"] == sub.result["extractor_version"]
    assert prov["judge"]["backend"] == "approx" and prov["judge"]["approximate"] is True
    assert out["parse_report"]["matched"] == sub.result["parse_report"]["matched"]
    assert out["review"]["under_review"] is False
    assert client.predict(row=sub.id, api_name="/provenance") == out
    paper = client.predict(row="Qwen3-VL (32B)", api_name="/provenance")
    assert paper["kind"] == "reported" and paper["provenance"]["per_item"] is False
    assert refused(client, row="Nobody", api_name="/provenance") == (
        "row: no model named 'Nobody' on the board"
    )


def test_a_copied_file_is_held_for_review_and_the_api_says_why(client, app_server, tmp_path):
    from gradio_client import handle_file

    preds = tmp_path / "copied.jsonl"
    preds.write_bytes((DEMO / "predictions" / "simvl_tiny.jsonl").read_bytes())
    out = client.predict(file=handle_file(str(preds)), model="Copy Of Tiny", api_name="/submit")
    assert out["rank"] is None and out["under_review"]
    assert "SimVL-Tiny (simulated) v1" in out["review"][0]
    rows = client.predict(table="table3", search="Copy Of Tiny", api_name="/leaderboard")
    assert rows[0]["rank"] is None and rows[0]["under_review"]
    assert rows[0]["review"].startswith("under review: ")
    prov = client.predict(row="Copy Of Tiny", api_name="/provenance")
    assert prov["review"]["under_review"] and prov["review"]["reasons"] == out["review"]


def test_declared_fields_sent_with_submit_show_in_the_provenance(client, tmp_path):
    from gradio_client import handle_file

    preds = tmp_path / "declared.jsonl"
    preds.write_bytes(own_run("thinkervl.jsonl", every=9))
    out = client.predict(
        file=handle_file(str(preds)),
        model="Declared API (4B)",
        harness="lmms-eval",
        harness_version="0.3.0",
        prompt_template="{question}\nAnswer with the letter.",
        temperature=0.0,
        max_tokens=1024,
        thinking="on",
        api_name="/submit",
    )
    assert out["message"].startswith("Accepted: Declared API (4B)"), out["message"]
    declared = client.predict(row="Declared API (4B)", api_name="/provenance")["provenance"][
        "declared"
    ]
    assert declared == {
        "harness": "lmms-eval",
        "harness_version": "0.3.0",
        "prompt_template": "{question}\nAnswer with the letter.",
        "temperature": 0.0,
        "max_tokens": 1024,
        "thinking": "on",
    }
    text = refused(
        client,
        file=handle_file(str(preds)),
        model="Declared API (4B)",
        thinking="maybe",
        api_name="/submit",
    )
    assert text.startswith("thinking: Thinking must be one of"), text


def test_flagging_an_answer_key(client, app_server):
    item = app_server.state.bench.items["id"].iloc[10]
    out = client.predict(
        item_id=item,
        reason="Option C describes the image better than the key",
        api_name="/flag_item",
    )
    assert list(out) == ["flag"]
    assert out["flag"]["item_id"] == item and out["flag"]["owner"] == "anonymous"
    stored = LabelFlags(flags_root(app_server.submissions), app_server.state.bench.index_of)
    assert any(f["id"] == out["flag"]["id"] for f in stored.list())
    text = refused(
        client, item_id="qbp-99999", reason="a long enough reason", api_name="/flag_item"
    )
    assert text == "item_id: item 'qbp-99999' is not a benchmark item"


def test_changes_and_version_diff_refuse_what_does_not_exist(client, app_server):
    assert refused(client, record_id="nope", api_name="/changes") == (
        "record_id: no change record with id 'nope'"
    )
    none = client.predict(model="Nobody", api_name="/changes")
    assert none == {"records": []}
    model = app_server.state.verified_models()[0]
    out = refused(client, row=model, api_name="/version_diff")
    assert out.startswith("row: ") and "no earlier visible version" in out
    out = refused(client, row=model, api_name="/judge_agreement")
    assert out.startswith("row: ") and "judged by one judge only" in out


def test_about_documents_every_endpoint(client, app_server):
    from analysis.about import about_markdown

    text = about_markdown(len(app_server.state.bench), "demo", "approx")
    names = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    for name in list(names) + ["/review_clear", "/rejudge_with"]:
        assert f"{name}" in text, name


# ----------------------------------------------------------------------------- admin app


@pytest.fixture(scope="module")
def trusted_store(tmp_path_factory):
    """A store as a Space would have it after some life: the demo seeded, ChattyVLM's second
    version re-judged by another judge (a change record, the old judging kept), and a
    copied file held for review."""
    root = tmp_path_factory.mktemp("trust") / "submissions"
    bench = demo_bench()
    pipe = SubmissionPipeline(
        bench, SubmissionStore(root, bench), judge=ApproxJudge(), limits=NO_RATE_LIMIT
    )
    for path in sorted((DEMO / "predictions").glob("*.jsonl")):
        spec = next(
            s
            for s in json.loads((DEMO / "models.json").read_text())
            if s["file"].endswith(path.name)
        )
        pipe.submit(path.read_bytes(), path.name, {"model": spec["name"]}, review=False)
    v2 = pipe.submit(own_run("chattyvlm.jsonl"), "v2.jsonl", {"model": CHATTY})
    assert pipe.rejudge_with(v2, ShiftedJudge())
    held = pipe.submit(
        (DEMO / "predictions" / "tersenet.jsonl").read_bytes(),
        "t.jsonl",
        {"model": "TerseNet Again"},
    )
    assert held.review
    return root, v2.id, held.id


@pytest.fixture(scope="module")
def admin_app(trusted_store, tmp_path_factory):
    root, v2, held = trusted_store
    env = {"QBP_ADMIN_TOKEN": TOKEN, "QBP_JUDGE": "approx", "QBP_SEED_DEMO": "0"}
    with launched_app(tmp_path_factory.mktemp("app"), env, submissions=root) as app:
        yield app, app.client(), v2, held


def test_the_admin_endpoints_are_there_with_a_token(admin_app):
    _, client, *_ = admin_app
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/moderate", "/review_clear", "/rejudge_with"} <= names


def test_change_records_through_the_api_are_the_stored_ones(admin_app):
    app, client, v2, _ = admin_app
    log = ChangeLog(app.submissions / CHANGES_DIR)
    listed = client.predict(api_name="/changes")["records"]
    assert [r["id"] for r in listed] == log.ids()  # newest first
    rec = client.predict(record_id=listed[0]["id"], api_name="/changes")
    assert rec == log.get(listed[0]["id"])
    assert rec["model"] == CHATTY and rec["submission_id"] == v2
    assert rec["reason"] == "re-judged with shifted · approx+1"
    assert rec["flips"] and rec["n_flips"] == len(rec["flips"])
    only = client.predict(model=CHATTY, api_name="/changes")["records"]
    assert {r["model"] for r in only} == {CHATTY}


def test_version_diff_through_the_api_is_the_paired_comparison(admin_app):
    app, client, v2, _ = admin_app
    bench = demo_bench()
    store = SubmissionStore(app.submissions, bench)
    old, new = store.versions(CHATTY)
    direct = version_diff(
        bench,
        CHATTY,
        old.items(),
        new.items(),
        old_version=1,
        new_version=2,
        counts=shared_plan(bench),
    )
    out = client.predict(row=CHATTY, api_name="/version_diff")
    assert (out["old_version"], out["new_version"]) == (1, 2)
    cells = {(c["table"], c["cell"]): c for c in out["cells"]}
    for row in direct.cells.to_dict(orient="records"):
        got = cells[(row["table"], row["cell"])]
        for key in ("old", "new", "delta", "low", "high"):
            want = row[key]
            assert (got[key] is None) if np.isnan(want) else got[key] == pytest.approx(want)
    assert [f["id"] for f in out["flips"]] == [f["id"] for f in direct.flips]
    assert client.predict(row=v2, api_name="/version_diff") == out


def test_judge_agreement_through_the_api_and_a_re_judge_by_the_admin(admin_app):
    app, client, v2, _ = admin_app
    bench = demo_bench()
    store = SubmissionStore(app.submissions, bench)
    sub = store.get(v2)
    earlier = store.history(sub)[0].items()
    direct = judge_agreement(earlier, sub.items())
    out = client.predict(row=v2, api_name="/judge_agreement")
    assert out["judge_a"].startswith("approx") and out["judge_b"].startswith("shifted")
    assert out["n_items"] == direct.n_items and out["exact"] == pytest.approx(direct.exact)
    assert out["kappa_quadratic"] == pytest.approx(direct.kappa_quadratic)
    assert out["confusion"] == direct.confusion.tolist()
    assert [d["id"] for d in out["disagreements"]] == direct.disagreements["id"].tolist()
    assert out["cells"]["b"]["OE"] > out["cells"]["a"]["OE"]

    records = client.predict(api_name="/changes")["records"]
    text = refused(
        client, submission_id=v2, judge="approx", token="wrong", api_name="/rejudge_with"
    )
    assert text == "token: wrong admin token"
    text = refused(client, submission_id=v2, judge="psychic", token=TOKEN, api_name="/rejudge_with")
    assert text == "judge: unknown judge 'psychic'; one of approx, openai"
    assert client.predict(api_name="/changes")["records"] == records  # nothing re-judged
    done = client.predict(submission_id=v2, judge="approx", token=TOKEN, api_name="/rejudge_with")
    assert done["change"]["reason"] == "re-judged with approx · lexical-v1 (approximate)"
    assert client.predict(api_name="/changes")["records"][0]["id"] == done["change"]["id"]
    back = client.predict(row=v2, api_name="/judge_agreement")  # now shifted vs approx
    assert back["judge_a"].startswith("shifted") and back["judge_b"].startswith("approx")
    assert back["exact"] == pytest.approx(out["exact"])


def test_the_admin_clears_a_held_row_and_it_is_ranked(admin_app):
    _, client, _, held = admin_app
    row = client.predict(table="table3", search="TerseNet Again", api_name="/leaderboard")[0]
    assert row["rank"] is None and row["under_review"]
    text = refused(client, submission_id=held, token="nope", api_name="/review_clear")
    assert text == "token: wrong admin token"
    row = client.predict(table="table3", search="TerseNet Again", api_name="/leaderboard")[0]
    assert row["rank"] is None and row["under_review"]  # the refusal changed nothing
    done = client.predict(
        submission_id=held, token=TOKEN, note="same lab, checked", api_name="/review_clear"
    )
    assert done["review"]["cleared_at"] and done["review"]["note"] == "same lab, checked"
    row = client.predict(table="table3", search="TerseNet Again", api_name="/leaderboard")[0]
    assert row["rank"] is not None and not row["under_review"]
    text = refused(client, submission_id=held, token=TOKEN, api_name="/review_clear")
    assert text.startswith("submission_id: ") and "is not under review" in text
