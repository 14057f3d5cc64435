"""Talking to a launched app as an attacker does: raw HTTP, the queue by fn_index (UI events
are off the named API but still reachable this way: `api_visibility="private"` hides an event
from the API page and gradio_client, not from this, so a handler must check what it is sent
itself), the upload route, and the server process's memory from /proc."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

TIMEOUT = 120.0


def config(url: str) -> dict[str, Any]:
    return httpx.get(url + "config", timeout=30).json()


def event_index(cfg: dict[str, Any], inputs: list[str], outputs: list[str]) -> int:
    """The fn_index of the one event reading the components with elem_ids `inputs` and
    writing those with elem_ids `outputs` (None in the lists stands for an unnamed one)."""
    elem = {c["id"]: c.get("props", {}).get("elem_id") for c in cfg["components"]}
    found = [
        d["id"]
        for d in cfg["dependencies"]
        if [elem.get(i) for i in d["inputs"]] == inputs
        and [elem.get(o) for o in d["outputs"]] == outputs
    ]
    if len(found) != 1:
        raise LookupError(f"{len(found)} events read {inputs} and write {outputs}")
    return found[0]


def call(url: str, fn_index: int, data: list[Any], timeout: float = 60.0) -> dict[str, Any]:
    """Run one event through the queue; returns the final message (`success`, `output`)."""
    session = uuid.uuid4().hex[:11]
    with httpx.Client(base_url=url, timeout=timeout) as http:
        joined = http.post(
            "gradio_api/queue/join",
            json={
                "data": data,
                "fn_index": fn_index,
                "session_hash": session,
                "event_data": None,
                "trigger_id": None,
            },
        )
        joined.raise_for_status()
        with http.stream(
            "GET", "gradio_api/queue/data", params={"session_hash": session}
        ) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return msg
    raise RuntimeError("the queue closed without completing the event")


def fn_index(cfg: dict[str, Any], api_name: str) -> int:
    """The queue index of the first event whose function is `api_name` (e.g. "preview")."""
    for i, dep in enumerate(cfg["dependencies"]):
        if dep.get("api_name") == api_name:
            return dep.get("id", i)
    raise KeyError(f"no event {api_name!r} in the app's config")


def default_inputs(cfg: dict[str, Any], index: int) -> list[Any]:
    """The values an event's input components start with (what a fresh page would send)."""
    comps = {c["id"]: c for c in cfg["components"]}
    dep = next(d for i, d in enumerate(cfg["dependencies"]) if d.get("id", i) == index)
    return [comps[c]["props"].get("value") for c in dep["inputs"]]


def file_url(url: str, value: dict[str, Any]) -> str:
    """The absolute URL of a file an event returned (Gradio sends it absolute or relative)."""
    target = value["url"]
    return target if target.startswith("http") else url.rstrip("/") + target


def upload(
    url: str, name: str, data: bytes, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POST one file to Gradio's upload route (what the file picker and gradio_client do)."""
    return httpx.post(
        url + "gradio_api/upload",
        files={"files": (name, data)},
        headers=headers or {},
        timeout=TIMEOUT,
    )


def file_data(path: str, name: str) -> dict[str, Any]:
    """A gr.File value pointing at an uploaded file."""
    return {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}


def queue_call(
    url: str, index: int, data: list[Any], session: str | None = None, timeout: float = TIMEOUT
) -> dict[str, Any]:
    """Join the queue with event `index` and `data`; the final message (process_completed:
    `success`, `output`) or the refusal of the join itself ({"success": False, ...})."""
    session = session or uuid.uuid4().hex[:11]
    joined = httpx.post(
        url + "gradio_api/queue/join",
        timeout=timeout,
        json={
            "data": data,
            "fn_index": index,
            "session_hash": session,
            "event_data": None,
            "trigger_id": None,
        },
    )
    if joined.status_code != 200:
        return {"success": False, "status": joined.status_code, "output": joined.text}
    with httpx.stream(
        "GET", url + "gradio_api/queue/data", params={"session_hash": session}, timeout=timeout
    ) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("msg") == "process_completed":
                return msg
    raise RuntimeError("the queue stream ended without a result")


def rss_bytes(pid: int) -> int:
    """Resident memory of a process now (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def peak_rss_bytes(pid: int) -> int:
    """The highest resident memory a process has had (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def folder_bytes(folder: Path) -> int:
    """Bytes of every file under `folder` (0 when it does not exist)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
