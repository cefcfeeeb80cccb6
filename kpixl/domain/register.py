"""The register: the council's list of services, committees and indicators, as one model."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpixl.domain.indicators import Committee, Indicator, Service
from kpixl.domain.periods import Quarter

__all__ = ["Register", "indicator_sort_key"]


def indicator_sort_key(indicator_id: str) -> tuple[int, int | str]:
    """Numbers in numeric order (36 before 136), then other ids alphabetically."""
    return (0, int(indicator_id)) if indicator_id.isdigit() else (1, indicator_id)


@dataclass(frozen=True)
class Register:
    services: tuple[Service, ...] = ()
    committees: tuple[Committee, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    _by_id: dict[str, Indicator] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for indicator in self.indicators:  # the first of a duplicated id wins; the check reports the rest
            self._by_id.setdefault(indicator.id, indicator)

    def indicator(self, indicator_id: str) -> Indicator | None:
        return self._by_id.get(indicator_id)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def committee(self, name_or_id: str) -> Committee | None:
        """A committee by its id or its name, ignoring case (people type either)."""
        wanted = name_or_id.strip().casefold()
        return next((c for c in self.committees if wanted in (c.id.casefold(), c.name.casefold())), None)

    def indicators_of_service(self, service_id: str) -> tuple[Indicator, ...]:
        return tuple(sorted((i for i in self.indicators if i.service == service_id),
                            key=lambda i: indicator_sort_key(i.id)))

    def indicators_of_committee(self, committee_id: str) -> tuple[Indicator, ...]:
        return tuple(sorted((i for i in self.indicators if committee_id in i.committees),
                            key=lambda i: indicator_sort_key(i.id)))

    def services_reporting(self, quarter: Quarter) -> tuple[Service, ...]:
        """Services with at least one indicator (every indicator reports every quarter)."""
        owners = {i.service for i in self.indicators}
        return tuple(s for s in self.services if s.id in owners)
