"""VLMEvalKit prediction files.

Follows open-compass/VLMEvalKit: `vlmeval/inference.py` `infer_data_job` takes the dataset's
TSV rows (image column dropped), adds `prediction` (and `thinking` when SPLIT_THINK splits
`<think>...</think>` off), and `vlmeval/smp/file.py` `dump` writes `{model}_{dataset}.xlsx`
(the default; `get_pred_file_format`), `.tsv`, `.csv` (QUOTE_ALL) or `.json` (records).
`vlmeval/dataset/image_mcq.py` `evaluate_heuristic` writes `*_<judge>_result.xlsx` with
`hit` and `log` added. MCQ rows carry the options in columns A, B, C, D and the gold letter in
`answer`; `index` is the dataset's own integer index.
"""

from __future__ import annotations

from ..tables import Rows
from .common import Layout, lower_keys

_NAMES = {
    "xlsx": "XLSX",
    "tsv": "TSV",
    "csv": "CSV",
    "json": "JSON",
    "jsonl": "JSONL",
    "parquet": "Parquet",
}


def read(rows: Rows, fmt: str, file_name: str) -> Layout | None:
    keys = lower_keys(rows)
    if not {"index", "prediction"} <= keys or not ({"question", "answer", "a"} & keys):
        return None
    name = f"VLMEvalKit {_NAMES.get(fmt, fmt.upper())}"
    extras = []
    if "thinking" in keys:
        extras.append("SPLIT_THINK")
    if {"hit", "log"} & keys or "_result." in file_name.lower():
        extras.append("_result file")
    if extras:
        name += f" ({', '.join(extras)})"
    lettered = "A" in rows.columns and "B" in rows.columns
    return Layout(rows, name, option_columns=lettered)
