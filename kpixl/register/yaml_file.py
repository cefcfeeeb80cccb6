"""The register as YAML, for councils that keep it in version control.

The YAML holds the same records as the workbook; targets and links sit inside each indicator:

    indicators:
      - id: "37"
        title: Number of visits made to library sites reported quarterly
        targets: {2023-24-Q2: 475381}
        links: [{label: LG Inform, url: "https://lginform.local.gov.uk/"}]

Problems name the line of the value they are about ("line 12"). Anchors and aliases (&name, *name) are
refused, with the alias's line: a register never needs them, and they make a few lines expand without end.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import yaml

from kpixl.domain import Indicator, Register, Tolerances, Unit
from kpixl.errors import YamlError
from kpixl.register.build import RawRow

__all__ = ["dump_yaml", "read_yaml_rows"]

# libyaml's parser when PyYAML was built with it: four times faster, and its nodes carry the same line marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SECTIONS = {"indicators": "Indicators", "services": "Services", "committees": "Committees"}


def _plain(node: yaml.Node) -> Any:
    """A node as plain data: scalars stay strings (so "0.10" and "07" keep their spelling)."""
    if isinstance(node, yaml.ScalarNode):
        tag = node.tag
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return node.value.lower() in ("true", "yes", "on")
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(child) for child in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(_plain(k)): _plain(v) for k, v in node.value}
    return None  # pragma: no cover


def _line(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


class _Place:
    """The line of a key's value, worked out only when a problem names it (most rows have none)."""

    __slots__ = ("default", "nodes")

    def __init__(self, default: yaml.Node, nodes: dict[str, yaml.Node] | None = None) -> None:
        self.default, self.nodes = default, nodes

    def __call__(self, key: str) -> str:
        node = self.nodes.get(key, self.default) if self.nodes else self.default
        return _line(node)


_OWN_ROWS = frozenset(("targets", "links"))  # an indicator's keys that become rows of their own


def _row(sheet: str, node: yaml.Node, extra: dict[str, Any] | None = None,
         skip: frozenset[str] = frozenset()) -> RawRow:
    values: dict[str, Any] = {}
    nodes: dict[str, yaml.Node] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(_plain(key_node))
            if key not in skip:
                values[key] = _plain(value_node)
            nodes[key] = value_node
    if extra:
        values.update(extra)
    return RawRow(sheet, values, _Place(node, nodes), node.start_mark.line + 1)


def _indicator_rows(node: yaml.Node) -> Iterator[RawRow]:
    row = _row("Indicators", node, skip=_OWN_ROWS)
    yield row
    ident = row.values.get("id")
    for key_node, value_node in node.value if isinstance(node, yaml.MappingNode) else ():
        key = _plain(key_node)
        if key == "targets" and isinstance(value_node, yaml.MappingNode):
            for period_node, target_node in value_node.value:
                target_type = None
                if isinstance(target_node, yaml.MappingNode):  # {value: 70%, type: target}
                    data = _plain(target_node)
                    value, target_type = data.get("value"), data.get("type")
                else:  # a plain target, as nearly all are
                    value = _plain(target_node)
                period = _plain(period_node)
                yield RawRow("Targets", {"indicator": ident, "period": period, "value": value,
                                         "type": target_type}, _Place(target_node))
        elif key == "links" and isinstance(value_node, yaml.SequenceNode):
            for link_node in value_node.value:
                yield _row("Links", link_node, {"indicator": ident})
        elif key == "tolerances" and isinstance(value_node, yaml.MappingNode):
            row.values.update(_plain(value_node))


MAX_DEPTH = 12  # a register nests five deep (indicators > item > targets > period > {value, type}); 12 is ample


def _refuse_aliases(root: yaml.Node, text: str) -> None:
    """YamlError, at its line, for an alias or for nesting deeper than a register ever goes.

    A register never needs anchors and aliases (&name, *name): each value is written where it belongs. An
    alias is a reference to a node composed once, so nine aliases of nine aliases of ... are a few lines that
    expand to a billion values (25 s, then MemoryError), and an alias inside its own anchor never ends
    (RecursionError). The nodes are walked once, without recursion: a node reached twice is an alias."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    too_deep: yaml.Node | None = None
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise _alias_error(text)
        seen.add(id(node))
        if depth > MAX_DEPTH:
            too_deep = too_deep or node  # reported once the walk has found no alias, which says more
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((part, depth + 1) for pair in node.value for part in pair)
    if too_deep is not None:
        raise YamlError(f"values are nested more than {MAX_DEPTH} deep, which a register never is",
                        too_deep.start_mark.line + 1)


def _alias_error(text: str) -> YamlError:
    """The first alias, found again by the parser for its line (only when the register has one)."""
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return YamlError(f"'*{event.anchor}' repeats the value anchored as '&{event.anchor}': a register does "
                             "not use anchors and aliases; write the value out where it is needed",
                             event.start_mark.line + 1)
    return YamlError("the file repeats a value by an alias; write each value out")  # pragma: no cover


def read_yaml_rows(text: str) -> list[RawRow]:
    """The register's rows from YAML text; YamlError when the text is not YAML, or uses what a register never
    needs (an alias, deep nesting)."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(str(exc).replace("\n", " "), mark.line + 1 if mark is not None else None) from None
    if root is None:
        return []
    _refuse_aliases(root, text)
    if not isinstance(root, yaml.MappingNode):
        raise YamlError("the file should be a mapping with services, committees and indicators")
    rows: list[RawRow] = []
    for key_node, value_node in root.value:
        sheet = _SECTIONS.get(str(_plain(key_node)))
        if sheet is None or not isinstance(value_node, yaml.SequenceNode):
            continue
        for item in value_node.value:
            rows.extend(_indicator_rows(item) if sheet == "Indicators" else [_row(sheet, item)])
    return rows


def _number(value: Decimal, unit: Unit) -> Any:
    if unit is Unit.PERCENTAGE:
        return f"{(value * 100).normalize():f}%"
    return int(value) if value == value.to_integral_value() else float(value)


def _indicator_dict(indicator: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": indicator.id, "title": indicator.title, "service": indicator.service,
        "committees": list(indicator.committees), "unit": indicator.unit.value,
        "direction": indicator.direction.value, "frequency": indicator.frequency.value,
        "comparison": indicator.comparison.value, "cumulative": indicator.cumulative,
        "kind": indicator.kind.value,
        "targets": {period: _number(v, indicator.unit) for period, v in indicator.targets.items()},
        "description": indicator.description,
        "links": [{"label": link.label, "url": link.url} for link in indicator.links],
    }
    optional = {"links_note": indicator.links_note, "data_source": indicator.data_source,
                "decimals": indicator.decimals}
    data.update({k: v for k, v in optional.items() if v not in ("", None)})
    for key in ("statistical_neighbours_mean", "england_mean"):
        value = getattr(indicator, key)
        if value is not None:
            data[key] = _number(value, indicator.unit)
    if indicator.calculation is not None:
        c = indicator.calculation
        scale = int(c.scale) if c.scale == c.scale.to_integral_value() else float(c.scale)
        data.update(numerator=c.numerator, denominator=c.denominator, scale=scale)
    if indicator.benchmark_metric:
        data["benchmark_metric"] = indicator.benchmark_metric
    if indicator.tolerances and indicator.tolerances != Tolerances():
        t = indicator.tolerances
        data["tolerances"] = {"red": f"{(t.red * 100).normalize():f}%", "blue": f"{(t.blue * 100).normalize():f}%",
                              "percentage_basis": t.percentage_basis.value}
    return data


def dump_yaml(register: Register) -> str:
    """The register as YAML that read_yaml_rows reads back to the same model."""
    data = {
        "services": [vars(s) for s in register.services],
        "committees": [vars(c) for c in register.committees],
        "indicators": [_indicator_dict(i) for i in register.indicators],
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
