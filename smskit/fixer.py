"""Apply fixes to campaign files without disturbing the rest of the YAML.

A fix edits a scalar's *value* (a message body). Where the edited text stands in the file exactly
as in the value (the usual case), only those characters change; otherwise the one scalar is
written again in its own style. Either way the new file is parsed once more and must hold the
same data as the old one except for the fixed values, or nothing is written.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from smskit.findings import Edit, Finding, Fix
from smskit.loader import _Refused, compose
from smskit.model import Campaign, Node, block_indent


@dataclass(frozen=True, slots=True)
class FileEdit:
    """Replace ``length`` characters at ``offset`` of the file's text with ``text``."""

    offset: int
    length: int
    text: str


class FixFailed(Exception):
    pass


def _merged_edits(fixes: list[Fix]) -> list[Edit]:
    edits = sorted((e for f in fixes for e in f.edits), key=lambda e: (e.start, e.end))
    out: list[Edit] = []
    for e in edits:
        if out and e.start < out[-1].end:
            continue  # overlapping edits: the first one wins, the rest wait for the next pass
        if out and e.start == out[-1].start == out[-1].end == e.end:
            continue
        out.append(e)
    return out


def _escape(text: str, style: str | None, indent: str) -> str | None:
    if style == "'":
        return None if "\n" in text else text.replace("'", "''")
    if style == '"':
        out = []
        for ch in text:
            if ch in '\\"':
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
                out.append(f"\\x{ord(ch):02x}")
            else:
                out.append(ch)
        return "".join(out)
    if style == "|":
        return text.replace("\n", "\n" + indent)
    if style is None:
        return None if "\n" in text or "#" in text or ": " in text else text
    # Folded: text without line breaks stands in the file as it is (every edit is verified).
    return None if "\n" in text else text


def _in_place(source: str, node: Node, value: str, edits: list[Edit]) -> list[FileEdit] | None:
    span = source[node.start.index : node.end.index]
    indent = " " * block_indent(node) if node.style == "|" else ""
    out = []
    for e in edits:
        orig = value[e.start : e.end]
        esc_orig = _escape(orig, node.style, indent)
        esc_new = _escape(e.text, node.style, indent)
        if not orig or esc_orig is None or esc_new is None:
            return None
        if value.count(orig) != span.count(esc_orig):
            return None
        k = value.count(orig, 0, e.start)
        pos = -1
        for _ in range(k + 1):
            pos = span.find(esc_orig, pos + 1)
        if pos < 0:
            return None
        out.append(FileEdit(node.start.index + pos, len(esc_orig), esc_new))
    return out


def _rerender(source: str, node: Node, new_value: str) -> list[FileEdit]:
    if node.style == "|":
        header_end = source.find("\n", node.start.index)
        indent = " " * block_indent(node)
        body = new_value[:-1] if new_value.endswith("\n") else new_value
        lines = [indent + line if line else "" for line in body.split("\n")]
        text = source[node.start.index : header_end + 1] + "\n".join(lines) + "\n"
        # A literal block ends with the line break before the next key: keep that boundary.
        end = node.end.index
        return [FileEdit(node.start.index, end - node.start.index, text)]
    text = '"' + (_escape(new_value, '"', "") or "") + '"'
    end = node.end.index
    if node.style == ">":
        # A block scalar's span runs to the start of the next line: keep its line breaks.
        span = source[node.start.index : end]
        end = node.start.index + len(span.rstrip(" \t\r\n"))
    return [FileEdit(node.start.index, end - node.start.index, text)]


def _apply(source: str, edits: list[FileEdit]) -> str:
    for e in sorted(edits, key=lambda e: e.offset, reverse=True):
        source = source[: e.offset] + e.text + source[e.offset + e.length :]
    return source


def _path_to(root: Node, target: Node) -> list | None:
    if root is target:
        return []
    if root.kind == "mapping":
        items = root.value.items()
    elif root.kind == "sequence":
        items = enumerate(root.value)
    else:
        return None
    for key, child in items:
        sub = _path_to(child, target)
        if sub is not None:
            return [key, *sub]
    return None


def _set(data, path: list, value) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


def file_edits_for(source: str, root: Node, fix: Fix) -> list[FileEdit]:
    """The file edits that carry out one fix (for SARIF's artifactChanges): the same ones
    ``fixed_source`` applies, so that a SARIF fix equals what --fix writes."""
    return _scalar_edits(source, root, [fix])[1]


def _scalar_edits(source: str, root: Node, fixes: list[Fix]) -> tuple[str, list[FileEdit]]:
    """(the new value, the file edits) for fixes of one scalar: its characters edited in
    place where that verifies, else the scalar written anew."""
    node = fixes[0].target
    edits = _merged_edits(fixes)
    new_value = Fix("", node, tuple(edits)).apply_to(node.value)
    file_edits = _in_place(source, node, node.value, edits)
    if file_edits is None or not _verify(_apply(source, file_edits), root, node, new_value):
        file_edits = _rerender(source, node, new_value)
    return new_value, file_edits


def fixed_source(campaign: Campaign, fixes: list[Fix]) -> str:
    """The file's text with ``fixes`` applied; FixFailed if the result cannot be verified."""
    source, root = campaign.source, campaign.root
    by_target: dict[int, list[Fix]] = {}
    for f in fixes:
        by_target.setdefault(id(f.target), []).append(f)
    expected = root.plain()
    all_edits: list[FileEdit] = []
    for group in by_target.values():
        node = group[0].target
        path = _path_to(root, node)
        if path is None:
            raise FixFailed("fix target is not part of this file")
        new_value, file_edits = _scalar_edits(source, root, group)
        _set(expected, path, new_value)
        all_edits.extend(file_edits)
    new_source = _apply(source, all_edits)
    try:
        new_root = compose(new_source)
    except _Refused as r:
        raise FixFailed(f"fixed file would not parse: {r.problem.message}") from None
    if new_root is None or new_root.plain() != expected:
        raise FixFailed("fixed file would not hold the intended data; nothing written")
    return new_source


def _verify(candidate: str, root: Node, node: Node, new_value: str) -> bool:
    try:
        new_root = compose(candidate)
    except _Refused:
        return False
    path = _path_to(root, node)
    expected = root.plain()  # new dicts and lists every time
    _set(expected, path, new_value)
    return new_root is not None and new_root.plain() == expected


def eligible(findings: list[Finding], unsafe: bool) -> list[Finding]:
    return [f for f in findings if f.fix is not None and (f.fix.safe or unsafe)]


def write_atomic(path: Path, text: str) -> None:
    """Replace the file in one step: a crash leaves the old or the new file, never half of one.

    A UTF-8 byte-order mark the file started with is kept (the loader's text has none).
    """
    path = Path(os.path.realpath(path))  # through a symlink: replace the file, keep the link
    mode = path.stat().st_mode
    with path.open("rb") as fh:
        if fh.read(3) == b"\xef\xbb\xbf" and not text.startswith("\ufeff"):
            text = "\ufeff" + text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
