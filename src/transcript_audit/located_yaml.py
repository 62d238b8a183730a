"""YAML loading that remembers where every key and value came from.

Rule files are written by hand, so a validation error must name the file,
line and column. PyYAML's safe composer gives nodes with marks; this module
turns them into plain dicts, lists and scalars that carry those marks.
Only the safe subset of YAML is accepted: no Python tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


class LocatedDict(dict):
    """A mapping with the mark of itself, of each key and of each value."""

    mark: Mark
    key_marks: dict[str, Mark]
    value_marks: dict[str, Mark]


class LocatedList(list):
    mark: Mark
    item_marks: list[Mark]


class YamlError(ValueError):
    def __init__(self, message: str, mark: Mark | None):
        super().__init__(message)
        self.message = message
        self.mark = mark


def _mark(node: yaml.Node) -> Mark:
    """Where the node's content starts (after the opening quote of a quoted scalar)."""
    quoted = isinstance(node, yaml.ScalarNode) and node.style in ("'", '"')
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1 + quoted)


# libyaml's composer, where PyYAML was built with it, is ten times faster and gives the same marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """Parse YAML text into located values; raises ``YamlError`` with a mark."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else None
        raise YamlError(f"invalid YAML: {error.problem or error.context}", where) from None
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {error}", None) from None
    if node is None:
        return None
    return _convert(node, depth=0)


_MAX_DEPTH = 64
_MAX_NODES = 200_000  # aliases are expanded: bound the total against "billion laughs"
_SAFE_CONSTRUCTOR = yaml.SafeLoader("")
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _convert(node: yaml.Node, depth: int, budget: list[int] | None = None) -> Any:
    budget = budget if budget is not None else [_MAX_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlError(f"YAML too large once aliases are expanded (more than {_MAX_NODES} values)", _mark(node))
    if depth > _MAX_DEPTH:
        raise YamlError("YAML nested too deeply", _mark(node))
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        raise YamlError(f"unsupported YAML tag '{node.tag}'", _mark(node))
    if isinstance(node, yaml.MappingNode):
        result = LocatedDict()
        result.mark, result.key_marks, result.value_marks = _mark(node), {}, {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("mapping keys must be plain words", _mark(key_node))
            key = str(_scalar(key_node))
            if key in result:
                raise YamlError(f"duplicate key '{key}'", _mark(key_node))
            result[key] = _convert(value_node, depth + 1, budget)
            result.key_marks[key] = _mark(key_node)
            result.value_marks[key] = _mark(value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList(_convert(item, depth + 1, budget) for item in node.value)
        items.mark, items.item_marks = _mark(node), [_mark(item) for item in node.value]
        return items
    return _scalar(node)


_STR_TAG = "tag:yaml.org,2002:str"


def _scalar(node: yaml.Node) -> Any:
    if node.tag == _STR_TAG:  # most values of a rule file: no constructor needed
        return node.value
    try:
        return _SAFE_CONSTRUCTOR.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as error:
        raise YamlError(f"unsupported YAML value: {error.problem}", _mark(node)) from None
