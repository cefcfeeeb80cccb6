"""Write a ReportModel as a .docx that starts from the reference document: the only python-docx import.

python-docx is used for what it does well, the package: opening the reference document, its styles, parts,
relationships and core properties. The body is WordprocessingML text from pages.py, spliced into the
reference's document.xml as it is saved. Parts are numbered here rather than with python-docx's
add_picture/next_partname, which search the whole package on every call and make a long report quadratic
(see docs/report.md).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from kpixl.errors import OutputError, ReportError
from kpixl.files import write_atomic
from kpixl.report.charts import CHART_CONTENT_TYPE, XLSX_CONTENT_TYPE, chart_xml, workbook_xlsx
from kpixl.report.model import DRAFT_LINE, ReportModel
from kpixl.report.pages import STYLES, report_blocks
from kpixl.report.trend import Trend
from kpixl.report.wordml import R_NS, W_NS

__all__ = ["render", "styles_missing"]

_STYLE_TYPES = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
                "table": WD_STYLE_TYPE.TABLE}


def styles_missing(reference: Path) -> list[str]:
    """The report's styles that the reference document lacks (python-docx would silently drop them)."""
    found = {(s.name, s.type) for s in docx.Document(str(reference)).styles}
    return [name for name, kind in STYLES.items() if (name, _STYLE_TYPES[kind]) not in found]


class _Package:
    """The parts side of the report: style ids, link relationships, chart parts, unique ids."""

    def __init__(self, document: docx.document.Document, reference: Path) -> None:
        self.document, self.part = document, document.part
        self._style_ids = self._read_styles(reference)
        self._links: dict[str, str] = {}
        self._rid = max((int(r[3:]) for r in self.part.rels if r[3:].isdigit()), default=0)
        taken = {str(p.partname) for p in self.part.package.iter_parts()}
        self._chart_numbers = (n for n in range(1, 100_000) if f"/word/charts/chart{n}.xml" not in taken)
        self._id = 1000  # bookmarks and drawings; the reference's header and footer use fewer

    def _read_styles(self, reference: Path) -> dict[str, str]:
        ids = {s.name: s.style_id for s in self.document.styles}
        missing = [name for name in STYLES if name not in ids]
        if missing:
            names = ", ".join(map(repr, missing))
            raise ReportError(f"The reference document {reference} has no style {names}. Add it in Word "
                              "(same name), or remove [report] reference_docx from kpixl.toml.")
        return {name: ids[name] for name in STYLES}

    def style(self, name: str) -> str:
        return self._style_ids[name]

    def next_id(self) -> int:
        self._id += 1
        return self._id

    def _relate(self, target: Part | str, reltype: str, external: bool = False) -> str:
        # Our own rId counter: python-docx's relate_to scans every relationship on each call.
        self._rid += 1
        rid = f"rId{self._rid}"
        self.part.rels.add_relationship(reltype, target, rid, external)
        return rid

    def external_link(self, url: str) -> str:
        if url not in self._links:
            self._links[url] = self._relate(url, RT.HYPERLINK, external=True)
        return self._links[url]

    def chart(self, trend: Trend) -> str:
        n, package = next(self._chart_numbers), self.part.package
        workbook = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{n}.xlsx"), XLSX_CONTENT_TYPE,
                        workbook_xlsx(trend), package)
        chart = Part(PackURI(f"/word/charts/chart{n}.xml"), CHART_CONTENT_TYPE, chart_xml(trend, "rId1"),
                     package)
        chart.rels.add_relationship(RT.PACKAGE, workbook, "rId1")
        return self._relate(chart, RT.CHART)


_BODY_MARK = "kpixl-body"


def _document_xml(document: docx.document.Document, blocks: Iterable[str]) -> bytes:
    """document.xml: the reference's root and last section (page setup, header and footer) around our body.

    Spliced as text rather than parsed into the tree: lxml re-walks every node moved between trees, which
    made a 400-indicator report spend most of its second there.
    """
    root = document.element
    body = root.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    body.insert(0, etree.Comment(_BODY_MARK))
    skeleton = serialize_part_xml(root).decode("utf-8")
    head, tail = skeleton.split(f"<!--{_BODY_MARK}-->")
    return (_declare(head, root) + "".join(blocks) + tail).encode()


def _declare(head: str, root: etree._Element) -> str:
    """Bind the w: and r: prefixes our blocks use, if the reference's root does not already."""
    missing = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in (("w", W_NS), ("r", R_NS))
                       if root.nsmap.get(prefix) != uri)
    if not missing:
        return head
    if any(root.nsmap.get(prefix) not in (None, uri) for prefix, uri in (("w", W_NS), ("r", R_NS))):
        raise ReportError("The reference document binds the w: or r: prefix to another namespace: save it "
                          "again from Word as .docx.")
    tag = f"<{root.prefix}:document" if root.prefix else "<document"
    return head.replace(tag, f"{tag} {missing}", 1)


def _fill_placeholders(document: docx.document.Document, model: ReportModel) -> None:
    """{title}, {council}, {committee} and {period} in the reference's headers and footers (each within one
    run: Word may split a placeholder typed in pieces, which then stays as typed)."""
    values = {"{title}": model.title, "{council}": model.council, "{committee}": model.committee,
              "{period}": model.period}
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER):
            for node in rel.target_part.element.iter(qn("w:t")):
                for key, value in values.items():
                    if node.text and key in node.text:
                        node.text = node.text.replace(key, value)


def _mark_draft(document: docx.document.Document) -> None:
    """A draft says so at the top of every page: a first paragraph in each header, whatever the council's
    reference document puts there (a header of its own may hold no placeholder to fill)."""
    for rel in document.part.rels.values():
        if rel.reltype != RT.HEADER:
            continue
        header = rel.target_part.element
        first = header.find(qn("w:p"))
        style = first.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") if first is not None else None
        mark = etree.fromstring(
            f'<w:p xmlns:w="{W_NS}"><w:pPr>'
            + (f'<w:pStyle w:val="{style.get(qn("w:val"))}"/>' if style is not None else "")
            + f'</w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>{DRAFT_LINE}</w:t></w:r></w:p>')
        header.insert(0, mark)


def _properties(document: docx.document.Document, model: ReportModel) -> None:
    # Pinned to the production date, so that the same data always gives the same file.
    stamp = datetime.combine(model.produced_on, time(0, 0))
    props = document.core_properties
    props.title, props.subject, props.language = model.title, model.subject, model.language
    props.author = props.last_modified_by = f"{model.team}, {model.council}"
    props.keywords, props.comments, props.category = "performance report", "", "Performance Report"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1


def _child(parent: etree._Element, tag: str, first: bool = False) -> etree._Element:
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.insert(0 if first else len(parent), found)
    return found


def _language(document: docx.document.Document, language: str) -> None:
    """The text's language in the styles' defaults, whatever the council's reference says: screen readers
    and spell checkers read it there."""
    defaults = _child(document.styles.element, "w:docDefaults", first=True)
    run_props = _child(_child(defaults, "w:rPrDefault", first=True), "w:rPr")
    _child(run_props, "w:lang").set(qn("w:val"), language)


def _package_bytes(document: docx.document.Document, main: bytes, day: date) -> bytes:
    """The .docx as bytes: python-docx saves the package (content types, relationships, every part), then
    _repacked puts in what python-docx has no public way to take."""
    saved = io.BytesIO()
    document.save(saved)
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)  # zip dates start in 1980
    return _repacked(saved.getvalue(), document.part.partname.membername, main, stamp)


def _repacked(saved: bytes, main_member: str, main: bytes, stamp: tuple[int, int, int, int, int, int]) -> bytes:
    """The one adapter over python-docx, for two things it has no public API for:

    - the main part as bytes: the body is spliced as text (_document_xml), so the skeleton that python-docx
      saved as document.xml is replaced by it;
    - the members' dates: python-docx stamps the current time, so the same report would differ byte for
      byte; every member is dated the report's production day instead.

    Every member is copied in python-docx's order and deflated at level 1: a large report's XML compresses
    three times faster than at the default level, for a few per cent more bytes.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = main if info.filename == main_member else source.read(info)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=stamp), data,
                            compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return out.getvalue()


def render(model: ReportModel, reference: Path, out: Path) -> Path:
    """Write the report to out, in the house style of the reference document."""
    try:
        document = docx.Document(str(reference))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ReportError(f"The reference document {reference} cannot be opened as a Word document "
                          f"({exc}). Save it again from Word as .docx, or remove [report] reference_docx "
                          "from kpixl.toml.") from None
    package = _Package(document, reference)
    main = _document_xml(document, report_blocks(model, package))
    _fill_placeholders(document, model)
    if model.draft:
        _mark_draft(document)
    _properties(document, model)
    _language(document, model.language)
    data = _package_bytes(document, main, model.produced_on)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot write the report to {out}: {exc.strerror}. Choose another file with "
                          "--out.") from None
    write_atomic(out, data)
    return out
