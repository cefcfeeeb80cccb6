"""The register as YAML, for councils that keep it in version control.

The YAML holds the same records as the workbook; targets and links sit inside each indicator:

    indicators:
      - id: "37"
        title: Number of visits made to library sites reported quarterly
        targets: {2023-24-Q2: 475381}
        links: [{label: LG Inform, url: "https://lginform.local.gov.uk/"}]

Problems name the line of the value they are about ("line 12").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import yaml

from ..domain import Indicator, Register, Tolerances, Unit
from .build import RawRow

__all__ = ["YamlError", "dump_yaml", "read_yaml_rows"]

# libyaml's parser when PyYAML was built with it: four times faster, and its nodes carry the same line marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SECTIONS = {"indicators": "Indicators", "services": "Services", "committees": "Committees"}


class YamlError(ValueError):
    """The text is not YAML at all (the message has the line)."""


def _plain(node: yaml.Node) -> Any:
    """A node as plain data: scalars stay strings (so "0.10" and "07" keep their spelling)."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null"):
            return None
        if node.tag.endswith(":bool"):
            return node.value.lower() in ("true", "yes", "on")
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(child) for child in node.value]
    if isinstance(node, yaml.MappingNode):
        return {str(_plain(k)): _plain(v) for k, v in node.value}
    return None  # pragma: no cover


def _line(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}"


def _row(sheet: str, node: yaml.Node, extra: dict[str, Any] | None = None,
         extra_lines: dict[str, str] | None = None) -> RawRow:
    values: dict[str, Any] = {}
    lines: dict[str, str] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(_plain(key_node))
            values[key] = _plain(value_node)
            lines[key] = _line(value_node)
    values.update(extra or {})
    lines.update(extra_lines or {})
    default = _line(node)
    return RawRow(sheet, values, lambda key: lines.get(key, default), node.start_mark.line + 1)


def _fixed_place(line: str) -> Callable[[str], str]:
    return lambda key: line


def _indicator_rows(node: yaml.Node) -> Iterator[RawRow]:
    row = _row("Indicators", node)
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
                else:
                    value = _plain(target_node)
                yield RawRow("Targets", {"indicator": ident, "period": _plain(period_node), "value": value,
                                         "type": target_type}, _fixed_place(_line(target_node)))
        elif key == "links" and isinstance(value_node, yaml.SequenceNode):
            for link_node in value_node.value:
                yield _row("Links", link_node, {"indicator": ident})
        elif key == "tolerances" and isinstance(value_node, yaml.MappingNode):
            row.values.update(_plain(value_node))


def read_yaml_rows(text: str) -> list[RawRow]:
    """The register's rows from YAML text; YamlError when the text is not YAML."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise YamlError(str(exc).replace("\n", " ")) from None
    if root is None:
        return []
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
