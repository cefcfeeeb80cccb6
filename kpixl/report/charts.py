"""Trend charts as native Word charts: DrawingML chart parts (c:chartSpace with a c:lineChart).

Why native charts and not pictures: matplotlib costs 45-65 ms a chart (a 400-indicator quarter would spend
20 s drawing), while a chart part is a few kilobytes of XML written in well under a millisecond. Word and
LibreOffice draw it from the cached values, officers can restyle it in Word, and "Edit Data" opens the small
embedded workbook written here. The chart's alt text lives on the drawing's wp:docPr (see inline_xml).

Pure string building: no python-docx here (render_docx.py owns the package), so the XML can be tested alone.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from kpixl.domain import Unit
from kpixl.report.axis import ValueAxis
from kpixl.report.trend import Trend
from kpixl.report.wordml import xml_attribute, xml_text

__all__ = ["CHART_CONTENT_TYPE", "GROUP_COLOUR", "XLSX_CONTENT_TYPE", "chart_xml", "inline_xml", "label_below", "number_format",
           "workbook_xlsx"]

CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ACTUAL_COLOUR, TARGET_COLOUR = "1F3864", "C55A11"  # dark blue; dark orange, told apart by shape too
GROUP_COLOUR = "7030A0"  # purple (7.9:1 on white), the group's mean: diamonds, no line
WIDTH_EMU, HEIGHT_EMU = 5_760_000, 2_160_000  # 16 cm x 6 cm


def number_format(unit: Unit, decimals: int | None) -> str:
    """The Excel format of the chart's values, matching format_value's text."""
    places = decimals or 0
    fraction = "." + "0" * places if places else ""
    if unit is Unit.PERCENTAGE:
        return f"0{fraction}%"
    if unit is Unit.MONEY:
        return f'"£"#,##0{fraction}'
    return f"#,##0{fraction}"


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _str_cache(ref: str, labels: list[str]) -> str:
    points = "".join(f'<c:pt idx="{n}"><c:v>{xml_text(v)}</c:v></c:pt>' for n, v in enumerate(labels))
    return (f'<c:strRef><c:f>{ref}</c:f><c:strCache><c:ptCount val="{len(labels)}"/>{points}</c:strCache>'
            "</c:strRef>")


def _num_cache(ref: str, values: list[Decimal | None], fmt: str) -> str:
    # A gap (no figure) is a missing c:pt, which c:dispBlanksAs="gap" leaves blank.
    points = "".join(f'<c:pt idx="{n}"><c:v>{_num(v)}</c:v></c:pt>'
                     for n, v in enumerate(values) if v is not None)
    return (f"<c:numRef><c:f>{ref}</c:f><c:numCache><c:formatCode>{xml_text(fmt)}</c:formatCode>"
            f'<c:ptCount val="{len(values)}"/>{points}</c:numCache></c:numRef>')


def _line(colour: str, dashed: bool) -> str:
    dash = '<a:prstDash val="dash"/>' if dashed else ""
    return (f'<c:spPr><a:ln w="28575" cap="rnd"><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>{dash}'
            "<a:round/></a:ln></c:spPr>")


def _marker(symbol: str, size: int, colour: str) -> str:
    return (f'<c:marker><c:symbol val="{symbol}"/><c:size val="{size}"/><c:spPr><a:solidFill>'
            f'<a:srgbClr val="{colour}"/></a:solidFill><a:ln><a:solidFill><a:srgbClr val="{colour}"/>'
            "</a:solidFill></a:ln></c:spPr></c:marker>")


def label_below(value: Decimal | None, target: Decimal | None) -> bool:
    """Whether a figure's value label goes below its point: on the side away from the target's marker, so
    the two never overlap (above when there is no target, or the target is below the figure)."""
    return value is not None and target is not None and target >= value


def _labels(trend: Trend) -> str:
    # Per point only where the label goes below; the series' own position (above) covers the rest.
    below = "".join(f'<c:dLbl><c:idx val="{n}"/><c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
                    '<c:dLblPos val="b"/><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
                    '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbl>'
                    for n, p in enumerate(trend.points) if label_below(p.value, p.target))
    return (f'<c:dLbls>{below}<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr><c:dLblPos val="t"/>'
            '<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/>'
            '<c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>')


def _series(index: int, name: str, column: str, trend: Trend, values: list[Decimal | None],
            style: str) -> str:
    rows = len(trend.points) + 1
    fmt = number_format(trend.unit, trend.decimals)
    return (f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
            f"<c:tx>{_str_cache(f'Sheet1!${column}$1', [name])}</c:tx>{style}"
            f"<c:cat>{_str_cache(f'Sheet1!$A$2:$A${rows}', [p.label for p in trend.points])}</c:cat>"
            f"<c:val>{_num_cache(f'Sheet1!${column}$2:${column}${rows}', values, fmt)}</c:val>"
            '<c:smooth val="0"/></c:ser>')


def _text_size(hundredths: int) -> str:
    return (f'<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{hundredths}"/></a:pPr>'
            '<a:endParaRPr lang="en-GB"/></a:p></c:txPr>')


def _axes(fmt: str, axis: ValueAxis) -> str:
    text = _text_size(800)
    return (
        '<c:catAx><c:axId val="5001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="out"/>'
        f'<c:minorTickMark val="none"/><c:tickLblPos val="low"/>{text}<c:crossAx val="5002"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="5002"/><c:scaling><c:orientation val="minMax"/><c:max val="{_num(axis.maximum)}"/>'
        f'<c:min val="{_num(axis.minimum)}"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="l"/><c:majorGridlines><c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="D9D9D9"/>'
        "</a:solidFill></a:ln></c:spPr></c:majorGridlines>"
        f'<c:numFmt formatCode={xml_attribute(fmt)} sourceLinked="0"/>'
        f'<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{text}'
        f'<c:crossAx val="5001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/>'
        f'<c:majorUnit val="{_num(axis.step)}"/></c:valAx>'
    )


_NO_LINE = "<c:spPr><a:ln><a:noFill/></a:ln></c:spPr>"


def chart_xml(trend: Trend, workbook_rid: str | None = None) -> bytes:
    """The chart part: the figure as a solid line with values, the target (or baseline) dashed, and the
    comparison group's mean, where it is charted, as diamonds without a line."""
    series = [_series(0, trend.value_name, "B", trend, [p.value for p in trend.points],
                      _line(ACTUAL_COLOUR, False) + _marker("circle", 7, ACTUAL_COLOUR) + _labels(trend))]
    if trend.has_target:
        series.append(_series(1, trend.target_name, "C", trend, [p.target for p in trend.points],
                              _line(TARGET_COLOUR, True) + _marker("dash", 12, TARGET_COLOUR)))
    if trend.has_group:
        series.append(_series(len(series), trend.group_name, "D", trend, [p.group for p in trend.points],
                              _NO_LINE + _marker("diamond", 9, GROUP_COLOUR)))
    external = (f'<c:externalData r:id="{workbook_rid}"><c:autoUpdate val="0"/></c:externalData>'
                if workbook_rid else "")
    return (HEAD + f'<c:chartSpace xmlns:c="{C}" xmlns:a="{A}" xmlns:r="{R}">'
            '<c:date1904 val="0"/><c:lang val="en-GB"/><c:roundedCorners val="0"/>'
            '<c:chart><c:autoTitleDeleted val="1"/><c:plotArea><c:layout/>'
            '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>' + "".join(series)
            + '<c:marker val="1"/><c:axId val="5001"/><c:axId val="5002"/></c:lineChart>'
            + _axes(number_format(trend.unit, trend.decimals), trend.axis)
            + '</c:plotArea><c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
            '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
            '<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>'
            f"{_text_size(900)}{external}</c:chartSpace>").encode("utf-8")


def inline_xml(chart_rid: str, shape_id: int, name: str, alt_text: str) -> str:
    """The w:drawing that places the chart in the text; descr is the alt text screen readers announce."""
    return (
        f'<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:wp="{WP}" '
        f'xmlns:a="{A}" xmlns:c="{C}" xmlns:r="{R}"><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{WIDTH_EMU}" cy="{HEIGHT_EMU}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name={xml_attribute(name)} descr={xml_attribute(alt_text)}/>'
        f'<wp:cNvGraphicFramePr/><a:graphic><a:graphicData uri="{C}"><c:chart r:id="{chart_rid}"/>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing>"
    )


def _cell(ref: str, value: str | Decimal | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f'<c r="{ref}"><v>{_num(value)}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{xml_text(value)}</t></is></c>'


def _sheet(trend: Trend) -> str:
    rows: list[tuple[str | Decimal | None, ...]] = [
        ("Period", trend.value_name, trend.target_name if trend.has_target else None,
         trend.group_name if trend.has_group else None)]
    rows += [(p.label, p.value, p.target if trend.has_target else None, p.group) for p in trend.points]
    body = "".join(f'<row r="{n}">' + "".join(_cell(f"{col}{n}", v) for col, v in zip("ABCD", row)) + "</row>"
                   for n, row in enumerate(rows, start=1))
    return (HEAD + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{body}</sheetData></worksheet>")


_SHEET_ML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_XLSX_FIXED = {
    "[Content_Types].xml": HEAD + f'<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_ML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SHEET_ML}.worksheet+xml"/></Types>',
    "_rels/.rels": HEAD + f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": HEAD + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{R}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": HEAD + f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def workbook_xlsx(trend: Trend) -> bytes:
    """The chart's data as a minimal workbook, embedded so that Word's "Edit Data" works: five small parts
    written by hand rather than with xlsxwriter, stored (the .docx around it deflates it anyway), every
    member dated 1980-01-01 (zip's first day) so the same trend always gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, text in (*_XLSX_FIXED.items(), ("xl/worksheets/sheet1.xml", _sheet(trend))):
            package.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()
