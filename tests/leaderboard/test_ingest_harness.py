"""Files as evaluation harnesses write them are read as written and scored item by item
exactly like the same answers uploaded as plain {"id", "prediction"} JSONL; the parse report
names the layout recognised. Fixtures: tests/support/harness_files.py (each builder cites the tool's
source file and function it follows)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from leaderboard.benchmark import load_benchmark
from leaderboard.errors import PredictionError
from leaderboard.predictions import ACCEPTED_EXTENSIONS, FORMATS, ParseReport, read_predictions
from leaderboard.scoring import score_predictions
from tests.support import harness_files as hf

N = 120  # the first demo items: all four question types


@pytest.fixture(scope="module")
def bench():
    return load_benchmark(str(hf.DEMO))


@pytest.fixture(scope="module")
def items():
    return hf.demo_items(N)


@pytest.fixture(scope="module")
def replies():
    return hf.demo_replies("simvl_large")


def scored(bench, data: bytes, name: str):
    pf = read_predictions(data, name, bench)
    return pf, score_predictions(bench, pf.predictions).items


def assert_item_by_item(bench, items, replies, data: bytes, name: str) -> ParseReport:
    """Every benchmark item gets the same status, parsed answer and score as the plain file."""
    _, expected = scored(bench, hf.plain_jsonl(items, replies), "plain.jsonl")
    pf, got = scored(bench, data, name)
    cols = ["id", "status", "parsed"]
    assert got[cols].astype(str).equals(expected[cols].astype(str))
    assert got["score"].fillna(-1).tolist() == expected["score"].fillna(-1).tolist()
    assert pf.report.matched == len(items)
    assert (got["status"] != "missing").sum() == len(items)
    return pf.report


# lmms-eval ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "version, harness",
    [
        ("v0.3", "lmms-eval samples v0.3"),  # doc and arguments kept: id from doc.id
        ("v0.4", "lmms-eval samples v0.4-v0.6"),  # no doc: id from the `submission` dict
        ("v0.4-metric-id", "lmms-eval samples v0.4-v0.6"),  # only an `id` in a metric dict
        ("v0.7", "lmms-eval samples v0.7+"),  # filtered_resps a string
    ],
)
def test_lmms_eval_samples_every_layout(bench, items, replies, version, harness):
    data = hf.lmms_eval_samples(items, replies, version)
    rep = assert_item_by_item(
        bench, items, replies, data, "20250601_120000_samples_qbench_portrait.jsonl"
    )
    assert rep.harness == harness and rep.id_column == "id"  # not doc_id, a row position
    assert rep.questions_checked == N and rep.questions_agreeing == N


def test_lmms_eval_reply_is_filtered_resps_not_its_parsed_pred_or_target(bench, items, replies):
    first = json.loads(hf.lmms_eval_samples(items, replies, "v0.7").splitlines()[0])
    assert first["qbp_acc"]["parsed_pred"] != first["filtered_resps"]
    assert first["target"] == items[0]["answer"]
    pf = read_predictions(hf.lmms_eval_samples(items, replies, "v0.7"), "s.jsonl", bench)
    assert pf.predictions[items[0]["id"]] == first["filtered_resps"]


def test_lmms_eval_v02_task_json_wrapper(bench, items, replies):
    rep = assert_item_by_item(
        bench, items, replies, hf.lmms_eval_v02_task_json(items, replies), "qbench_portrait.json"
    )
    assert rep.harness == "lmms-eval {task}.json v0.2"


def test_lmms_eval_results_file_is_refused_pointing_to_the_samples_file(bench):
    with pytest.raises(PredictionError) as err:
        read_predictions(hf.lmms_eval_results(), "20250601_120000_results.json", bench)
    assert "lmms-eval results file" in str(err.value)
    assert "--log_samples" in str(err.value) and "_samples_<task>.jsonl" in str(err.value)


# VLMEvalKit -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fmt, harness",
    [
        ("xlsx", "VLMEvalKit XLSX"),
        ("tsv", "VLMEvalKit TSV"),
        ("csv", "VLMEvalKit CSV"),
        ("json", "VLMEvalKit JSON"),
    ],
)
def test_vlmevalkit_prediction_files(bench, items, replies, fmt, harness):
    frame = hf.vlmevalkit_frame(items, replies)
    assert set(
        frame.loc[frame["id"].isin([i["id"] for i in items if i["qtype"] == "TF"]), "prediction"]
    ) <= {"A", "B"}  # TF asked and answered as letters
    rep = assert_item_by_item(
        bench, items, replies, hf.vlmevalkit_file(frame, fmt), f"MyVLM_QBenchPortrait.{fmt}"
    )
    assert rep.harness == harness and rep.format == fmt
    assert (rep.id_column, rep.prediction_column) == ("id", "prediction")  # not gold `answer`
    assert any("TF answer(s) given as option letters" in n for n in rep.notes)


def test_vlmevalkit_result_file_and_split_think(bench, items, replies):
    rep = assert_item_by_item(
        bench,
        items,
        replies,
        hf.vlmevalkit_file(hf.vlmevalkit_frame(items, replies, result=True), "xlsx"),
        "MyVLM_QBenchPortrait_exact_matching_result.xlsx",
    )
    assert rep.harness == "VLMEvalKit XLSX (_result file)"
    think = hf.demo_replies("thinkervl")
    assert any("</think>" in think[i["id"]] for i in items)
    frame = hf.vlmevalkit_frame(items, think, split_think=True)
    assert not frame["prediction"].str.contains("</think>").any()
    rep = assert_item_by_item(
        bench, items, think, hf.vlmevalkit_file(frame, "xlsx"), "MyVLM_QBenchPortrait.xlsx"
    )
    assert rep.harness == "VLMEvalKit XLSX (SPLIT_THINK)"


def test_xlsx_cells_are_read_as_strings(bench, items, replies):
    frame = hf.vlmevalkit_frame(items[:12], replies)
    frame["prediction"] = [1, 2.0, True, "=1+1", "B", "C", "A", "D", "True", "B", None, "A"]
    pf = read_predictions(hf.vlmevalkit_file(frame, "xlsx"), "m.xlsx", bench)
    got = [pf.predictions[i["id"]] for i in items[:5]]
    assert got == ["1", "2", "True", "=1+1", "B"]  # a formula-looking reply stays text
    assert pf.predictions[items[10]["id"]] == ""


# LLaVA / Q-Instruct, OpenAI Batch, chat transcripts -----------------------------------------
def test_llava_qinstruct_concatenated_json(bench, items, replies):
    data = hf.llava_qbench(items, replies)
    assert b"}{" in data and b"\n" not in data  # json.dump appended, no newline
    rep = assert_item_by_item(bench, items, replies, data, "qbench_portrait_answers.jsonl")
    assert rep.harness == "LLaVA/Q-Instruct concatenated JSON"
    assert rep.prediction_column == "response"  # not correct_ans


def test_openai_batch_output_uses_custom_id_and_message_content(bench, items, replies):
    rep = assert_item_by_item(
        bench, items, replies, hf.openai_batch_output(items, replies), "batch_6a1b_output.jsonl"
    )
    assert rep.harness == "OpenAI Batch output" and rep.id_column == "custom_id"


def test_openai_batch_failed_request_is_an_empty_answer(bench, items, replies):
    failed = items[2]["id"]
    pf, got = scored(bench, hf.openai_batch_output(items, replies, failed=(failed,)), "b.jsonl")
    assert pf.predictions[failed] == "" and pf.report.empty == 1
    assert got.set_index("id").loc[failed, "score"] == 0
    assert any("1 request(s) failed" in n for n in pf.report.notes)


def test_openai_batch_input_file_is_refused(bench, items):
    with pytest.raises(PredictionError, match="Batch API input file"):
        read_predictions(hf.openai_batch_input(items), "batch_input.jsonl", bench)


@pytest.mark.parametrize(
    "build, name", [(hf.chat_jsonl, "chats.jsonl"), (hf.chat_parquet, "chats.parquet")]
)
def test_chat_transcripts_last_assistant_turn(bench, items, replies, build, name):
    rep = assert_item_by_item(bench, items, replies, build(items, replies), name)
    assert rep.harness == "chat transcripts" and rep.questions_agreeing == N


@pytest.mark.parametrize(
    "column", ["generated_text", "model_prediction", "output_text", "raw_output"]
)
def test_reply_columns_beside_the_gold_answer(bench, items, replies, column):
    data = hf.generation_rows(items, replies, column)
    rep = assert_item_by_item(bench, items, replies, data, "generations.jsonl")
    assert rep.prediction_column == column


def test_mc_answer_given_as_a_json_list(bench):
    mc = [i for i in hf.demo_items(60) if i["qtype"] == "MC"][:3]
    rows = [
        {"id": mc[0]["id"], "prediction": list(mc[0]["answer"])},
        {"id": mc[1]["id"], "prediction": [mc[1]["answer"]]},
        {"id": mc[2]["id"], "prediction": json.dumps(list(mc[2]["answer"]))},
    ]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    _, got = scored(bench, data, "lists.jsonl")
    got = got.set_index("id")
    for it in mc:
        assert got.loc[it["id"], "parsed"] == it["answer"] and got.loc[it["id"], "score"] == 1


def test_datasets_save_to_disk_arrow_gets_export_advice(bench, items, replies, tmp_path):
    shard = hf.datasets_arrow(items, replies, tmp_path / "saved")
    for name in (shard.name, "predictions"):
        with pytest.raises(PredictionError) as err:
            read_predictions(shard.read_bytes(), name, bench)
        assert "save_to_disk" in str(err.value) and "to_json" in str(err.value)
        assert "to_parquet" in str(err.value) and "UTF-8" not in str(err.value)
    state = (tmp_path / "saved" / "state.json").read_bytes()
    with pytest.raises(PredictionError, match="save_to_disk"):
        read_predictions(state, "state.json", bench)
    with pytest.raises(PredictionError, match="to_parquet"):
        read_predictions(b"{}", "x", bench, fmt="arrow")


def test_formats_and_extensions_for_the_file_picker():
    assert "xlsx" in FORMATS and "arrow" not in FORMATS
    assert {".jsonl", ".json", ".csv", ".tsv", ".parquet", ".xlsx"} <= set(ACCEPTED_EXTENSIONS)
    assert all(e.startswith(".") for e in ACCEPTED_EXTENSIONS)


def test_report_only_adds_keys(bench, items, replies):
    rep = read_predictions(hf.plain_jsonl(items, replies), "p.jsonl", bench).report.as_dict()
    old = {
        "file_name",
        "format",
        "rows",
        "id_column",
        "prediction_column",
        "matched",
        "missing",
        "unknown",
        "empty",
        "missing_ids",
        "unknown_ids",
    }
    assert old <= set(rep) and {"harness", "warnings"} <= set(rep)
    assert rep["harness"] == "JSONL table" and rep["warnings"] == []


def test_stored_xlsx_rescores_with_the_same_result(tmp_path, items, replies):
    from leaderboard.store import SubmissionStore
    from tests.support.storekit import submit

    bench = load_benchmark(str(hf.DEMO))
    store = SubmissionStore(tmp_path / "subs", bench)
    data = hf.vlmevalkit_file(hf.vlmevalkit_frame(items, replies), "xlsx")
    sub = submit(store, data, "MyVLM_QBenchPortrait.xlsx", {"model": "xlsx model"})
    assert sub.meta.format == "xlsx" and sub.upload_path.read_bytes() == data
    again = read_predictions(sub.upload_path.read_bytes(), "upload", bench, fmt="xlsx")
    assert again.report.harness == "VLMEvalKit XLSX"
    assert pd.DataFrame(sub.items())["score"].sum() == pytest.approx(
        score_predictions(bench, again.predictions).items["score"].sum()
    )
