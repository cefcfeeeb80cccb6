"""SMTP servers on localhost (aiosmtpd) that misbehave the ways that matter to at-most-once delivery, after
/work/proto/mail/smtp_drop.py: one that takes the whole message and drops the connection before its 250, one
that drops it at RCPT, one that never answers the final ".". No tests here."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """Records every message whose DATA completed (the server has it). misbehave: the recipients (by address)
    for whom it takes the message and then drops the connection without its reply ("drop-after-data"), drops
    at RCPT ("drop-at-rcpt"), or never answers the final "." ("hang-after-data")."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.misbehave: dict[str, str] = {}
        self.release = asyncio.Event()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.misbehave.get(address) == "drop-at-rcpt":
            server.transport.close()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        how = next((self.misbehave[a] for a in envelope.rcpt_tos if a in self.misbehave), "")
        if how == "drop-after-data":
            server.transport.close()
            return "250 never seen by the client"
        if how == "hang-after-data":
            await self.release.wait()  # released when the test ends
        return "250 Message accepted"

    def to(self, address: str) -> int:
        return sum(1 for recipients, _ in self.received if address in recipients)


@contextmanager
def smtp_server() -> Iterator[tuple[Server, int]]:
    server, port = Server(), free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield server, port
    finally:
        controller.loop.call_soon_threadsafe(server.release.set)
        controller.stop()
