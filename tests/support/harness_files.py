"""Prediction files built the way each evaluation tool writes them, on real demo items.

Every builder names the repository file and function whose output it reproduces; field names,
nesting, escaping and the file's own quirks (QUOTE_ALL TSVs, xlsxwriter workbooks, JSON
objects appended with no newline) follow that source. The replies are a demo model's raw
answers, so a file scored through its harness layout can be compared item by item with the
same answers given as plain `{"id", "prediction"}` JSONL.

`python -m tests.support.harness_files` rewrites the small fixtures in tests/data/harness/ that the
README and the About tab quote (tests check they are what these builders write).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "harness"
LETTERS = "ABCD"
#: A TF verdict as the letter of its option (A: True, B: False), as a letter-prompted model
#: answers.
TF_LETTER = {"true": "A", "yes": "A", "false": "B", "no": "B"}


def demo_items(n: int | None = None) -> list[dict[str, Any]]:
    rows = [
        json.loads(line)
        for line in (DEMO / "metadata.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    return rows if n is None else rows[:n]


def demo_replies(model: str = "simvl_large") -> dict[str, str]:
    path = DEMO / "predictions" / f"{model}.jsonl"
    return {
        r["id"]: r["prediction"] for r in map(json.loads, path.read_text("utf-8").splitlines()) if r
    }


def plain_jsonl(items: list[dict], replies: dict[str, str]) -> bytes:
    """The canonical upload: one {"id", "prediction"} per line."""
    return "".join(
        json.dumps({"id": it["id"], "prediction": replies[it["id"]]}, ensure_ascii=False) + "\n"
        for it in items
    ).encode()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _prompt(item: dict) -> str:
    """The context a Q-Bench-style lmms-eval task builds (lmms_eval/tasks/qbench/utils.py
    `q_bench_doc_to_text`): question, lettered options, the post-prompt."""
    opts = "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(item["options"]))
    return (
        f"{item['question']}\n{opts}\nAnswer with the option's letter from the given "
        "choices directly.\n"
    )


# ------------------------------------------------------------------------------ lmms-eval
def _lmms_example(i: int, item: dict, reply: str, with_submission: bool = True) -> dict:
    """The in-memory sample of lmms_eval/evaluator.py `evaluate` (log_samples branch): doc
    without images, target, arguments, resps, filtered_resps, doc_hash, then the task's
    process_results metric dicts (shaped like lmms_eval/tasks/qbench `q_bench_process_results`:
    an accuracy dict carrying the id and lmms-eval's own parsed_pred, and `submission`)."""
    doc = {k: v for k, v in item.items() if k != "file_name"}
    gen_kwargs = {"max_new_tokens": 32, "temperature": 0, "do_sample": False, "until": ["\n\n"]}
    example = {
        "doc_id": i,
        "doc": doc,
        "target": item["answer"],
        "arguments": [_prompt(item), gen_kwargs, i, "qbench_portrait", "test"],
        "resps": [[reply]],
        "filtered_resps": [reply],
        "doc_hash": _sha(json.dumps(doc, indent=2, ensure_ascii=False)),
    }
    example["qbp_acc"] = {
        "id": item["id"],
        "qtype": item["qtype"],
        "answer": item["answer"],
        "parsed_pred": reply[:1],
    }
    if with_submission:
        example["submission"] = {item["id"]: reply}
    return example


def lmms_eval_samples(items: list[dict], replies: dict[str, str], version: str) -> bytes:
    """`*_samples_<task>.jsonl` as lmms_eval/loggers/evaluation_tracker.py
    `EvaluationTracker.save_results_samples` writes it in that version:
    v0.3 (tag v0.3.0): `arguments` replaced by {i: key of gen_kwargs}, `input` added, doc kept;
    v0.4 (tags v0.4-v0.6): `input` added, `resps` popped when equal, `arguments` and `doc`
    popped; v0.7 (tag v0.7 and main): single-request lists flattened (filtered_resps a string).
    "v0.4-metric-id": a task with no `submission` dict (the id only inside a metric dict)."""
    lines = []
    for i, item in enumerate(items):
        sample = _lmms_example(
            i, item, replies[item["id"]], with_submission=version != "v0.4-metric-id"
        )
        if version == "v0.3":
            sample["prompt_hash"] = _sha(sample["arguments"][0])
            sample["target_hash"] = _sha(str(sample["target"]))
            arguments = {k: v for k, v in enumerate(sample["arguments"][1])}
            sample["input"] = sample["arguments"][0]
            sample["arguments"] = arguments
            sample["target"] = str(sample["target"])
        elif version in ("v0.4", "v0.4-metric-id"):
            sample["input"] = sample["arguments"][0]
            if sample["filtered_resps"] == sample["resps"][0]:
                sample.pop("resps")
            sample["target"] = str(sample["target"])
            sample.pop("arguments")
            sample.pop("doc")
        elif version == "v0.7":
            sample["token_counts"] = [None]
            sample["input"] = sample["arguments"][0]
            sample["resps"] = sample["resps"][0]
            sample["filtered_resps"] = sample["filtered_resps"][0]
            if isinstance(sample["resps"], list) and sample["resps"][0] == sample["filtered_resps"]:
                sample.pop("resps")
            sample["target"] = str(sample["target"])
            sample.pop("arguments")
            sample.pop("doc")
        else:
            raise ValueError(version)
        lines.append(json.dumps(sample, ensure_ascii=False) + "\n")
    return "".join(lines).encode()


def lmms_eval_v02_task_json(items: list[dict], replies: dict[str, str]) -> bytes:
    """`{task}.json` of lmms-eval v0.2 (lmms_eval/__main__.py `cli_evaluate_single`):
    {"args", "model_configs", "logs": samples sorted by doc_id, "time"}, indent=4."""
    logs = []
    for i, item in enumerate(items):
        ex = _lmms_example(i, item, replies[item["id"]])
        ex["arguments"] = [[ex["arguments"][0], "max_new_tokens"]]
        logs.append(ex)
    data = {
        "args": {"model": "llava", "tasks": "qbench_portrait", "log_samples": True},
        "model_configs": {"task": "qbench_portrait", "output_type": "generate_until"},
        "logs": sorted(logs, key=lambda x: x["doc_id"]),
        "time": "0601_1200",
    }
    return json.dumps(data, indent=4, ensure_ascii=False).encode()


def lmms_eval_results(task: str = "qbench_portrait") -> bytes:
    """`<date>_results.json` (evaluation_tracker.py `save_results_aggregated` of the
    evaluator's results_dict): aggregates only."""
    data = {
        "results": {task: {"alias": task, "qbp_acc,none": 0.61}},
        "group_subtasks": {task: []},
        "configs": {task: {"task": task}},
        "versions": {task: "Yaml"},
        "n-shot": {task: 0},
        "higher_is_better": {task: {"qbp_acc": True}},
        "n-samples": {task: {"original": 2765, "effective": 2765}},
        "config": {"model": "llava"},
        "date": "20250601_120000",
    }
    return json.dumps(data, indent=2).encode()


# ------------------------------------------------------------------------------ VLMEvalKit
def vlmevalkit_frame(
    items: list[dict],
    replies: dict[str, str],
    index_base: int = 1,
    tf_as_letters: bool = True,
    split_think: bool = False,
    result: bool = False,
) -> pd.DataFrame:
    """The dataset TSV rows VLMEvalKit keeps in a prediction file (vlmeval/inference.py
    `infer_data_job`: `data = dataset.data`, `prediction` added, `image` popped; with
    SPLIT_THINK `split_thinking` puts the text after </think> in `prediction` and the rest in
    `thinking`). MCQ rows: options in A-D, the gold letter(s) in `answer`; TF asked as A: True,
    B: False. `result`: the `*_result` file of vlmeval/dataset/image_mcq.py
    `evaluate_heuristic` (mcq_vanilla_eval adds `hit` and `log`)."""
    rows = []
    for i, item in enumerate(items):
        reply = replies[item["id"]]
        row: dict[str, Any] = {
            "index": i + index_base,
            "id": item["id"],
            "question": item["question"],
        }
        options = list(item["options"])
        answer = item["answer"]
        if item["qtype"] == "TF" and tf_as_letters:
            options = ["True", "False"]
            answer = "A" if item["answer"] == "True" else "B"
            low = reply.strip().lower().rstrip(".")
            reply = TF_LETTER.get(low, reply)
        for k, letter in enumerate(LETTERS):
            row[letter] = options[k] if k < len(options) else np.nan
        row.update(
            {
                "answer": answer,
                "category": item["subdimension"],
                "l2-category": item["dimension"],
                "split": "test",
            }
        )
        if split_think and "</think>" in reply:
            head, tail = reply.split("</think>")[0], reply.split("</think>")[-1]
            row["prediction"] = tail.strip()
            row["thinking"] = head.split("<think>")[1].strip() if "<think>" in head else head
        else:
            row["prediction"] = reply
            if split_think:
                row["thinking"] = ""
        if result:
            row["hit"] = int(reply.strip()[:1] == str(answer)[:1])
            row["log"] = "Match Found" if row["hit"] else "Wrong"
        rows.append(row)
    return pd.DataFrame(rows)


def vlmevalkit_file(frame: pd.DataFrame, fmt: str) -> bytes:
    """vlmeval/smp/file.py `dump`: xlsx via pd.ExcelWriter(engine='xlsxwriter',
    strings_to_formulas False), csv/tsv with QUOTE_ALL, json as records with indent=4."""
    buf = io.BytesIO()
    if fmt == "xlsx":
        with pd.ExcelWriter(
            buf, engine="xlsxwriter", engine_kwargs={"options": {"strings_to_formulas": False}}
        ) as w:
            frame.to_excel(w, index=False)
        return buf.getvalue()
    if fmt in ("csv", "tsv"):
        text = frame.to_csv(sep="\t" if fmt == "tsv" else ",", index=False, quoting=csv.QUOTE_ALL)
        return text.encode("utf-8")
    if fmt == "json":
        return json.dumps(frame.to_dict("records"), indent=4, ensure_ascii=False).encode()
    raise ValueError(fmt)


# ------------------------------------------------------------------------------ LLaVA / Q-Instruct
def llava_qbench(items: list[dict], replies: dict[str, str]) -> bytes:
    """haotian-liu/LLaVA llava/eval/model_vqa_qbench.py and Q-Future/Q-Instruct
    eval_scripts/llava_v1.5/eval_qbench_mcq.py `eval_model`: each question dict of an
    LLVisionQA-style file (`img_path`, `question`, `candidates`, `correct_ans`, `type`) gets
    `response` and is appended with `json.dump(llddata, wf)`: ASCII escapes, no newline."""
    out = io.StringIO()
    for item in items:
        options = (
            item["options"]
            if item["options"]
            else (["True", "False"] if item["qtype"] == "TF" else [])
        )
        correct = item["answer"]
        if item["qtype"] in ("SC",) and options:
            correct = options[LETTERS.index(item["answer"])]
        llddata = {
            "id": item["id"],
            "img_path": item["file_name"].split("/")[-1],
            "question": item["question"],
            "candidates": options,
            "correct_ans": correct,
            "type": item["qtype"],
        }
        reply = replies[item["id"]]
        if item["qtype"] == "TF":  # the script asks for "the option's letter"
            reply = TF_LETTER.get(reply.strip().lower().rstrip("."), reply)
        llddata["response"] = reply
        json.dump(llddata, out)
    return out.getvalue().encode()


# ------------------------------------------------------------------------------ OpenAI Batch
def openai_batch_output(
    items: list[dict], replies: dict[str, str], failed: tuple[str, ...] = ()
) -> bytes:
    """A Batch API output file (OpenAI API reference, "The request output object"): one line
    per request, `id` the request id, `custom_id` the caller's id, `response.body` a
    chat.completion; a failed request carries its error body and no choices. Lines come back
    in no particular order (here: reversed)."""
    lines = []
    for n, item in enumerate(reversed(items)):
        rid = hashlib.md5(item["id"].encode()).hexdigest()
        if item["id"] in failed:
            response = {
                "status_code": 500,
                "request_id": rid,
                "body": {
                    "error": {
                        "message": "The server had an error processing your request.",
                        "type": "server_error",
                        "param": None,
                        "code": None,
                    }
                },
            }
        else:
            response = {
                "status_code": 200,
                "request_id": rid,
                "body": {
                    "id": f"chatcmpl-{rid[:24]}",
                    "object": "chat.completion",
                    "created": 1717000000 + n,
                    "model": "gpt-4o-2024-08-06",
                    "choices": [
                        {
                            "index": 0,
                            "message": {
                                "role": "assistant",
                                "content": replies[item["id"]],
                                "refusal": None,
                            },
                            "logprobs": None,
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 812, "completion_tokens": 9, "total_tokens": 821},
                    "system_fingerprint": "fp_9f0c1a",
                },
            }
        lines.append(
            json.dumps(
                {
                    "id": f"batch_req_{rid}",
                    "custom_id": item["id"],
                    "response": response,
                    "error": None,
                }
            )
            + "\n"
        )
    return "".join(lines).encode()


def openai_batch_input(items: list[dict]) -> bytes:
    """The Batch API *input* file (requests: custom_id, method, url, body)."""
    return "".join(
        json.dumps(
            {
                "custom_id": it["id"],
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {
                    "model": "gpt-4o",
                    "messages": [{"role": "user", "content": it["question"]}],
                },
            }
        )
        + "\n"
        for it in items
    ).encode()


# ------------------------------------------------------------------------------ chat transcripts
def chat_records(items: list[dict], replies: dict[str, str]) -> list[dict]:
    """Rows in the OpenAI chat format that `datasets` chat exports and serving logs keep:
    system, user (image + text parts), assistant."""
    return [
        {
            "id": it["id"],
            "messages": [
                {"role": "system", "content": "You are an image quality expert."},
                {
                    "role": "user",
                    "content": f"<image>\n{_prompt(it) if it['options'] else it['question']}",
                },
                {"role": "assistant", "content": replies[it["id"]]},
            ],
        }
        for it in items
    ]


def chat_jsonl(items: list[dict], replies: dict[str, str]) -> bytes:
    """datasets `Dataset.to_json` (JSON Lines, the default) of chat rows."""
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()
    buf = io.BytesIO()
    Dataset.from_list(chat_records(items, replies)).to_json(buf, force_ascii=False)
    return buf.getvalue()


def chat_parquet(items: list[dict], replies: dict[str, str]) -> bytes:
    """datasets `Dataset.to_parquet` of chat rows (messages: list<struct<role, content>>)."""
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()
    buf = io.BytesIO()
    Dataset.from_list(chat_records(items, replies)).to_parquet(buf)
    return buf.getvalue()


def datasets_arrow(items: list[dict], replies: dict[str, str], folder: Path) -> Path:
    """datasets `Dataset.save_to_disk`: returns the Arrow shard it writes."""
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()
    Dataset.from_list(
        [{"id": it["id"], "prediction": replies[it["id"]]} for it in items]
    ).save_to_disk(str(folder))
    return next(folder.glob("*.arrow"))


# ------------------------------------------------------------------------------ generation logs
def generation_rows(items: list[dict], replies: dict[str, str], reply_column: str) -> bytes:
    """A generation log saved with `datasets` `to_json`: the benchmark row (gold `answer`
    included) plus the model's text under `reply_column` (transformers pipelines name it
    `generated_text`)."""
    from datasets import Dataset, disable_progress_bars

    disable_progress_bars()
    rows = [
        {
            "id": it["id"],
            "question": it["question"],
            "answer": it["answer"],
            reply_column: replies[it["id"]],
        }
        for it in items
    ]
    buf = io.BytesIO()
    Dataset.from_list(rows).to_json(buf, force_ascii=False)
    return buf.getvalue()


# ------------------------------------------------------------------------------ docs fixtures
DOC_ITEMS = 6  # the first demo items: every question type


def doc_fixtures() -> dict[str, Callable[[], bytes]]:
    """The small files the README and the About tab show, by file name."""
    items, replies = demo_items(DOC_ITEMS), demo_replies()
    return {
        "20250601_120000_samples_qbench_portrait.jsonl": lambda: lmms_eval_samples(
            items, replies, "v0.7"
        ),
        "MyVLM_QBenchPortrait.xlsx": lambda: vlmevalkit_file(
            vlmevalkit_frame(items, replies), "xlsx"
        ),
        "MyVLM_QBenchPortrait.tsv": lambda: vlmevalkit_file(
            vlmevalkit_frame(items, replies), "tsv"
        ),
        "qbench_portrait_answers.jsonl": lambda: llava_qbench(items, replies),
        "batch_output.jsonl": lambda: openai_batch_output(items, replies),
    }


def write_doc_fixtures() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, build in doc_fixtures().items():
        (FIXTURES / name).write_bytes(build())


if __name__ == "__main__":
    write_doc_fixtures()
