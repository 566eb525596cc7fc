"""`orderforge serve --workers N`: several server processes on one listening socket.

uvicorn binds that socket as `socket.socket(family)`, whose protocol number is 0, and
asyncio turns Nagle's algorithm off (TCP_NODELAY) only on accepted sockets whose protocol
says TCP. Every connection of a multi-process server kept Nagle on: a response written in
two parts (headers, then body) waited for the client's delayed acknowledgement, about 40 ms
on Linux, on every request (measured: /healthz 44-48 ms with `--workers 2` from an httpx
client, 3-4 ms from one process). The socket here is the same one, labelled TCP.
"""

from __future__ import annotations

import contextlib
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            labelled = socket.socket(
                sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach()
            )
            labelled.set_inheritable(True)
            return labelled
        return sock


def serve_processes(factory: str, *, workers: int, host: str, port: int) -> None:
    """What `uvicorn.run(factory, factory=True, workers=N, ...)` does, on a TCP-labelled
    socket."""
    config = TcpConfig(
        factory,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )
    sock = config.bind_socket()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C at the terminal
        Multiprocess(config, sockets=[sock]).run()
