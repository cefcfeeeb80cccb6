"""What a return is judged against (kpixl.steps.collect loads it once per command): the register, the council, the quarter being
collected, the signing key, the RAG bands, and every figure already known (for the history checks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

from kpixl.domain import Figure, Month, Period, Quarter, Register, Tolerances, parse_period
from kpixl.domain.periods import MONTH_NAMES
from kpixl.errors import PeriodError

__all__ = ["IntakeContext", "period_of"]


@dataclass(frozen=True)
class IntakeContext:
    council: str
    register: Register
    quarter: Quarter  # the collection under way: a return for another quarter is refused
    secret: bytes
    tolerances: Tolerances = field(default_factory=Tolerances)
    known: Mapping[tuple[str, str], Figure] = field(default_factory=dict)  # (indicator, period slug)

    def values(self, indicator: str) -> dict[str, Decimal]:
        """An indicator's known usable figures by period slug, for the history checks (a copy)."""
        return dict(self._values_by_indicator.get(indicator, {}))

    @cached_property
    def _values_by_indicator(self) -> dict[str, dict[str, Decimal]]:
        # Indexed once: values() is asked for every row, and scanning every known figure each time made
        # a collect cost rows x figures (2.7 s of 10 s at 1,600 indicators).
        index: dict[str, dict[str, Decimal]] = {}
        for (ident, slug), figure in self.known.items():
            if figure.usable is not None:
                index.setdefault(ident, {})[slug] = figure.usable
        return index


_MONTHS = {name.casefold(): number for number, name in enumerate(MONTH_NAMES, start=1)}


@lru_cache(maxsize=4096)  # asked for each history figure of each row; Periods are immutable
def period_of(text: str) -> Period | None:
    """A period as the workbook prints it ("2023/24 Q2", "September 2023") or as a slug; None if neither."""
    text = " ".join(text.split())
    try:
        return parse_period(text)
    except PeriodError:
        pass
    parts = text.split(" ")
    if len(parts) == 2 and parts[0].casefold() in _MONTHS and parts[1].isdigit() and len(parts[1]) == 4:
        return Month(int(parts[1]), _MONTHS[parts[0].casefold()])
    return None
