"""A message a lead sent, as kpixl reads it: who sent it, when, its subject and Message-ID, and its attachments
(the readers: kpixl.mail.eml and kpixl.mail.msg; kpixl.mail.read chooses).

Which parts are attachments: every part with a file name, or marked as an attachment, except the pictures a
body shows inline (an Outlook signature's logo: inline, with a Content-ID). Each one taken is a return to
check, exactly as the same file saved into a folder would be.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime

from kpixl.untrusted.limits import MAX_ATTACHMENTS

__all__ = ["Attachment", "ReceivedMessage", "attachment_name"]


@dataclass(frozen=True)
class Attachment:
    name: str  # the attachment's file name, made safe to use as one (attachment_name)
    data: bytes = field(repr=False)
    forwarded: bool = False  # inside a message forwarded as an attachment


@dataclass
class ReceivedMessage:
    kind: str  # "eml" or "msg"
    sender: str = ""  # the From address (addr-spec)
    sender_name: str = ""
    date: datetime | None = None  # its Date, with its time zone
    subject: str = ""
    message_id: str = ""
    references: tuple[str, ...] = ()  # the Message-IDs it answers (In-Reply-To, References)
    attachments: list[Attachment] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (attachment name, why it was not taken)

    def take(self, attachment: Attachment) -> None:
        """Keep an attachment, or note it as skipped once MAX_ATTACHMENTS are kept."""
        if len(self.attachments) >= MAX_ATTACHMENTS:
            self.skipped.append((attachment.name, f"the message has more than {MAX_ATTACHMENTS} attachments"))
        else:
            self.attachments.append(attachment)


def attachment_name(raw: str | None, number: int) -> str:
    """A file name a lead's mail program gave an attachment, made a plain name: no folder ("C:\\tmp\\r.xlsx",
    "../../r.xlsx"), no control character, at most 120 characters; "attachment-N" when it gives none."""
    text = (raw or "").replace("\\", "/")
    text = re.sub(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "", os.path.basename(text)).strip().strip(".")
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        text = (stem[:110] + dot + ext[:9]) if dot and len(ext) < 10 else text[:120]
    return text or f"attachment-{number}"
