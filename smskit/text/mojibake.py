"""Mojibake: UTF-8 text that was read as Latin-1 or Windows-1252 ("kÃ¤yttÃ¤jÃ¤", "â‚¬").

When a UTF-8 file passes through a tool that assumes Latin-1 or Windows-1252, each ä becomes
"Ã¤", each € "â‚¬" and each ’ "â€™". ftfy (a well-kept library for exactly this) decides
whether text is mojibake and repairs it. ftfy costs ~90 ms to import, so a cheap pattern looks
first for the tell-tale pair (a UTF-8 lead byte as Latin-1, Â…ô, followed by a continuation
byte as Latin-1 or Windows-1252), and ftfy runs only on text that has one. Text ftfy leaves
alone is never reported ("São Paulo", "pâté", "kesä–heinäkuu").
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Continuation bytes 0x80-0xBF as Windows-1252 (or Latin-1 C1 controls where 1252 has a hole).
_CONTINUATION = "\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_SUSPICIOUS = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]")
_NON_SPACE = re.compile(r"\S")


class Mojibake(NamedTuple):
    """Garbled text at ``text[start:end]`` and its repair (None when bytes were lost)."""

    start: int
    end: int
    text: str
    repaired: str | None
    encoding: str  # what the UTF-8 bytes were read as: "Latin-1", "Windows-1252" or either


def looks_suspicious(text: str) -> bool:
    """The cheap pre-check: does ``text`` hold a pair of characters typical of mojibake?"""
    return _SUSPICIOUS.search(text) is not None


def find_mojibake(text: str) -> list[Mojibake]:
    """Garbled words in ``text`` with ftfy's repair of each, in order (empty for clean text)."""
    if not looks_suspicious(text):
        return []
    import difflib

    import ftfy  # lazily: only text that looks garbled pays for the import

    fixed, steps = ftfy.fix_encoding_and_explain(text)
    if fixed == text:
        return []
    encoding = _encoding_name(steps)
    matcher = difflib.SequenceMatcher(None, text, fixed, autojunk=False)
    opcodes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    bad = [False] * len(text)
    for _, i1, i2, _, _ in opcodes:
        for i in range(i1, i2) if i2 > i1 else [i1] if i1 < len(text) else []:
            bad[i] = True
    found = []
    for start, end in _spans(text, bad):
        fstart, fend = _map(opcodes, start), _map(opcodes, end)
        repaired = fixed[fstart:fend]
        found.append(
            Mojibake(
                start, end, text[start:end], None if "\ufffd" in repaired else repaired, encoding
            )
        )
    return found


def _spans(text: str, bad: list[bool]) -> list[tuple[int, int]]:
    # Whole words (runs of non-space) around the changes: the finding shows "kÃ¤yttÃ¤jÃ¤".
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(text):
        if not bad[i]:
            i += 1
            continue
        start, end = i, i
        while start > 0 and (bad[start - 1] or _NON_SPACE.match(text[start - 1])):
            start -= 1
        while end < len(text) and (bad[end] or _NON_SPACE.match(text[end])):
            end += 1
        spans.append((start, end))
        i = end
    return spans


def _map(opcodes: list[tuple[str, int, int, int, int]], pos: int) -> int:
    # Span edges lie outside every changed block: shift by the last block that ends before.
    shift = 0
    for _, i1, i2, _, j2 in opcodes:
        if i2 < pos or (i2 == pos and i1 < i2):
            shift = j2 - i2
    return pos + shift


def _encoding_name(steps: list) -> str:
    names = [arg for op, arg in steps if op == "encode"]
    if any("1252" in n for n in names):
        return "Windows-1252"
    if names:
        return "Latin-1"
    return "Latin-1/Windows-1252"  # ftfy repaired pieces inside otherwise correct text
