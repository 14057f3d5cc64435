"""Calling a launched app's UI events the way a hostile client can: straight through the queue
(POST /gradio_api/queue/join with the event's fn_index, then its server-sent events), with no
browser and whatever inputs it likes. `api_visibility="private"` hides an event from the API
page and gradio_client, not from this; so a handler must check what it is sent itself."""
from __future__ import annotations

import json
import uuid
from typing import Any

import httpx


def config(url: str) -> dict[str, Any]:
    return httpx.get(url + "config", timeout=30).json()


def event_index(cfg: dict[str, Any], inputs: list[str], outputs: list[str]) -> int:
    """The fn_index of the one event reading the components with elem_ids `inputs` and
    writing those with elem_ids `outputs` (None in the lists stands for an unnamed one)."""
    elem = {c["id"]: c.get("props", {}).get("elem_id") for c in cfg["components"]}
    found = [d["id"] for d in cfg["dependencies"]
             if [elem.get(i) for i in d["inputs"]] == inputs
             and [elem.get(o) for o in d["outputs"]] == outputs]
    if len(found) != 1:
        raise LookupError(f"{len(found)} events read {inputs} and write {outputs}")
    return found[0]


def call(url: str, fn_index: int, data: list[Any], timeout: float = 60.0) -> dict[str, Any]:
    """Run one event through the queue; returns the final message (`success`, `output`)."""
    session = uuid.uuid4().hex[:11]
    with httpx.Client(base_url=url, timeout=timeout) as http:
        joined = http.post("gradio_api/queue/join", json={
            "data": data, "fn_index": fn_index, "session_hash": session,
            "event_data": None, "trigger_id": None})
        joined.raise_for_status()
        with http.stream("GET", "gradio_api/queue/data",
                         params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return msg
    raise RuntimeError("the queue closed without completing the event")
