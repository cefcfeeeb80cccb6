"""Operational failures: things kpixl cannot do at all (no workspace, cannot write a file).

Bad data in a file a person filled in is never an exception: it is a Problem (kpixl.problems).
"""

from __future__ import annotations

__all__ = ["KpixlError", "WorkspaceError", "ConfigError", "OutputError"]


class KpixlError(Exception):
    """Base of kpixl's operational errors; the message says what happened and what to do."""


class WorkspaceError(KpixlError):
    """No workspace where one was expected, or a workspace that cannot be created."""


class ConfigError(KpixlError):
    """kpixl.toml cannot be read or holds a value kpixl cannot use."""


class OutputError(KpixlError):
    """A file kpixl was asked to write cannot be written."""
