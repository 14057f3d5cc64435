"""The About tab's text: what is measured, the exact scoring rules, formats, CLI, API and
citation. Categories and counts come from the taxonomy and the loaded benchmark."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from leaderboard.taxonomy import LONG_LABELS, QTYPES, SUBDIMENSIONS, TABLE_TITLES, TABLES

PAPER_TITLE = (
    "Q-Bench-Portrait: Benchmarking Multimodal Large Language Models on Portrait "
    "Image Quality Perception"
)
PAPER_AUTHORS = (
    "Sijing Wu",
    "Yunhao Li",
    "Zicheng Zhang",
    "Qi Jia",
    "Xinyue Li",
    "Huiyu Duan",
    "Xiongkuo Min",
    "Guangtao Zhai",
)

#: "From your harness to a submission": every example is a line of a test fixture in
#: tests/data/harness/ (tests/leaderboard/test_ingest_docs.py checks it), all on demo ids.
HARNESS_GUIDE = r"""
## From your harness to a submission
Upload the file your evaluation tool wrote, unedited; the parse report names the layout it
recognised ("lmms-eval samples v0.7+", "VLMEvalKit XLSX", ...), the id and answer columns it
used, and any warning. The reply is always the model's raw text: a column holding the gold
answers is refused, and ids that are shifted against the benchmark's questions are refused
with the offset found.

**lmms-eval.** Run with `--log_samples --output_path out/` and upload
`out/<model>/<date>_samples_<task>.jsonl` (every layout since v0.3; v0.2's `<task>.json` too).
Not `<date>_results.json`: it holds aggregate scores, no answers. The reply is read from
`filtered_resps`, the id from `doc.id` or the task's `submission` dict (`doc_id` is a row
number):
```jsonl
{"doc_id": 2, "target": "A", "filtered_resps": "A. Noticeably blurred", "doc_hash": "a5a98ab8c97e881d668c4886a84019d44fbff3c878b3f91982bf5388a3e2e996", "qbp_acc": {"id": "qbp-00003", "qtype": "SC", "answer": "A", "parsed_pred": "A"}, "submission": {"qbp-00003": "A. Noticeably blurred"}, "token_counts": [null], "input": "Looking at the outline of the subject's face, how is the sharpness of this region?\nA. Noticeably blurred\nB. Slightly soft\nC. Sharp, with no visible blur\nD. Severely blurred\nAnswer with the option's letter from the given choices directly.\n"}
```

**VLMEvalKit.** Upload the prediction file `outputs/<model>/<model>_<dataset>.xlsx` (its
default; `.tsv`, `.csv` or `.json` with `PRED_FORMAT`; a `*_result` file and `SPLIT_THINK`
output work too). The reply is `prediction`, never the gold `answer`; the id is the column
whose values are the benchmark's ids; TF items asked as options (A: True, B: False) are read
through the row's option columns. The same rows as TSV:
```tsv
"index"	"id"	"question"	"A"	"B"	"C"	"D"	"answer"	"category"	"l2-category"	"split"	"prediction"
"3"	"qbp-00003"	"Looking at the outline of the subject's face, how is the sharpness of this region?"	"Noticeably blurred"	"Slightly soft"	"Sharp, with no visible blur"	"Severely blurred"	"A"	"Blur"	"Tech"	"test"	"A. Noticeably blurred"
```

**LLaVA-style scripts** (LLaVA `model_vqa_qbench.py`, Q-Instruct `eval_qbench_mcq.py`). Upload
the `--answers-file` as written: question objects with the model's `response`, appended back
to back without newlines (the questions file needs the benchmark's `id`):
```json
{"id": "qbp-00003", "img_path": "cgi_0003.jpg", "question": "Looking at the outline of the subject's face, how is the sharpness of this region?", "candidates": ["Noticeably blurred", "Slightly soft", "Sharp, with no visible blur", "Severely blurred"], "correct_ans": "Noticeably blurred", "type": "SC", "response": "A. Noticeably blurred"}
```

**An OpenAI-compatible batch.** Send one request per item with the item id as `custom_id`
and upload the batch's output file (not the input file). The reply is
`response.body.choices[0].message.content`; a failed request counts as an empty answer:
```jsonl
{"id": "batch_req_e1b5c978249dd59b8d029c9995aa8d3f", "custom_id": "qbp-00003", "response": {"status_code": 200, "request_id": "e1b5c978249dd59b8d029c9995aa8d3f", "body": {"id": "chatcmpl-e1b5c978249dd59b8d029c99", "object": "chat.completion", "created": 1717000003, "model": "gpt-4o-2024-08-06", "choices": [{"index": 0, "message": {"role": "assistant", "content": "A. Noticeably blurred", "refusal": null}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens": 812, "completion_tokens": 9, "total_tokens": 821}, "system_fingerprint": "fp_9f0c1a"}}, "error": null}
```
Chat transcripts (`messages`, the last assistant turn is the reply) and `datasets` exports
(`to_json`, `to_parquet`; not a `save_to_disk` folder) are read too; `generated_text`,
`model_prediction`, `output_text` and `raw_output` are recognised as reply columns.
"""

BIBTEX = """@misc{{wu2026qbenchportrait,
  title  = {{{{{}}}}},
  author = {{{}}},
  year   = {{2026}}
}}""".format(PAPER_TITLE, " and ".join(PAPER_AUTHORS))


def judge_label(info: Mapping[str, Any] | None) -> str:
    """The OE judge in a few words ("approx (approximate)", "openai", "none")."""
    info = info or {"backend": "none"}
    return str(info["backend"]) + (" (approximate)" if info.get("approximate") else "")


def header_markdown(title: str, source: str, n_items: int, bench_hash: str, judge: str) -> str:
    """The page's heading: what the board is, which benchmark and judge it runs on. The
    benchmark source may be a user-set path: it stays text inside a code span."""
    return (
        f"# {title}\n"
        f"Portrait image-quality perception of multimodal LLMs. Benchmark "
        f"`{html.escape(source.replace('`', ''))}`: {n_items} items (`{bench_hash}`); "
        f"OE judge: **{judge}**. *reported* = from the paper; *verified* = re-scored "
        "here."
    )


def about_markdown(
    n_items: int,
    source: str,
    judge: str,
    judge_flag: str = "approx",
    example_ids: tuple[str, str, str] = ("qbp-00001", "qbp-00002", "qbp-00003"),
    space_url: str = "<space-url>",
) -> str:
    """Markdown for the About tab (static text plus the loaded benchmark's size and ids)."""
    a, b, c = example_ids
    dims = "; ".join(f"{LONG_LABELS[d]} ({', '.join(s)})" for d, s in SUBDIMENSIONS.items())
    tables = "; ".join(f"{TABLE_TITLES[k]}: {t.title.lower()}" for k, t in TABLES.items())
    qtypes = ", ".join(f"{LONG_LABELS[q]} ({q})" for q in QTYPES)
    return f"""
## What Q-Bench-Portrait measures
How well multimodal LLMs perceive the **quality of portrait images**: 2,765
image-question-answer items in the paper ({n_items} in the loaded benchmark `{source}`),
spanning five image sources (natural, synthetic-distortion, AI-generated, artistic and
computer-graphics portraits), three quality dimensions — {dims} — four question types —
{qtypes} — each asked at global or local scope.
The leaderboard mirrors the paper's tables ({tables}) and Figure 4.

## Scoring rules (the reference scorer, exactly)
* **SC, TF**: 1 if the chosen option / judgement is the gold one, else 0.
* **MC**: 1 only if the *set* of chosen options equals the gold set exactly, else 0.
* **OE**: a judge compares the answer with the reference answer and gives 0, 1 or 2;
  the item scores that divided by 2 (0, 0.5, 1). Judge in use here: **{judge}**.
  Rows judged by the offline approximate judge are labelled *approx. OE judge* and are
  not comparable one-to-one with the paper's GPT judge.
* Every accuracy is the mean item score over the items of the category, in percent, two
  decimals. **Overall is the mean over all items** (micro), not a mean of category means.
* An unreadable, missing or refused answer stays in the denominator and scores 0; it is
  counted and reported, **never guessed at random**.
* Answers are read deterministically: explicit cues ("The answer is (C)", "Answer: C",
  "答案是C", last one wins), a whole response that is a label ("B", "(B)", "B. …"), a
  single standalone capital letter, or exactly one quoted option text; for MC the same
  cues collecting a set ("A and C", "A, C", "AC"); for TF true/yes/correct vs
  false/no/incorrect with negations first. Both or neither => unreadable.
* The **Random guess** row is analytic: (0.25·n_SC + 0.5·n_TF) / (n_SC + n_TF) per category,
  "-" for MC and OE.
* Rows marked **reported** are copied from the paper (no per-item data, not drillable);
  rows marked **verified** were re-scored here from an uploaded prediction file.

## Prediction files
One row per item: the benchmark `id` and the model's raw text output. Accepted formats:
JSONL, JSON (a list of rows, or an object id → text), CSV/TSV, Parquet, XLSX. Common column names
are recognised (`question_id`, `index`, `response`, `output`, `answer`, …) and the parse
report says which were used.

```jsonl
{{"id": "{a}", "prediction": "The answer is (B)."}}
{{"id": "{b}", "prediction": "A, C"}}
```
```csv
question_id,response
{a},B
{c},"False, the face is not blurred."
```
```json
{{"{a}": "B", "{b}": "A and C"}}
```

{HARNESS_GUIDE}
## Submitting: accounts and model names
* On the Space, submitting needs a Hugging Face account: **Sign in with Hugging Face** on the
  Submit tab; API callers pass their Hugging Face token (below). Running locally, you
  submit as the configured local user.
* A model name **belongs to the account that first stored it**: only that account (or an
  admin) adds versions or withdraws it, and every row names its owner. Names that differ only
  in case, spacing, width or look-alike letters ("victim-vl  (7b)", a Cyrillic "В") are the
  same name; names that hide characters or mix in look-alike letters are refused.
* The paper's model names are reserved for the paper's rows: submit a re-run under a name of
  your own, e.g. "Qwen3-VL (8B) (re-run)".
* **Withdraw** (Submit tab, or `/withdraw`) takes every version of your model off the board;
  nothing is deleted and the name stays yours. A moderator may hide a row; hidden rows keep
  their owner, and a name a moderator hid takes new versions from an admin only.

## Score locally with the CLI
```bash
python -m leaderboard score --predictions my_model.jsonl --model "My-VLM (7B)" --json result.json
# --benchmark PATH_OR_HUB_REPO  (default: the bundled demo)
# --judge approx|openai|none     (OE items: offline approximation [default, as this Space],
#                                 the LLM judge, or unjudged: OE and Overall then print "-")
```
It prints the Table 3 row and the answer-status counts; `--json` writes every table,
the counts behind each cell and the per-item scores. With the same judge as this Space
(`--judge {judge_flag}`) it gives exactly the numbers the leaderboard shows.

## API (gradio_client)
```python
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
client = Client("{space_url}", oauth_token=HF_TOKEN)  # your token: who submits
rows = client.predict(table="Table 3", kinds=["verified"], sort_by="NIs",
                      api_name="/leaderboard")
item = client.predict(item_id="{a}", models=["My-VLM (7B)"], api_name="/item")
cmp = client.predict(model_a="My-VLM (7B)", model_b="Other-VLM", api_name="/compare")
out = client.predict(file=handle_file("my_model.jsonl"), model="My-VLM (7B)", params="7B",
                     open="open", link="https://huggingface.co/me/my-vlm",
                     harness="lmms-eval", harness_version="0.3.0", temperature=0,
                     max_tokens=1024, thinking="off", api_name="/submit")
print(out["rank"], out["message"], out["under_review"], out["review"])
print(out["row"]["owner"] if out["row"] else None)  # the account the name belongs to
client.predict(model="My-VLM (7B)", api_name="/withdraw")  # only its owner may
try:
    client.predict(file=handle_file("preds.jsonl"), model="Taken-VLM", api_name="/submit")
except AppError as exc:
    print(exc.message)  # model: model name 'Taken-VLM' ... belongs to the account 'alice' ...
```
* Tables by key or title (`table3`, `Table 3`); cells (`sort_by`) by name or printed label
  (`NI` or `NIs`; Table 5's repeated labels with their group, `NIs Tech.`), or `Overall`,
  `Model`, `Params`; model names with case and spacing ignored.
* **One shape for every endpoint.** A success returns the endpoint's result (a dict, or
  `/leaderboard`'s list of rows; there is no `ok` field). Every failure raises an error,
  which gradio_client raises as `AppError` with the message, and nothing stored changes.
  The message starts with the argument at fault: a bad argument (an unknown table, cell,
  filter value or judge; an item, model, row or change record that names nothing) says what
  is allowed (`table: unknown table 'table9'; one of Table 3 (table3), ...`); a refused
  request says why (`file: ...` for a file the scorer cannot read, `model: ...` for a name
  owned by another account, `token: wrong admin token`, `item_id: ...`, `oauth_token: ...`
  for a token that proves no account). A refusal that is no one argument's fault (a rate
  limit, the judge, the disk) is the reason alone (`rate limit: try again in ...`).
* Links: `{space_url}?item=ID&models=A,B&dimension=Tech` opens a drill-down view;
  `{space_url}?model=NAME` a model's page; `{space_url}?row=ID` a row's details.

`oauth_token` is sent only to endpoints that act as an account (`/submit`, `/withdraw`,
`/rejudge`);
reading the board needs no token.
The optional `harness`, `harness_version`, `prompt_template`, `temperature`, `max_tokens` and
`thinking` (on / off / unknown) say how the predictions were made; they are shown in the
row's provenance. A submission whose closed-ended answers match the answer key on 99% of the
items, whose answers are 98% identical to another model's stored file, or whose Overall beats
the best ranked row by more than a set margin (10 points by default) is stored but
*under review*: unranked, with the
reason shown, until the admin clears it.

**Why a row says what it says.** Each of these raises an error naming its argument when it
names nothing that exists:
```python
client.predict(row="My-VLM (7B)", api_name="/provenance")    # or row=<submission id>
# -> benchmark hash and revision, scorer / extractor / judge versions, the file's sha256,
#    size and format, upload time, version, owner, declared fields, the stored parse
#    report, review status, every visible version, its change record ids
client.predict(api_name="/changes")                  # {{"records": [...]}}, newest first
client.predict(model="My-VLM (7B)", api_name="/changes")     # one model's records
client.predict(record_id="<id>", api_name="/changes")        # one record: per-cell old ->
#    new ("cells") and the items whose score flipped ("flips"), with the reason
client.predict(row="My-VLM (7B)", api_name="/version_diff")  # version N vs N-1: per cell
#    the difference with its paired 95% interval, McNemar's test, the flipped items
client.predict(row="My-VLM (7B)", api_name="/judge_agreement")  # two judgings of the same
#    answers: exact agreement, weighted kappa, confusion, OE cells and rank under each
client.predict(item_id="{a}", reason="option B is also correct", api_name="/flag_item")
```
Every re-score (a new scorer or extractor version, a new benchmark revision) and every
re-judge writes a change record before the stored result is replaced; the old result is kept.
With an admin token configured, `/review_clear` (submission_id, token, note) clears a row held
for review and `/rejudge_with` (submission_id, judge = approx or openai, token) re-judges a
stored row without a new upload. The same views are in the **Row details** tab
(`?row=<submission id or model>`) and the **Changes** tab.

## Citation
Please cite the paper (check its published version for the venue):
```bibtex
{BIBTEX}
```
"""
