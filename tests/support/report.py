"""Helpers for the report tests (no tests here): reading a .docx back as XML and text, the seed report's rows as
the seed prints them, and a SYNTHETIC committee.

The .docx is read with zipfile and lxml, not python-docx, so that the tests do not share the renderer's
assumptions about the package.
"""

from __future__ import annotations

import csv
import random
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from kpixl.domain import (
    Committee,
    Direction,
    Figure,
    FigureStatus,
    Frequency,
    Indicator,
    Kind,
    Link,
    Quarter,
    Register,
    Service,
    Unit,
)

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "examples" / "cambridgeshire-csmi"

# The seed's headline rows, as the seed prints them (thousands separators made consistent: the seed prints
# "1128" beside "107,236"). 36's comparison figure is lost in the extraction, so kpixl prints it as such.
SEED_ROWS = {
    "36": ("Target", "107,236", "↑", "96,326", "Not available", "N/A"),
    "37": ("Target", "475,381", "↑", "380,018", "351,220", "Improving"),
    "38": ("Target", "361,311", "↑", "276,954", "274,962", "Improving"),
    "136": ("Target", "1,128", "↑", "608", "1,107", "Declining"),
    "137": ("Target", "1,466", "↑", "829", "1,676", "Declining"),
    "138": ("Target", "94%", "↑", "93%", "95%", "Declining"),
    "174": ("Target", "In Development", "↑", "120", "120", "Unchanged"),
    "175": ("Baseline", "872", "NA", "789", "944", "N/A"),
    "176": ("Baseline", "880", "NA", "810", "941", "N/A"),
    "177": ("Baseline", "148", "NA", "120", "139", "N/A"),
    "178": ("Baseline", "160", "NA", "142", "213", "N/A"),
    "179": ("Baseline", "67", "NA", "147", "88", "N/A"),
    "197": ("Baseline", "70", "↑", "65", "77", "Declining"),
    "198": ("Target", "70%", "↑", "68%", "68%", "Unchanged"),
    "199": ("Baseline", "430", "↑", "940", "826", "Improving"),
    "219": ("Target", "74%", "↑", "99%", "98%", "Improving"),
    "220": ("Target", "60%", "↑", "55%", "48%", "Improving"),
    "221": ("Target", "291", "↑", "296", "313", "Declining"),
    "222": ("Target", "65%", "↑", "51%", "60%", "Declining"),
}
LABELS = {"136": ("Current Quarter", "Quarter 2 22/23"), "137": ("Current Quarter", "Quarter 2 22/23"),
          "138": ("Current Quarter", "Quarter 2 22/23"), "179": ("Current Quarter (cumulative)", "Previous Quarter"),
          "221": ("Current Month", "Previous Month")}
# The seed's RAG boxes that survived the extraction, and the two DOMAIN.md pins by rule (37, 221).
SEED_RAG = {"37": "Red", "174": "In Development", "179": "Contextual", "197": "Contextual", "198": "Amber",
            "199": "Contextual", "219": "Blue", "220": "Amber", "221": "Green", "222": "Red"}


def seed_register() -> dict[str, Any]:
    """The seed example's register.yaml, as plain YAML data."""
    return yaml.safe_load((EXAMPLE / "register.yaml").read_text(encoding="utf-8"))


def seed_current_rows() -> dict[str, dict[str, str]]:
    """The seed's figures.csv rows of the report's quarter (and September for the monthly indicator)."""
    with open(EXAMPLE / "figures.csv", encoding="utf-8", newline="") as handle:
        return {r["indicator"]: r for r in csv.DictReader(handle) if r["period"] in ("2023-24-Q2", "2023-09")}


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass
class Docx:
    path: Path

    def part(self, name: str) -> etree._Element:
        with zipfile.ZipFile(self.path) as archive:
            return etree.fromstring(archive.read(name))

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.path) as archive:
            return archive.namelist()

    def raw(self, name: str) -> bytes:
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(name)

    @property
    def document(self) -> etree._Element:
        return self.part("word/document.xml")

    def paragraphs(self) -> list[etree._Element]:
        return self.document.xpath("//w:body//w:p", namespaces=NS)

    def texts(self) -> list[str]:
        """Every paragraph's text in reading order, table cells included."""
        return [paragraph_text(p) for p in self.paragraphs()]

    def style_of(self, paragraph: etree._Element) -> str:
        found = paragraph.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS)
        return found[0] if found else "Normal"

    def rels(self, part: str = "word/_rels/document.xml.rels") -> dict[str, etree._Element]:
        return {r.get("Id"): r for r in self.part(part).xpath("//rel:Relationship", namespaces=NS)}


def paragraph_text(paragraph: etree._Element) -> str:
    return "".join(paragraph.xpath(".//w:t/text()", namespaces=NS))


def assert_in_order(texts: list[str], expected: list[str]) -> None:
    """Each expected string is found in a paragraph at or after the previous one's paragraph."""
    position = 0
    for item in expected:
        for index in range(position, len(texts)):
            if item in texts[index]:
                position = index
                break
        else:
            context = " | ".join(texts[position:position + 8])
            raise AssertionError(f"{item!r} not found after paragraph {position}: {context}")


def synthetic_committee(indicators: int = 50, quarters: int = 12,
                        seed: int = 2024) -> tuple[Register, dict[tuple[str, str], Figure], Quarter]:
    """A SYNTHETIC committee: made-up indicators of every kind, unit, direction and frequency, with history."""
    rnd = random.Random(seed)
    quarter = Quarter(2023, 2)
    found: list[Indicator] = []
    figures: dict[tuple[str, str], Figure] = {}
    for n in range(indicators):
        monthly = n % 7 == 6
        unit = (Unit.PERCENTAGE, Unit.COUNT, Unit.MONEY, Unit.NUMBER)[n % 4]
        base = Decimal("0.70") if unit is Unit.PERCENTAGE else Decimal(rnd.randint(50, 400_000))
        indicator = Indicator(
            id=f"S{n + 1}", title=f"Synthetic indicator {n + 1}", service="synthetic", committees=("synthetic",),
            unit=unit, direction=(Direction.UP, Direction.DOWN, Direction.NONE)[n % 3],
            frequency=Frequency.MONTHLY if monthly else Frequency.QUARTERLY,
            kind=(Kind.TARGET, Kind.TARGET, Kind.BASELINE, Kind.CONTEXTUAL, Kind.IN_DEVELOPMENT)[n % 5],
            cumulative=n % 6 == 0, targets={"2023-24": base, "2022-23": base, "2021-22": base},
            description="SYNTHETIC description of how this made-up measure is calculated. " * 8,
            links=(Link("Synthetic link", "https://example.org/synthetic"),),
        )
        found.append(indicator)
        period = indicator.reporting_period(quarter)
        for _ in range(quarters * (3 if monthly else 1)):
            value = (base * Decimal(rnd.uniform(0.75, 1.25))).quantize(Decimal("0.01"))
            status = FigureStatus.PROVISIONAL if n % 11 == 0 and period == indicator.reporting_period(quarter) \
                else FigureStatus.VALIDATED
            figures[(indicator.id, period.slug)] = Figure(
                indicator.id, period, value, status, "synthetic caveat" if status is FigureStatus.PROVISIONAL else "",
                commentary="SYNTHETIC commentary of realistic length. " * 40, actions="SYNTHETIC action. " * 10)
            period = period.previous()
    register = Register((Service("synthetic", "Synthetic Service"),),
                        (Committee("synthetic", "Synthetic Committee (SYNTHETIC DATA)"),), tuple(found))
    return register, figures, quarter
