"""Returns that came in a message: a saved .eml or Outlook .msg named to collect, or one fetched from the mailbox.

Each attachment is a return, checked exactly as the same file saved into a folder would be; what the message
adds is its provenance (sender, Date, subject, Message-ID, the attachment's name) and the time the return was
sent: the message's Date, the order key that makes the latest-sent return current, whatever its attachments
are called ("Return (1).xlsx" sent on the 1st stays earlier than "Return.xlsx" sent on the 3rd). A message
without a Date is dated by its file's modification time, as a file is.

The message itself is kept too: archived, inert, under its hash (<sha256>.eml.bin, <sha256>.msg.bin) and
recorded as a submission of source "message" with its own problems (over a limit, no attachment, an attachment
not read), so `kpixl check` finds it in the archive and `kpixl check --rebuild` collects it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpixl.domain.figures import Submission
from kpixl.intake.assess import ReturnResult
from kpixl.mail.message import ReceivedMessage
from kpixl.mail.read import read_message
from kpixl.problems import Report
from kpixl.steps.workspace import Receipt, Workspace
from kpixl.store import Store

__all__ = ["MESSAGE", "MessageResult", "open_message", "record_message"]

MESSAGE = "message"  # the submissions' source of a message a return came in


@dataclass
class MessageResult:
    """A message read for its returns, and what became of it."""

    path: Path  # where it was read from (a fetched message: its mailbox and number, as a name)
    kind: str  # "eml" or "msg"
    sha256: str
    data: bytes = field(repr=False)
    message: ReceivedMessage | None  # None: refused (report says why)
    report: Report
    sent_at: datetime | None  # its Date, else the file's modification time
    sent_how: str
    archived: Path | None = None
    stored: str = ""
    returns: list[ReturnResult] = field(default_factory=list)  # its attachments' results, once checked

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def accepted(self) -> bool:
        return self.report.valid

    @property
    def sender(self) -> str:
        return self.message.sender if self.message else ""

    @property
    def subject(self) -> str:
        return self.message.subject if self.message else ""

    @property
    def message_id(self) -> str:
        return self.message.message_id if self.message else ""

    def submission(self, period: str) -> Submission:
        return Submission(self.sha256, self.name, datetime.now(UTC), "", period, self.accepted, MESSAGE,
                          self.sent_at, self.sender, self.subject, self.message_id)

    def to_dict(self) -> dict[str, Any]:
        m = self.message
        return {"file": str(self.path), "kind": self.kind, "sha256": self.sha256, "accepted": self.accepted,
                "sender": self.sender, "sender_name": m.sender_name if m else "", "subject": self.subject,
                "message_id": self.message_id, "sent_at": self.sent_at.isoformat() if self.sent_at else None,
                "sent_how": self.sent_how, "attachments": [a.name for a in m.attachments] if m else [],
                "returns": [r.file_name for r in self.returns], "archived": str(self.archived or ""),
                "stored": self.stored, "problems": self.report.to_list()}


def open_message(path: Path, data: bytes, kind: str, modified: datetime | None, modified_how: str,
                 name: str = "") -> MessageResult:
    """The message in data (read from path, or fetched and shown as name), read within kpixl's limits."""
    shown = Path(name) if name else path
    message, problems = read_message(data, shown.name, kind)
    dated = message.date if message and message.date else None
    sent_at = dated.astimezone(UTC) if dated else modified
    how = "message date" if dated else modified_how
    return MessageResult(shown, kind, hashlib.sha256(data).hexdigest(), data, message, Report(problems),
                         sent_at, how)


def record_message(workspace: Workspace, store: Store, result: MessageResult, period: str) -> None:
    """Archive the message (inert) and record it with its problems: its returns are recorded on their own."""
    result.archived = workspace.archive(result.data, result.sha256, result.kind)
    submission = result.submission(period)
    recorded = store.record(submission, [], list(result.report))
    result.stored = "already recorded" if recorded.duplicate else "kept"
    if not recorded.duplicate:
        workspace.note_receipt(result.sha256, Receipt.of(submission, period, result.kind, result.sent_how))
