"""Every exception kpixl raises, in one module. Standard library only: the domain uses it too.

Exceptions are for what kpixl cannot do at all (no workspace, a file it cannot write, a store it cannot
reach), each with a message that says what happened and what to do, and the exit code the command line
gives it. Bad data in a file a person filled in is never an exception: it is a Problem (kpixl.problems).
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DeliveryError",
    "DeliveryUncertain",
    "KpixlError",
    "MailboxError",
    "NotANumber",
    "NotReady",
    "OutputError",
    "PathError",
    "PeriodError",
    "RegisterError",
    "ReportError",
    "ReviewError",
    "StoreError",
    "StoreValueError",
    "UnknownIndicator",
    "WorkspaceError",
    "YamlError",
]


class KpixlError(Exception):
    """Base of kpixl's operational errors; the message says what happened and what to do."""

    exit_code = 1


class WorkspaceError(KpixlError):
    """No workspace where one was expected, or a workspace that cannot be created."""

    exit_code = 2  # the command was run in the wrong place or with a wrong name: a usage error


class ConfigError(KpixlError):
    """kpixl.toml cannot be read or holds a value kpixl cannot use."""

    exit_code = 2


class PathError(KpixlError):
    """A path on the command line that is not there, or a folder with no files: a usage error."""

    exit_code = 2


class PeriodError(KpixlError, ValueError):
    """A period that cannot be read; the message says what forms are accepted (a usage error)."""

    exit_code = 2


class UnknownIndicator(WorkspaceError):
    """An indicator number that neither the register nor the store knows: a usage error (exit 2)."""


class OutputError(KpixlError):
    """A file kpixl was asked to write cannot be written."""


class StoreError(KpixlError):
    """The store cannot be opened, read or written: an unreachable server, a locked or damaged file."""


class StoreValueError(StoreError):
    """A value in the store kpixl cannot read (changed outside kpixl), and where: `kpixl check` lists each."""

    def __init__(self, message: str, table: str, row: object, column: str, found: str) -> None:
        super().__init__(message)
        self.table, self.row, self.column, self.found = table, row, column, found


class RegisterError(KpixlError):
    """The workspace's register has errors, and a step that would go wrong with them (workbooks, send,
    collect, report, register export) stops before it writes anything."""


class ReportError(KpixlError):
    """A report cannot be built: an unusable reference document, or a failed PDF conversion."""


class ReviewError(KpixlError):
    """A review or sign-off that cannot be done as asked (an ID not waiting, a service not signed off, a paper
    not ready to be final): exit 1, or 2 when the command itself was wrong (usage)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.exit_code = 2 if usage else 1


class NotReady(ReviewError):
    """The final paper waits for something: missing lists each thing, as a person reads it."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing


class DeliveryError(KpixlError):
    """One message could not be delivered; the others may still go."""


class DeliveryUncertain(DeliveryError):
    """One message went to the server whole, but the server never confirmed it (the connection dropped, or no
    answer came in time): it may have been delivered. Never sent again automatically: twice is worse than a
    lead asked whether it arrived."""


class MailboxError(KpixlError):
    """The mailbox cannot be read: the IMAP server is unreachable, refuses the login or the TLS certificate, or
    has no such folder. Nothing was taken from it."""


class NotANumber(ValueError):
    """A text that is not a figure (kpixl.domain.numbers); the message says what was found. Caught where the
    text was read, and turned into a Problem at its place."""


class YamlError(ValueError):
    """A register that is not YAML at all, or YAML a register never is (an alias, deep nesting); line: where
    (1-based), when known. Caught by the register's reader, and turned into a Problem at that line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
