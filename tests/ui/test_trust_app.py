"""The trust views as the Space serves them, in-process (issue 12): a row's details, the
Changes tab, judge agreement, rows held for review on the board, the drill-down's "could not
be read" filter, label flags and the admin's clearing, over the seeded demo store."""

from __future__ import annotations

import json

import gradio as gr
import numpy as np
import pandas as pd
import pytest

import app as space
from analysis import trust_views as tv
from leaderboard.moderation import ADMIN_ENV
from leaderboard.provenance import UNUSABLE_STATUSES
from leaderboard.review import under_review
from leaderboard.settings import AppSettings
from tests.conftest import DEMO
from tests.support.trustkit import ShiftedJudge
from ui import actions
from ui.state import AppState
from ui.tabs.drilldown import VIEW_FRAME
from ui.trust import TrustError

TOKEN = "a-test-admin-token-long-enough"
#: Handlers return dropdown updates naming a model; Gradio warns at building the update.
pytestmark = pytest.mark.filterwarnings("ignore:The value passed into gr.Dropdown")


def select(row: list, index: int = 0) -> gr.SelectData:
    """A click on a grid row, as Gradio hands it to a select handler."""
    return gr.SelectData(None, {"index": [index, 0], "value": row[0], "row_value": row})


def shown(markdown: str) -> str:
    """Escaped Markdown as it reads on the page (md_escape backslash-escapes punctuation)."""
    return markdown.replace("\\", "")


def own_run(tmp_path, name: str, every: int = 15) -> bytes:
    """A demo file with every `every`-th answer changed (not a copy of the seeded row)."""
    rows = [json.loads(x) for x in (DEMO / "predictions" / name).read_text().splitlines()]
    for n, row in enumerate(rows):
        if n % every == 0:
            row["prediction"] = "The answer is (A)."
    return ("\n".join(json.dumps(r) for r in rows) + "\n").encode()


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    root = tmp_path_factory.mktemp("subs")
    return AppState.start(
        AppSettings(benchmark=str(DEMO), submissions_dir=str(root), judge="approx")
    )


@pytest.fixture(scope="module")
def handlers(state):
    return space.Handlers(state)


def opened(view: tuple) -> tuple:
    """A drill-down view opened from a trust tab (`DrillTab.view_outputs`, then the tabs):
    its models, outcome filter and item id."""
    return view[0].value, view[VIEW_FRAME - 1], view[-3]


@pytest.fixture(scope="module")
def two_versions(state, tmp_path_factory):
    """ChattyVLM's own second version, then re-judged with another judge."""
    tmp = tmp_path_factory.mktemp("files")
    model = "ChattyVLM (simulated)"
    v2 = state.pipeline.submit(own_run(tmp, "chattyvlm.jsonl"), "v2.jsonl", {"model": model})
    assert v2.meta.version == 2 and not v2.review
    assert state.pipeline.rejudge_with(v2, ShiftedJudge())
    state.invalidate()
    return state.store.get(v2.id)


def test_a_rows_details_by_model_name_and_by_id(state, handlers):
    model = state.verified_models()[0]
    by_name = state.trust.row_json(model)
    sub = state.store.get(by_name["submission_id"])
    assert state.trust.row_json(sub.id) == by_name
    prov = by_name["provenance"]
    assert prov["file"]["sha256"] == sub.meta.file_sha256 and prov["model"] == model
    assert prov["benchmark"]["hash"] == state.bench.hash
    assert by_name["parse_report"]["matched"] == sub.result["parse_report"]["matched"]
    assert by_name["versions"][0]["submission_id"] == sub.id
    out = handlers.render_row(model)
    frame = out[1].value
    grid = pd.DataFrame(frame["data"], columns=frame["headers"])
    fields = dict(zip(grid["Field"], grid["Value"], strict=False))
    assert fields["File sha256"] == sub.meta.file_sha256 and fields["Model"] == model
    assert sub.meta.file_name in out[2] and "Parse report of the stored file" in out[2]
    assert out[4] == f"?row={sub.id}" and out[13] == sub.id and out[14] == model
    assert "no earlier visible version" in shown(out[6])


def test_a_paper_row_says_where_it_comes_from(state, handlers):
    row = state.trust.row_json("Qwen3-VL (32B)")
    assert row["kind"] == "reported" and row["provenance"]["text"] == "from the paper, Table 3"
    out = handlers.render_row("qwen3-vl (32b)")
    assert "from the paper, Table 3" in shown(out[0])
    with pytest.raises(TrustError, match="no model named"):
        state.trust.row_json("No Such Model")
    with pytest.raises(TrustError, match="no visible submission"):
        state.trust.row_json("20990101T000000000000Z-000000000000")
    assert "no model named" in shown(handlers.render_row("No Such Model")[0])


def test_version_two_against_one_and_its_flips_open_in_the_drill_down(
    state, handlers, two_versions
):
    diff = state.trust.version_diff(two_versions.meta.model)
    assert (diff.old_version, diff.new_version) == (1, 2)
    v1 = state.store.versions(two_versions.meta.model)[0]
    direct = two_versions.items()["score"].to_numpy(dtype=float) - v1.items()["score"].to_numpy(
        dtype=float
    )
    changed = set(two_versions.items()["id"][~np.isclose(direct, 0, equal_nan=True)])
    assert {f["id"] for f in diff.flips} == changed and changed
    out = handlers.render_row(two_versions.id)
    assert shown(out[6]).startswith("Version 2 vs 1")
    flips = out[8].value
    first = flips["data"][0]
    assert first[0] == diff.flips[0]["id"]
    view = handlers.open_row_item(select(first), two_versions.meta.model)
    assert opened(view) == ([two_versions.meta.model], "all", first[0])
    assert first[0] in view[VIEW_FRAME + 2], "listed with the row's model"
    assert view[-1].selected == "drill"
    versions = out[5].value
    assert [r[0] for r in versions["data"]] == [two_versions.id, v1.id]
    assert handlers.select_version(select(versions["data"][1])) == v1.id


def test_the_changes_tab_lists_the_re_judge_and_opens_its_flips(state, handlers, two_versions):
    grid, count, *_ = handlers.render_changes("")
    rows = grid.value["data"]
    assert count == f"**{len(rows)}** change record{'s' if len(rows) > 1 else ''}." and rows
    record_id = two_versions.result["rescored"]["change"]
    newest = rows[0]
    assert newest[-1] == record_id and newest[1] == two_versions.meta.model
    assert newest[2] == "re-judged with shifted · approx+1"
    summary, cells, flips, rid, model = handlers.open_change(select(newest))
    record = state.trust.change(record_id)
    assert rid == record_id and model == two_versions.meta.model
    assert record["reason"] in shown(summary)
    assert [r[0] for r in flips.value["data"]] == [f["id"] for f in record["flips"]]
    changed = [c for c in record["cells"] if c["changed"]]
    assert len(cells.value["data"]) == len(changed) > 0
    view = handlers.open_change_flip(select(flips.value["data"][0]), model)
    assert opened(view) == ([two_versions.meta.model], "all", record["flips"][0]["id"])
    assert view[-1].selected == "drill"
    only = handlers.render_changes("SimVL-Large (simulated)")
    assert only[0].value["data"] == [] or all(
        r[1] == "SimVL-Large (simulated)" for r in only[0].value["data"]
    )


def test_judge_agreement_of_the_re_judged_row(state, handlers, two_versions):
    _, ag = state.trust.agreement(two_versions.id)
    earlier = state.store.history(two_versions)[0].items()
    now = two_versions.items()
    oe = now["qtype"] == "OE"
    a = earlier.loc[oe, "judge_score"].to_numpy(dtype=float, na_value=np.nan)
    b = now.loc[oe, "judge_score"].to_numpy(dtype=float, na_value=np.nan)
    both = ~np.isnan(a) & ~np.isnan(b)
    assert ag.n_items == int(both.sum())
    assert ag.exact == pytest.approx(float(np.mean(a[both] == b[both])))
    assert set(ag.disagreements["id"]) == set(now.loc[oe, "id"][both & (a != b)])
    assert ag.label_a.startswith("approx") and ag.label_b.startswith("shifted")
    assert ag.cells["b"]["OE"] > ag.cells["a"]["OE"]  # the shifted judge gives more
    out = handlers.render_row(two_versions.id)
    assert "agree exactly on" in shown(out[9])
    assert [r[0] for r in out[12].value["data"]] == ag.disagreements["id"].tolist()
    with pytest.raises(TrustError, match="judged by one judge only"):
        state.trust.agreement(state.verified_models()[0])


def test_a_held_row_is_unranked_with_its_reason_and_ranked_once_cleared(state, monkeypatch):
    data = (DEMO / "predictions" / "tersenet.jsonl").read_bytes()
    out = state.submit(data, "copy.jsonl", {"model": "Copycat (3B)"})
    assert out.ok and out.rank is None and "held for review" in out.message
    assert out.as_json()["under_review"] and "identical" in out.as_json()["review"][0]
    row = next(r for r in state.leaderboard_rows(search="Copycat"))
    assert row["rank"] is None and row["under_review"] and "under review:" in row["review"]
    assert row["type"] == "verified · under review"
    view = state.view("table3")
    assert "under review" in space.board_tab.board.caption(view)
    for kind in ("reported", "verified"):  # each pool ranked on its own, the held row in none
        ranked = [r["rank"] for r in state.leaderboard_rows(kinds=[kind]) if r["rank"] is not None]
        assert ranked == sorted(ranked) and ranked[0] == 1
    with pytest.raises(PermissionError):
        state.trust.clear(out.submission.id, "wrong")
    monkeypatch.setenv(ADMIN_ENV, TOKEN)
    with pytest.raises(actions.Refused) as refused:
        actions.clear_review(state, out.submission.id, "nope", None)
    assert refused.value.argument == "token" and "wrong admin token" in refused.value.reason
    assert under_review(state.store.get(out.submission.id).review)  # nothing changed
    done = actions.clear_review(state, out.submission.id, TOKEN, "checked: same lab")
    assert done["review"]["cleared_by"] == "admin"
    row = next(r for r in state.leaderboard_rows(search="Copycat"))
    assert row["rank"] is not None and not row["under_review"]
    assert "cleared by admin" in tv.review_status(state.store.get(out.submission.id).review)
    with pytest.raises(actions.Refused) as again:
        actions.clear_review(state, out.submission.id, TOKEN, None)
    assert again.value.argument == "submission_id" and "not under review" in again.value.reason


def test_unreadable_percent_on_the_board_and_the_drill_down_filter(state, handlers):
    rows = {r["model"]: r for r in state.leaderboard_rows(kinds=["verified"])}
    for sub in state.store.submissions():
        prov = state.trust.provenance(sub)
        assert rows[sub.meta.model]["unreadable_pct"] == pytest.approx(
            prov["unreadable_closed_pct"]
        )
    model = max(
        (s for s in state.store.submissions()),
        key=lambda s: rows[s.meta.model]["unreadable_pct"] or 0,
    ).meta.model
    frame, _, ids = handlers.list_items([model], "", "", "", "", "", "unreadable")
    assert frame["ID"].tolist() == ids
    items = state.model_frames([model])[model]
    assert ids == items.loc[items["status"].isin(UNUSABLE_STATUSES), "id"].tolist() and ids
    sub = state.trust.submission(model)
    view = handlers.open_row_unreadable(sub.id)
    assert opened(view) == ([model], "unreadable", ids[0])
    assert view[VIEW_FRAME + 2] == ids, "the list is of that model's unreadable answers"
    assert view[-1].selected == "drill"


def test_a_visitor_flags_an_answer_key_and_the_admin_reads_why(state, handlers, monkeypatch):
    item = state.bench.items["id"].iloc[3]
    html, kept = handlers.flag_answer_key(item, "x")
    assert "too short" in html and kept == "x"
    html, kept = handlers.flag_answer_key(item, "<b>Option B</b> is the same as option C")
    assert "flagged" in html and kept == ""
    counts = handlers.render_flag_counts().value
    assert [item, 1, 1] in counts["data"]
    monkeypatch.setenv(ADMIN_ENV, TOKEN)
    err, _ = handlers.admin_flag_list("wrong")
    assert "wrong admin token" in err
    _, listed = handlers.admin_flag_list(TOKEN)
    assert listed.value["data"][0][0] == item
    assert listed.value["data"][0][3] == "<b>Option B</b> is the same as option C"
    assert listed.value["data"][0][2] == "anonymous"
    with pytest.raises(actions.Refused) as refused:
        actions.flag_item(state, "nope", "a long reason", None)
    assert refused.value.argument == "item_id" and "not a benchmark item" in refused.value.reason
    with pytest.raises(actions.Refused) as refused:
        actions.flag_item(state, item, "x", None)
    assert refused.value.argument == "reason" and "too short" in refused.value.reason
    assert [item, 1, 1] in handlers.render_flag_counts().value["data"]  # nothing more stored


def test_declared_fields_from_the_form_reach_the_provenance(state, tmp_path):
    path = tmp_path / "declared.jsonl"
    path.write_bytes(own_run(tmp_path, "bilingualvl.jsonl", every=11))
    out = actions.submit_file(
        state,
        path,
        "declared.jsonl",
        "Declared (8B)",
        "8B",
        "open",
        "",
        None,
        declared={"harness": "VLMEvalKit", "temperature": 0, "max_tokens": 256, "thinking": "off"},
    )
    assert out.submission is not None and out.submission.meta.model == "Declared (8B)"
    prov = state.trust.row_json("Declared (8B)")["provenance"]
    assert prov["declared"]["harness"] == "VLMEvalKit" and prov["declared"]["temperature"] == 0
    assert prov["declared"]["max_tokens"] == 256 and prov["declared"]["thinking"] == "off"
    stored = [s.id for s in state.store.scan()]
    with pytest.raises(actions.Refused, match="Max new tokens must be a whole number") as bad:
        actions.submit_file(
            state,
            path,
            "declared.jsonl",
            "Declared (8B)",
            "",
            "",
            "",
            None,
            declared={"max_tokens": 2.5},
        )
    assert bad.value.argument == "max_tokens"
    assert [s.id for s in state.store.scan()] == stored
