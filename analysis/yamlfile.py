"""Read YAML data files so that validation messages can name the file and line.

Codebooks, cleaning rules, actor and source lists are small hand-written files,
so the reader refuses what such a file never needs and what a hostile file could
use to exhaust memory or time: anchors and aliases (an "alias bomb" of a few
hundred bytes expands to gigabytes), nesting deeper than :data:`MAX_DEPTH`, more
than :data:`MAX_NODES` values, files larger than :data:`MAX_BYTES`, and a key
given twice in one mapping (YAML would silently keep only the last value).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent

from analysis.errors import RulesError
from analysis.files import read_input_bytes

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 20
# A codebook of 2,000 terms (the most it may have), each with every option, is about 26,000 values;
# composing 50,000 takes about 4 s.
MAX_NODES = 50_000


class LineDict(dict):
    """A mapping read from YAML that remembers the line it started on (1-based)."""

    line: int = 0


class _DataFileProblem(Exception):
    """A YAML construct that data files do not allow, with the 1-based line it is on."""

    def __init__(self, line: int, problem: str):
        super().__init__(problem)
        self.line = line
        self.problem = problem


class _LineLoader(yaml.SafeLoader):
    """A safe loader that composes with limits: no aliases or anchors, bounded depth and size, unique keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent):
            raise _DataFileProblem(line, f"YAML aliases (*{event.anchor}) are not allowed in a data file; "
                                         "write the value out")
        if isinstance(event, (ScalarEvent, SequenceStartEvent, MappingStartEvent)) and event.anchor is not None:
            raise _DataFileProblem(line, f"YAML anchors (&{event.anchor}) are not allowed in a data file; "
                                         "write the value out")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _DataFileProblem(line, f"more than {MAX_NODES:,} values; a data file this large is not supported")
        self._depth += 1
        try:
            # Checked before composing the children, so that no depth can exhaust Python's stack.
            if self._depth > MAX_DEPTH:
                raise _DataFileProblem(line, f"nested more than {MAX_DEPTH} levels deep; "
                                             "no data file needs this much nesting")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _DataFileProblem(key_node.start_mark.line + 1, "a mapping key must be plain text")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DataFileProblem(line, f"duplicate key '{key}' (first on line {seen[key]}); "
                                             "YAML would keep only the last value: give each key once")
            seen[key] = line
        return node


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    """Return the parsed YAML document at ``path``; mappings are :class:`LineDict`.

    Raises RulesError naming the file (and line, when known) for a missing file,
    a path that is not a regular file, a file over :data:`MAX_BYTES`, invalid
    YAML, aliases or anchors, nesting deeper than :data:`MAX_DEPTH`, more than
    :data:`MAX_NODES` values and duplicate keys.
    """
    return read_yaml_nodes(path)[0]


def read_yaml_nodes(path: Path) -> tuple[Any, yaml.Node | None]:
    """Return the parsed YAML document at ``path`` and its composed node tree (for lines of any value).

    Raises RulesError as :func:`read_yaml` does.
    """
    path = Path(path)
    data = read_input_bytes(path, "file", MAX_BYTES, error=RulesError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise RulesError(f"{path}:{line}: not UTF-8 text (byte {problem.start}); save the file as UTF-8") from None
    loader = _LineLoader(text)
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except _DataFileProblem as problem:
        raise RulesError(f"{path}:{problem.line}: {problem.problem}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where_at = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RulesError(f"{path}{where_at}: invalid YAML ({problem})") from None
    finally:
        loader.dispose()
    return document, root


def where(path: Path, node: Any) -> str:
    """Return ``file:line`` for a mapping read by :func:`read_yaml` (``file`` otherwise)."""
    line = getattr(node, "line", 0)
    return f"{path}:{line}" if line else f"{path}"
