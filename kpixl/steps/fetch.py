"""kpixl fetch: returns straight from the mailbox. New messages are read from the IMAP folder of [imap] in
kpixl.toml, collected as saved messages are (kpixl.steps.messages: each attachment a return, sent at the
message's Date), then marked: moved to the processed folder, or flagged \\Seen.

Nothing is taken twice. Each message taken is logged in the store (event `mail-fetched`, ref its Message-ID, or
the folder's UIDVALIDITY and the message's UID when it has none) before it is marked; a message found again
(its flag cleared by someone, a move that failed) is marked and not collected again. The order makes a run
that stops anywhere safe to repeat: collect (the same bytes again change nothing), log, mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpixl.domain import Quarter
from kpixl.errors import ConfigError
from kpixl.mail.eml import message_ids
from kpixl.mail.imap import Fetched, ImapSettings, Mailbox
from kpixl.steps.collect import Collected, Source, collect
from kpixl.steps.workspace import Workspace

__all__ = ["FetchReport", "fetch_returns", "imap_settings"]

FETCHED = "mail-fetched"


@dataclass
class FetchReport:
    mailbox: str
    run: Collected = field(default_factory=Collected)
    taken: list[dict[str, Any]] = field(default_factory=list)  # per message: uid, name, message_id, marked
    again: list[dict[str, Any]] = field(default_factory=list)  # taken before: marked again, not collected

    def to_dict(self) -> dict[str, Any]:
        return {"mailbox": self.mailbox, "taken": self.taken, "taken_before": self.again}


def imap_settings(workspace: Workspace) -> ImapSettings:
    settings = workspace.config.imap
    if settings is None:
        raise ConfigError("kpixl.toml has no [imap] section: add host, user and folder of the returns mailbox "
                          "(docs/mail.md), then run kpixl fetch again")
    return settings


def _key(settings: ImapSettings, uidvalidity: str, fetched: Fetched) -> str:
    """The ledger's ref of a fetched message: its Message-ID, else its place in the folder."""
    head = fetched.data[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = [line for line in head.decode("latin-1").splitlines() if line.lower().startswith("message-id:")]
    ids = message_ids(found[0]) if found else ()
    place = f"{settings.host}/{settings.user}/{settings.folder}/{uidvalidity}/{fetched.uid}"
    return f"imap:{ids[0]}" if ids else f"imap:{place}"


def fetch_returns(workspace: Workspace, quarter: Quarter, password: str, include_read: bool = False) -> FetchReport:
    """Take every new message of the returns folder: collect its returns, log it, mark it."""
    settings = imap_settings(workspace)
    mailbox = Mailbox(settings, password, workspace.root)
    report = FetchReport(settings.where)
    mailbox.open()
    try:
        with workspace.open_store() as store:
            known = {e.ref for e in store.events(kinds={FETCHED})}
        new: list[tuple[Fetched, str]] = []
        for uid in mailbox.new(include_read):
            fetched = mailbox.fetch(uid)
            if fetched is None:
                continue
            key = _key(settings, mailbox.uidvalidity, fetched)
            if key in known:
                report.again.append({"uid": uid, "ref": key, "marked": mailbox.mark_taken(uid)})
            else:
                new.append((fetched, key))
        if new:
            sources = [Source(Path(f"{settings.folder} {f.uid}.eml"), f.arrived, "mailbox arrival", data=f.data)
                       for f, _ in new]
            report.run = collect(workspace, sources, quarter.slug)
            _log_and_mark(workspace, quarter, mailbox, new, report)
    finally:
        mailbox.close()
    return report


def _log_and_mark(workspace: Workspace, quarter: Quarter, mailbox: Mailbox, new: list[tuple[Fetched, str]],
                  report: FetchReport) -> None:
    by_name = {m.name: m for m in report.run.messages}
    with workspace.open_store() as store:
        for fetched, key in new:
            name = f"{mailbox.settings.folder} {fetched.uid}.eml"
            message = by_name.get(name)
            store.add_event(FETCHED, actor=mailbox.settings.user, period=quarter.slug, ref=key,
                            detail={"mailbox": mailbox.settings.where, "uid": fetched.uid,
                                    "sha256": message.sha256 if message else ""})
            report.taken.append({"uid": fetched.uid, "name": name, "ref": key,
                                 "message_id": message.message_id if message else "",
                                 "marked": mailbox.mark_taken(fetched.uid)})
