"""A real HTTP receiver on 127.0.0.1 for webhook tests: a thread of http.server that
records every request and answers with the status the test sets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    url: str
    status: int = 200
    requests: list[Received] = field(default_factory=list)
    #: set when a request has arrived
    arrived: threading.Event = field(default_factory=threading.Event)
    #: when given, each answer waits until it is set (to hold a sender mid-request)
    gate: threading.Event | None = None


@contextmanager
def receiver(status: int = 200, gate: threading.Event | None = None) -> Iterator[Receiver]:
    state = Receiver(url="", status=status, gate=gate)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            state.arrived.set()
            if state.gate is not None:
                state.gate.wait(60)
            self.send_response(state.status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test output is not the place for an access log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
