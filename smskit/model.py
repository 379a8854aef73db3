"""The campaign as loaded from YAML: values with the file positions they came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple


class Mark(NamedTuple):
    """A position in a source file: 1-based line and column, 0-based character index.

    A named tuple rather than a frozen dataclass: loading makes two for every YAML node, and a
    tuple is made in half the time.
    """

    line: int
    column: int
    index: int


@dataclass(slots=True)
class Node:
    """A YAML node with its span in the file.

    ``style`` is the scalar style as written: ``None`` (plain), ``'``, ``"``, ``|`` or ``>``.
    For mappings ``value`` is ``dict[str, Node]`` and ``keys`` holds the key nodes;
    for sequences ``value`` is ``list[Node]``.
    """

    value: Any
    start: Mark
    end: Mark
    kind: str = "scalar"  # scalar | mapping | sequence
    style: str | None = None
    tag: str | None = None
    keys: dict[str, Node] = field(default_factory=dict)
    raw: str | None = None  # a scalar's text as written (before type resolution)
    indent: int | None = None  # a block scalar's content indentation (0-based column)

    def plain(self) -> Any:
        """The node as plain Python data (dicts, lists, scalars)."""
        if self.kind == "mapping":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "sequence":
            return [v.plain() for v in self.value]
        return self.value


@dataclass(frozen=True, slots=True)
class Suppression:
    code: str
    reason: str
    node: Node  # the key node, where "suppression unused" is reported


@dataclass(slots=True)
class Message:
    id: str
    body: str
    index: int
    node: Node  # the message mapping
    body_node: Node
    suppress: dict[str, Suppression] = field(default_factory=dict)
    source: str | None = field(default=None, repr=False, compare=False)  # the file's text

    def mark_at(self, offset: int) -> Mark:
        """The file position of character ``offset`` of the body, in any scalar style."""
        return body_mark(self.body_node, self.body, offset, self.source)


@dataclass(slots=True)
class Campaign:
    path: Path
    display: str  # the path as the user should see it in findings
    source: str
    root: Node
    slug: str
    brand: str
    locale: str
    purpose: str
    sender: str
    messages: list[Message]
    messaging_service: str | None = None
    smart_encoding: bool = False
    send_at: datetime | None = None
    interval: timedelta | None = None
    suppress: dict[str, Suppression] = field(default_factory=dict)
    audience: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    opt_out: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> str:
        """The language subtag of ``locale`` ("fi" for "fi-FI")."""
        return self.locale.split("-", 1)[0].lower()

    def node(self, key: str) -> Node:
        """The value node of a top-level key (the root when absent)."""
        return self.root.value.get(key, self.root)


def body_mark(node: Node, value: str, offset: int, source: str | None = None) -> Mark:
    """Map a character offset inside a scalar's value to a file position.

    With the file's ``source`` the position is exact in every style (escapes, folding, block
    indentation). Without it, or should the source not line up, it is a best effort: exact for
    single-line scalars without escapes, the right line and about the right column otherwise.
    """
    offset = max(0, min(offset, len(value)))
    if source is not None:
        from smskit.positions import source_index

        at = source_index(source, node.start.index, node.end.index, node.style, value, offset)
        if at is not None:
            return _mark_of(source, node.start, at)
    start = node.start
    if node.style in ("|", ">"):
        # Content starts on the line after the indicator; find the block's indentation.
        lines_before = value.count("\n", 0, offset)
        line_start = value.rfind("\n", 0, offset) + 1
        indent = block_indent(node)
        return Mark(
            start.line + 1 + lines_before,
            indent + 1 + (offset - line_start),
            start.index,  # index is not tracked inside blocks
        )
    quote = 1 if node.style in ("'", '"') else 0
    if start.line == node.end.line:
        # One line in the file: escapes ("\n", "\"", "''") take two characters there.
        escaped = _ESCAPED.get(node.style or "")
        extra = sum(value.count(ch, 0, offset) for ch in escaped) if escaped else 0
        col = quote + offset + extra
        return Mark(start.line, start.column + col, start.index + col)
    lines_before = value.count("\n", 0, offset)
    line_start = value.rfind("\n", 0, offset) + 1
    if lines_before == 0:
        return Mark(start.line, start.column + quote + offset, start.index + quote + offset)
    return Mark(start.line + lines_before, 1 + (offset - line_start), start.index)


def _mark_of(source: str, start: Mark, index: int) -> Mark:
    # Count lines from the scalar's start: the file before it need not be scanned.
    breaks = source.count("\n", start.index, index)
    if not breaks:
        return Mark(start.line, start.column + index - start.index, index)
    return Mark(start.line + breaks, index - source.rfind("\n", 0, index), index)


_ESCAPED = {'"': '\n\t"\\', "'": "'"}


def block_indent(node: Node) -> int:
    """A block scalar's content indentation (0-based column of its first non-blank line)."""
    if node.indent is not None:
        return node.indent
    return max(node.start.column - 1, 0) if node.end.line == node.start.line else node.start.column


def parse_duration(text: str) -> timedelta | None:
    """``30s``, ``10m``, ``2h``, ``1d`` (or a bare number of seconds) as a timedelta."""
    text = text.strip()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if text and text[-1] in units and text[:-1].isdigit():
        return timedelta(seconds=int(text[:-1]) * units[text[-1]])
    if text.isdigit():
        return timedelta(seconds=int(text))
    return None
