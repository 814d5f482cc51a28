"""A real SMTP server on a local port (aiosmtpd), for tests and the faults benchmark: it
records what it accepts, and can refuse addresses for good (550) or for now (451), or be
stopped and started again like a mail server that goes away."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


@dataclass
class Sink:
    """What the server does: `refuse` addresses get 550, `defer` addresses 451."""

    received: list[email.message.Message] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    defer: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        if address.lower() in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        for recipient in envelope.rcpt_tos:
            copy = email.message_from_bytes(message.as_bytes())
            copy["X-Envelope-To"] = recipient
            self.received.append(copy)
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.received if m["X-Envelope-To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """Start it, point EMAIL_HOST/EMAIL_PORT at it, stop and start it again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.sink = Sink()
        self.port = port or free_port()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
