"""Minimal SMS segment counting (GSM-7 or UCS-2), enough to run the emulator and sender.

# TEMPORARY: replaced by the engine branch on merge
"""

from __future__ import annotations

from dataclasses import dataclass

_GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXT = "^{}\\[~]|€\f"
_BASIC = frozenset(_GSM_BASIC)
_EXT = frozenset(_GSM_EXT)


@dataclass(frozen=True)
class Analysis:
    encoding: str
    segments: int


def analyze(text: str, smart_encoding: bool = False) -> Analysis:
    if all(c in _BASIC or c in _EXT for c in text):
        septets = sum(2 if c in _EXT else 1 for c in text)
        segments = 1 if septets <= 160 else -(-septets // 153)
        return Analysis("GSM-7", segments)
    units = len(text.encode("utf-16-le")) // 2
    return Analysis("UCS-2", 1 if units <= 70 else -(-units // 67))


def segment_count(text: str, smart_encoding: bool = False) -> int:
    return analyze(text, smart_encoding).segments
