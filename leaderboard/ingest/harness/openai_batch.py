"""OpenAI Batch API output files (and the same shape from compatible batch services).

Each line is {"id": "batch_req_...", "custom_id": <the caller's id>, "response":
{"status_code", "request_id", "body": <a chat.completion, or a Responses API response>},
"error": null | {"code", "message"}} (OpenAI API reference, "The request output object").
`id` is the request id; `custom_id` is the item. A failed request has no reply.
"""

from __future__ import annotations

from typing import Any

from ...errors import PredictionError
from ..tables import Rows
from .common import Layout, content_text, lower_keys


def _body_text(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    choices = body.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message") or {}
        text = content_text(message.get("content"))
        return text if text is not None else message.get("refusal")
    output = body.get("output")  # /v1/responses
    if isinstance(output, list):
        texts = [
            content_text(item.get("content"))
            for item in output
            if isinstance(item, dict) and item.get("type") == "message"
        ]
        joined = "\n".join(t for t in texts if t)
        return joined or None
    return None


def read(rows: Rows, name: str) -> Layout | None:
    keys = lower_keys(rows)
    if "custom_id" not in keys:
        return None
    if {"method", "url", "body"} <= keys and "response" not in keys:
        raise PredictionError(
            f"{name}: this is a Batch API input file (the requests); upload "
            "the batch's output file, which holds the replies"
        )
    if "response" not in keys:
        return None
    out, failed = [], 0
    for rec in rows.records:
        response = rec.get("response")
        ok = isinstance(response, dict) and response.get("status_code", 200) == 200
        text = _body_text(response.get("body")) if ok and isinstance(response, dict) else None
        failed += text is None
        out.append({"custom_id": rec.get("custom_id"), "id": rec.get("id"), "prediction": text})
    notes = [f"{failed} request(s) failed or returned no text; scored as empty"] if failed else []
    return Layout(
        Rows(out, ["custom_id", "id", "prediction"], rows.labels),
        "OpenAI Batch output",
        notes=notes,
    )
