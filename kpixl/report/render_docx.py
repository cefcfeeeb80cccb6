"""Write a ReportModel as a .docx that starts from the reference document: the only python-docx import.

python-docx is used for what it does well, the package: opening the reference document, its styles, parts,
relationships and core properties, and saving. The body is WordprocessingML from pages.py, parsed by lxml in
one go. Parts are numbered here rather than with python-docx's add_picture/next_partname, which search the
whole package on every call and make a long report quadratic (see docs/report.md).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import datetime, time
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from ..errors import OutputError
from .charts import CHART_CONTENT_TYPE, XLSX_CONTENT_TYPE, chart_xml, workbook_xlsx
from .errors import ReportError
from .model import ReportModel
from .pages import STYLES, report_blocks
from .trend import Trend
from .wordml import NAMESPACES

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


def _replace_body(document: docx.document.Document, blocks: Iterable[str]) -> None:
    """The reference's body is dropped; its last section (page setup, header and footer) is kept."""
    body = document.element.body
    section = body.find(qn("w:sectPr"))
    for child in list(body):
        body.remove(child)
    fresh = parse_xml(f"<w:body {NAMESPACES}>{''.join(blocks)}</w:body>")
    body.extend(list(fresh))
    if section is not None:
        body.append(section)


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


def _properties(document: docx.document.Document, model: ReportModel) -> None:
    # Pinned to the production date, so that the same data always gives the same file.
    stamp = datetime.combine(model.produced_on, time(0, 0))
    props = document.core_properties
    props.title, props.subject, props.language = model.title, model.subject, model.language
    props.author = props.last_modified_by = f"{model.team}, {model.council}"
    props.keywords, props.comments, props.category = "performance report", "", "Performance Report"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1


def _save(document: docx.document.Document, out: Path, stamp: tuple[int, ...]) -> None:
    """Save with fixed zip timestamps (python-docx stamps each entry with the current time)."""
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    result = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)  # type: ignore[arg-type]
            target.writestr(fixed, source.read(info), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(result.getvalue())
    except OSError as exc:
        raise OutputError(f"Cannot write the report to {out}: {exc.strerror}. Close it if it is open in "
                          "Word, or choose another file with --out.") from None


def render(model: ReportModel, reference: Path, out: Path) -> Path:
    """Write the report to out, in the house style of the reference document."""
    try:
        document = docx.Document(str(reference))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ReportError(f"The reference document {reference} cannot be opened as a Word document "
                          f"({exc}). Save it again from Word as .docx, or remove [report] reference_docx "
                          "from kpixl.toml.") from None
    package = _Package(document, reference)
    _replace_body(document, report_blocks(model, package))
    _fill_placeholders(document, model)
    _properties(document, model)
    day = model.produced_on
    _save(document, out, (max(day.year, 1980), day.month, day.day, 0, 0, 0))
    return out
