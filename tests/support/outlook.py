"""Outlook .msg files for the tests, in the real format (MS-OXMSG inside an MS-CFB compound file), as Outlook
writes a received message: subject, sender, Date and Message-ID (also in the transport headers), a recipient,
and attachments by value (or embedded messages). Standard library only. Ported from the research prototype
(/work/proto/mail/make_msg.py), whose output extract-msg, python-oxmsg and Perl's msgconvert read back as
Outlook's own. No tests here.

Not written (Outlook usually has them): the RTF body, HTML, entry ids, named properties; files are limited
to ~6.8 MB (no DIFAT sectors).
"""

from __future__ import annotations

import email.utils
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

# ---------------------------------------------------------------- MS-CFB ----
SECTOR = 512
MINI = 64
CUTOFF = 4096
ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
MSG_CLSID = bytes.fromhex("0b0d020000000000c000000000000046")


@dataclass
class _Entry:
    name: str
    is_storage: bool
    data: bytes = b""
    clsid: bytes = bytes(16)
    children: dict = field(default_factory=dict)
    # filled in at write time
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    black: bool = True
    start: int = ENDOFCHAIN


def _cfb_key(name: str):
    # MS-CFB 2.6.4: shorter names sort first, then by upper-cased code points
    return (len(name), name.upper())


class CFBWriter:
    """Minimal, write-only compound file builder (version 3)."""

    def __init__(self, root_clsid: bytes = MSG_CLSID):
        self.root = _Entry("Root Entry", True, clsid=root_clsid)

    def _storage(self, path: tuple[str, ...], create=True) -> _Entry:
        node = self.root
        for part in path:
            if part not in node.children:
                if not create:
                    raise KeyError(path)
                node.children[part] = _Entry(part, True)
            node = node.children[part]
            if not node.is_storage:
                raise ValueError(f"{part} is a stream")
        return node

    def add_storage(self, path: str, clsid: bytes = bytes(16)) -> None:
        parts = tuple(path.split("/"))
        st = self._storage(parts)
        st.clsid = clsid

    def add_stream(self, path: str, data: bytes) -> None:
        *parents, name = path.split("/")
        if len(name) > 31:
            raise ValueError(f"CFB names are at most 31 chars: {name}")
        self._storage(tuple(parents)).children[name] = _Entry(name, False, bytes(data))

    # -- layout --------------------------------------------------------------
    def _build_tree(self, entries: list[_Entry], depth: int, maxdepth: list) -> int:
        """Balanced BST from sorted entries; returns sid of subtree root."""
        if not entries:
            return NOSTREAM
        mid = len(entries) // 2
        node = entries[mid]
        node._depth = depth
        maxdepth.append(depth)
        node.left = self._build_tree(entries[:mid], depth + 1, maxdepth)
        node.right = self._build_tree(entries[mid + 1:], depth + 1, maxdepth)
        return node.sid

    def to_bytes(self) -> bytes:
        # 1. directory ids (root = 0), pre-order
        order: list[_Entry] = []

        def visit(e: _Entry):
            e.sid = len(order)
            order.append(e)
            for c in sorted(e.children.values(), key=lambda x: _cfb_key(x.name)):
                visit(c)
        visit(self.root)

        # 2. sibling red-black trees: all levels but the last are full, so
        #    colouring the last level red (if it is not full) is valid.
        for e in order:
            if not e.is_storage or not e.children:
                continue
            kids = sorted(e.children.values(), key=lambda x: _cfb_key(x.name))
            depths: list[int] = []
            e.child = self._build_tree(kids, 1, depths)
            deepest = max(depths)
            full = len(kids) == 2 ** deepest - 1
            for k in kids:
                k.black = full or k._depth < deepest
        # 3. streams: small ones into the mini stream, big ones into sectors
        mini = bytearray()
        minifat: list[int] = []
        big: list[_Entry] = []
        for e in order:
            if e.is_storage:
                e.start = 0
                continue
            if len(e.data) == 0:
                e.start = ENDOFCHAIN
            elif len(e.data) < CUTOFF:
                n = -(-len(e.data) // MINI)
                e.start = len(minifat)
                minifat.extend(range(e.start + 1, e.start + n))
                minifat.append(ENDOFCHAIN)
                mini += e.data + bytes(n * MINI - len(e.data))
            else:
                big.append(e)
        sectors: list[bytes] = []
        fat: list[int] = []

        def put(data: bytes) -> int:
            """Append a chain of sectors; return the first sector id."""
            n = max(1, -(-len(data) // SECTOR))
            first = len(sectors)
            for i in range(n):
                sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\0"))
                fat.append(first + i + 1 if i < n - 1 else ENDOFCHAIN)
            return first

        for e in big:
            e.start = put(e.data)
        self.root.start = put(bytes(mini)) if mini else ENDOFCHAIN
        self.root.data = bytes(mini)  # root "size" = mini stream size
        minifat_start = ENDOFCHAIN
        n_minifat = 0
        if minifat:
            raw = b"".join(struct.pack("<I", x) for x in minifat)
            n_minifat = -(-len(raw) // SECTOR)
            raw = raw.ljust(n_minifat * SECTOR, b"\xff")  # FREESECT padding
            minifat_start = put(raw)
        # directory
        dirents = b"".join(self._dirent(e) for e in order)
        pad = (-len(order)) % (SECTOR // 128)
        dirents += b"".join(self._empty_dirent() for _ in range(pad))
        dir_start = put(dirents)
        # FAT sectors (they describe themselves too)
        n_fat = 1
        while -(-(len(sectors) + n_fat) // (SECTOR // 4)) > n_fat:
            n_fat += 1
        if n_fat > 109:
            raise NotImplementedError("needs DIFAT sectors (file > ~6.8 MB)")
        fat_start = len(sectors)
        fat.extend([FATSECT] * n_fat)
        fat.extend([FREESECT] * (n_fat * (SECTOR // 4) - len(fat)))
        fat_raw = b"".join(struct.pack("<I", x) for x in fat)
        for i in range(n_fat):
            sectors.append(fat_raw[i * SECTOR:(i + 1) * SECTOR])
        difat = [fat_start + i for i in range(n_fat)] + [FREESECT] * (109 - n_fat)
        header = struct.pack(
            "<8s16sHHHHH6sIIIIIIIII",
            bytes.fromhex("d0cf11e0a1b11ae1"), bytes(16),
            0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6),
            0,              # number of directory sectors (must be 0 in v3)
            n_fat, dir_start,
            0,              # transaction signature
            CUTOFF, minifat_start, n_minifat,
            ENDOFCHAIN, 0,  # no DIFAT sectors
        ) + b"".join(struct.pack("<I", x) for x in difat)
        assert len(header) == SECTOR
        return header + b"".join(sectors)

    @staticmethod
    def _empty_dirent() -> bytes:
        return bytes(64) + struct.pack("<HBBIII16sIQQIQ", 0, 0, 0, NOSTREAM,
                                       NOSTREAM, NOSTREAM, bytes(16), 0, 0, 0, 0, 0)

    @staticmethod
    def _dirent(e: _Entry) -> bytes:
        name = e.name.encode("utf-16-le") + b"\0\0"
        if len(name) > 64:
            raise ValueError(e.name)
        typ = 5 if e.sid == 0 else (1 if e.is_storage else 2)
        size = len(e.data) if (not e.is_storage or e.sid == 0) else 0
        return name.ljust(64, b"\0") + struct.pack(
            "<HBBIII16sIQQIQ", len(name), typ, 1 if e.black else 0,
            e.left, e.right, e.child, e.clsid, 0, 0, 0,
            e.start, size)


# -------------------------------------------------------------- MS-OXMSG ----
PT_LONG, PT_BOOLEAN, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x000B, 0x0040, 0x001F, 0x0102
FLAGS = 0x00000006  # PROPATTR_READABLE | PROPATTR_WRITABLE


def _filetime(dt: datetime) -> int:
    if dt.tzinfo is None:
        raise ValueError("need an aware datetime")
    delta = dt - datetime(1601, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


class _PropBag:
    """Properties of one object (message, recipient or attachment)."""

    def __init__(self):
        self.props: list[tuple[int, int, object]] = []  # (id, type, value)

    def add(self, pid: int, ptype: int, value) -> _PropBag:
        if value is not None:
            self.props.append((pid, ptype, value))
        return self

    def write(self, cfb: CFBWriter, prefix: str, header: bytes) -> None:
        entries = []
        for pid, ptype, value in sorted(self.props):
            tag = (pid << 16) | ptype
            if ptype in (PT_UNICODE, PT_BINARY):
                data = value.encode("utf-16-le") if ptype == PT_UNICODE else bytes(value)
                cfb.add_stream(f"{prefix}__substg1.0_{tag:08X}", data)
                size = len(data) + (2 if ptype == PT_UNICODE else 0)
                entries.append(struct.pack("<IIII", tag, FLAGS, size, 0))
            elif ptype == PT_LONG:
                entries.append(struct.pack("<IIiI", tag, FLAGS, value, 0))
            elif ptype == PT_BOOLEAN:
                entries.append(struct.pack("<IIHHI", tag, FLAGS, 1 if value else 0, 0, 0))
            elif ptype == PT_SYSTIME:
                entries.append(struct.pack("<IIQ", tag, FLAGS, _filetime(value)))
            else:
                raise ValueError(hex(ptype))
        cfb.add_stream(f"{prefix}__properties_version1.0", header + b"".join(entries))


@dataclass
class Attachment:
    filename: str
    data: bytes
    mime_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class EmbeddedMessage:
    """An attached .msg (ATTACH_EMBEDDED_MSG, storage __substg1.0_3701000D),
    may itself contain attachments -> nesting tests."""
    subject: str
    attachments: list = field(default_factory=list)
    display_name: str = "Forwarded message"


def _write_embedded(cfb: CFBWriter, prefix: str, em: EmbeddedMessage) -> None:
    cfb.add_storage(prefix.rstrip("/"), MSG_CLSID)
    m = _PropBag()
    m.add(0x001A, PT_UNICODE, "IPM.Note").add(0x0037, PT_UNICODE, em.subject)
    m.add(0x0E07, PT_LONG, 0x1 | (0x10 if em.attachments else 0))
    n = len(em.attachments)
    # embedded messages: 24-byte header (no trailing 8 reserved bytes)
    m.write(cfb, prefix, struct.pack("<8xIIII", 0, n, 0, n))
    _write_attachments(cfb, prefix, em.attachments, None)


def _write_attachments(cfb: CFBWriter, prefix: str, attachments, date) -> None:
    for i, att in enumerate(attachments):
        d = f"{prefix}__attach_version1.0_#{i:08X}"
        cfb.add_storage(d)
        a = _PropBag()
        if isinstance(att, EmbeddedMessage):
            (a.add(0x3705, PT_LONG, 5)                  # ATTACH_EMBEDDED_MSG
              .add(0x3001, PT_UNICODE, att.display_name)
              .add(0x0E21, PT_LONG, i).add(0x370B, PT_LONG, -1)
              .add(0x0FFE, PT_LONG, 7))
            a.write(cfb, d + "/", bytes(8))
            _write_embedded(cfb, d + "/__substg1.0_3701000D/", att)
            continue
        ext = "." + att.filename.rpartition(".")[2] if "." in att.filename else ""
        (a.add(0x3701, PT_BINARY, att.data)
          .add(0x3707, PT_UNICODE, att.filename)        # long filename
          .add(0x3704, PT_UNICODE, _short_name(att.filename))
          .add(0x3001, PT_UNICODE, att.filename)        # display name
          .add(0x3703, PT_UNICODE, ext)
          .add(0x370E, PT_UNICODE, att.mime_type)
          .add(0x3705, PT_LONG, 1)                      # ATTACH_BY_VALUE
          .add(0x0E20, PT_LONG, len(att.data) + 200)    # approx. size
          .add(0x0E21, PT_LONG, i)                      # attach num
          .add(0x370B, PT_LONG, -1)                     # rendering position
          .add(0x3714, PT_LONG, 0)                      # attach flags
          .add(0x7FFE, PT_BOOLEAN, False)               # hidden
          .add(0x0FFE, PT_LONG, 7)                      # MAPI_ATTACH
          .add(0x3007, PT_SYSTIME, date).add(0x3008, PT_SYSTIME, date))
        a.write(cfb, d + "/", bytes(8))


def _short_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = "".join(c for c in stem.upper() if c.isalnum())[:6] + "~1"
    return stem + ("." + ext.upper()[:3] if ext else "")


def build_msg(*, subject: str, sender_name: str, sender_email: str,
              to_name: str, to_email: str, date: datetime, message_id: str,
              body: str = "", attachments: list = (),
              transport_headers: bool = True) -> bytes:
    cfb = CFBWriter()
    # named property mapping storage (empty, but present as in Outlook files)
    cfb.add_storage("__nameid_version1.0")
    for s in ("00020102", "00030102", "00040102"):
        cfb.add_stream(f"__nameid_version1.0/__substg1.0_{s}", b"")

    sender = email.utils.formataddr((sender_name, sender_email))
    to = email.utils.formataddr((to_name, to_email))
    msg = _PropBag()
    (msg.add(0x001A, PT_UNICODE, "IPM.Note")
        .add(0x0037, PT_UNICODE, subject)
        .add(0x0E1D, PT_UNICODE, subject)              # normalized subject
        .add(0x003D, PT_UNICODE, "")                   # subject prefix
        .add(0x0070, PT_UNICODE, subject)              # conversation topic
        .add(0x0C1A, PT_UNICODE, sender_name)          # sender name
        .add(0x0C1E, PT_UNICODE, "SMTP")
        .add(0x0C1F, PT_UNICODE, sender_email)
        .add(0x5D01, PT_UNICODE, sender_email)         # sender SMTP address
        .add(0x0042, PT_UNICODE, sender_name)          # sent representing
        .add(0x0064, PT_UNICODE, "SMTP")
        .add(0x0065, PT_UNICODE, sender_email)
        .add(0x5D02, PT_UNICODE, sender_email)
        .add(0x0E04, PT_UNICODE, to_name)              # display to
        .add(0x0E03, PT_UNICODE, "")                   # display cc
        .add(0x0E02, PT_UNICODE, "")                   # display bcc
        .add(0x1035, PT_UNICODE, message_id)           # internet message id
        .add(0x1000, PT_UNICODE, body)                 # plain body
        .add(0x0039, PT_SYSTIME, date)                 # client submit time
        .add(0x0E06, PT_SYSTIME, date)                 # delivery time
        .add(0x3007, PT_SYSTIME, date)                 # creation time
        .add(0x3008, PT_SYSTIME, date)                 # last modification
        .add(0x0E07, PT_LONG, 0x1 | (0x10 if attachments else 0))  # READ|HASATTACH
        .add(0x0E1B, PT_BOOLEAN, bool(attachments))
        .add(0x0017, PT_LONG, 1)                       # importance normal
        .add(0x0036, PT_LONG, 0)                       # sensitivity
        .add(0x340D, PT_LONG, 0x00040000 | 0x3C0A19)   # store support: UNICODE_OK etc.
        .add(0x3FDE, PT_LONG, 65001)                   # internet cpid
        .add(0x3FFD, PT_LONG, 65001))                  # message codepage
    if transport_headers:
        hdr = (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
               f"Date: {email.utils.format_datetime(date)}\r\n"
               f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
               f"Content-Type: multipart/mixed;\r\n\tboundary=\"kpixl-msg-boundary\"\r\n\r\n")
        msg.add(0x007D, PT_UNICODE, hdr)
    n_att = len(attachments)
    msg.write(cfb, "", struct.pack("<8xIIII8x", 1, n_att, 1, n_att))

    rec = _PropBag()
    (rec.add(0x3001, PT_UNICODE, to_name).add(0x3002, PT_UNICODE, "SMTP")
        .add(0x3003, PT_UNICODE, to_email).add(0x39FE, PT_UNICODE, to_email)
        .add(0x0C15, PT_LONG, 1)            # MAPI_TO
        .add(0x3000, PT_LONG, 0)            # row id
        .add(0x0FFE, PT_LONG, 6)            # MAPI_MAILUSER
        .add(0x3900, PT_LONG, 0))           # DT_MAILUSER
    cfb.add_storage("__recip_version1.0_#00000000")
    rec.write(cfb, "__recip_version1.0_#00000000/", bytes(8))

    _write_attachments(cfb, "", attachments, date)
    return cfb.to_bytes()
