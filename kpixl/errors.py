"""Operational failures: things kpixl cannot do at all (no workspace, cannot write a file).

Bad data in a file a person filled in is never an exception: it is a Problem (kpixl.problems).
"""

from __future__ import annotations

__all__ = ["ConfigError", "KpixlError", "OutputError", "StoreError", "WorkspaceError"]


class KpixlError(Exception):
    """Base of kpixl's operational errors; the message says what happened and what to do."""

    exit_code = 1


class WorkspaceError(KpixlError):
    """No workspace where one was expected, or a workspace that cannot be created."""

    exit_code = 2  # the command was run in the wrong place or with a wrong name: a usage error


class ConfigError(KpixlError):
    """kpixl.toml cannot be read or holds a value kpixl cannot use."""

    exit_code = 2


class OutputError(KpixlError):
    """A file kpixl was asked to write cannot be written."""


class StoreError(KpixlError):
    """The store cannot be opened, read or written: an unreachable server, a locked or damaged file."""
