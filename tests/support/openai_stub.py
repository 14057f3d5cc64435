"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests and benches.

The real `openai` client talks to it over loopback HTTP, so retries, timeouts, status codes and
concurrency are exercised exactly as against a remote endpoint. Behaviour is a function of the
call (which prompt, how many times it was seen); the server records every call and the peak
number of requests in flight.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_ANSWER_RE = re.compile(r"<model_answer>\n(.*?)\n</model_answer>", re.DOTALL)


@dataclass(frozen=True)
class Call:
    prompt: str  # the user message
    model: str
    temperature: float | None
    attempt: int  # 1 for the first time this prompt is seen, 2 for its first retry, ...

    @property
    def answer(self) -> str:
        """The model answer embedded in the judge prompt (a JSON string there, decoded)."""
        found = _ANSWER_RE.search(self.prompt)
        if not found:
            return ""
        try:
            value = json.loads(found.group(1))
        except ValueError:
            return found.group(1)
        return value if isinstance(value, str) else found.group(1)


@dataclass(frozen=True)
class Reply:
    content: str | None = "Score: 2"
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering
    headers: dict[str, str] = field(default_factory=dict)


Behaviour = Callable[[Call], Reply]


class StubServer:
    """Start with `with StubServer(behaviour) as stub:`; point the client at `stub.base_url`."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour: Behaviour = behaviour or (lambda call: Reply())
        self.calls: list[Call] = []
        self.seen: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def _record(self, body: dict) -> Call:
        prompt = "".join(
            m.get("content") or "" for m in body.get("messages", []) if m.get("role") == "user"
        )
        with self._lock:
            self.seen[prompt] += 1
            call = Call(prompt, body.get("model", ""), body.get("temperature"), self.seen[prompt])
            self.calls.append(call)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return call

    def _release(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(stub: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like a real endpoint
        # Headers and body go out in two writes; with Nagle on, the client's delayed ACK
        # would add ~40 ms to every call, which a real endpoint does not.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:  # silence stderr
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            if not self.path.endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}"}}, {})
                return
            call = stub._record(body)
            try:
                reply = stub.behaviour(call)
                if reply.delay:
                    time.sleep(reply.delay)
            finally:
                stub._release()
            if reply.status == 200:
                payload = {
                    "id": f"chatcmpl-{len(stub.calls)}",
                    "object": "chat.completion",
                    "created": 0,
                    "model": call.model,
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": reply.content},
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            else:
                payload = {
                    "error": {
                        "message": reply.content or "scripted error",
                        "type": "stub",
                        "code": reply.status,
                    }
                }
            self._send(reply.status, payload, reply.headers)

        def _send(self, status: int, payload: dict, headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test); nothing to answer

    return Handler
