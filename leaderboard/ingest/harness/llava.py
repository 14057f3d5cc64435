"""LLaVA / Q-Instruct Q-Bench scripts' output.

Follows haotian-liu/LLaVA `llava/eval/model_vqa_qbench.py` `eval_model` and Q-Future/Q-Instruct
`eval_scripts/*/eval_qbench_mcq.py` `eval_model`: each question dict of the LLVisionQA-style
questions file (`img_path`, `question`, `candidates`, `correct_ans`, ...) gets the model's
`response` and is appended with `json.dump` (ASCII escapes, no newline), so the `.jsonl` file
is JSON objects written back to back.
"""

from __future__ import annotations

from ..tables import Rows
from .common import Layout, lower_keys

_MARKERS = frozenset({"img_path", "candidates", "correct_ans"})


def read(rows: Rows, concatenated: bool) -> Layout | None:
    keys = lower_keys(rows)
    if "response" not in keys or not (_MARKERS & keys):
        return None
    shape = "concatenated JSON" if concatenated else "JSON rows"
    return Layout(rows, f"LLaVA/Q-Instruct {shape}", option_columns=True)
