"""A local HTTP server on 127.0.0.1 for connector tests: each path serves a scripted sequence of responses, or the
answer of a function (for a stateful stand-in: rate limits, budgets)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (to provoke client time-outs)


class LocalServer:
    def __init__(self):
        self.routes: dict[str, list[Reply] | Callable[[str, dict], Reply]] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                path = self.path.split("?", 1)[0]
                script = server.routes.get(path)
                if callable(script):
                    reply = script(self.path, dict(self.headers))
                else:
                    reply = (script.pop(0) if len(script) > 1 else script[0]) if script else Reply(b"not found", 404)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.url + path

    def route_to(self, path: str, answer: Callable[[str, dict], Reply]) -> str:
        """``answer(path with query, headers)`` replies to every request for ``path``."""
        self.routes[path] = answer
        return self.url + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p.split("?", 1)[0] == path)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
