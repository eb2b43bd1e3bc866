"""A fault injector between the portal and the real OpenID provider (tests only).

The portal's discovery URL points here; the discovery document is the provider's, with the
endpoints the portal calls itself (token, userinfo, keys) pointing back here, so that a test
can change what the real provider answered: re-sign a token with a wrong key or a past
expiry, change one byte, answer slowly, or not at all. The browser's endpoints
(authorization, end of session) stay the provider's. Everything else passes through.

    proxy = FaultProxy(provider.url)
    proxy.token_hook = lambda token: {...}       # the token endpoint's JSON, changed
    proxy.userinfo_hook = lambda text: text      # the userinfo body (a JWT), changed, or
                                                 # (body, content type)
    proxy.delay = 3                              # seconds before any answer
    proxy.down = True                            # 503 on everything
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional

import requests

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length",
               "content-encoding", "server", "date"}


class FaultProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream.rstrip("/")
        self.token_hook: Optional[Callable[[dict], dict]] = None
        self.userinfo_hook: Optional[Callable[[str], str]] = None
        self.delay = 0.0
        self.down = False
        self.calls: list[str] = []
        self.paths: dict[str, str] = {}  # token_endpoint / userinfo_endpoint -> their path
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy._forward(self, "GET")

            def do_POST(self):
                proxy._forward(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def discovery_url(self) -> str:
        return self.url + "/.well-known/openid-configuration"

    def reset(self) -> None:
        self.token_hook = self.userinfo_hook = None
        self.delay, self.down = 0.0, False
        self.calls.clear()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _forward(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        path = handler.path
        self.calls.append(path.split("?")[0])
        if self.delay:
            time.sleep(self.delay)
        if self.down:
            return self._answer(handler, 503, {"Content-Type": "text/plain"}, b"down")
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items()
                   if k.lower() not in HOP_HEADERS | {"host"}}
        try:
            answer = requests.request(method, self.upstream + path, headers=headers, data=body,
                                      allow_redirects=False, timeout=30)
        except requests.RequestException:
            return self._answer(handler, 502, {"Content-Type": "text/plain"}, b"upstream")
        content = answer.content
        kind = answer.headers.get("Content-Type", "")
        if path.startswith("/.well-known/openid-configuration"):
            document = answer.json()
            for key in ("token_endpoint", "userinfo_endpoint", "jwks_uri"):
                if key in document:
                    self.paths[key] = document[key].replace(self.upstream, "")
                    document[key] = document[key].replace(self.upstream, self.url)
            content = json.dumps(document).encode()
        elif path == self.paths.get("token_endpoint") and self.token_hook and answer.status_code == 200:
            content = json.dumps(self.token_hook(answer.json())).encode()
        elif path == self.paths.get("userinfo_endpoint") and self.userinfo_hook and answer.status_code == 200:
            changed = self.userinfo_hook(answer.text)
            if isinstance(changed, tuple):  # (body, content type): another kind of answer
                changed, kind = changed
            content = changed.encode()
        out = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
        out["Content-Type"] = kind or "application/octet-stream"
        self._answer(handler, answer.status_code, out, content)

    @staticmethod
    def _answer(handler, status: int, headers: dict, content: bytes) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)
