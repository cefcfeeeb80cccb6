"""What LibreOffice's PDF export loses of the report, put back with pikepdf: each chart's alt text, and the
XMP metadata's author and title escaped once.

Why after the export: LibreOffice (7.4 at least) drops a chart's alt text (wp:docPr/@descr) when it imports a
.docx; a picture's survives, and an .odt chart frame with a description exports it as /Alt, so the loss is in
the import and no .docx markup tried (descr and title, a floating frame, graphicFrameLocks) survives it.
Without /Alt every chart is a Figure a screen reader cannot announce, in a file that declares PDF/UA
(PDF/UA-1 rule 7.3, pdfua's UA-13-004). The charts stay native Word charts: only the PDF is mended.

Matching, never guessing: the body's drawings (document.xml, document order) are paired with the PDF's
Figure structure elements in the structure tree's order (LibreOffice writes it in reading order), each pair
checked by size: a Figure's /A /BBox is its drawing's wp:extent (EMU / 12700 = points). A Figure that is no
body drawing (a logo in a council's header) is passed over; a Figure that already has /Alt or /ActualText
is never changed. If any chart finds no Figure of its size, nothing is changed and ReportError says so.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from lxml import etree

from kpixl.errors import ReportError

__all__ = ["Drawing", "add_chart_alt_text", "docx_drawings", "figures", "mend_pdf", "mend_xmp"]

_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
       "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
       "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
EMU_PER_POINT = 12700
SIZE_TOLERANCE = 1.5  # points: LibreOffice places frames to the 0.05 pt; a different drawing differs by far more


@dataclass(frozen=True)
class Drawing:
    chart: bool
    descr: str  # the alt text
    width: float  # points
    height: float


def docx_drawings(docx: Path) -> list[Drawing]:
    """The body's drawings (inline or floating), in document order; headers and footers are not the body."""
    with zipfile.ZipFile(docx) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    found = []
    for holder in root.iterfind(".//w:body//w:drawing/*", _NS):  # wp:inline or wp:anchor
        extent, props = holder.find("wp:extent", _NS), holder.find("wp:docPr", _NS)
        data = holder.find("a:graphic/a:graphicData", _NS)
        if extent is None or props is None or data is None:
            continue
        found.append(Drawing(data.get("uri") == _CHART, (props.get("descr") or "").strip(),
                             int(extent.get("cx", "0")) / EMU_PER_POINT, int(extent.get("cy", "0")) / EMU_PER_POINT))
    return found


def _kids(node: Any) -> list[Any]:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def figures(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The Figure structure elements (role-mapped ones too), depth first: the reading order."""
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is None:
        return []
    roles = tree.get("/RoleMap", pikepdf.Dictionary())
    found: list[pikepdf.Dictionary] = []
    seen: set[tuple[int, int]] = set()
    stack = list(reversed(_kids(tree)))
    while stack:
        node = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue  # marked content: an MCID, a /MCR or /OBJR reference
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        role = str(node.S)
        if role == "/Figure" or roles.get(role) == "/Figure":
            found.append(node)
        stack.extend(reversed(_kids(node)))
    return found


def _boxes(figure: pikepdf.Dictionary) -> Iterator[tuple[float, float]]:
    attributes = figure.get("/A")
    listed = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
    for item in listed:
        if isinstance(item, pikepdf.Dictionary) and "/BBox" in item:
            x0, y0, x1, y1 = (float(v) for v in item.BBox)
            yield abs(x1 - x0), abs(y1 - y0)


def _fits(figure: pikepdf.Dictionary, drawing: Drawing) -> bool:
    return any(abs(w - drawing.width) <= SIZE_TOLERANCE and abs(h - drawing.height) <= SIZE_TOLERANCE
               for w, h in _boxes(figure))


def _has_alt(figure: pikepdf.Dictionary) -> bool:
    return any(str(figure.get(key, "")).strip() for key in ("/Alt", "/ActualText"))


def add_chart_alt_text(pdf: pikepdf.Pdf, drawings: list[Drawing]) -> int:
    """Set each chart's alt text on its Figure and return how many were set; ReportError, with nothing
    changed, when a chart has no Figure of its size left."""
    found = figures(pdf)
    plan: list[tuple[pikepdf.Dictionary, str]] = []
    next_figure = 0
    for drawing in drawings:
        # Figures passed over are not this drawing (a logo in a council's header, say).
        match = next((n for n in range(next_figure, len(found)) if _fits(found[n], drawing)), None)
        if match is None:
            if drawing.chart:
                raise ReportError(
                    f"LibreOffice's PDF has no figure of {drawing.width:.0f} x {drawing.height:.0f} pt for the "
                    f"chart '{drawing.descr[:80]}', so the charts' alt text cannot be put back and the PDF "
                    "would fail accessibility checks; it was not written. Save the .docx as PDF from Word, "
                    "which keeps alt text, and tell kpixl's maintainers your LibreOffice version.")
            continue  # a picture LibreOffice did not tag as a Figure (decorative): nothing to put back
        if drawing.chart and drawing.descr and not _has_alt(found[match]):
            plan.append((found[match], drawing.descr))
        next_figure = match + 1
    for figure, text in plan:
        figure.Alt = pikepdf.String(text)
    return len(plan)


# (document information key, XMP property): the fields LibreOffice writes in both places.
_XMP_FIELDS = (("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Subject", "dc:description"),
               ("/Keywords", "pdf:Keywords"))


def mend_xmp(pdf: pikepdf.Pdf) -> None:
    """LibreOffice 7.4 escapes title, author, subject and keywords for XML before its XML writer escapes
    them again ("Governance &amp;amp; Performance"); the document information is right: the XMP is
    rewritten from it."""
    info = pdf.docinfo
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        for key, name in _XMP_FIELDS:
            if key in info:
                value = str(info[key])
                meta[name] = [value] if name == "dc:creator" else value


def mend_pdf(docx: Path, exported: bytes) -> bytes:
    """The PDF LibreOffice exported from docx, with the charts' alt text and the XMP mended."""
    drawings = docx_drawings(docx)
    with pikepdf.open(io.BytesIO(exported)) as pdf:
        add_chart_alt_text(pdf, drawings)
        mend_xmp(pdf)
        out = io.BytesIO()
        # Object streams: the same PDF in about 40% of the bytes. A deterministic /ID: the same report, the
        # same file identifier.
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=True)
    return out.getvalue()
