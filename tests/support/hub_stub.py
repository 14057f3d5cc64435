"""A stand-in for the two parts of huggingface.co a Space's sign-in touches, on 127.0.0.1:
`/api/whoami-v2` (which account a token belongs to; `huggingface_hub.whoami` asks it when
HF_ENDPOINT points here) and the OpenID provider's `/.well-known/openid-configuration` (where
Gradio's OAuth routes send a visitor to sign in). Records the whoami calls."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HubStub:
    """`with HubStub({"hf_token": "alice"}) as hub:` then HF_ENDPOINT=hub.url."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users
        self.whoami_calls: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> HubStub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(hub: HubStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?", 1)[0]
            if path == "/api/whoami-v2":
                token = (self.headers.get("authorization") or "").removeprefix("Bearer ")
                hub.whoami_calls.append(token)
                name = hub.users.get(token)
                if name is None:
                    self._json(401, {"error": "Invalid credentials in Authorization header"})
                else:
                    self._json(200, {"type": "user", "name": name, "fullname": name.title()})
            elif path == "/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": hub.url,
                        "authorization_endpoint": f"{hub.url}/oauth/authorize",
                        "token_endpoint": f"{hub.url}/oauth/token",
                        "userinfo_endpoint": f"{hub.url}/oauth/userinfo",
                        "jwks_uri": f"{hub.url}/oauth/jwks",
                    },
                )
            else:
                self._json(404, {"error": "not found"})

    return Handler
