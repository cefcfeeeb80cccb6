"""Sending collection workbooks to service leads: .eml drafts or SMTP. See docs/workbooks.md."""

from __future__ import annotations

from .send import Outcome, SendSummary, send_workbooks
from .transports import DraftsTransport, SmtpTransport, parse_server

__all__ = ["DraftsTransport", "Outcome", "SendSummary", "SmtpTransport", "parse_server", "send_workbooks"]
