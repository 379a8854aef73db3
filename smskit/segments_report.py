"""What ``smskit segments`` prints: a body's encoding and segments, for people or as JSON lines.

The human report names every character that forces UCS-2 (with its code point and 1-based
position) and, where replacing look-alike characters would make the body GSM-7, shows that
version and what it costs.
"""

from __future__ import annotations

from smskit.encoding import GSM7, Analysis, analyze, encoding_and_segments, gsm_suggestion

_BOLD, _YELLOW, _GREEN, _RESET = "\x1b[1m", "\x1b[33m", "\x1b[32m", "\x1b[0m"
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\f": "\\f", "\\": "\\\\"}
_MAX_POSITIONS = 5  # positions listed per character before "and N more"


def _visible(text: str) -> str:
    """``text`` on one line: line breaks and other control characters as escapes."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch < " " or "\x7f" <= ch < "\xa0":
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def code_points(cluster: str) -> str:
    """``"U+0065 U+0301"`` for a cluster."""
    return " ".join(f"U+{ord(ch):04X}" for ch in cluster)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def render_text(a: Analysis, color: bool = False) -> str:
    """A readable report of ``a``: encoding, segments with their text and size, UCS-2 causes."""

    def paint(style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    unit = "septet" if a.encoding == GSM7 else "UTF-16 unit"
    lines = [
        paint(_BOLD, f"{a.encoding}: {_plural(a.segments, 'segment')}, {_plural(a.units, unit)}")
    ]
    width = len(str(a.segments))
    for n, (part, size) in enumerate(zip(a.parts, a.part_units, strict=True), 1):
        lines.append(f"  {n:>{width}}. ({_plural(size, unit)}) {_visible(part)}")
    if a.ucs2_chars:
        lines.append("Characters that force UCS-2 (with position):")
        positions: dict[str, list[int]] = {}
        for offset, cluster in a.ucs2_chars:
            positions.setdefault(cluster, []).append(offset + 1)
        for cluster, where in positions.items():
            shown = ", ".join(map(str, where[:_MAX_POSITIONS]))
            more = f" and {len(where) - _MAX_POSITIONS} more" if len(where) > _MAX_POSITIONS else ""
            lines.append(
                f"  {paint(_YELLOW, _visible(cluster))}  {code_points(cluster)}  at {shown}{more}"
            )
        suggestion = gsm_suggestion(a.text)
        if suggestion != a.text:
            encoding, segments = encoding_and_segments(suggestion)
            if encoding == GSM7:
                lines.append(
                    paint(_GREEN, f"GSM-7 version ({_plural(segments, 'segment')}):")
                    + f" {_visible(suggestion)}"
                )
                return "\n".join(lines)
        rest = dict.fromkeys(cluster for _, cluster in analyze(suggestion).ucs2_chars)
        note = f"No GSM-7 version: {' '.join(map(_visible, rest))} cannot be written in GSM-7"
        if suggestion != a.text:
            note += f"; replacing the rest gives {_plural(segments, 'segment')}"
        lines.append(note)
    return "\n".join(lines)


def jsonl_record(text: str, smart_encoding: bool = False) -> dict:
    """One JSON-lines record for ``text``: encoding, segments and why it is UCS-2."""
    a = analyze(text, smart_encoding)
    record: dict = {
        "text": text,
        "smart_encoding": smart_encoding,
        "encoding": a.encoding,
        "segments": a.segments,
        "characters": a.characters,
        "units": a.units,
        "parts": list(a.parts),
        "ucs2_chars": [
            {"char": cluster, "codepoints": code_points(cluster).split(), "offset": offset}
            for offset, cluster in a.ucs2_chars
        ],
        "suggestion": None,
    }
    if a.text != text:
        record["sent_text"] = a.text
    suggestion = gsm_suggestion(text)
    if suggestion != text:
        encoding, segments = encoding_and_segments(suggestion, smart_encoding)
        record["suggestion"] = {"text": suggestion, "encoding": encoding, "segments": segments}
    return record
