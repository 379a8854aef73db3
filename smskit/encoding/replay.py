"""The calculator's own procedure, replayed one cluster at a time.

It fills the first segment to 160 septets / 70 units; when a cluster does not fit, it adds the
header to that segment, moves its tail beyond 153 / 67 into the second, and appends the
cluster there even if the second then overflows; later segments fill to 153 / 67, and a cluster
that fits nowhere gets a segment of its own. The segmenter's arithmetic gives the same parts
whenever clusters are shorter than 33 units; this replay is the reference (and the fallback).
"""

from __future__ import annotations

from smskit.encoding.graphemes import graphemes
from smskit.encoding.gsm7 import gsm7_septets
from smskit.encoding.units import (
    GSM7,
    GSM7_MULTI,
    GSM7_SINGLE,
    UCS2_MULTI,
    UCS2_SINGLE,
    utf16_units,
)


def replay(text: str, encoding: str) -> tuple[list[str], list[int]]:
    """Build the parts exactly as the calculator does, one cluster at a time."""
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if encoding == GSM7 else (UCS2_SINGLE, UCS2_MULTI)
    clusters = graphemes(text)
    if encoding == GSM7:
        sizes = [gsm7_septets(g) or 0 for g in clusters]
    else:
        sizes = [utf16_units(g) for g in clusters]
    segments: list[list[int]] = [[]]  # cluster indices per segment
    used = [0]
    for k, size in enumerate(sizes):
        cap = single if len(segments) == 1 else multi
        if cap - used[-1] < size:
            segments.append([])
            used.append(0)
            if len(segments) == 2:  # part one gets its header: move its tail over
                moved: list[int] = []
                while used[0] > multi:
                    idx = segments[0].pop()
                    used[0] -= sizes[idx]
                    moved.insert(0, idx)
                segments[1].extend(moved)
                used[1] = sum(sizes[idx] for idx in moved)
        segments[-1].append(k)
        used[-1] += size
    parts = ["".join(clusters[idx] for idx in seg) for seg in segments]
    return parts, used
