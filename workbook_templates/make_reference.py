"""Write workbook_templates/reference.docx: the house style of kpixl's committee report.

The report starts from this document the way pandoc starts from a reference docx: its page setup, fonts,
styles, header and footer are kept, its body is replaced. A council may replace it with its own (set
[report] reference_docx in kpixl.toml); the styles listed in kpixl.report.render_docx.STYLES must exist there.

Written part by part (not from python-docx's default template) so that the styles are few, readable and
named as Word names them, and so that the file is byte-for-byte reproducible.

    python workbook_templates/make_reference.py        # rewrites reference.docx beside this script

Header and footer text may hold {title}, {council}, {committee} and {period}: the report fills them in.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
FONT = "Arial"  # widely installed, and the face most councils' own templates use
ACCENT = "1F3864"  # dark blue: headings; contrast 12:1 on white
LINK = "0563C1"
# A4 in twentieths of a point, 2 cm margins.
PAGE_W, PAGE_H, MARGIN = 11906, 16838, 1134

CONTENT_TYPES = HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.header+xml"/>'
    '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.'
    'core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'extended-properties+xml"/>'
    '</Types>'
)

PACKAGE_RELS = HEAD + (
    f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{DOC_REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
    '</Relationships>'
)

DOCUMENT_RELS = HEAD + (
    f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{DOC_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId3" Type="{DOC_REL}/header" Target="header1.xml"/>'
    f'<Relationship Id="rId4" Type="{DOC_REL}/footer" Target="footer1.xml"/>'
    '</Relationships>'
)

# titlePg: the cover page has no header or footer (empty first-page ones are implied).
DOCUMENT = HEAD + (
    f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
    '<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>kpixl reference document</w:t></w:r></w:p>'
    '<w:p><w:r><w:t>kpixl keeps the styles, page setup, header and footer of this document and replaces '
    'its text with the report. Restyle it in Word; keep the style names.</w:t></w:r></w:p>'
    '<w:sectPr>'
    '<w:headerReference w:type="default" r:id="rId3"/><w:footerReference w:type="default" r:id="rId4"/>'
    f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
    f'<w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}" '
    'w:header="567" w:footer="567" w:gutter="0"/>'
    '<w:cols w:space="708"/><w:titlePg/><w:docGrid w:linePitch="360"/>'
    '</w:sectPr></w:body></w:document>'
)


def _run_props(size: int, bold: bool = False, colour: str = "") -> str:
    return ("<w:rPr>" + ("<w:b/><w:bCs/>" if bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "")
            + f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>')


def _para_style(style_id: str, name: str, ppr: str, rpr: str, based_on: str = "Normal",
                next_style: str = "Normal") -> str:
    return (f'<w:style w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{name}"/>'
            f'<w:basedOn w:val="{based_on}"/><w:next w:val="{next_style}"/><w:qFormat/>'
            f"<w:pPr>{ppr}</w:pPr>{rpr}</w:style>")


def _heading(level: int, size: int, before: int) -> str:
    ppr = (f'<w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="120"/>'
           f'<w:outlineLvl w:val="{level - 1}"/>')
    return _para_style(f"Heading{level}", f"heading {level}", ppr, _run_props(size, True, ACCENT))


_BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>'
TABLE_BORDERS = "<w:tblBorders>" + "".join(
    _BORDER.format(side=s) for s in ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>"

STYLES = HEAD + (
    f'<w:styles xmlns:w="{W}">'
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    '<w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>'
    '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
    "</w:pPr></w:pPrDefault></w:docDefaults>"
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
    '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
    '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>'
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
    '<w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
    '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
    '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:semiHidden/>'
    "</w:style>"
    + _para_style("Title", "Title", '<w:spacing w:before="2400" w:after="240"/>', _run_props(56, True, ACCENT))
    + _para_style("Subtitle", "Subtitle", '<w:spacing w:after="240"/>', _run_props(32, False, ACCENT))
    + _heading(1, 32, 0)
    + _heading(2, 24, 240)
    + _para_style("TableText", "Table Text", '<w:spacing w:before="40" w:after="40" w:line="240" '
                  'w:lineRule="auto"/>', _run_props(20))
    + _para_style("Caption", "caption", '<w:spacing w:before="0" w:after="200"/>', _run_props(18, False, "404040"))
    + _para_style("Header", "header", '<w:tabs><w:tab w:val="right" w:pos="9638"/></w:tabs>'
                  '<w:spacing w:after="0"/><w:jc w:val="right"/>', _run_props(18, False, "595959"))
    + _para_style("Footer", "footer", '<w:spacing w:after="0"/><w:jc w:val="center"/>',
                  _run_props(18, False, "595959"))
    + '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
    f'<w:basedOn w:val="DefaultParagraphFont"/><w:rPr><w:color w:val="{LINK}"/><w:u w:val="single"/></w:rPr>'
    "</w:style>"
    # The report's tables: grey rules, a bold shaded header row (tblStylePr firstRow).
    '<w:style w:type="table" w:styleId="PerformanceTable"><w:name w:val="Performance Table"/>'
    '<w:basedOn w:val="TableNormal"/><w:qFormat/><w:pPr><w:spacing w:before="40" w:after="40" w:line="240" '
    f'w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr><w:tblPr>{TABLE_BORDERS}'
    '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
    '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
    '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr><w:tcPr>'
    '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/></w:tcPr></w:tblStylePr></w:style>'
    "</w:styles>"
)

SETTINGS = HEAD + (
    f'<w:settings xmlns:w="{W}"><w:defaultTabStop w:val="720"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/><w:compat>'
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
    '</w:compat><w:themeFontLang w:val="en-GB"/></w:settings>'
)

HEADER = HEAD + (f'<w:hdr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>'
                 "<w:r><w:t>{council} Performance Report, {period}</w:t></w:r></w:p></w:hdr>")


def _field(instruction: str) -> str:
    # A complex field with a cached "1", which Word and LibreOffice both recompute on layout.
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instruction} '
            '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


FOOTER = HEAD + (f'<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>'
                 '<w:r><w:t xml:space="preserve">Page </w:t></w:r>' + _field("PAGE")
                 + '<w:r><w:t xml:space="preserve"> of </w:t></w:r>' + _field("NUMPAGES") + "</w:p></w:ftr>")

CORE = HEAD + (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>kpixl reference document</dc:title><dc:creator>kpixl</dc:creator><dc:language>en-GB</dc:language>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)

APP = HEAD + ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
              "<Application>kpixl</Application></Properties>")

PARTS = {
    "[Content_Types].xml": CONTENT_TYPES,
    "_rels/.rels": PACKAGE_RELS,
    "word/document.xml": DOCUMENT,
    "word/_rels/document.xml.rels": DOCUMENT_RELS,
    "word/styles.xml": STYLES,
    "word/settings.xml": SETTINGS,
    "word/header1.xml": HEADER,
    "word/footer1.xml": FOOTER,
    "docProps/core.xml": CORE,
    "docProps/app.xml": APP,
}


def write(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            # A fixed timestamp: the file changes only when its content does.
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), text.encode("utf-8"),
                             compress_type=zipfile.ZIP_DEFLATED)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("reference.docx")
    print(f"Wrote {write(target)}")
