"""YAML loading that remembers where every key and value came from.

Rule files are written by hand, so a validation error must name the file,
line and column. PyYAML's safe composer gives nodes with marks; this module
turns them into plain dicts, lists and scalars that carry those marks.
Only the safe subset of YAML is accepted: no Python tags.

``load`` is strict, for rule packs and configuration: typed scalars, and the
first problem stops the load. ``load_verbatim`` is for canned-response
libraries, where each broken response is reported and the others read:
every scalar stays the text as written, with its node (marks and scalar
style, so a body's column is exact), and an unknown tag becomes an
``Unsupported`` value for the caller to report.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from .readers.decoding import LINE_BREAK


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


# ---------------------------------------------------------------- verbatim loading


class MarkedText(str):
    """A scalar's text as written, with its node (marks and style)."""

    node: yaml.ScalarNode


class MarkedMapping(dict):
    line: int  # 1-based


class MarkedList(list):
    line: int


@dataclass(frozen=True)
class Unsupported:
    """A value with a tag that is not read (``!!python/object``…): never constructed."""

    tag: str
    line: int


def line_of(value: Any) -> int | None:
    """The 1-based line where a ``load_verbatim`` value starts; None for a value without one (null)."""
    if isinstance(value, MarkedText):
        return value.node.start_mark.line + 1
    return getattr(value, "line", None)


_VERBATIM_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)
_NULL_TAG = "tag:yaml.org,2002:null"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# PyYAML's scanner takes seconds on a line of a thousand '[' (each one is a possible
# simple key checked against all the others) before failing on the depth anyway.
_MAX_FLOW_DEPTH = 100
_DEEP_FLOW = re.compile(r"(?:[\[{][^\[\]{}\r\n]{0,3}){%d}" % _MAX_FLOW_DEPTH)
_YAML_ONLY_BREAKS = re.compile("[\x85\u2028\u2029]")


def load_verbatim(text: str) -> Any:
    """Parse YAML text into ``MarkedText``, ``MarkedMapping``, ``MarkedList``, ``Unsupported`` and None.

    Raises ``YamlError`` with the mark of a syntax error. libyaml composes first,
    where PyYAML has it: ten times faster, and the same nodes and marks (a test
    compares the two on generated libraries). A text libyaml refuses, or one with
    the line breaks only YAML knows, goes through PyYAML's pure-Python composer,
    whose messages are the ones users are shown and whose character indices
    ``_FileLines`` needs. So does a text where the two part (``_SLOW_ONLY``) or a
    node with a tag or an anchor (the two resolve a bare ``!`` differently): a
    library must read the same on every machine.
    """
    if _DEEP_FLOW.search(text):  # what PyYAML would say, after seconds of scanning
        raise YamlError("invalid YAML: nested too deeply", None)
    if _FAST_LOADER is not None and not _SLOW_ONLY.search(text):
        try:
            root = yaml.compose(text, Loader=_FAST_LOADER)
        except (yaml.YAMLError, RecursionError, UnicodeError):
            pass  # said again below, in PyYAML's words
        else:
            if root is None:
                return None
            if not _has_properties(root, text):
                return _verbatim(root)
    return _load_verbatim_slowly(text)


_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
# Where the two composers part: a tab (libyaml accepts some PyYAML refuses), the line
# breaks only YAML knows and a BOM past the start (libyaml leaves them out of its
# character index), and a comment glued to a block scalar's indicator (``|-#note``,
# which libyaml reads and PyYAML refuses). Found by the property test and a review.
_SLOW_ONLY = re.compile("[\t\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#")


def _has_properties(root: yaml.Node, text: str) -> bool:
    """Whether a node starts with a tag (``!``) or an anchor (``&``): a node's start
    mark is where its properties begin."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if text[node.start_mark.index : node.start_mark.index + 1] in ("!", "&"):
            return True
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)
    return False


def _load_verbatim_slowly(text: str) -> Any:
    if _DEEP_FLOW.search(text):
        raise YamlError("invalid YAML: nested too deeply", None)
    file_lines = _FileLines(text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        file_lines.fix_tree(root)
        return _verbatim(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        file_lines.fix(mark)
        problem = error.problem or error.context
        if error.context and problem.startswith("but "):  # "expected a single document…, but found another document"
            problem = f"{error.context}, {problem}"
        raise YamlError(f"invalid YAML: {problem}", Mark(mark.line + 1, mark.column + 1) if mark else None) from None
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {error}", None) from None
    except RecursionError:
        raise YamlError("invalid YAML: nested too deeply", None) from None


class _FileLines:
    """Puts YAML marks on the file's lines.

    PyYAML also ends a line at NEL, LS and PS (U+0085, U+2028, U+2029, pasted
    from web pages and Word); editors and the readers end lines at CR, LF and
    CRLF only. Marks keep their character index, so line and column are
    recomputed from it, only when the text holds one of those characters.
    """

    def __init__(self, text: str):
        self._starts = None
        if _YAML_ONLY_BREAKS.search(text):
            self._starts = [0] + [match.end() for match in LINE_BREAK.finditer(text)]

    def fix(self, mark: yaml.Mark | None) -> None:
        if self._starts is None or mark is None:
            return
        line = bisect.bisect_right(self._starts, mark.index) - 1
        mark.line, mark.column = line, mark.index - self._starts[line]

    def fix_tree(self, root: yaml.Node | None) -> None:
        if self._starts is None or root is None:
            return
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:  # aliases share nodes, a recursive one makes a cycle
                continue
            seen.add(id(node))
            self.fix(node.start_mark)
            self.fix(node.end_mark)
            if isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.MappingNode):
                stack.extend(child for pair in node.value for child in pair)


def _verbatim(root: yaml.Node) -> Any:
    """Plain dicts, lists and strings that carry their lines; scalars stay text.

    Each node is converted once, so aliases share values (no "billion laughs")
    and a recursive alias makes a cycle rather than endless work. Merge keys
    (``<<: *defaults``) are honoured, without overriding the mapping's own keys.
    """
    done: dict[int, Any] = {}

    def convert(node: yaml.Node) -> Any:
        if id(node) in done:
            return done[id(node)]
        line = node.start_mark.line + 1
        if node.tag not in _VERBATIM_TAGS:
            done[id(node)] = Unsupported(node.tag, line)
        elif isinstance(node, yaml.ScalarNode):
            if node.tag == _NULL_TAG:
                done[id(node)] = None
            else:
                node.style = node.style or None  # libyaml says '' for plain, PyYAML None
                text = MarkedText(node.value)
                text.node = node
                done[id(node)] = text
        elif isinstance(node, yaml.SequenceNode):
            items = done[id(node)] = MarkedList()
            items.line = line
            items.extend(convert(item) for item in node.value)
        else:
            mapping = done[id(node)] = MarkedMapping()
            mapping.line = line
            merged: list[Any] = []
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                if key_node.tag == _MERGE_TAG:
                    merged.append(convert(value_node))
                else:
                    mapping[key_node.value] = convert(value_node)
            for source in _merge_sources(merged):
                for key, value in source.items():
                    mapping.setdefault(key, value)
        return done[id(node)]

    return convert(root)


def _merge_sources(merged: list[Any]) -> Iterable[dict]:
    for value in merged:
        for source in value if isinstance(value, list) else [value]:
            if isinstance(source, dict):
                yield source
