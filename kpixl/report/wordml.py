"""WordprocessingML fragments as strings: paragraphs, runs, links, bookmarks, shaded cells and boxes, tables.

Why strings and not python-docx's proxies: python-docx has no API for internal links, bookmarks, cell
shading or repeated header rows, and its proxies cost tens of microseconds an element; a report is a few
thousand elements that lxml parses from a string in one go. render_docx.py parses and places these.
Element order inside w:pPr, w:rPr, w:tcPr and w:trPr follows the schema: Word rejects other orders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

__all__ = ["R_NS", "W_NS", "Cell", "bookmark", "box", "cell", "link_to_anchor", "link_to_rid", "para", "run", "table",
           "xml_attribute", "xml_text"]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Characters XML 1.0 forbids: they arrive in text pasted from other programs and would make the file
# unreadable, so they are dropped.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Text as an element's content: the characters XML forbids dropped, & < > escaped."""
    return escape(_FORBIDDEN.sub("", value))


def xml_attribute(value: str) -> str:
    """Text as a quoted attribute value: the characters XML forbids dropped, then quoteattr's quoting."""
    return quoteattr(_FORBIDDEN.sub("", value))


def run(text: str, *, bold: bool = False, colour: str = "", style: str = "") -> str:
    props = ((f'<w:rStyle w:val="{style}"/>' if style else "") + ("<w:b/><w:bCs/>" if bold else "")
             + (f'<w:color w:val="{colour}"/>' if colour else ""))
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def para(content: str = "", style: str = "", *, keep_next: bool = False, page_break: bool = False,
         align: str = "") -> str:
    """A paragraph; content is runs (or links, bookmarks) already as XML."""
    props = ((f'<w:pStyle w:val="{style}"/>' if style else "") + ("<w:keepNext/>" if keep_next else "")
             + ("<w:pageBreakBefore/>" if page_break else "") + (f'<w:jc w:val="{align}"/>' if align else ""))
    ppr = f"<w:pPr>{props}</w:pPr>" if props else ""
    return f"<w:p>{ppr}{content}</w:p>"


def box(text: str, style: str, *, fill: str, colour: str, width: int, page_width: int) -> str:
    """A shaded paragraph with a border, width twips wide: a box that is text, not a one-cell table (a table
    without a header row fails Word's accessibility checker and PDF/UA's table rule).

    Word and LibreOffice draw a paragraph's border w:space points (and the line) outside its indents, so the
    left indent keeps the box inside the margin and the right one makes it width wide."""
    space = 4  # points between the text and each border
    inset = space * 20 + 10  # twips: the border's space and its half-point line
    edge = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="{space}" w:color="808080"/>'
                   for side in ("top", "left", "bottom", "right"))
    return (f'<w:p><w:pPr><w:pStyle w:val="{style}"/><w:pBdr>{edge}</w:pBdr>'
            f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/><w:spacing w:before="120" w:after="120"/>'
            f'<w:ind w:left="{inset}" w:right="{page_width - width + inset}"/><w:jc w:val="center"/></w:pPr>'
            f"{run(text, bold=True, colour=colour)}</w:p>")


def link_to_anchor(anchor: str, text: str, style: str) -> str:
    """An internal link: w:anchor must equal a bookmark's w:name exactly."""
    return f'<w:hyperlink w:anchor={xml_attribute(anchor)} w:history="1">{run(text, style=style)}</w:hyperlink>'


def link_to_rid(rid: str, text: str, style: str) -> str:
    """A link to a web or mail address held in an external relationship."""
    return f'<w:hyperlink r:id="{rid}" w:history="1">{run(text, style=style)}</w:hyperlink>'


def bookmark(ident: int, name: str, content: str) -> str:
    return (f'<w:bookmarkStart w:id="{ident}" w:name={xml_attribute(name)}/>{content}'
            f'<w:bookmarkEnd w:id="{ident}"/>')


@dataclass(frozen=True)
class Cell:
    content: str  # paragraphs as XML
    fill: str = ""  # hex colour: a fresh w:shd for this cell alone


def cell(text: str, style: str, *, fill: str = "", colour: str = "", bold: bool = False,
         align: str = "") -> Cell:
    return Cell(para(run(text, bold=bold, colour=colour), style, align=align), fill)


def _tc(c: Cell, width: int) -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{c.fill}"/>' if c.fill else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>{c.content or para()}</w:tc>'


def _tr(cells: Sequence[Cell], widths: Sequence[int], header: bool, split: bool = False) -> str:
    # A header row repeats at the top of each page and tells screen readers what each column holds.
    keep = "" if split else "<w:cantSplit/>"
    trpr = f"<w:trPr>{keep}<w:tblHeader/></w:trPr>" if header else (f"<w:trPr>{keep}</w:trPr>" if keep else "")
    return f"<w:tr>{trpr}" + "".join(_tc(c, w) for c, w in zip(cells, widths)) + "</w:tr>"


def table(header: Sequence[Cell], rows: Iterable[Sequence[Cell]], widths: Sequence[int], style: str,
          caption: str, *, split_rows: bool = False) -> str:
    """A fixed-width table in the reference document's table style, with its header row; caption is its
    accessible name. Every table has a header row (what is not a table of data is a paragraph: box()).
    split_rows: a row may break across pages (one holding paragraphs of text could be taller than a page)."""
    look = ('<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            'w:noHBand="1" w:noVBand="1"/>')
    tblpr = (f'<w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
             f'<w:tblLayout w:type="fixed"/>{look}<w:tblCaption w:val={xml_attribute(caption)}/></w:tblPr>')
    grid = "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
    body = _tr(header, widths, True) + "".join(_tr(r, widths, False, split_rows) for r in rows)
    return f"<w:tbl>{tblpr}{grid}{body}</w:tbl>"
