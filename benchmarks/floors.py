"""The floor of each stage: the plain script a competent developer would write with the same libraries, doing
only the library work kpixl cannot avoid, on the same data.

Each floor comes in two halves. prepare_*() turns the scenario into plain Python data (strings, floats, lists)
and is not timed: deciding what a workbook or a report says is kpixl's own work, which the ratio is there to
show. floor_*() is timed and does only the library work: xlsxwriter writing the same cells, formats,
validations and protection; openpyxl (read-only) reading the same cells, each file kept (kpixl keeps every
file it is sent) and sqlite3 storing the figures; python-docx opening the same reference document, the body
(the same headings, tables, paragraphs, links and bookmarks) parsed from WordprocessingML text, native chart
parts with their embedded data workbooks, and document.save. Every file a floor writes is written as kpixl
writes its files, atomically and synced (write_durably): that guarantee is work kpixl cannot avoid.

Each library is used the way its documentation shows, with no tuning of its own: the floor is a fair
baseline, not the fastest script imaginable (the target, 2x, leaves room for kpixl's own work).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import sqlite3
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import docx
import xlsxwriter
import yaml
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from openpyxl import load_workbook

from kpixl.domain import (
    NO_FIGURE_REASONS,
    Figure,
    Indicator,
    Kind,
    Quarter,
    Register,
    Unit,
)
from kpixl.steps.workspace import Workspace, bundled_path

__all__ = [
    "ReportPlan",
    "WorkbookPlan",
    "floor_reports",
    "floor_returns",
    "floor_workbooks",
    "prepare_reports",
    "prepare_workbooks",
    "read_figures",
    "read_inputs",
    "read_register",
    "write_durably",
]

# -------------------------------------------------------------------------------------------------------------
# Inputs: what every stage reads first
# -------------------------------------------------------------------------------------------------------------

# The latest version of each figure, as one would write it.
LATEST_FIGURES = """
select indicator, period, value, status, reason, commentary, actions from figures f
where version = (select max(version) from figures g where g.indicator = f.indicator and g.period = f.period)
"""


def read_register(path: Path) -> Any:
    """The register as plain data, by PyYAML with libyaml (its C loader, as PyYAML's documentation shows)."""
    with open(path, encoding="utf-8") as file:
        return yaml.load(file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def read_figures(database: Path, indicators: list[str] | None = None) -> list[tuple[Any, ...]]:
    """The latest version of every figure (of the indicators named) from the store's SQLite file, by sqlite3."""
    if not database.is_file():
        return []
    query, parameters = LATEST_FIGURES, list(indicators or ())
    if indicators is not None:
        query += f" and indicator in ({', '.join('?' * len(parameters))})"
    connection = sqlite3.connect(database)
    try:
        return connection.execute(query, parameters).fetchall()
    finally:
        connection.close()


def write_durably(path: Path, data: bytes) -> None:
    """Write a file as kpixl writes every file (so a crash leaves the old file or the new, never half of one):
    a temporary file, synced, renamed into place, the folder synced. A guarantee kpixl keeps is work kpixl
    cannot avoid, so each floor pays it for what it writes."""
    temporary = path.with_name(f".{path.name}.partial")
    with open(temporary, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def read_inputs(register: Path, database: Path,
                indicators: list[str] | None = None) -> tuple[Any, list[tuple[Any, ...]]]:
    """What every stage reads first, and no stage can avoid: the register and the current figures (of the
    indicators named, when a stage reads only those, as one committee's report does). A floor reads them
    once, however many documents it writes."""
    return read_register(register), read_figures(database, indicators)


# -------------------------------------------------------------------------------------------------------------
# Workbooks: xlsxwriter
# -------------------------------------------------------------------------------------------------------------

# The Return sheet's columns (layout.RETURN_COLUMNS): header, width, input, help. A title in row 1, the header
# in row 2 and the rows below are an Excel table, as kpixl writes them.
COLUMNS = [
    ("Indicator", 10, False, ""), ("Title", 40, False, ""), ("Period", 14, False, ""),
    ("Direction for improvement", 14, False, ""), ("Target value", 12, False, ""), ("Compared with", 16, False, ""),
    ("Comparison figure", 13, False, ""), ("Current figure", 13, True, "The figure for this period."),
    ("Reason if no figure", 20, True, "Only if you cannot give a figure: choose why, and explain in Commentary."),
    ("RAG preview", 11, False, "Worked out from your figure and the target, as the report will rate it."),
    ("Commentary", 50, True, "What explains the figure this period (required)."),
    ("Actions", 40, True, "What is being done to improve. Required when the RAG preview is Red."),
    ("Unit", 12, False, ""), ("Target or baseline", 12, False, ""),
    ("Revise earlier period", 14, False, "The period whose reported figure you may correct in the next column."),
    ("Revised figure", 13, True, "Only to correct the figure reported for the earlier period."),
    ("Reason for revision", 24, True, "Why the earlier figure changed."),
    ("Last period's commentary", 40, False, ""),
]
CURRENT, REASON, RAG, COMMENTARY, ACTIONS, REVISED, REVISION_REASON = 7, 8, 9, 10, 11, 15, 16
HEADER = 1  # 0-based: the header row, below the title
REVISION_REASONS = ("Estimated figure replaced with actual", "Late data received", "Error corrected",
                    "Other (explain in commentary)")
FORMATS: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9D9D9", "border": 1},
    "context": {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"},
    "input": {"text_wrap": True, "valign": "top", "locked": False, "bg_color": "#FFF2CC", "border": 1,
              "border_color": "#7F7F7F"},
    "rag": {"bold": True, "align": "center", "valign": "top", "border": 1, "border_color": "#BFBFBF"},
    "title": {"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"},
    "heading": {"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"},
    "text": {"text_wrap": True, "valign": "top"},
    "key": {"text_wrap": True, "valign": "top", "bg_color": "#FFF2CC", "border": 1},
    "meta": {},
}
RAG_COLOURS = {"Red": ("#C00000", "#FFFFFF"), "Amber": ("#FFC000", "#000000"), "Green": ("#00B050", "#000000"),
               "Blue": ("#0070C0", "#FFFFFF")}


@dataclass
class WorkbookRow:
    strings: list[tuple[int, str]]  # (column, text)
    numbers: list[tuple[int, float | str, str]]  # (column, value or text, number format)
    input_format: str
    unit: Unit
    figure_rule: dict[str, Any]
    formula: str


@dataclass
class WorkbookPlan:
    file_name: str
    instructions: list[tuple[str, str]]  # (format, text) per line
    rows: list[WorkbookRow]
    meta: list[tuple[str, str]]
    properties: dict[str, Any] = field(default_factory=dict)


def _number_format(unit: Unit, decimals: int | None, for_input: bool = False) -> str:
    if unit is Unit.PERCENTAGE:
        places = (1 if for_input else 0) if decimals is None else decimals
        return "0" + ("." + "0" * places if places else "") + "%"
    if unit is Unit.MONEY:
        return '"£"#,##0'
    return "#,##0" if not for_input or unit is Unit.COUNT else "General"


def _figure_rule(unit: Unit) -> dict[str, Any]:
    stop = {"error_type": "stop", "show_error": True, "show_input": True, "ignore_blank": True}
    if unit is Unit.PERCENTAGE:
        return {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                "input_title": "Current figure: a percentage",
                "input_message": "Type 68% for sixty-eight per cent. Between 0% and 100%.",
                "error_title": "Not a percentage",
                "error_message": "Type a percentage between 0% and 100%, with the % sign: 68% for sixty-eight per "
                                 "cent. If there is no figure, leave it empty and choose a reason in the next "
                                 "column.", **stop}
    return {"validate": "integer" if unit is Unit.COUNT else "decimal", "criteria": ">=", "value": 0,
            "input_title": f"Current figure: {unit.value}", "input_message": "A number, 0 or more. E.g. 1234.",
            "error_title": "Not a valid figure",
            "error_message": "A number, 0 or more. Type digits only (e.g. 1234). If there is no figure, leave it "
                             "empty and choose a reason in the next column.", **stop}


def _text_rule(title: str, limit: int) -> dict[str, Any]:
    return {"validate": "length", "criteria": "<=", "value": limit, "input_title": title,
            "input_message": f"What to write here. At most {limit:,} characters.", "error_type": "stop",
            "error_title": "Too long", "error_message": f"{title} can hold at most {limit:,} characters. Shorten "
            "it, or send the detail separately to the performance team.", "show_error": True, "show_input": True,
            "ignore_blank": True}


def _list_rule(title: str, source: str) -> dict[str, Any]:
    return {"validate": "list", "source": source, "input_title": title,
            "input_message": "Only if needed. Choose from the list.", "error_type": "stop",
            "error_title": "Choose from the list", "error_message": f"{title}: choose one of the entries in the list.",
            "show_error": True, "show_input": True, "ignore_blank": True}


def _formula(indicator: Indicator, target: Decimal | None, r: int) -> str:
    figure, tgt = f"H{r}", f"E{r}"
    if indicator.kind is not Kind.TARGET:
        rated = f'"{indicator.kind.label}"'
    elif target is None or indicator.direction.value == "none":
        rated = '"Not rated"'
    else:
        gap = f"({figure}-{tgt})" if indicator.direction.value == "up" else f"({tgt}-{figure})"
        rated = (f'IF(ROUND({gap},9)<0,IF(-ROUND({gap},9)>ROUND(0.1*ABS({tgt}),9),"Red","Amber"),'
                 f'IF(ROUND({gap},9)>ROUND(0.05*ABS({tgt}),9),"Blue","Green"))')
    return f'=IF({figure}="","",IF(NOT(ISNUMBER({figure})),"Not a number",{rated}))'


def _value_text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def prepare_workbooks(workspace: Workspace, register: Register, quarter: Quarter,
                      figures: dict[tuple[str, str], Figure], file_names: dict[str, str]) -> list[WorkbookPlan]:
    """What each service's workbook holds, as plain data (not timed)."""
    config = workspace.config
    try:
        template = (bundled_path("workbook_templates") / "instructions.txt").read_text(encoding="utf-8")
    except (OSError, Exception):  # noqa: BLE001 - any missing template: a fixed text of the same size
        template = "# Instructions\n" + "Fill in the yellow cells of the Return sheet.\n" * 25
    plans = []
    for service in register.services_reporting(quarter):
        text = template
        for key, value in {"council": config.council, "service": service.name, "period": str(quarter),
                           "period_long": f"Quarter {quarter.number} {quarter.year}", "deadline": str(config.deadline),
                           "contact_name": config.contact_name, "contact_email": config.contact_email,
                           "red": "10%", "blue": "5%", "team": config.team, "file_name": ""}.items():
            text = text.replace("{" + key + "}", value)
        lines = [("title" if n == 0 else "heading", line[2:]) if line.startswith("# ") else ("text", line)
                 for n, line in enumerate(text.splitlines()) if line.strip()]
        rows: list[WorkbookRow] = []
        meta_rows: list[list[Any]] = []
        for indicator in register.indicators_of_service(service.id):
            for period in indicator.periods_in(quarter):
                r = HEADER + 2 + len(rows)
                compared = indicator.comparison_period(period)
                comparison = figures.get((indicator.id, compared.slug))
                last = figures.get((indicator.id, period.previous().slug))
                target = None if indicator.kind is Kind.IN_DEVELOPMENT else indicator.target_for(period)
                fmt = _number_format(indicator.unit, indicator.decimals)
                strings = [(0, indicator.id), (1, indicator.title), (2, str(period)), (12, indicator.unit.value),
                           (3, indicator.direction.words), (13, indicator.target_word), (5, str(compared)),
                           (14, str(period.previous())), (17, last.commentary if last else "")]
                numbers: list[tuple[int, float | str, str]] = [
                    (4, float(target) if target is not None else "", fmt),
                    (6, float(comparison.value) if comparison and comparison.value is not None else "", fmt)]
                rows.append(WorkbookRow(strings, numbers, _number_format(indicator.unit, indicator.decimals, True),
                                        indicator.unit, _figure_rule(indicator.unit), _formula(indicator, target, r)))
                meta_rows.append([r, indicator.id, period.slug, _value_text(target), compared.slug,
                                  _value_text(comparison.value if comparison else None), period.previous().slug])
        head = [("format", "kpixl-return"), ("version", "1"), ("council", config.council), ("service", service.id),
                ("service_name", service.name), ("period", quarter.slug), ("generated", "2023-10-01T09:00:00")]
        meta = head + [(f"row:{m[0]}", json.dumps(m)) for m in meta_rows]
        payload = json.dumps({"rows": meta_rows, **dict(head)}, sort_keys=True, separators=(",", ":")).encode()
        meta.append(("signature", hmac.new(workspace.secret, payload, hashlib.sha256).hexdigest()))
        plans.append(WorkbookPlan(file_names.get(service.id, f"{service.id}.xlsx"), lines, rows, meta,
                                  {"title": f"Performance return: {service.name}, {quarter}",
                                   "author": config.team, "company": config.council}))
    return plans


class LockedBook(xlsxwriter.Workbook):  # type: ignore[misc]
    """The workbook's structure locked, as kpixl's are: xlsxwriter has no option for it."""

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        self._xml_empty_tag("workbookProtection", [("lockStructure", 1)])


def _write_workbook(plan: WorkbookPlan, path: Path) -> None:
    buffer = io.BytesIO()
    book = LockedBook(buffer, {"in_memory": True})  # as kpixl writes them: no temporary file per sheet
    made: dict[tuple[str, str], Any] = {}

    def fmt(name: str, num_format: str = "") -> Any:
        if (name, num_format) not in made:
            props = dict(FORMATS[name], **({"num_format": num_format} if num_format else {}))
            made[(name, num_format)] = book.add_format(props)
        return made[(name, num_format)]

    instructions = book.add_worksheet("Instructions")
    instructions.set_column(0, 0, 110)
    for row, (style, text) in enumerate(plan.instructions):
        instructions.write_string(row, 0, text, fmt(style if style in FORMATS else "key"))
    instructions.set_landscape()
    instructions.fit_to_pages(1, 0)
    instructions.protect()

    sheet = book.add_worksheet("Return")
    sheet.write_string(0, 0, plan.properties.get("title", ""), fmt("title"))
    for col, (header, width, is_input, help_text) in enumerate(COLUMNS):
        sheet.write_string(HEADER, col, header, fmt("header"))
        sheet.set_column(col, col, width)
        if help_text and not is_input:
            sheet.data_validation(HEADER, col, HEADER, col, {"validate": "any", "input_title": header[:32],
                                                   "input_message": help_text})
    for n, return_row in enumerate(plan.rows, start=HEADER + 1):
        context = fmt("context")
        for col, text in return_row.strings:
            sheet.write_string(n, col, text, context)
        for col, value, num_format in return_row.numbers:
            if isinstance(value, float):
                sheet.write_number(n, col, value, fmt("context", num_format))
            else:
                sheet.write_string(n, col, value, context)
        for col in (CURRENT, REVISED):
            sheet.write_blank(n, col, None, fmt("input", return_row.input_format))
        for col in (REASON, COMMENTARY, ACTIONS, REVISION_REASON):
            sheet.write_blank(n, col, None, fmt("input"))
        sheet.write_formula(n, RAG, return_row.formula, fmt("rag"), "")
    last = len(plan.rows)
    if last:
        # One validation per column over each run of rows with the same rule (the figures' depends on the unit).
        start = HEADER + 1
        for _, run in groupby(plan.rows, key=lambda row: row.unit):
            rows = list(run)
            for col in (CURRENT, REVISED):
                sheet.data_validation(start, col, start + len(rows) - 1, col, rows[0].figure_rule)
            start += len(rows)
        first, last = HEADER + 1, HEADER + last
        sheet.data_validation(first, REASON, last, REASON, _list_rule("Reason if no figure", "=Lists!$A$2:$A$5"))
        sheet.data_validation(first, REVISION_REASON, last, REVISION_REASON,
                              _list_rule("Reason for revision", "=Lists!$B$2:$B$5"))
        sheet.data_validation(first, COMMENTARY, last, COMMENTARY, _text_rule("Commentary", 4000))
        sheet.data_validation(first, ACTIONS, last, ACTIONS, _text_rule("Actions", 2000))
        for word, (fill, font) in RAG_COLOURS.items():
            sheet.conditional_format(first, RAG, last, RAG, {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                                         "format": book.add_format({"bg_color": fill,
                                                                                    "font_color": font,
                                                                                    "bold": True})})
        sheet.conditional_format(first, ACTIONS, last, ACTIONS, {
            "type": "formula", "criteria": '=AND($J3="Red",LEN(TRIM($L3))=0)',
            "format": book.add_format({"bg_color": "#F8CBAD", "border": 2, "border_color": "#C00000"})})
        sheet.add_table(HEADER, 0, last, len(COLUMNS) - 1, {
            "name": "Return_rows", "style": None, "autofilter": False,
            "columns": [{"header": header, "header_format": fmt("header")} for header, *_ in COLUMNS]})
    sheet.freeze_panes(HEADER + 1, 2)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER)
    sheet.ignore_errors({"number_stored_as_text": f"A1:A{max(last + 1, 2)}"})
    sheet.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                       "select_unlocked_cells": True})

    lists = book.add_worksheet("Lists")
    for col, (header, values) in enumerate((("Reasons for no figure", NO_FIGURE_REASONS),
                                            ("Reasons for revision", REVISION_REASONS))):
        lists.set_column(col, col, 40)
        lists.write_string(0, col, header, fmt("header"))
        for row, value in enumerate(values, start=1):
            lists.write_string(row, col, value, fmt("text"))
    lists.hide()
    lists.protect()

    meta = book.add_worksheet("kpixl")
    for row, (key, value) in enumerate(plan.meta):
        meta.write_string(row, 0, key, fmt("meta"))
        meta.write_string(row, 1, value, fmt("meta"))
    meta.very_hidden()
    meta.protect()
    instructions.activate()
    book.set_properties(plan.properties)
    book.close()
    write_durably(path, buffer.getvalue())


def floor_workbooks(plans: list[WorkbookPlan], out: Path) -> list[Path]:
    """Write every workbook with plain xlsxwriter (timed)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for plan in plans:
        path = out / plan.file_name
        _write_workbook(plan, path)
        paths.append(path)
    return paths


# -------------------------------------------------------------------------------------------------------------
# Returns: openpyxl read-only + sqlite3
# -------------------------------------------------------------------------------------------------------------

_SCHEMA = """
create table if not exists submission (id integer primary key, file_hash text unique, file_name text,
    service text, period text);
create table if not exists figure (id integer primary key, submission integer references submission(id),
    indicator text, period text, value text, reason text, commentary text, actions text, cell text);
"""


def floor_returns(paths: list[Path], database: Path, secret: bytes) -> int:
    """Read each return's Return and metadata sheets with openpyxl (read-only), keep the file, and store its
    figures with sqlite3 in one transaction a file (timed). The number of figures stored."""
    connection = sqlite3.connect(database)
    connection.executescript(_SCHEMA)
    archive = database.parent / "archive"
    archive.mkdir(exist_ok=True)
    stored = 0
    for path in paths:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        write_durably(archive / f"{digest}.xlsx", data)  # kpixl keeps every file it is sent
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(book["Return"].iter_rows(min_row=1, max_row=2001, max_col=len(COLUMNS), values_only=True))
        pairs = {str(k): str(v) for k, v in book["kpixl"].iter_rows(max_col=2, values_only=True) if k is not None}
        book.close()
        hmac.compare_digest(hmac.new(secret, json.dumps(pairs, sort_keys=True).encode(), hashlib.sha256).hexdigest(),
                            pairs.get("signature", ""))
        records = []
        for n, row in enumerate(rows[HEADER + 1:], start=HEADER + 2):
            if row[0] is None:
                continue
            value = row[CURRENT]
            records.append((str(row[0]), str(row[2]), None if value is None else str(Decimal(repr(value))),
                            row[REASON] or "", row[COMMENTARY] or "", row[ACTIONS] or "", f"H{n}"))
        with connection:
            cursor = connection.execute("insert into submission (file_hash, file_name, service, period) values "
                                        "(?, ?, ?, ?)", (digest, path.name, pairs.get("service"), pairs.get("period")))
            connection.executemany("insert into figure (submission, indicator, period, value, reason, commentary, "
                                   "actions, cell) values (?, ?, ?, ?, ?, ?, ?, ?)",
                                   [(cursor.lastrowid, *record) for record in records])
        stored += len(records)
    connection.close()
    return stored


# -------------------------------------------------------------------------------------------------------------
# Reports: python-docx with native chart parts
# -------------------------------------------------------------------------------------------------------------

RAG_FILLS = {"Red": ("C00000", "FFFFFF"), "Amber": ("FFC000", "000000"), "Green": ("00B050", "000000"),
             "Blue": ("0070C0", "FFFFFF")}


@dataclass
class ChartPlan:
    labels: list[str]
    values: list[float | None]
    targets: list[float | None]
    number_format: str
    alt_text: str


@dataclass
class PagePlan:
    heading: str
    bookmark: str
    month: str
    headers: list[str]
    cells: list[str]
    comparators: list[tuple[str, str]]
    rag: str
    chart: ChartPlan | None
    sections: list[tuple[str, list[str]]]  # (heading, paragraphs)
    links: list[tuple[str, str]]  # (label, url)


@dataclass
class ReportPlan:
    file_name: str
    cover: list[str]
    key: list[tuple[str, str]]
    summary: list[tuple[str, str]]
    index: list[tuple[str, str, str, str, str, str]]  # number, title, bookmark, rag, direction, change
    pages: list[PagePlan]
    properties: dict[str, str]


def prepare_reports(workspace: Workspace, quarter: Quarter, committees: list[str]) -> list[ReportPlan]:
    """Each committee report's content as plain data, from kpixl's own report model (not timed): the same
    words, figures and chart series the kpixl report prints."""
    from kpixl.report.charts import number_format
    from kpixl.steps.report import prepare_report

    plans = []
    for committee in committees:
        model = prepare_report(workspace, quarter, committee).model
        pages = []
        for p in model.pages:
            chart = None
            if p.trend is not None:
                t = p.trend
                chart = ChartPlan([pt.label for pt in t.points],
                                  [None if pt.value is None else float(pt.value) for pt in t.points],
                                  [None if pt.target is None else float(pt.target) for pt in t.points]
                                  if t.has_target else [], number_format(t.unit, t.decimals), t.alt_text)
            sections = [("Indicator Description", list(p.description)),
                        ("Commentary", ([p.caveat] if p.caveat else []) + list(p.commentary or ["No commentary."])),
                        ("Actions", list(p.actions or ["No actions were reported."]))]
            pages.append(PagePlan(p.heading, p.bookmark, p.month, list(p.headers), list(p.cells),
                                  list(p.comparators), p.rag.value, chart, sections,
                                  [(link.label, link.url or "") for link in p.links]))
        plans.append(ReportPlan(
            f"{committee}_{quarter.slug}.docx",
            [model.cover.produced_on, model.cover.title, model.cover.quarter, model.cover.year,
             model.cover.committee, model.cover.team, model.cover.council],
            [(k.item, k.explanation) for k in model.key], [(r.value, str(n)) for r, n in model.summary],
            [(r.number, r.title, r.bookmark, r.rag.value, r.direction, r.change) for r in model.index], pages,
            {"title": model.title, "subject": model.subject, "author": model.team}))
    return plans


def _t(text: str) -> str:
    return escape(text)


def _p(text: str, style: str = "", bold: bool = False, page_break: bool = False) -> str:
    ppr = ((f'<w:pStyle w:val="{style}"/>' if style else "") + ("<w:pageBreakBefore/>" if page_break else ""))
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return (f"<w:p>{'<w:pPr>' + ppr + '</w:pPr>' if ppr else ''}<w:r>{rpr}"
            f'<w:t xml:space="preserve">{_t(text)}</w:t></w:r></w:p>')


def _tc(content: str, width: int, fill: str = "") -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>{content}</w:tc>'


def _table(rows: list[list[str]], widths: list[int], style: str, caption: str, header: bool = True) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    body = "".join(
        "<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if header and n == 0 else "") + "</w:trPr>"
        + "".join(_tc(c, w) for c, w in zip(row, widths)) + "</w:tr>" for n, row in enumerate(rows))
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            f'<w:tblLayout w:type="fixed"/><w:tblCaption w:val={quoteattr(caption)}/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>")


def _rag_table(rag: str, style: str, text_style: str) -> str:
    fill, colour = RAG_FILLS.get(rag, ("D9D9D9", "000000"))
    content = (f'<w:p><w:pPr><w:pStyle w:val="{text_style}"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/>'
               f'<w:color w:val="{colour}"/></w:rPr><w:t>{_t(rag)}</w:t></w:r></w:p>')
    return (f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="2400" w:type="dxa"/></w:tblPr>'
            f'<w:tblGrid><w:gridCol w:w="2400"/></w:tblGrid><w:tr>{_tc(content, 2400, fill)}</w:tr></w:tbl>')


def _chart_xml(chart: ChartPlan) -> bytes:
    def cache(values: list[float | None]) -> str:
        pts = "".join(f'<c:pt idx="{n}"><c:v>{v}</c:v></c:pt>' for n, v in enumerate(values) if v is not None)
        return (f"<c:numRef><c:f>Sheet1!$B$2:$B${len(values) + 1}</c:f><c:numCache><c:formatCode>"
                f"{escape(chart.number_format)}</c:formatCode><c:ptCount val=\"{len(values)}\"/>{pts}</c:numCache>"
                "</c:numRef>")
    cats = "".join(f'<c:pt idx="{n}"><c:v>{escape(v)}</c:v></c:pt>' for n, v in enumerate(chart.labels))
    cat = (f"<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${len(chart.labels) + 1}</c:f><c:strCache>"
           f'<c:ptCount val="{len(chart.labels)}"/>{cats}</c:strCache></c:strRef></c:cat>')
    series = "".join(
        f'<c:ser><c:idx val="{n}"/><c:order val="{n}"/><c:tx><c:v>{name}</c:v></c:tx>'
        f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></a:ln></c:spPr>'
        f'<c:marker><c:symbol val="circle"/><c:size val="7"/></c:marker>'
        f"{cat}<c:val>{cache(values)}</c:val><c:smooth val=\"0\"/></c:ser>"
        for n, (name, values, colour) in enumerate((("Actual", chart.values, "1F3864"),
                                                    ("Target", chart.targets, "C55A11"))) if values)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<c:chartSpace '
            'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<c:chart><c:autoTitleDeleted val="1"/><c:plotArea><c:layout/><c:lineChart>'
            f'<c:grouping val="standard"/><c:varyColors val="0"/>{series}<c:marker val="1"/>'
            '<c:axId val="5001"/><c:axId val="5002"/></c:lineChart><c:catAx><c:axId val="5001"/><c:scaling>'
            '<c:orientation val="minMax"/></c:scaling><c:delete val="0"/><c:axPos val="b"/><c:crossAx val="5002"/>'
            '</c:catAx><c:valAx><c:axId val="5002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
            f'<c:delete val="0"/><c:axPos val="l"/><c:numFmt formatCode={quoteattr(chart.number_format)} '
            'sourceLinked="0"/><c:crossAx val="5001"/></c:valAx></c:plotArea><c:legend><c:legendPos val="b"/>'
            '</c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
            '<c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData></c:chartSpace>').encode()


_XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
    '/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def _chart_workbook(chart: ChartPlan) -> bytes:
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{escape(label)}</t></is></c>'
                   + (f'<c r="B{n}"><v>{v}</v></c>' if v is not None else "") + "</row>"
                   for n, (label, v) in enumerate(zip(chart.labels, chart.values), start=2))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (*_XLSX_PARTS.items(), ("xl/worksheets/sheet1.xml", sheet)):
            archive.writestr(name, text)
    return buffer.getvalue()


_DRAWING = ('<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:drawing><wp:inline>'
            '<wp:extent cx="5760000" cy="2340000"/><wp:docPr id="{shape}" name="Trend chart {shape}" descr={alt}/>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            '<c:chart r:id="{rid}"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')


def _render_report(plan: ReportPlan, reference: Path, out: Path) -> None:
    document = docx.Document(str(reference))
    part = document.part
    ids = {s.name: s.style_id for s in document.styles}
    normal, h1, h2 = ids.get("Normal", ""), ids.get("Heading 1", ""), ids.get("Heading 2", "")
    text_style, table_style, link_style = ids.get("Table Text", ""), ids.get("Performance Table", ""), \
        ids.get("Hyperlink", "")
    shape = 1000
    blocks = [_p(line, normal) for line in plan.cover]
    blocks.append(_p("Key", h1, page_break=True))
    blocks.append(_table([[_p("Data Item", text_style), _p("Explanation", text_style)]]
                         + [[_p(a, text_style, bold=True), _p(b, text_style)] for a, b in plan.key],
                         [2600, 7038], table_style, "Key"))
    blocks.append(f'<w:p><w:pPr><w:pStyle w:val="{h1}"/><w:pageBreakBefore/></w:pPr><w:bookmarkStart w:id="1" '
                  f'w:name="kpixl_index"/><w:r><w:t>Index</w:t></w:r><w:bookmarkEnd w:id="1"/></w:p>')
    blocks.append(_table([[_p(a, text_style) for a, _ in plan.summary], [_p(b, text_style) for _, b in plan.summary]],
                         [9638 // max(1, len(plan.summary))] * len(plan.summary), table_style, "Summary"))
    index_rows = [[_p(h, text_style) for h in ("No.", "Indicator", "RAG Rating", "Direction", "Change")]]
    for number, title, mark, rag, direction, change in plan.index:
        anchor = (f'<w:p><w:pPr><w:pStyle w:val="{text_style}"/></w:pPr><w:hyperlink w:anchor="{mark}">'
                  f'<w:r><w:rPr><w:rStyle w:val="{link_style}"/></w:rPr><w:t xml:space="preserve">{{}}</w:t></w:r>'
                  "</w:hyperlink></w:p>")
        index_rows.append([anchor.format(_t(number)), anchor.format(_t(title)), _p(rag, text_style),
                           _p(direction, text_style), _p(change, text_style)])
    blocks.append(_table(index_rows, [800, 5338, 1500, 1000, 1000], table_style, "Index"))
    charts = 0
    for page in plan.pages:
        shape += 1
        blocks.append(f'<w:p><w:pPr><w:pStyle w:val="{h1}"/><w:pageBreakBefore/></w:pPr><w:bookmarkStart '
                      f'w:id="{shape}" w:name="{page.bookmark}"/><w:r><w:t xml:space="preserve">{_t(page.heading)}'
                      f'</w:t></w:r><w:bookmarkEnd w:id="{shape}"/></w:p>')
        blocks.append(f'<w:p><w:pPr><w:pStyle w:val="{normal}"/></w:pPr><w:hyperlink w:anchor="kpixl_index">'
                      f'<w:r><w:rPr><w:rStyle w:val="{link_style}"/></w:rPr><w:t>Return to Index</w:t></w:r>'
                      "</w:hyperlink></w:p>")
        blocks.append(_p(page.month, normal))
        width = 9638 // len(page.headers)
        blocks.append(_table([[_p(h, text_style) for h in page.headers], [_p(c, text_style) for c in page.cells]],
                             [width] * len(page.headers), table_style, f"Headline figures of {page.heading}"))
        if page.comparators:
            blocks.append(_table([[_p(a, text_style) for a, _ in page.comparators],
                                  [_p(b, text_style) for _, b in page.comparators]],
                                 [4819] * len(page.comparators), table_style, "Comparators"))
        blocks.append(_p("RAG Rating", h2))
        blocks.append(_rag_table(page.rag, table_style, text_style))
        if page.chart is not None:
            charts += 1
            workbook = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Worksheet{charts}.xlsx"),
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            _chart_workbook(page.chart), part.package)
            chart_part = Part(PackURI(f"/word/charts/chart{charts}.xml"),
                              "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
                              _chart_xml(page.chart), part.package)
            chart_part.relate_to(workbook, RT.PACKAGE)
            shape += 1
            blocks.append(_DRAWING.format(style=normal, shape=shape, alt=quoteattr(page.chart.alt_text),
                                          rid=part.relate_to(chart_part, RT.CHART)))
        for heading, paragraphs in page.sections:
            blocks.append(_p(heading, h2))
            blocks.extend(_p(text, normal) for text in paragraphs)
        blocks.append(_p("Useful Links", h2))
        for label, url in page.links:
            rid = part.relate_to(url, RT.HYPERLINK, is_external=True)
            blocks.append(f'<w:p><w:pPr><w:pStyle w:val="{normal}"/></w:pPr><w:hyperlink r:id="{rid}">'
                          f'<w:r><w:rPr><w:rStyle w:val="{link_style}"/></w:rPr><w:t xml:space="preserve">'
                          f"{_t(label)}</w:t></w:r></w:hyperlink></w:p>")
    # The reference's body (its cover text, if any) replaced by ours, its section (page setup) kept last.
    body = document.element.body
    section = body.sectPr
    body.clear()
    body.extend(list(parse_xml(f'<w:body {nsdecls("w", "r", "wp", "a", "c")}>{"".join(blocks)}</w:body>')))
    if section is not None:
        body.append(section)
    props = document.core_properties
    props.title, props.subject, props.author = plan.properties["title"], plan.properties["subject"], \
        plan.properties["author"]
    saved = io.BytesIO()
    document.save(saved)
    write_durably(out, saved.getvalue())


def floor_reports(plans: list[ReportPlan], reference: Path, out: Path) -> list[Path]:
    """Write every report with python-docx and native chart parts (timed)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for plan in plans:
        path = out / plan.file_name
        _render_report(plan, reference, path)
        paths.append(path)
    return paths
