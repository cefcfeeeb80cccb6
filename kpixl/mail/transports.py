"""Where messages go: .eml drafts in a folder, or an SMTP server.

Drafts carry `X-Unsent: 1`, so Outlook opens them as unsent drafts ready to send; Thunderbird opens .eml
files too (File > Open > Saved Message, then "Edit as New Message"). SMTP uses STARTTLS unless told not
to, and logs in only when a user is given (options or KPIXL_SMTP_USER / KPIXL_SMTP_PASSWORD, never a file).
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from kpixl.errors import DeliveryError, OutputError
from kpixl.files import safe_child, slug, write_atomic

__all__ = ["DraftsTransport", "SmtpTransport", "Transport", "parse_server"]


class Transport(Protocol):
    sends: bool  # True: delivering is sending (recorded so a rerun does not resend); False: drafts

    def open(self) -> None: ...

    def deliver(self, message: EmailMessage, sender: str, recipient: str) -> str: ...

    def close(self) -> None: ...


@dataclass
class DraftsTransport:
    folder: Path
    period: str
    sends: bool = False

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"Cannot create the drafts folder {self.folder}: {exc.strerror or exc}") from None

    def deliver(self, message: EmailMessage, sender: str, recipient: str) -> str:
        path = safe_child(self.folder, f"{slug(recipient, 'lead')}_{self.period}.eml")
        try:
            write_atomic(path, message.as_bytes())
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


@dataclass
class SmtpTransport:
    host: str
    port: int
    starttls: bool = True
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 60.0
    sends: bool = True
    _smtp: smtplib.SMTP | None = field(default=None, init=False, repr=False)

    def open(self) -> None:
        where, smtp = f"{self.host}:{self.port}", smtplib.SMTP(timeout=self.timeout)
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

    def _connection(self) -> smtplib.SMTP:
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

    def deliver(self, message: EmailMessage, sender: str, recipient: str) -> str:
        """Send one message; a connection the server closed meanwhile (an idle timeout) is reopened once."""
        for attempt in (1, 2):
            try:
                self._connection().send_message(message, from_addr=sender, to_addrs=[recipient])
                return f"{self.host}:{self.port}"
            except smtplib.SMTPServerDisconnected as exc:
                self._drop()
                if attempt == 2:
                    raise DeliveryError(f"the server closed the connection: {exc}") from None
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                raise DeliveryError(f"the server refused {recipient}: {code} {_text(text)}") from None
            except smtplib.SMTPResponseException as exc:
                raise DeliveryError(f"the server answered {exc.smtp_code} {_text(exc.smtp_error)}") from None
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()  # the connection is unusable: the next message reconnects
                raise DeliveryError(f"the connection failed: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
