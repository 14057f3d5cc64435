"""Integrity guards: a file is never scored from a column holding the gold answers, ids are
matched by the column that matches the benchmark, ids shifted against the questions are
refused with the offset, and row-number ids without question text are flagged."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from leaderboard.benchmark import load_benchmark, load_local
from leaderboard.errors import PredictionError
from leaderboard.predictions import read_predictions
from leaderboard.scoring import score_predictions
from tests.support import harness_files as hf
from tests.support.bundles import OPTIONS, item, write_bundle


@pytest.fixture(scope="module")
def bench():
    return load_benchmark(str(hf.DEMO))


@pytest.fixture(scope="module")
def items():
    return hf.demo_items(200)


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def overall(bench, data: bytes, name: str) -> float:
    pf = read_predictions(data, name, bench)
    return score_predictions(bench, pf.predictions).tables.values["table3"]


# ---------------------------------------------------------------- silent case 1: the gold
def test_gold_answer_beside_an_unusual_reply_name_is_scored_from_the_reply(bench, items):
    """Before: `generated_text` was not a known name, so `answer` (the gold) was scored and
    every cell read 100.00. Now the reply column is used and the score is the model's."""
    replies = hf.demo_replies("simvl_tiny")
    pf = read_predictions(hf.generation_rows(items, replies, "generated_text"), "g.jsonl", bench)
    assert pf.report.prediction_column == "generated_text"
    result = score_predictions(bench, pf.predictions)
    closed = result.items[
        result.items["qtype"].isin(["SC", "MC", "TF"]) & (result.items["status"] != "missing")
    ]
    assert 0 < closed["score"].mean() < 0.9  # the model's accuracy, not the gold's 1.0


def test_a_column_equal_to_the_gold_is_refused_naming_it(bench, items):
    rows = [
        {"id": it["id"], "question": it["question"], "answer": it["answer"], "my_models_reply": "B"}
        for it in items
    ]
    with pytest.raises(PredictionError) as err:
        read_predictions(jsonl(rows), "eval_log.jsonl", bench)
    msg = str(err.value)
    assert "column 'answer' holds the gold answers" in msg
    closed = sum(it["qtype"] != "OE" for it in items)
    assert f"on {closed} of {closed} closed-ended items" in msg


def test_a_reply_column_that_is_the_gold_is_refused_too(bench, items):
    rows = [{"id": it["id"], "prediction": it["answer"], "label": it["answer"]} for it in items]
    with pytest.raises(PredictionError) as err:
        read_predictions(jsonl(rows), "p.jsonl", bench)
    assert "column 'prediction' holds the gold answers" in str(err.value)
    assert "gold-looking columns also present: 'label'" in str(err.value)


def test_a_strong_model_answering_in_words_is_not_mistaken_for_the_gold(bench, items):
    words = {"True": "True, the statement holds.", "False": "False, it does not."}
    rows = [
        {"id": it["id"], "prediction": words.get(it["answer"], f"The answer is ({it['answer']}).")}
        for it in items
        if it["qtype"] != "OE"
    ]
    pf = read_predictions(jsonl(rows), "strong.jsonl", bench)
    assert pf.report.matched == len(rows)


# ---------------------------------------------------------------- id column by matching
def test_batch_request_id_is_not_taken_for_the_item_id(bench, items):
    data = hf.openai_batch_output(items, hf.demo_replies())
    first = json.loads(data.splitlines()[0])
    assert first["id"].startswith("batch_req_") and first["custom_id"].startswith("qbp-")
    assert read_predictions(data, "out.jsonl", bench).report.id_column == "custom_id"


def test_the_candidate_that_matches_the_benchmark_wins(bench, items):
    rows = [{"index": n, "question_id": it["id"], "response": "B"} for n, it in enumerate(items)]
    rep = read_predictions(jsonl(rows), "p.jsonl", bench).report
    assert rep.id_column == "question_id" and rep.matched == len(items)


# ---------------------------------------------------------------- silent case 2: an offset
def numeric_bundle(tmp_path, n: int = 40):
    """0-based numeric ids, as a bundle converted from a VLMEvalKit-style TSV would have."""
    golds = "ABCD"
    rows = []
    for i in range(n):
        qtype = ("SC", "SC", "TF", "MC")[i % 4]
        answer = {
            "SC": golds[(i * 7 + i // 4) % 4],
            "TF": ("True", "False")[i // 4 % 2],
            "MC": ("AC", "BD", "ABC")[i % 3],
        }[qtype]
        rows.append(item(i, qtype, answer, id=str(i)))
    return load_local(write_bundle(tmp_path / "numeric", rows))


def perfect_vlmevalkit_tsv(bench, index_base: int, with_question: bool = True) -> bytes:
    """A perfect model's VLMEvalKit TSV (vlmeval/smp/file.py `dump`, QUOTE_ALL) whose integer
    `index` counts from `index_base`; its replies are explanations, not bare letters."""
    rows = []
    for n, it in enumerate(bench.items.to_dict(orient="records")):
        opts = it["options"] or ["True", "False"] if it["qtype"] == "TF" else it["options"]
        row = {"index": n + index_base, "question": it["question"]}
        for k, letter in enumerate("ABCD"):
            row[letter] = opts[k] if k < len(opts) else None
        gold = it["answer"] if it["qtype"] != "TF" else ("A" if it["answer"] == "True" else "B")
        row["answer"] = gold
        row["prediction"] = f"The correct option is ({', '.join(gold)})."
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not with_question:
        frame = frame.drop(columns=["question"])
    return hf.vlmevalkit_file(frame, "tsv")


def test_one_based_index_on_zero_based_ids_is_refused_with_the_offset(tmp_path):
    bench = numeric_bundle(tmp_path)
    aligned = read_predictions(perfect_vlmevalkit_tsv(bench, 0), "M_QBP.tsv", bench)
    assert aligned.report.questions_agreeing == 40
    assert score_predictions(bench, aligned.predictions).items["score"].mean() == 1.0
    # Matched silently by id, the 1-based file puts each reply one item off: the same
    # perfect model would score far below 100 on SC.
    shifted = perfect_vlmevalkit_tsv(bench, 1)
    by_id = dict(
        zip(
            aligned.predictions,
            list(aligned.predictions.values())[-1:] + list(aligned.predictions.values())[:-1],
            strict=False,
        )
    )
    silent = score_predictions(bench, {k: v for k, v in by_id.items() if k != "0"}).items
    sc = silent[silent["qtype"] == "SC"]["score"].mean()
    assert sc < 0.5
    with pytest.raises(PredictionError) as err:
        read_predictions(shifted, "M_QBP.tsv", bench)
    msg = str(err.value)
    assert "shifted by -1" in msg and "row with id '1' carries the question of item '0'" in msg
    assert "Nothing was scored" in msg


def test_row_number_ids_without_question_text_are_flagged(tmp_path):
    bench = numeric_bundle(tmp_path)
    pf = read_predictions(perfect_vlmevalkit_tsv(bench, 1, with_question=False), "M.tsv", bench)
    assert pf.report.question_column is None
    assert len(pf.report.warnings) == 1
    assert "ids in column 'index' run 1..40, like row numbers" in pf.report.warnings[0]
    assert "every score is wrong" in pf.report.warnings[0]
    assert pf.report.as_dict()["warnings"] == pf.report.warnings


def test_questions_of_another_benchmark_are_refused(bench, items):
    rows = [
        {"id": it["id"], "question": f"What colour is the car in picture {n}?", "prediction": "B"}
        for n, it in enumerate(items)
    ]
    with pytest.raises(PredictionError, match="question text of 200 of 200 rows differs"):
        read_predictions(jsonl(rows), "p.jsonl", bench)


def test_string_ids_that_are_row_numbers_get_a_hint(bench):
    data = jsonl([{"index": n, "prediction": "B"} for n in range(50)])
    with pytest.raises(PredictionError) as err:
        read_predictions(data, "p.jsonl", bench)
    assert "run 0..49 like row numbers" in str(err.value)


def test_tf_option_letters_are_read_through_the_rows_options(tmp_path):
    rows = [item(1, "TF", "True"), item(2, "TF", "False"), item(3, "SC", "B")]
    bench = load_local(write_bundle(tmp_path / "b", rows))
    frame = pd.DataFrame(
        [
            {
                "index": 1,
                "id": "q001",
                "question": rows[0]["question"],
                "A": "Yes",
                "B": "No",
                "answer": "A",
                "prediction": "A",
            },
            {
                "index": 2,
                "id": "q002",
                "question": rows[1]["question"],
                "A": "Yes",
                "B": "No",
                "answer": "B",
                "prediction": "The answer is B",
            },
            {
                "index": 3,
                "id": "q003",
                "question": rows[2]["question"],
                "A": OPTIONS[0],
                "B": OPTIONS[1],
                "answer": "B",
                "prediction": "B",
            },
        ]
    )
    pf = read_predictions(hf.vlmevalkit_file(frame, "xlsx"), "M.xlsx", bench)
    assert pf.predictions == {"q001": "A. Yes", "q002": "B. No", "q003": "B"}
    assert score_predictions(bench, pf.predictions).items["score"].tolist() == [1, 1, 1]


def test_a_strong_model_answering_in_bare_letters_is_not_taken_for_the_gold(tmp_path):
    """The gold guard refuses a column that *is* the answer key, not a very good model: bare
    letters right on 97% of the closed-ended items are scored, a column right on all refused."""
    from leaderboard.benchmark import load_benchmark
    from leaderboard.errors import PredictionError
    from leaderboard.predictions import read_predictions

    bench = load_benchmark(str(hf.DEMO))
    closed = bench.items[bench.items["qtype"].isin(["SC", "TF"])].head(200)
    rows = [
        {"id": i, "prediction": a} for i, a in zip(closed["id"], closed["answer"], strict=False)
    ]
    with pytest.raises(PredictionError, match="holds the gold answers"):
        read_predictions(json.dumps(rows).encode(), "p.json", bench)
    for row in rows[:6]:  # 6 of 200 wrong: 97% right
        row["prediction"] = {"True": "False", "False": "True"}.get(row["prediction"], "Z")
    pred = read_predictions(json.dumps(rows).encode(), "p.json", bench)
    assert pred.report.matched == 200
