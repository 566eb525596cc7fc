"""`serve --workers N` listens on a socket labelled TCP, so asyncio turns Nagle's
algorithm off on every connection it accepts (without it each response waited ~40 ms for
the client's delayed acknowledgement)."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from orderforge.entrypoints.cli.serving import TcpConfig


async def _accepted_nodelay(listening: socket.socket) -> int:
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = writer.get_extra_info("socket")
        seen.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(accepted, sock=listening)
    async with server:
        port = listening.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 5)
        writer.close()
    return value


def test_connections_of_the_workers_socket_have_nagle_off() -> None:
    sock = TcpConfig("x:y", host="127.0.0.1", port=0, log_config=None).bind_socket()
    assert sock.proto == socket.IPPROTO_TCP and sock.get_inheritable()
    assert asyncio.run(_accepted_nodelay(sock)) != 0


def test_uvicorns_own_socket_would_keep_nagle_on() -> None:
    """Why TcpConfig exists: if uvicorn labels its socket itself one day, this fails and
    serving.py can go."""
    sock = uvicorn.Config("x:y", host="127.0.0.1", port=0, log_config=None).bind_socket()
    assert asyncio.run(_accepted_nodelay(sock)) == 0
