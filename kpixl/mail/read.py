"""Reading a saved or fetched message: which reader, and its problems as values.

    read_message(data, name, kind)  ->  (ReceivedMessage | None, problems)

The message is untrusted like any file a lead sends: it is read within kpixl's limits (size, parts, nesting,
header sizes and encodings; kpixl/untrusted/limits.py) while it is read, and a message over one, or one that
cannot be read at all, is one problem naming the message, never an exception. .eml is read by
kpixl.mail.eml (the standard library's parser, bounded), Outlook's .msg by kpixl.mail.msg (olefile).
"""

from __future__ import annotations

from kpixl.mail.bounded_parser import MessageLimit
from kpixl.mail.eml import read_eml
from kpixl.mail.message import ReceivedMessage
from kpixl.mail.msg import read_msg
from kpixl.problems import Problem, Where, problem

__all__ = ["read_message"]


def read_message(data: bytes, name: str, kind: str) -> tuple[ReceivedMessage | None, list[Problem]]:
    """The message in data (a file called name, of kind "eml" or "msg"), and its problems: MESSAGE_REFUSED
    when it is over a limit or cannot be read (then no message), ATTACHMENT_SKIPPED for each attachment
    not taken, MESSAGE_NO_ATTACHMENT when it carries none."""
    where = Where(name)
    try:
        message = read_eml(data) if kind == "eml" else read_msg(data)
    except MessageLimit as exc:
        return None, [problem("MESSAGE_REFUSED", where, what=_what(kind), detail=str(exc))]
    found = [problem("ATTACHMENT_SKIPPED", where, attachment=skipped, why=why) for skipped, why in message.skipped]
    if not message.attachments:
        found.append(problem("MESSAGE_NO_ATTACHMENT", where))
    return message, found


def _what(kind: str) -> str:
    return "Outlook message (.msg)" if kind == "msg" else "email message (.eml)"
