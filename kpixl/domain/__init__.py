"""The domain of a council's performance cycle: pure Python, no file I/O, nothing from the rest of kpixl."""

from kpixl.domain.figures import NO_FIGURE_REASONS, Figure, FigureStatus, Headline, assess
from kpixl.domain.indicators import (
    Committee,
    Comparison,
    Direction,
    Frequency,
    Indicator,
    Kind,
    Link,
    PercentageBasis,
    Service,
    Tolerances,
    Unit,
    ZeroTarget,
    format_value,
)
from kpixl.domain.periods import FinancialYear, Month, Period, Quarter, parse_period, report_month
from kpixl.domain.rag import Change, Rag, change_in_performance, rate
from kpixl.domain.register import Register, indicator_sort_key

__all__ = [
    "NO_FIGURE_REASONS",
    "Change",
    "Committee",
    "Comparison",
    "Direction",
    "Figure",
    "FigureStatus",
    "FinancialYear",
    "Frequency",
    "Headline",
    "Indicator",
    "Kind",
    "Link",
    "Month",
    "PercentageBasis",
    "Period",
    "Quarter",
    "Rag",
    "Register",
    "Service",
    "Tolerances",
    "Unit",
    "ZeroTarget",
    "assess",
    "change_in_performance",
    "format_value",
    "indicator_sort_key",
    "parse_period",
    "rate",
    "report_month",
]
