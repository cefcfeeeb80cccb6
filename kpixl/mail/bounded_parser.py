"""The standard library's email parser with limits that act while it parses: the one adapter to a private part
of the standard library in kpixl, kept small and here.

email.feedparser has no limits of its own, and its cost is in the parse, not after it (measured on CPython
3.11, docs/mail.md): 1,000 nested multiparts end in RecursionError, 10,000 parts take 2.5 s, and a 5 MB folded
Subject, read, 116 s. Two private methods of FeedParser are the only places where each entity begins and
where each header block is handed over before anything reads it: _new_message (one call per MIME entity,
with the stack of open entities) and _parse_headers (the entity's raw header lines). Both are unchanged from
Python 3.6 to 3.13. Overriding them bounds exactly what costs, at the moment it would cost.

Why not a pre-scan of the raw bytes with public APIs only: knowing which lines are boundaries or header
blocks needs the Content-Type of every entity, parameters, RFC 2231 continuations and all: a second MIME
parser beside the real one, which would refuse good messages where it guesses high, and let a bomb through
where it guesses low. Here the real parser finds the structure and this adapter only counts.

Should a future Python rename either method, the adapter refuses to run (CHANGED, checked before each parse)
rather than parse without limits, and tests/test_mail_read.py fails on the bombs it holds.
"""

from __future__ import annotations

from email import policy
from email.feedparser import BytesFeedParser
from email.message import EmailMessage, Message
from typing import Any

from kpixl.untrusted.limits import (
    MAX_COMMENT_DEPTH,
    MAX_FIELD_BYTES,
    MAX_FIELD_PARAMETERS,
    MAX_HEADER_BYTES,
    MAX_HEADER_FIELDS,
    MAX_MESSAGE_BYTES,
    MAX_MESSAGE_DEPTH,
    MAX_MESSAGE_PARTS,
    MAX_PARSED_FIELD_BYTES,
)

__all__ = ["CHANGED", "MessageLimit", "parse_bounded"]


class MessageLimit(ValueError):
    """A message over one of kpixl's limits; its text says which, in words."""


# The hooked methods, as this adapter expects to find them. Empty when they are there.
CHANGED = "" if all(callable(getattr(BytesFeedParser, name, None)) for name in ("_new_message", "_parse_headers")) \
    else "this Python's email parser has changed (FeedParser._new_message or _parse_headers is gone)"

# Fields the policy's header parser reads (by kpixl, or by the parser itself for Content-Type): their cost
# grows with their size, so they get the small limit; the others are only ever kept as text.
_PARSED = ("from", "sender", "reply-to", "date", "message-id", "subject", "mime-version", "in-reply-to")


class _Bounded(BytesFeedParser):
    def __init__(self) -> None:
        super().__init__(policy=policy.default)
        self._parts = 0

    def _new_message(self) -> None:
        self._parts += 1
        if self._parts > MAX_MESSAGE_PARTS:
            raise MessageLimit(f"it has more than {MAX_MESSAGE_PARTS} parts")
        if len(self._msgstack) >= MAX_MESSAGE_DEPTH:  # type: ignore[attr-defined]
            raise MessageLimit(f"its parts are nested more than {MAX_MESSAGE_DEPTH} deep")
        super()._new_message()  # type: ignore[misc]

    def _parse_headers(self, lines: list[str]) -> None:
        if sum(map(len, lines)) > MAX_HEADER_BYTES:
            raise MessageLimit(f"a header block is over {MAX_HEADER_BYTES // 1024} KB")
        for name, text in _fields(lines):
            _check_field(name, text)
        super()._parse_headers(lines)  # type: ignore[misc]


def _fields(lines: list[str]) -> list[tuple[str, str]]:
    """The header block's fields as (lower-case name, whole text), folded lines joined; MessageLimit for too
    many fields or one too long."""
    fields: list[tuple[str, list[str]]] = []
    size = 0
    for line in lines:
        if line[:1] in (" ", "\t") and fields:
            fields[-1][1].append(line)
            size += len(line)
        else:
            fields.append((line.split(":", 1)[0].strip().lower(), [line]))
            size = len(line)
        if size > MAX_FIELD_BYTES:
            raise MessageLimit(f"its header field {fields[-1][0][:40]} is over {MAX_FIELD_BYTES // 1024} KB")
    if len(fields) > MAX_HEADER_FIELDS:
        raise MessageLimit(f"a part has more than {MAX_HEADER_FIELDS} header fields")
    return [(name, "".join(parts)) for name, parts in fields]


def _check_field(name: str, text: str) -> None:
    parsed = name in _PARSED or name.startswith("content-")
    if not parsed:
        return
    if len(text) > MAX_PARSED_FIELD_BYTES:
        raise MessageLimit(f"its header field {name[:40]} is over {MAX_PARSED_FIELD_BYTES:,} characters")
    if text.count("(") > MAX_COMMENT_DEPTH and _depth(text) > MAX_COMMENT_DEPTH:
        raise MessageLimit(f"its header field {name[:40]} nests comments more than {MAX_COMMENT_DEPTH} deep")
    if name.startswith("content-") and text.count(";") > MAX_FIELD_PARAMETERS:
        raise MessageLimit(f"its header field {name[:40]} has more than {MAX_FIELD_PARAMETERS} parameters")


def _depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(0, depth - 1)
    return deepest


def parse_bounded(data: bytes) -> EmailMessage:
    """The message in data, parsed within kpixl's limits; MessageLimit when it is over one."""
    if CHANGED:
        raise MessageLimit(CHANGED + ": kpixl will not read messages without its limits; use the Python kpixl "
                           "was released for, or save the attachments and collect those")
    if len(data) > MAX_MESSAGE_BYTES:
        raise MessageLimit(f"it is {len(data) / 2**20:.1f} MB (limit {MAX_MESSAGE_BYTES // 2**20} MB)")
    parser = _Bounded()
    try:
        for start in range(0, len(data), 2**16):  # fed in pieces, as the parser is meant to be fed
            parser.feed(data[start:start + 2**16])
        message: Message[Any, Any] = parser.close()
    except RecursionError:  # every path to it is bounded above; kept as the last guard
        raise MessageLimit("its structure is nested too deep to read") from None
    assert isinstance(message, EmailMessage)  # policy.default builds EmailMessage
    return message
