"""How an SMS body is encoded and split into segments, as Twilio's calculator does it.

The model (TwilioDevEd/message-segment-calculator, as recorded in the shared conformance data):

* GSM-7 when every character is in the GSM 03.38 basic set or extension table, else UCS-2.
* A single segment holds 140 octets: 160 septets or 70 UTF-16 units. A longer body is sent in
  parts that each lose 6 octets to the concatenation header: 153 septets or 67 units.
* Parts are filled greedily and a grapheme cluster is never split; the part then carries fewer
  units. The empty body is one GSM-7 segment.

The calculator builds the parts by filling the first segment to 160/70, then moving its tail to
the second one when the header is added. For clusters shorter than 33 units that is the same
as filling every part to 153/67, which is what the fast path does: it finds each cut by
arithmetic on bytes (one byte per GSM-7 character, or the UTF-16 encoding) and asks whether
the cut is a cluster boundary only there. A body with a cluster too long for that (dozens of
combining marks) is replayed step by step exactly as the calculator does it, overflowing
segments included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smskit.encoding.graphemes import (
    NO_GLUE,
    NO_JOIN,
    all_standalone,
    boundary_at_or_before,
    certain_boundary,
    cluster_at,
    graphemes,
)
from smskit.encoding.gsm7 import ALPHABET, BASIC, EXT_FLAGS, EXTENSION, gsm7_bytes, gsm7_septets
from smskit.encoding.smart import smart_encode

GSM7 = "GSM-7"
UCS2 = "UCS-2"

GSM7_SINGLE, GSM7_MULTI = 160, 153  # septets
UCS2_SINGLE, UCS2_MULTI = 70, 67  # UTF-16 code units

_NON_GSM = re.compile("[^" + re.escape(BASIC + EXTENSION) + "]")
_NON_GSM_RUN = re.compile("[^" + re.escape(BASIC + EXTENSION) + "]+")
_RUNS_FOR_WHOLE_TEXT = 12


@dataclass(frozen=True, slots=True)
class Analysis:
    """A body as it will be sent: encoding, segment count and the text of each segment."""

    text: str  # the text as sent (after Smart Encoding when enabled)
    encoding: str  # GSM7 | UCS2
    segments: int
    units: int  # septets (GSM-7) or UTF-16 units (UCS-2), headers excluded
    parts: tuple[str, ...]  # the text of each segment
    part_units: tuple[int, ...]
    ucs2_chars: tuple[tuple[int, str], ...]  # (offset in text, grapheme) that forced UCS-2

    @property
    def characters(self) -> int:
        """The calculator's "characters": septets for GSM-7, grapheme clusters for UCS-2."""
        return self.units if self.encoding == GSM7 else len(graphemes(self.text))


def encoding_of(text: str, smart_encoding: bool = False) -> str:
    """GSM7 or UCS2: the encoding Twilio uses for ``text``."""
    if smart_encoding:
        text = smart_encode(text)
    return GSM7 if gsm7_bytes(text) is not None else UCS2


def segment_count(text: str, smart_encoding: bool = False) -> int:
    """How many segments Twilio bills for ``text`` (the fast path: no parts are built)."""
    return encoding_and_segments(text, smart_encoding)[1]


def encoding_and_segments(text: str, smart_encoding: bool = False) -> tuple[str, int]:
    """(encoding, segment count) of ``text`` in one pass, without building the parts."""
    if smart_encoding:
        text = smart_encode(text)
    # Most UCS-2 bodies show a non-GSM character early: spare them the failing encode.
    data = None if _NON_GSM.search(text, 0, 32) else gsm7_bytes(text)
    if data is not None:
        n = len(data)
        if n <= GSM7_SINGLE // 2:
            return GSM7, 1
        flags = data.translate(EXT_FLAGS)
        ext = flags.count(1)
        if n + ext <= GSM7_SINGLE:
            return GSM7, 1
        if not ext:
            return GSM7, -(-n // GSM7_MULTI)
        return GSM7, len(_gsm7_cuts(flags))
    if len(text) <= UCS2_SINGLE // 2:
        return UCS2, 1
    try:
        utf16 = text.encode("utf-16-le")
    except UnicodeEncodeError:  # lone surrogates: let the step-by-step replay count them
        return UCS2, len(_replay(text, UCS2)[0])
    units = len(utf16) >> 1
    if units <= UCS2_SINGLE:
        return UCS2, 1
    cuts = _ucs2_cuts(text, utf16, units)
    return UCS2, len(cuts) if cuts is not None else len(_replay(text, UCS2)[0])


def analyze(text: str, smart_encoding: bool = False) -> Analysis:
    """Encoding, segments and the text of each segment of ``text`` as Twilio sends it."""
    if smart_encoding:
        text = smart_encode(text)
    data = gsm7_bytes(text)
    if data is not None:
        flags = data.translate(EXT_FLAGS)
        units = len(data) + flags.count(1)
        if units <= GSM7_SINGLE:
            return Analysis(text, GSM7, 1, units, (text,), (units,), ())
        ends = _gsm7_cuts(flags)
        parts, part_units, start = [], [], 0
        for end in ends:
            parts.append(text[start:end])
            part_units.append(end - start + flags.count(1, start, end))
            start = end
        return Analysis(text, GSM7, len(parts), units, tuple(parts), tuple(part_units), ())

    forced = _ucs2_chars(text)
    try:
        utf16 = text.encode("utf-16-le")
    except UnicodeEncodeError:
        utf16 = None
    if utf16 is not None:
        units = len(utf16) >> 1
        if units <= UCS2_SINGLE:
            return Analysis(text, UCS2, 1, units, (text,), (units,), forced)
        cuts = _ucs2_cuts(text, utf16, units)
        if cuts is not None:
            parts, part_units, start, start_units = [], [], 0, 0
            for end, end_units in cuts:
                parts.append(text[start:end])
                part_units.append(end_units - start_units)
                start, start_units = end, end_units
            return Analysis(text, UCS2, len(parts), units, tuple(parts), tuple(part_units), forced)
    parts, part_units = _replay(text, UCS2)
    return Analysis(
        text, UCS2, len(parts), sum(part_units), tuple(parts), tuple(part_units), forced
    )


def _gsm7_cuts(flags: bytes) -> list[int]:
    """End offset of each 153-septet part; ``flags`` has a 1 for each two-septet character."""
    n = len(flags)
    count = flags.count
    ends: list[int] = []
    i = 0
    while True:
        j = i + GSM7_MULTI
        if j >= n:
            if n - i + count(1, i, n) <= GSM7_MULTI:
                ends.append(n)
                return ends
            j = n
        ext = count(1, i, j)
        if ext:
            # Dropping as many characters as there are extension ones always fits; then take
            # back what still fits (at most the extension characters dropped).
            j -= ext
            w = j - i + count(1, i, j)
            while j < n and w + 1 + flags[j] <= GSM7_MULTI:
                w += 1 + flags[j]
                j += 1
        ends.append(j)
        i = j


def _units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) >> 1


# For the high byte of each UTF-16 unit: 1 = high surrogate, 2 = low surrogate, 0 = neither.
_UNIT_KINDS = bytes(1 if 0xD8 <= b <= 0xDB else 2 if 0xDC <= b <= 0xDF else 0 for b in range(256))


def _ucs2_cuts(text: str, utf16: bytes, units: int) -> list[tuple[int, int]] | None:
    """(offset, unit offset) where each 67-unit part ends, or None if the replay is needed.

    The hot loop of the engine: per cut a byte look-up or two and two set look-ups; the regex
    runs only where the characters around a cut may belong together.
    """
    n = len(text)
    kinds = utf16[1::2].translate(_UNIT_KINDS) if units != n else None
    no_join, no_glue = NO_JOIN, NO_GLUE
    cuts: list[tuple[int, int]] = []
    i = u = 0
    while u + UCS2_MULTI < units:
        c = u + UCS2_MULTI
        if kinds is None:  # no surrogate pairs: offsets are unit offsets
            j = c
        else:
            if kinds[c] == 2:  # never between the halves of a pair
                c -= 1
            j = i + c - u - kinds.count(1, u, c)
        if text[j] not in no_join or text[j - 1] not in no_glue:
            b = boundary_at_or_before(text, j, i)
            if b == i:  # a cluster longer than a whole part
                return None
            if b != j:
                j, c = b, c - _units(text[b:j])
        cuts.append((j, c))
        i, u = j, c
    if not _first_part_moves_cleanly(text, kinds, *cuts[0]):
        return None
    cuts.append((n, units))
    return cuts


def _first_part_moves_cleanly(text: str, kinds: bytes | None, j: int, c: int) -> bool:
    """Does the calculator's second part start as a plain 67-unit fill would?

    The calculator fills part one to 70 units. When the next cluster does not fit, it moves the
    tail beyond the first cut (offset ``j``, unit ``c``) into part two and appends that cluster,
    even if part two then overflows. That takes a cluster of more than c - 3 units starting at
    most 70 - c units after the cut: with c >= 64 it has 31 or more code points, so one certain
    boundary 7 to 30 characters after the cut rules it out. Otherwise look exactly.
    """
    if c >= UCS2_MULTI - 3:
        q = j + 7
        if q >= len(text) or (text[q] in NO_JOIN and text[q - 1] in NO_GLUE):
            return True
        if any(certain_boundary(text, q) for q in range(q, min(j + 31, len(text)))):
            return True
    # Exactly: the calculator's first fill ends at boundary p (unit pu); then cluster [p, end).
    p = boundary_at_or_before(text, _offset_of_unit(text, kinds, j, c, UCS2_SINGLE), j)
    pu = c + _units(text[j:p])
    end = cluster_at(text, p, p)[1]
    return pu + _units(text[p:end]) - c <= UCS2_MULTI


def _offset_of_unit(text: str, kinds: bytes | None, i: int, u: int, c: int) -> int:
    """Offset of the last code point boundary at or before unit ``c``, from (i, u)."""
    if kinds is None:
        return c
    if kinds[c] == 2:
        c -= 1
    return i + c - u - kinds.count(1, u, c)


def _ucs2_chars(text: str) -> tuple[tuple[int, str], ...]:
    """(offset, cluster) for each cluster that is not a single GSM-7 character."""
    runs = [(m.start(), m.group()) for m in _NON_GSM_RUN.finditer(text)]
    if all_standalone(set("".join(run for _, run in runs))):
        return tuple((a + k, ch) for a, run in runs for k, ch in enumerate(run))
    if len(runs) > _RUNS_FOR_WHOLE_TEXT:  # one \X pass is cheaper than many local ones
        return _ucs2_clusters(text)
    out: list[tuple[int, str]] = []
    covered = 0
    for a, run in runs:
        b = a + len(run)
        if b <= covered:
            continue
        if a >= covered and all_standalone(set(run)):
            out.extend((a + k, ch) for k, ch in enumerate(run))
            covered = b
            continue
        # A run is followed by a GSM-7 character (or the end), which starts a cluster unless the
        # run ends in a Prepend; it may start inside a cluster (a combining mark after "e").
        a = boundary_at_or_before(text, max(a, covered), covered)
        if not certain_boundary(text, b):
            b = cluster_at(text, b - 1, a)[1]
        pos = a
        for cluster in graphemes(text[a:b]):
            out.append((pos, cluster))
            pos += len(cluster)
        covered = b
    return tuple(out)


def _ucs2_clusters(text: str) -> tuple[tuple[int, str], ...]:
    """Like _ucs2_chars, by walking every cluster of ``text``."""
    out: list[tuple[int, str]] = []
    pos = 0
    for cluster in graphemes(text):
        if cluster not in ALPHABET:
            out.append((pos, cluster))
        pos += len(cluster)
    return tuple(out)


def _replay(text: str, encoding: str) -> tuple[list[str], list[int]]:
    """Build the parts exactly as the calculator does, one cluster at a time."""
    single, multi = (GSM7_SINGLE, GSM7_MULTI) if encoding == GSM7 else (UCS2_SINGLE, UCS2_MULTI)
    clusters = graphemes(text)
    if encoding == GSM7:
        sizes = [gsm7_septets(g) or 0 for g in clusters]
    else:
        sizes = [_units(g) for g in clusters]
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
