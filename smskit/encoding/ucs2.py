"""Where the parts of a UCS-2 message end: 67 UTF-16 units each, never inside a cluster.

The hot loop of the engine. Each cut is unit arithmetic plus two set look-ups to see that the
characters around it cannot belong together; only then do the cluster rules run. Without
surrogate pairs unit offsets are character offsets; with them the loop reads the UTF-16 units,
keys characters by their units (graphemes.utf16_key), and settles marks, skin tones, ZWJ
sequences and flag pairs in units too, finding character offsets only for what is left.
"""

from __future__ import annotations

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
    boundary_at_or_before,
    cluster_at,
)
from smskit.encoding.units import UCS2_MULTI, UCS2_SINGLE, utf16_decode, utf16_units

# For the high byte of each UTF-16 unit: 1 = high surrogate, 2 = low surrogate, 0 = neither.
_UNIT_KINDS = bytes(1 if 0xD8 <= b <= 0xDB else 2 if 0xDC <= b <= 0xDF else 0 for b in range(256))


def _unit_kinds(utf16: bytes) -> bytes:
    """One byte per unit (see _UNIT_KINDS): a character offset is a unit offset minus the 1s."""
    return utf16[1::2].translate(_UNIT_KINDS)


def utf16_slice(utf16: bytes, start: int, end: int) -> str:
    """The text between two unit offsets."""
    return utf16_decode(utf16[2 * start : 2 * end])[0]


def ucs2_cuts(text: str, utf16: bytes, units: int) -> list[int] | None:
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
    else:
        no_join, no_glue = NO_JOIN_UNITS, NO_GLUE_UNITS
        mark_glue, not_consonant = MARK_GLUE_UNITS, NOT_CONSONANT_UNITS
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
                if nxt in no_join and prev in mark_glue and nxt in not_consonant:
                    pass  # a mark before an emoji or letter: no rule joins them
                else:
                    c = _settle(text, utf16, code, u, c, nxt, prev)
                    if c < 0:  # a cluster longer than a whole part
                        return None
            ends.append(c)
            u = c
    # The calculator's second part starts like ours unless the cluster holding unit 70 runs
    # past unit ends[0] + 67 (see _first_part_moves_cleanly). A second cut beyond unit 70 is a
    # boundary that cluster cannot cross, so it ends by then; so does a second part that is
    # the last.
    clean = len(ends) < 2 or ends[1] > UCS2_SINGLE
    if not clean and not _first_part_moves_cleanly(text, utf16, ends[0]):
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
    control), flag letters pair up, an emoji after ZWJ joins an emoji before it, and a mark
    before an emoji does not join it: all settled in units (keys inline, for speed). The rest
    goes to the character rules, which need character offsets.
    """
    joins, controls = JOINS_UNITS, CONTROL_UNITS
    while True:
        while nxt in joins and prev not in controls and c > u:
            c -= 2 if prev > 0xFFFF else 1
            nxt, prev = prev, code[c - 1]
            if 0xDC00 <= prev < 0xE000:
                prev = code[c - 2] << 16 | prev
        if c == u:
            return -1
        if nxt in joins:  # after a control
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
        nxt, prev = _ZWJ, before if k == c else _key_before(code, c)
    if _RI_FIRST <= nxt <= _RI_LAST and _RI_FIRST <= prev <= _RI_LAST:
        k = c - 2  # flag letters are 2 units; count the run of them before c
        while k - 2 >= u and 0xDDE6 <= code[k - 1] <= 0xDDFF and code[k - 2] == 0xD83C:
            k -= 2
        run = (c - k) // 2
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
    return -1 if b == i else c - utf16_units(text[b:j])


def _first_part_moves_cleanly(text: str, utf16: bytes, c: int) -> bool:
    """Does the calculator's second part start as a plain 67-unit fill would?

    The calculator fills part one to 70 units. When the next cluster (starting at unit p <= 70)
    does not fit, it moves the tail beyond the first cut (unit ``c``) into part two and appends
    that cluster, even if part two then overflows: it does iff the cluster ends beyond c + 67.
    """
    units = len(utf16) >> 1
    # Quick: a plain boundary anywhere in units 71 .. c + 67 rules the overflow out.
    window = range(UCS2_SINGLE + 1, min(c + UCS2_MULTI + 1, units, UCS2_SINGLE + 9))
    if units == len(text):
        if any(text[q] in NO_JOIN and text[q - 1] in NO_GLUE for q in window):
            return True
    else:
        code = memoryview(utf16).cast("H")
        if any(
            not 0xDC00 <= code[q] < 0xE000
            and _key_at(code, q) in NO_JOIN_UNITS
            and _key_before(code, q) in NO_GLUE_UNITS
            for q in window
        ):
            return True
    kinds = None if units == len(text) else _unit_kinds(utf16)
    j = c if kinds is None else c - kinds.count(1, 0, c)
    p70 = _pair_safe(utf16, UCS2_SINGLE)
    p = boundary_at_or_before(text, p70 if kinds is None else p70 - kinds.count(1, 0, p70), j)
    pu = c + utf16_units(text[j:p])
    end = cluster_at(text, p, p)[1]
    return pu + utf16_units(text[p:end]) - c <= UCS2_MULTI


def _pair_safe(utf16: bytes, c: int) -> int:
    """Unit ``c``, or the one before if ``c`` is the second half of a surrogate pair."""
    return c - 1 if 0xDC <= utf16[2 * c + 1] <= 0xDF else c
