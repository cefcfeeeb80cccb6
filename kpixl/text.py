"""Text from files people send (the register, a return, a file name), made safe to show: the one helper every
such value passes through when kpixl prints it on the terminal, writes it into an email header, or puts it
in a message's body. Standard library only, at the bottom of the layers, so that every part can use it.

A register cell or a file name can hold a terminal escape sequence (ESC [ ... rewrites the officer's screen,
BEL rings, a C1 control does either on some terminals), a line break that would inject a header, or a
bidirectional override that shows a name backwards. Shown through safe() each is a visible '?'; the text
itself is never changed where it is stored.

    safe("Ann\\x1b[2J Lead")   -> "Ann?[2J Lead"
    one_line("Ann\\r\\nBcc: x") -> "Ann Bcc: x"   (headers, one-line messages)
    has_control("Ann\\x07")    -> True           (kpixl register check refuses these in names and addresses)

Rich markup ("[/]", "[blink]") is not a concern here: the command line shows such text as rich Text objects
(kpixl.cli.common.plain), which are never read as markup.
"""

from __future__ import annotations

import re

__all__ = ["CONTROL", "has_control", "one_line", "safe"]

# C0 controls except the line feed (kept: a commentary has paragraphs) and the tab, DEL, the C1 controls, and
# the Unicode bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: object) -> str:
    """The text with each control character shown as '?' (line feeds and tabs kept)."""
    return CONTROL.sub("?", str(text))


def one_line(text: object) -> str:
    """The text on one line, and safe(): runs of whitespace, line breaks included, become one space."""
    return safe(" ".join(str(text).split()))


def has_control(text: object) -> bool:
    """Whether the text holds a control character, line breaks and tabs included: a name or an email address
    never needs one."""
    return bool(_ANY_CONTROL.search(str(text)))
