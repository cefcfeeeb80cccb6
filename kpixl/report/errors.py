"""The report's operational failure: the report cannot be built from what the workspace holds."""

from __future__ import annotations

from ..errors import KpixlError

__all__ = ["ReportError"]


class ReportError(KpixlError):
    """A report cannot be built: an unusable reference document, a register or figures with errors, or a
    failed PDF conversion. The message says what to do."""
