"""Where a character of a YAML scalar's value stands in the file.

A scalar's value is not its source text: quotes, escapes, ``''``, block indentation and line
folding all sit between the two. This walks the source of one scalar alongside its value and
pairs them up, so that a finding points at the very character in the file, whatever the style.
"""

from __future__ import annotations

_SPACE = " \t"
_WHITE = " \t\r\n"
# Double-quoted escapes that stand for one character, and the hex escapes' digit counts.
_SIMPLE = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX = {"x": 2, "u": 4, "U": 8}


def source_index(
    source: str, start: int, end: int, style: str | None, value: str, offset: int
) -> int | None:
    """The index in ``source`` of character ``offset`` of ``value`` (``len(value)``: just after it).

    ``start``/``end`` delimit the scalar as the parser reported it (for block scalars, from the
    ``|``/``>`` indicator to the start of the next line after the content); ``style`` is ``None``,
    ``'``, ``"``, ``|`` or ``>``. ``None`` when the source does not line up with the value.
    """
    block = style in ("|", ">")
    if block:
        s = source.find("\n", start, end)
        if s < 0:
            return None
        s += 1
        indent = content_indent(source, s, end) or 0
        s = _skip_indent(source, s, end, indent)
    elif style in ("'", '"'):
        s, end = start + 1, end - 1
        indent = 0
    else:
        s, indent = start, 0
    offset = max(0, min(offset, len(value)))
    if not block:
        at = _verbatim_index(source, s, end, style, value, offset)
        if at is not None:
            return at
    return _walk(source, s, end, style, value, offset, indent, block)


def _verbatim_index(
    source: str, s: int, end: int, style: str | None, value: str, offset: int
) -> int | None:
    """``s + offset`` if the value stands verbatim in the source up to the offset, else None.

    Most scalars do (no escape, quote pair or line break before the offset), and for them this
    spares the character-by-character walk.
    """
    at = s + offset
    if at > end:
        return None
    head = source[s:at]
    if head != value[:offset]:
        return None
    special = "\\" if style == '"' else "'" if style == "'" else ""
    nxt = source[at : at + 1] if offset < len(value) else ""
    for ch in ("\n", "\r", special):
        if ch and (ch in head or ch == nxt):
            return None
    return at if offset == len(value) or nxt == value[offset] else None


def _walk(
    source: str,
    s: int,
    end: int,
    style: str | None,
    value: str,
    offset: int,
    indent: int,
    block: bool,
) -> int | None:
    """source_index the long way: pair the value's characters with the source's one by one."""
    for i, ch in enumerate(value):
        at = _match(source, s, end, style, ch)
        if at is None and ch not in _WHITE:
            # Folding and indentation stand between the value's characters: skip them.
            s = _skip_white(source, s, end, style)
            at = _match(source, s, end, style, ch)
        if at is None:
            if ch in " \n" and s <= end:
                # A space or line break made by folding: it stands where the source breaks.
                if i == offset:
                    return s
                continue
            return None
        if i == offset:
            return s
        s = at
        if source[s - 1] == "\n":  # a real line break, not an escaped one
            s = _skip_indent(source, s, end, indent) if block else _skip_space(source, s, end)
    return s if s <= end else None


def _match(source: str, s: int, end: int, style: str | None, ch: str) -> int | None:
    """Where the source continues if ``ch`` stands at ``s``; ``None`` if it does not."""
    if s >= end:
        return None
    c = source[s]
    if style == '"' and c == "\\":
        nxt = source[s + 1 : s + 2]
        if nxt in _HEX:
            n = _HEX[nxt]
            try:
                decoded = chr(int(source[s + 2 : s + 2 + n], 16))
            except ValueError:
                return None
            return s + 2 + n if decoded == ch else None
        return s + 2 if _SIMPLE.get(nxt) == ch else None
    if style == "'" and c == "'" and ch == "'":
        return s + 2 if source[s + 1 : s + 2] == "'" else None
    if ch == "\n" and source.startswith("\r\n", s):
        return s + 2
    return s + 1 if c == ch else None


def _skip_white(source: str, s: int, end: int, style: str | None) -> int:
    while s < end:
        if source[s] in _WHITE:
            s += 1
        elif style == '"' and source[s] == "\\" and source[s + 1 : s + 2] in ("\n", "\r"):
            s += 2  # an escaped line break joins the lines
        else:
            break
    return s


def _skip_space(source: str, s: int, end: int) -> int:
    while s < end and source[s] in _SPACE:
        s += 1
    return s


def _skip_indent(source: str, s: int, end: int, indent: int) -> int:
    stop = min(s + indent, end)
    while s < stop and source[s] == " ":
        s += 1
    return s


def content_indent(source: str, s: int, end: int) -> int | None:
    """A block scalar's indentation: that of its first non-blank line at or after ``s``
    (None if there is none before ``end``)."""
    while s < end:
        line_end = source.find("\n", s, end)
        line = source[s : line_end if line_end >= 0 else end]
        if line.strip():
            return len(line) - len(line.lstrip(" "))
        if line_end < 0:
            break
        s = line_end + 1
    return None
