"""The returns mailbox: an IMAP folder kpixl reads new messages from, and marks (or moves) what it has taken.

Over TLS (IMAPS, port 993) by default, or STARTTLS (port 143); a plain connection only when asked for
(security = "plain"), for a server on this computer. The certificate is checked against the system's
authorities, or the council's own (cafile). Messages are fetched with BODY.PEEK, which leaves them unread:
a message is marked only once kpixl has stored it, so a run that stops part way leaves the rest as they were.

Marking: with a processed folder, the message is moved there (MOVE, RFC 6851; COPY and delete where the server
lacks it), so the folder holds only what is new; without one it is flagged \\Seen. kpixl.steps.fetch also logs
each message it took in the store, so a flag someone clears later does not make it take a message twice.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from kpixl.errors import MailboxError
from kpixl.untrusted.limits import MAX_MESSAGE_BYTES

__all__ = ["SECURITY", "Fetched", "ImapSettings", "Mailbox"]

SECURITY = ("tls", "starttls", "plain")
_DEFAULT_PORT = {"tls": 993, "starttls": 143, "plain": 143}


@dataclass(frozen=True)
class ImapSettings:
    """kpixl.toml's [imap]: where the returns mailbox is. The password is never here (password_env, or a prompt)."""

    host: str
    user: str
    folder: str = "INBOX"
    processed_folder: str = ""  # move what was taken here; "" to flag it \\Seen instead
    security: str = "tls"
    port: int = 0  # 0: the security's usual port
    password_env: str = "KPIXL_IMAP_PASSWORD"
    cafile: str = ""  # the council's own certificate authority, when the server's is not a public one

    @property
    def where(self) -> str:
        return f"{self.user}@{self.host}:{self.port or _DEFAULT_PORT[self.security]}/{self.folder}"


@dataclass(frozen=True)
class Fetched:
    uid: int
    data: bytes = field(repr=False)
    arrived: datetime | None  # when the mailbox received it (INTERNALDATE)


_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class Mailbox:
    """One connection to the returns folder; MailboxError for anything that stops reading it."""

    def __init__(self, settings: ImapSettings, password: str, root: Path | None = None, timeout: float = 60) -> None:
        self.settings = settings
        self._password = password
        self._root = root  # a relative cafile is the workspace's
        self._timeout = timeout
        self._imap: imaplib.IMAP4 | None = None
        self.uidvalidity = ""

    def _context(self) -> ssl.SSLContext:
        cafile = self.settings.cafile
        if cafile and self._root is not None and not Path(cafile).is_absolute():
            cafile = str(self._root / cafile)
        try:
            return ssl.create_default_context(cafile=cafile or None)
        except (OSError, ssl.SSLError) as exc:
            raise MailboxError(f"Cannot read the certificate file {cafile} ([imap] cafile in kpixl.toml): {exc}") \
                from None

    def open(self) -> None:
        s = self.settings
        port = s.port or _DEFAULT_PORT[s.security]
        try:
            if s.security == "tls":
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(s.host, port, ssl_context=self._context(),
                                                        timeout=self._timeout)
            else:
                imap = imaplib.IMAP4(s.host, port, timeout=self._timeout)
                if s.security == "starttls":
                    imap.starttls(ssl_context=self._context())
        except ssl.SSLCertVerificationError as exc:
            raise MailboxError(f"The mail server {s.host}:{port} showed a certificate this computer does not trust "
                               f"({exc.verify_message}): check the host name, or name the council's certificate "
                               "authority in [imap] cafile") from None
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"Cannot reach the mail server {s.host}:{port} ([imap] in kpixl.toml): {exc}") from None
        self._imap = imap
        try:
            imap.login(s.user, self._password)
        except imaplib.IMAP4.error:
            self.close()
            raise MailboxError(f"The mail server {s.host} refused the login of '{s.user}': check the user in [imap] "
                               f"and the password (${s.password_env})") from None
        status, _ = self._call(imap.select, _quoted(s.folder))
        if status != "OK":
            self.close()
            raise MailboxError(f"The mailbox of {s.user} has no folder '{s.folder}': check [imap] folder")
        response = imap.response("UIDVALIDITY")[1]
        found = _UIDVALIDITY.search(b" ".join(r for r in response if isinstance(r, bytes)) if response else b"")
        self.uidvalidity = found.group(1).decode() if found else (
            response[0].decode() if response and isinstance(response[0], bytes) else "")

    def _call(self, method: object, *args: object) -> tuple[str, list[object]]:
        try:
            status, data = method(*args)  # type: ignore[operator]
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"The mail server {self.settings.host} stopped answering: {exc}. Run the command "
                               "again: what was stored is not stored twice") from None
        return str(status), list(data)

    @property
    def imap(self) -> imaplib.IMAP4:
        if self._imap is None:
            raise MailboxError("The mailbox is not open")
        return self._imap

    def new(self, include_read: bool = False) -> list[int]:
        """The UIDs to take: every message in the folder when taken messages are moved out (or include_read),
        else the unread ones."""
        everything = bool(self.settings.processed_folder) or include_read
        status, data = self._call(self.imap.uid, "SEARCH", "ALL" if everything else "UNSEEN")
        if status != "OK":
            raise MailboxError(f"The mail server {self.settings.host} would not list the messages of {self.settings.folder}")
        raw = data[0] if data and isinstance(data[0], bytes) else b""
        return sorted(int(n) for n in raw.split() if n.isdigit())

    def fetch(self, uid: int) -> Fetched | None:
        """The message's bytes (at most one byte past the size limit: enough to refuse it) without marking it
        read; None when it has gone meanwhile."""
        status, data = self._call(self.imap.uid, "FETCH", str(uid),
                                  f"(INTERNALDATE BODY.PEEK[]<0.{MAX_MESSAGE_BYTES + 1}>)")
        parts = [item for item in data if isinstance(item, tuple)]
        if status != "OK" or not parts:
            return None
        head, body = parts[0][0], parts[0][1]
        arrived = None
        found = _INTERNALDATE.search(head if isinstance(head, bytes) else b"")
        if found:
            try:
                arrived = parsedate_to_datetime(_rfc2822(found.group(1).decode()))
            except (TypeError, ValueError):
                arrived = None
        return Fetched(uid, bytes(body), arrived)

    def mark_taken(self, uid: int) -> str:
        """Move the message to the processed folder, or flag it \\Seen; what was done, in words."""
        target = self.settings.processed_folder
        if not target:
            self._ok(self._call(self.imap.uid, "STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), "flag")
            return "flagged read"
        self._call(self.imap.create, _quoted(target))  # "already exists" is fine
        capabilities = getattr(self.imap, "capabilities", ())
        if "MOVE" in capabilities:
            self._ok(self._call(self.imap.uid, "MOVE", str(uid), _quoted(target)), "move")
        else:
            self._ok(self._call(self.imap.uid, "COPY", str(uid), _quoted(target)), "copy")
            self._ok(self._call(self.imap.uid, "STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), "move")
            self._call(self.imap.expunge)
        return f"moved to {target}"

    def _ok(self, answer: tuple[str, list[object]], doing: str) -> None:
        if answer[0] != "OK":
            raise MailboxError(f"The mail server {self.settings.host} would not {doing} a message it gave: "
                               f"{answer[1]!r:.120}. Check [imap] processed_folder and your rights on it")

    def close(self) -> None:
        if self._imap is not None:
            try:
                self._imap.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
            self._imap = None


def _quoted(folder: str) -> str:
    """A folder name as an IMAP quoted string (a name with a space must be quoted)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), start=1)}


def _rfc2822(internal: str) -> str:
    """An IMAP INTERNALDATE ("20-Oct-2023 09:30:00 +0000") as an RFC 5322 date, which the email package reads."""
    day, rest = internal.strip().split("-", 1)
    month, rest = rest.split("-", 1)
    year, time, zone = rest.split(" ")
    if month not in _MONTHS:
        raise ValueError(internal)
    return f"{int(day)} {month} {year} {time} {zone}"
