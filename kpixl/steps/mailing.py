"""One note (a receipt, a reminder) delivered at most once, whatever happens to this process: the same ledger of
store events kpixl send keeps (kpixl.steps.send, docs/mail.md).

Each note has a ref that names what it is for (2023-24-Q2:libraries:due, a reminder; 2023-24-Q2:receipt:<id>,
a receipt). Before it is handed to the server a `mail-sending` event is logged under that ref: logging it again
is refused by the store, so a second run, or another officer at the same moment, cannot send a second copy.
Its end is logged as `mail-sent`, `mail-failed` (not sent: the next run tries again, under ref#2) or
`mail-uncertain` (the server took it and never confirmed). An attempt begun and never ended (the process was
killed between the two) is uncertain: reported, and never sent again by kpixl itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

from kpixl.crashpoint import crash_point
from kpixl.errors import DeliveryError, DeliveryUncertain
from kpixl.mail.transports import Transport
from kpixl.steps.journal import log_decision
from kpixl.steps.workspace import Workspace
from kpixl.store import Store

__all__ = ["ENDS", "Delivery", "Ledger", "deliver_once"]

ENDS = ("mail-sent", "mail-failed", "mail-uncertain")


@dataclass(frozen=True)
class Delivery:
    status: str  # "sent", "drafted", "failed", "uncertain", or "skipped" (it went before)
    detail: str = ""


@dataclass
class Ledger:
    store: Store
    period: str
    actor: str
    workspace: Workspace  # its journal keeps each entry too, so that a rebuilt store sends nothing twice

    def state(self, base: str) -> tuple[str, str, int]:
        """What became of the note with this ref: ("sent" or "uncertain" or "" , when, failed attempts)."""
        events = [e for e in self.store.events(self.period, kinds={"mail-sending", *ENDS})
                  if e.ref == base or e.ref.startswith(base + "#")]
        ended = {e.ref: e for e in events if e.kind in ENDS}
        failed = sum(1 for e in ended.values() if e.kind == "mail-failed")
        for event in events:
            if event.kind == "mail-sent":
                return "sent", event.at.isoformat(timespec="seconds"), failed
        for event in events:
            end = ended.get(event.ref)
            if event.kind == "mail-sending" and (end is None or end.kind == "mail-uncertain"):
                return "uncertain", event.at.isoformat(timespec="seconds"), failed
        return "", "", failed

    def begin(self, ref: str, service: str, detail: dict[str, object]) -> bool:
        return log_decision(self.workspace, self.store, "mail-sending", actor=self.actor, period=self.period,
                            service=service, ref=ref, detail=detail) is not None

    def end(self, kind: str, ref: str, service: str, detail: dict[str, object]) -> None:
        log_decision(self.workspace, self.store, kind, actor=self.actor, period=self.period, service=service, ref=ref,
                     detail=detail)


def deliver_once(ledger: Ledger | None, base: str, service: str, message: EmailMessage, transport: Transport,
                 sender: str, recipient: str, copies: tuple[str, ...] = ()) -> Delivery:
    """Deliver message under the ref base, at most once (ledger None: drafts, which are not sends)."""
    if ledger is None:
        try:
            return Delivery("drafted", transport.deliver(message, sender, recipient, copies))
        except DeliveryError as exc:
            return Delivery("failed", str(exc))
    state, when, failed = ledger.state(base)
    if state == "sent":
        return Delivery("skipped", f"sent on {when}")
    if state == "uncertain":
        return Delivery("uncertain", f"an earlier run began sending it on {when} and never recorded how it ended: "
                                     "it may have gone, so it was not sent again. Ask whether it arrived")
    ref = base if not failed else f"{base}#{failed + 1}"
    detail: dict[str, object] = {"to": recipient, "cc": list(copies), "message_id": str(message["Message-ID"])}
    if not ledger.begin(ref, service, detail):  # another process began it this very moment
        return Delivery("uncertain", "another kpixl began sending it at the same moment: it was not sent twice")
    crash_point("mail-sending")
    try:
        where = transport.deliver(message, sender, recipient, copies)
    except DeliveryUncertain as exc:
        ledger.end("mail-uncertain", ref, service, {**detail, "detail": str(exc)})
        return Delivery("uncertain", f"{exc}. Ask whether it arrived")
    except DeliveryError as exc:
        ledger.end("mail-failed", ref, service, {**detail, "detail": str(exc)})
        return Delivery("failed", str(exc))
    ledger.end("mail-sent", ref, service, {**detail, "detail": where})
    return Delivery("sent", where)
