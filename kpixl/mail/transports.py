"""Where messages go: .eml drafts in a folder, or an SMTP server.

Drafts carry `X-Unsent: 1`, so Outlook opens them as unsent drafts ready to send; Thunderbird opens .eml
files too (File > Open > Saved Message, then "Edit as New Message"). SMTP uses STARTTLS unless told not
to, and logs in only when a user is given (options or KPIXL_SMTP_USER / KPIXL_SMTP_PASSWORD, never a file).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kpixl.errors import DeliveryError, DeliveryUncertain, OutputError
from kpixl.files import safe_child, slug, write_atomic

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["DraftsTransport", "SmtpTransport", "Transport", "parse_server"]


class Transport(Protocol):
    sends: bool  # True: delivering is sending (recorded so a rerun does not resend); False: drafts

    def open(self) -> None: ...

    def deliver(self, message: EmailMessage, sender: str, recipient: str, copies: Sequence[str] = ()) -> str: ...

    def close(self) -> None: ...


@dataclass
class DraftsTransport:
    """Each message as <recipient>_<period>[_<purpose>].eml; a second one to the same person in one run gets
    -2, -3... (receipts and reminders have a purpose, so that none overwrites the workbooks' draft)."""

    folder: Path
    period: str
    sends: bool = False
    purpose: str = ""
    _written: set[str] = field(default_factory=set, init=False, repr=False)

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Cannot create the drafts folder {self.folder}: {exc.strerror or exc}") from None

    def deliver(self, message: EmailMessage, sender: str, recipient: str, copies: Sequence[str] = ()) -> str:
        stem = f"{slug(recipient, 'lead')}_{self.period}" + (f"_{slug(self.purpose, 'note')}" if self.purpose else "")
        name, n = f"{stem}.eml", 1
        while name in self._written:
            n += 1
            name = f"{stem}-{n}.eml"
        self._written.add(name)
        path = safe_child(self.folder, name)
        try:
            write_atomic(path, message.as_bytes())
        except UnicodeError as exc:
            raise DeliveryError(f"the message cannot be encoded: {exc}") from None
        except OutputError as exc:  # this draft only: the others may still be written
            raise DeliveryError(str(exc)) from None
        return path.name

    def close(self) -> None:
        pass


def parse_server(text: str, starttls: bool) -> tuple[str, int]:
    """HOST[:PORT]; the port defaults to 587 with STARTTLS and 25 without."""
    host, _, port = text.strip().rpartition(":") if ":" in text else (text.strip(), "", "")
    if not host or (port and not re.fullmatch(r"[0-9]+", port)):  # not isdigit(): int() refuses "²"
        raise ValueError(f"'{text}' is not a server: write it as HOST or HOST:PORT, e.g. smtp.example.org:587")
    return host.strip("[]"), int(port) if port else (587 if starttls else 25)


class _PhasedSMTP(smtplib.SMTP):
    """smtplib's client, noting how far the message in hand got. smtplib raises the same SMTPServerDisconnected
    for a connection dropped at RCPT (nothing delivered, safe to try again) and for one dropped after the
    message's final "." (the server may have it, and sending again could deliver it twice): only the phase
    tells them apart (research: /work/proto/mail/smtp_drop.py)."""

    phase = "idle"  # "idle" before a message; "sending" while its commands go; "dot-sent" once all of it went
    final_reply_timeout: float | None = None
    _in_data = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self._in_data = True
        try:
            return super().data(msg)
        finally:
            self._in_data = False

    def send(self, s: ReadableBuffer | str) -> None:
        super().send(s)
        if self._in_data and isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.phase = "dot-sent"  # the whole message, final "." included, is with the server
            if self.final_reply_timeout is not None and self.sock is not None:
                self.sock.settimeout(self.final_reply_timeout)


@dataclass
class SmtpTransport:
    """Each message at most once. A failure before the whole message has gone (the connection refused, a
    recipient refused, a drop before the final ".") means it was not sent: reported as failed, and a
    connection the server closed meanwhile (an idle timeout) is reopened once. A failure after it has gone
    (the connection dropped, or no answer in time, before the server's reply to the final ".") means the
    server may have it: DeliveryUncertain, never retried here (kpixl.steps.send records it)."""

    host: str
    port: int
    starttls: bool = True
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 60.0
    # RFC 5321 4.5.3.2.6: a client waits 10 minutes for the reply to the final "." (the server may scan the
    # message first); a shorter wait would make deliveries uncertain that were not.
    final_reply_timeout: float = 600.0
    sends: bool = True
    _smtp: _PhasedSMTP | None = field(default=None, init=False, repr=False)

    def open(self) -> None:
        where, smtp = f"{self.host}:{self.port}", _PhasedSMTP(timeout=self.timeout)
        try:
            smtp.connect(self.host, self.port)
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
        except smtplib.SMTPAuthenticationError:
            smtp.close()
            raise OutputError(f"The SMTP server {where} refused the login of '{self.user}': check the user "
                              "and the password (KPIXL_SMTP_PASSWORD or --password-env)") from None
        except (smtplib.SMTPException, OSError) as exc:
            smtp.close()
            hint = " (does the server offer STARTTLS? try --no-starttls)" if self.starttls else ""
            raise OutputError(f"Cannot use the SMTP server {where}: {exc}{hint}") from None
        self._smtp = smtp

    def _connection(self) -> _PhasedSMTP:
        if self._smtp is None:
            try:
                self.open()
            except OutputError as exc:
                raise DeliveryError(str(exc)) from None
        assert self._smtp is not None
        return self._smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    def deliver(self, message: EmailMessage, sender: str, recipient: str, copies: Sequence[str] = ()) -> str:
        """Send one message to recipient and the copies: DeliveryError when it was not sent, DeliveryUncertain
        when it may have been."""
        for attempt in (1, 2):
            smtp = self._connection()
            smtp.phase, smtp.final_reply_timeout = "sending", self.final_reply_timeout
            try:
                smtp.send_message(message, from_addr=sender, to_addrs=[recipient, *copies])
                smtp.phase = "idle"
                if smtp.sock is not None:
                    smtp.sock.settimeout(self.timeout)
                return f"{self.host}:{self.port}"
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                raise DeliveryError(f"the server refused {recipient}: {code} {_text(text)}") from None
            except smtplib.SMTPResponseException as exc:  # an answer, even after the ".": it was not taken
                raise DeliveryError(f"the server answered {exc.smtp_code} {_text(exc.smtp_error)}") from None
            except UnicodeError as exc:  # before any command: the connection is still good
                raise DeliveryError(f"the message cannot be encoded for sending: {exc}") from None
            except (smtplib.SMTPException, OSError) as exc:  # dropped, timed out
                gone = smtp.phase == "dot-sent"
                self._drop()  # the connection is unusable: the next message reconnects
                if gone:
                    raise DeliveryUncertain(
                        f"the server took the whole message, then {_how(exc)} before confirming it: it may "
                        "have been delivered, so kpixl did not send it again") from None
                if attempt == 2 or not isinstance(exc, smtplib.SMTPServerDisconnected):
                    raise DeliveryError(f"the connection failed: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


def _how(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "gave no answer in time"
    return "closed the connection"


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
