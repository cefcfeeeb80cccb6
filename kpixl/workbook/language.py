"""The document language of a workbook xlsxwriter wrote: dc:language in its core properties, which screen
readers and spell checkers read. xlsxwriter's set_properties has no language, so the written package's
docProps/core.xml gets the element added; every other member is copied as it was (name, date, bytes)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

__all__ = ["LANGUAGE", "with_language"]

LANGUAGE = "en-GB"
_CORE = "docProps/core.xml"
_END = b"</cp:coreProperties>"


def with_language(xlsx: bytes, language: str = LANGUAGE) -> bytes:
    """The workbook with dc:language set (core properties are an xsd:all: the element may go last)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == _CORE and _END in data:
                data = data.replace(_END, f"<dc:language>{escape(language)}</dc:language>".encode() + _END)
            target.writestr(info, data, compress_type=info.compress_type)
    return out.getvalue()
