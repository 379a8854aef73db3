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

import codecs
import re
from dataclasses import dataclass

from smskit.encoding.graphemes import (
    CONTROL_UNITS,
    EMOJI_UNITS,
    EXTEND_UNITS,
    JOINS_UNITS,
    MARK_GLUE_UNITS,
    NO_GLUE,
    NO_GLUE_UNITS,
    NO_JOIN,
    NO_JOIN_UNITS,
    NOT_CONSONANT_UNITS,
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
_SURELY_ONE_GSM7, _SURELY_ONE_UCS2 = GSM7_SINGLE // 2, UCS2_SINGLE // 2  # characters

# The codec function itself: str.encode("utf-16-le") spends over a microsecond finding it.
_utf16 = codecs.utf_16_le_encode
_utf16_decode = codecs.utf_16_le_decode
_NON_GSM = re.compile("[^" + re.escape(BASIC + EXTENSION) + "]")
_NON_GSM_SPLIT = re.compile("([^" + re.escape(BASIC + EXTENSION) + "]+)")
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
        utf16 = _utf16(text)[0]
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
        septets = _septets(flags)
        parts, part_units, start, start_septet = [], [], 0, 0
        for end_septet in _gsm7_cuts(septets):
            end = end_septet - septets.count(2, 0, end_septet)  # septets -> characters
            parts.append(text[start:end])
            part_units.append(end_septet - start_septet)
            start, start_septet = end, end_septet
        return Analysis(text, GSM7, len(parts), units, tuple(parts), tuple(part_units), ())

    forced = _ucs2_chars(text)
    try:
        utf16 = _utf16(text)[0]
    except UnicodeEncodeError:
        utf16 = None
    if utf16 is not None:
        units = len(utf16) >> 1
        if units <= UCS2_SINGLE:
            return Analysis(text, UCS2, 1, units, (text,), (units,), forced)
        ends = _ucs2_cuts(text, utf16, units)
        if ends is not None:
            parts, part_units, start = [], [], 0
            bmp = units == len(text)  # else decode: a surrogate pair is never cut
            for end in ends:
                parts.append(text[start:end] if bmp else _utf16_slice(utf16, start, end))
                part_units.append(end - start)
                start = end
            return Analysis(text, UCS2, len(parts), units, tuple(parts), tuple(part_units), forced)
    parts, part_units = _replay(text, UCS2)
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


def _units(text: str) -> int:
    return len(_utf16(text, "surrogatepass")[0]) >> 1


# For the high byte of each UTF-16 unit: 1 = high surrogate, 2 = low surrogate, 0 = neither.
_UNIT_KINDS = bytes(1 if 0xD8 <= b <= 0xDB else 2 if 0xDC <= b <= 0xDF else 0 for b in range(256))


def _unit_kinds(utf16: bytes) -> bytes:
    """One byte per unit (see _UNIT_KINDS): a character offset is a unit offset minus the 1s."""
    return utf16[1::2].translate(_UNIT_KINDS)


def _utf16_slice(utf16: bytes, start: int, end: int) -> str:
    """The text between two unit offsets."""
    return _utf16_decode(utf16[2 * start : 2 * end])[0]


def _ucs2_cuts(text: str, utf16: bytes, units: int) -> list[int] | None:
    """Unit offset where each 67-unit part ends, or None if the replay is needed.

    The hot loop of the engine: per cut a few look-ups of units or characters and two set
    look-ups; the cluster rules run only where the characters around a cut may belong
    together. Without surrogate pairs unit offsets are character offsets; with them the loop
    reads UTF-16 units, keys characters by their units, and finds character offsets only when
    it needs the rules.
    """
    step = UCS2_MULTI
    last = units - step  # a part that starts at or after this unit is the final one
    ends: list[int] = []
    u = 0
    if units == len(text):
        no_join, no_glue = NO_JOIN, NO_GLUE
        while u < last:
            c = u + step
            if text[c] not in no_join or text[c - 1] not in no_glue:
                c = boundary_at_or_before(text, c, u)
                if c == u:  # a cluster longer than a whole part
                    return None
            ends.append(c)
            u = c
        q = ends[0] + 7  # see _first_part_moves_cleanly
        clean = q >= units or (text[q] in no_join and text[q - 1] in no_glue)
    else:
        no_join, no_glue = NO_JOIN_UNITS, NO_GLUE_UNITS
        code = memoryview(utf16).cast("H")
        while u < last:
            c = u + step
            nxt, prev = code[c], code[c - 1]
            if nxt >= 0xD800 or prev >= 0xD800:  # maybe a surrogate: key by both units
                if 0xDC00 <= nxt < 0xE000:  # never between the halves of a pair
                    c -= 1
                    nxt, prev = code[c], code[c - 1]
                if 0xD800 <= nxt < 0xDC00:
                    nxt = nxt << 16 | code[c + 1]
                if 0xDC00 <= prev < 0xE000:
                    prev = code[c - 2] << 16 | prev
            if nxt not in no_join or prev not in no_glue:
                c = _settle(text, utf16, code, u, c, nxt, prev)
                if c < 0:  # a cluster longer than a whole part
                    return None
            ends.append(c)
            u = c
        # See _first_part_moves_cleanly: a plain boundary 7 to 61 units after the first cut.
        q = ends[0] + 7
        clean = q >= units - 1
        if not clean:
            if 0xDC00 <= code[q] < 0xE000:
                q += 1
            nxt, prev = code[q], code[q - 1]
            if 0xD800 <= nxt < 0xDC00:
                nxt = nxt << 16 | code[q + 1]
            if 0xDC00 <= prev < 0xE000:
                prev = code[q - 2] << 16 | prev
            clean = (nxt in no_join and prev in no_glue) or any(
                not 0xDC00 <= code[q] < 0xE000
                and _key_at(code, q) in no_join
                and _key_before(code, q) in no_glue
                for q in range(q + 1, min(q + 13, units - 1))
            )
    if not (clean and ends[0] >= UCS2_MULTI - 3) and not _first_part_moves_cleanly(
        text, utf16, ends[0]
    ):
        return None
    ends.append(units)
    return ends


_RI_FIRST, _RI_LAST = 0xD83C_DDE6, 0xD83C_DDFF  # flag letters, keyed by their UTF-16 units
_ZWJ = 0x200D


def _key_before(code: memoryview, c: int) -> int:
    """The UTF-16 key (see graphemes.utf16_key) of the character that ends at unit ``c``."""
    prev = code[c - 1]
    return code[c - 2] << 16 | prev if 0xDC00 <= prev < 0xE000 else prev


def _key_at(code: memoryview, c: int) -> int:
    """The UTF-16 key of the character that starts at unit ``c``."""
    nxt = code[c]
    return nxt << 16 | code[c + 1] if 0xD800 <= nxt < 0xDC00 else nxt


def _settle(text: str, utf16: bytes, code: memoryview, u: int, c: int, nxt: int, prev: int) -> int:
    """The last cluster boundary at or before unit ``c`` (``u`` is one), or -1 if that is u.

    Marks, skin tones, variation selectors and ZWJ never start a cluster (unless after a
    control), flag letters pair up, and a mark before an emoji does not join it: all settled in
    units. The rest goes to the character rules, which need character offsets.
    """
    while True:
        while nxt in JOINS_UNITS and prev not in CONTROL_UNITS and c > u:
            c -= 2 if prev > 0xFFFF else 1
            nxt, prev = prev, _key_before(code, c)
        if c == u:
            return -1
        if nxt in JOINS_UNITS:  # after a control
            return c
        if not (prev == _ZWJ and nxt in EMOJI_UNITS):
            break
        # An emoji after ZWJ continues the cluster if an emoji (and marks) precede the ZWJ.
        k = c - 1
        before = _key_before(code, k)
        while before in EXTEND_UNITS and k > u:
            k -= 2 if before > 0xFFFF else 1
            before = _key_before(code, k)
        if k <= u or before not in EMOJI_UNITS:
            break
        c -= 1  # onto the ZWJ, which the walk above steps over
        nxt, prev = _ZWJ, _key_before(code, c)
    if _RI_FIRST <= nxt <= _RI_LAST and _RI_FIRST <= prev <= _RI_LAST:
        k = c - 2
        while k - 2 >= u and _RI_FIRST <= _key_before(code, k) <= _RI_LAST:
            k -= 2
        run = (c - k) // 2  # flag letters just before c
        if run % 2 == 0:
            return c
        c -= 2  # c was inside a pair
        if run > 1:
            return c
        nxt, prev = prev, _key_before(code, c)
    if nxt in NO_JOIN_UNITS and (
        prev in NO_GLUE_UNITS or (prev in MARK_GLUE_UNITS and nxt in NOT_CONSONANT_UNITS)
    ):
        return c
    kinds = _unit_kinds(utf16)
    i = u - kinds.count(1, 0, u)  # character offsets of units u and c
    j = c - kinds.count(1, 0, c)
    b = boundary_at_or_before(text, j, i)
    return -1 if b == i else c - _units(text[b:j])


def _first_part_moves_cleanly(text: str, utf16: bytes, c: int) -> bool:
    """Does the calculator's second part start as a plain 67-unit fill would?

    The calculator fills part one to 70 units. When the next cluster does not fit, it moves the
    tail beyond the first cut (at unit ``c``) into part two and appends that cluster, even if
    part two then overflows. That takes a cluster of more than c - 3 units starting at most
    70 - c units after the cut, so with c >= 64 one of 62 units or more: 31+ code points, and
    one certain boundary 7 to 30 characters after the cut rules it out (the callers check the
    7th first). Otherwise look exactly.
    """
    kinds = None if len(utf16) >> 1 == len(text) else _unit_kinds(utf16)
    j = c if kinds is None else c - kinds.count(1, 0, c)
    if c >= UCS2_MULTI - 3:
        window = range(j + 7, min(j + 31, len(text)))
        if not window:
            return True
        for q in window:
            if (text[q] in NO_JOIN and text[q - 1] in NO_GLUE) or certain_boundary(text, q):
                return True
    # Exactly: the calculator's first fill ends at boundary p (unit pu); then cluster [p, end).
    p70 = _pair_safe(utf16, UCS2_SINGLE)
    p = boundary_at_or_before(text, p70 if kinds is None else p70 - kinds.count(1, 0, p70), j)
    pu = c + _units(text[j:p])
    end = cluster_at(text, p, p)[1]
    return pu + _units(text[p:end]) - c <= UCS2_MULTI


def _pair_safe(utf16: bytes, c: int) -> int:
    """Unit ``c``, or the one before if ``c`` is the second half of a surrogate pair."""
    return c - 1 if 0xDC <= utf16[2 * c + 1] <= 0xDF else c


def _ucs2_chars(text: str) -> tuple[tuple[int, str], ...]:
    """(offset, cluster) for each cluster that is not a single GSM-7 character."""
    pieces = _NON_GSM_SPLIT.split(text)  # GSM-7 run, other run, GSM-7 run, …
    if all_standalone(set("".join(pieces[1::2]))):  # each such character is a cluster
        out: list[tuple[int, str]] = []
        pos = 0
        for k in range(1, len(pieces), 2):
            pos += len(pieces[k - 1])
            run = pieces[k]
            if len(run) == 1:
                out.append((pos, run))
            else:
                out.extend(zip(range(pos, pos + len(run)), run, strict=True))
            pos += len(run)
        return tuple(out)
    if len(pieces) > 2 * _RUNS_FOR_WHOLE_TEXT:  # one \X pass is cheaper than many local ones
        return _ucs2_clusters(text)
    out = []
    covered = pos = 0
    for k in range(1, len(pieces), 2):
        pos += len(pieces[k - 1])
        a, b = pos, pos + len(pieces[k])
        pos = b
        if b <= covered:
            continue
        # A run is followed by a GSM-7 character (or the end), which starts a cluster unless the
        # run ends in a Prepend; it may start inside a cluster (a combining mark after "e").
        a = boundary_at_or_before(text, max(a, covered), covered)
        if not certain_boundary(text, b):
            b = cluster_at(text, b - 1, a)[1]
        start = a
        for cluster in graphemes(text[a:b]):
            out.append((start, cluster))
            start += len(cluster)
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
