"""lmms-eval `--log_samples` output, in every layout it has had.

Follows EvolvingLMMs-Lab/lmms-eval:
- v0.2: `lmms_eval/__main__.py` `cli_evaluate_single` writes `{task}.json` =
  {"args", "model_configs", "logs": [sample...], "time"}; samples keep `doc` and `arguments`.
- v0.3: `lmms_eval/loggers/evaluation_tracker.py` `EvaluationTracker.save_results_samples`
  writes `{date}_samples_{task}.jsonl`, keeping `doc` (images dropped) and `arguments`.
- v0.4-v0.6: the same function pops `doc` and `arguments`; `filtered_resps` stays a list.
- v0.7+: a single-request `filtered_resps` is flattened to a string.
Each sample also carries the task's `process_results` metric dicts (e.g. lmms_eval/tasks/qbench
`{"qbench_acc": {"id": ...}, "submission": {id: pred}}`) and `target` (the gold).
`doc_id` is the row position in the task's split, not the item id.
"""

from __future__ import annotations

from typing import Any

from ...errors import PredictionError
from ..tables import Rows
from .common import Layout

#: Fields lmms-eval itself writes in a sample; any other dict-valued field is a metric dict.
SAMPLE_FIELDS = frozenset(
    {
        "doc_id",
        "doc",
        "target",
        "arguments",
        "resps",
        "filtered_resps",
        "doc_hash",
        "prompt_hash",
        "target_hash",
        "input",
        "token_counts",
        "input_media",
    }
)
RESULTS_KEYS = frozenset(
    {"configs", "versions", "n-shot", "n-samples", "higher_is_better", "group_subtasks", "config"}
)


def refuse_results_file(obj: dict[str, Any], name: str) -> None:
    """An aggregated `*_results.json` holds scores, not answers."""
    if isinstance(obj.get("results"), dict) and RESULTS_KEYS & set(obj) and "logs" not in obj:
        raise PredictionError(
            f"{name}: this is an lmms-eval results file (aggregate scores, no answers). "
            "Run lmms-eval with --log_samples and upload the samples file it writes next to "
            "it, `<date>_samples_<task>.jsonl`"
        )


def is_wrapper(obj: dict[str, Any]) -> bool:
    """The v0.2 `{task}.json`: {"args", "model_configs", "logs": [...], "time"}."""
    return isinstance(obj.get("logs"), list) and bool({"args", "model_configs"} & set(obj))


def _is_sample(rec: dict[str, Any]) -> bool:
    return "doc_id" in rec and ("filtered_resps" in rec or "resps" in rec)


def _first(value: Any) -> Any:
    while isinstance(value, list):
        if not value:
            return None
        value = value[0]
    return value


def _item_id(rec: dict[str, Any]) -> Any:
    """doc.id, else the single key of a `submission` metric dict, else an `id` in a metric
    dict (the order the issue and the tasks' process_results imply)."""
    doc = rec.get("doc")
    if isinstance(doc, dict) and doc.get("id") not in (None, ""):
        return doc["id"]
    metrics = {k: v for k, v in rec.items() if k not in SAMPLE_FIELDS and isinstance(v, dict)}
    sub = metrics.get("submission")
    if isinstance(sub, dict) and len(sub) == 1:
        return next(iter(sub))
    for value in metrics.values():
        if value.get("id") not in (None, ""):
            return value["id"]
    return None


def _reply(rec: dict[str, Any]) -> Any:
    """filtered_resps (the first element when a list), else resps[0][0]."""
    if rec.get("filtered_resps") is not None:
        return _first(rec["filtered_resps"])
    return _first(rec.get("resps"))


def _version(rec: dict[str, Any], wrapped: bool) -> str:
    if wrapped:
        return "lmms-eval {task}.json v0.2"
    if "doc" in rec or "arguments" in rec:
        return "lmms-eval samples v0.3"
    if isinstance(rec.get("filtered_resps"), str):
        return "lmms-eval samples v0.7+"
    return "lmms-eval samples v0.4-v0.6"


def read(rows: Rows, wrapped: bool = False) -> Layout | None:
    if not rows.records or not all(_is_sample(r) for r in rows.records):
        return None
    out = []
    for rec in rows.records:
        doc: dict[str, Any] = rec["doc"] if isinstance(rec.get("doc"), dict) else {}
        row = {
            "doc_id": rec.get("doc_id"),
            "prediction": _reply(rec),
            "question": doc.get("question") or rec.get("input"),
        }
        ident = _item_id(rec)
        if ident is not None:
            row["id"] = ident
        out.append(row)
    columns = ["id", "doc_id", "prediction", "question"]
    if not any("id" in r for r in out):
        columns.remove("id")
    notes = ["reply from filtered_resps (lmms-eval's own parsed_pred and target are not used)"]
    return Layout(Rows(out, columns, rows.labels), _version(rows.records[0], wrapped), notes=notes)
