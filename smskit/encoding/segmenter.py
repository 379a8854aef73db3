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

We follow the recorded data where the npm build of 1.2.0 (run for comparison) disagrees with
it; changed in these three places that build reproduces all of the data: it counts CR LF as
one cluster (so "\\r\\n" forces UCS-2), counts a cluster that starts with a GSM-7 character as
one unit in UCS-2 ("é" plus combining accents), and maps ‗ (U+2017) to an apostrophe, not "_".
"""

from __future__ import annotations

from dataclasses import dataclass

from smskit.encoding.causes import ucs2_chars
from smskit.encoding.graphemes import graphemes
from smskit.encoding.gsm7 import EXT_FLAGS, NON_GSM, gsm7_bytes, septet_count
from smskit.encoding.replay import replay
from smskit.encoding.smart import smart_encode
from smskit.encoding.ucs2 import ucs2_cuts, utf16_slice
from smskit.encoding.units import (
    GSM7,
    GSM7_MULTI,
    GSM7_SINGLE,
    UCS2,
    UCS2_SINGLE,
    utf16_encode,
)

_SURELY_ONE_GSM7, _SURELY_ONE_UCS2 = GSM7_SINGLE // 2, UCS2_SINGLE // 2  # characters


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
    data = None if NON_GSM.search(text, 0, 32) else gsm7_bytes(text)
    if data is not None:
        n = len(data)
        if n <= _SURELY_ONE_GSM7:
            return GSM7, 1
        septets = data.translate(EXT_FLAGS).replace(b"\x01", b"\x01\x02")  # see _septets
        total = len(septets)
        if total <= GSM7_SINGLE:
            return GSM7, 1
        if total == n:  # no extension characters
            return GSM7, -(-n // GSM7_MULTI)
        count = start = 0  # as _gsm7_cuts, counting only
        while total - start > GSM7_MULTI:
            start += GSM7_MULTI
            if septets[start] == 2:
                start -= 1
            count += 1
        return GSM7, count + 1
    if len(text) <= _SURELY_ONE_UCS2:
        return UCS2, 1
    try:
        utf16 = utf16_encode(text)[0]
    except UnicodeEncodeError:  # lone surrogates: let the step-by-step replay count them
        return UCS2, len(replay(text, UCS2)[0])
    units = len(utf16) >> 1
    if units <= UCS2_SINGLE:
        return UCS2, 1
    cuts = ucs2_cuts(text, utf16, units)
    return UCS2, len(cuts) if cuts is not None else len(replay(text, UCS2)[0])


def analyze(text: str, smart_encoding: bool = False) -> Analysis:
    """Encoding, segments and the text of each segment of ``text`` as Twilio sends it."""
    if smart_encoding:
        text = smart_encode(text)
    data = gsm7_bytes(text)
    if data is not None:
        units = septet_count(data)
        if units <= GSM7_SINGLE:
            return Analysis(text, GSM7, 1, units, (text,), (units,), ())
        septets = _septets(data.translate(EXT_FLAGS))
        parts, part_units, start, start_septet = [], [], 0, 0
        for end_septet in _gsm7_cuts(septets):
            end = end_septet - septets.count(2, 0, end_septet)  # septets -> characters
            parts.append(text[start:end])
            part_units.append(end_septet - start_septet)
            start, start_septet = end, end_septet
        return Analysis(text, GSM7, len(parts), units, tuple(parts), tuple(part_units), ())

    forced = ucs2_chars(text)
    try:
        utf16 = utf16_encode(text)[0]
    except UnicodeEncodeError:
        utf16 = None
    if utf16 is not None:
        units = len(utf16) >> 1
        if units <= UCS2_SINGLE:
            return Analysis(text, UCS2, 1, units, (text,), (units,), forced)
        ends = ucs2_cuts(text, utf16, units)
        if ends is not None:
            parts, part_units, start = [], [], 0
            bmp = units == len(text)  # else decode: a surrogate pair is never cut
            for end in ends:
                parts.append(text[start:end] if bmp else utf16_slice(utf16, start, end))
                part_units.append(end - start)
                start = end
            return Analysis(text, UCS2, len(parts), units, tuple(parts), tuple(part_units), forced)
    parts, part_units = replay(text, UCS2)
    return Analysis(
        text, UCS2, len(parts), sum(part_units), tuple(parts), tuple(part_units), forced
    )


def _septets(flags: bytes) -> bytes:
    """One byte per septet: 0 for a basic character, 1 then 2 for an extension one."""
    return flags.replace(b"\x01", b"\x01\x02")


def _gsm7_cuts(septets: bytes) -> list[int]:
    """Septet offset where each 153-septet part ends (never between an escape and its char)."""
    total, step = len(septets), GSM7_MULTI
    ends: list[int] = []
    s = 0
    while total - s > step:
        s += step
        if septets[s] == 2:
            s -= 1
        ends.append(s)
    ends.append(total)
    return ends
