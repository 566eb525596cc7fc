"""A real SMTP server on 127.0.0.1 for the e-mail tests (aiosmtpd in a thread): it
records every mail it takes, answers with the reply a test sets, and can hold a sender
mid-DATA until a gate opens."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    message: EmailMessage

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return cast(str, part.get_content())


@dataclass
class SmtpServer:
    port: int
    #: the reply to DATA; "250 OK" takes the mail
    reply: str = "250 OK"
    received: list[Received] = field(default_factory=list)
    #: set when a mail has arrived (before the gate)
    arrived: threading.Event = field(default_factory=threading.Event)
    #: when given, DATA is answered only once it is set
    gate: threading.Event | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.arrived.set()
        if self.gate is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait, 60)
        if not self.reply.startswith("250"):
            return self.reply
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        mail = Received(envelope.mail_from, list(envelope.rcpt_tos), parsed)
        self.received.append(mail)
        return self.reply


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(
    port: int | None = None, reply: str = "250 OK", gate: threading.Event | None = None
) -> Iterator[SmtpServer]:
    state = SmtpServer(port=port or free_port(), reply=reply, gate=gate)
    controller = Controller(state, hostname="127.0.0.1", port=state.port)
    controller.start()
    try:
        yield state
    finally:
        if state.gate is not None:
            state.gate.set()
        controller.stop()
