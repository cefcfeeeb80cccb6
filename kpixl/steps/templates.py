"""The text a council may restyle: workbook_templates/ in the workspace overrides kpixl's bundled copy.

A template is plain UTF-8 text with {placeholders}; a literal brace is written twice ({{ or }}). A
placeholder kpixl does not know is a ConfigError naming the file and the placeholders it offers, never a
KeyError in the middle of a run.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path

from kpixl.errors import ConfigError
from kpixl.steps.workspace import Workspace, bundled_path

__all__ = ["FOLDER", "render_template", "template_path"]

FOLDER = "workbook_templates"


def template_path(workspace: Workspace, name: str) -> Path:
    """The workspace's own workbook_templates/<name> when it has one, else kpixl's."""
    own = workspace.path(FOLDER) / name
    return own if own.is_file() else bundled_path(FOLDER) / name


def render_template(path: Path, values: Mapping[str, str]) -> str:
    """The template at path with its placeholders filled from values."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the template {path}: {exc}") from None
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}. Write a literal brace twice: {{{{ or }}}}") from None
    unknown = sorted(n for n in names if n not in values)
    if unknown:
        offered = ", ".join("{" + k + "}" for k in sorted(values))
        raise ConfigError(f"{path} uses {', '.join('{' + n + '}' for n in unknown)}, which kpixl does not fill. "
                          f"Placeholders: {offered}")
    return text.format_map(dict(values))
