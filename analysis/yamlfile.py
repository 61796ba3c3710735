"""Read YAML data files so that validation messages can name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from analysis.errors import RulesError


class LineDict(dict):
    """A mapping read from YAML that remembers the line it started on (1-based)."""

    line: int = 0


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Return the parsed YAML document at ``path``; mappings are :class:`LineDict`.

    Raises RulesError naming the file (and line, when YAML knows it) for a missing
    file or invalid YAML.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise RulesError(f"{path}: cannot read ({error})") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RulesError(f"{path}{where}: invalid YAML ({problem})") from None


def where(path: Path, node: Any) -> str:
    """Return ``file:line`` for a mapping read by :func:`read_yaml` (``file`` otherwise)."""
    line = getattr(node, "line", 0)
    return f"{path}:{line}" if line else f"{path}"
