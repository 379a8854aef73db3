"""Grapheme clusters, the units a message is never split inside.

Clusters are the `regex` module's ``\\X`` (extended grapheme clusters, UAX #29), except that CR LF
counts as two: Twilio's calculator treats CR and LF as two GSM-7 characters. ``\\X`` agrees with
the calculator on all 3,597 recorded cases. The calculator's own splitter (grapheme-splitter
1.0.4) implements UAX #29 of Unicode 10 (2017), so it splits newer emoji sequences
(❤️‍🔥, 🧑‍🤝‍🧑, 🫶🏻 …) that ``\\X`` keeps whole. The counts differ only if such a sequence
sits on a segment boundary; we keep it whole, as a phone displays it.

Walking a whole body with ``\\X`` is slow (about 1 µs per cluster), so the segmenter asks only
whether a given offset is a cluster boundary. That is settled by the two characters around it
unless they are ones that can join; then the rules below settle the usual cases (marks, flag
pairs, emoji ZWJ sequences) and ``\\X`` the rest, only over the stretch from the nearest
certain boundary. What the rules need to know of a character is memoised in a few bits and in
sets, some keyed by UTF-16 code units so that the UCS-2 segmenter can ask without decoding.
"""

from __future__ import annotations

import regex

from smskit.encoding.gsm7 import ALPHABET

_CLUSTER = regex.compile(r"\X")

# Each character gets a few bits, computed once per distinct character from the same Unicode
# data that \X uses. A boundary before a character is certain unless it always continues the
# cluster before it (GB9, GB9a), the character before it is Prepend (GB9b), or it continues a
# cluster only after certain characters and follows one: Hangul after Hangul (GB6-8), a flag
# letter after a flag letter (GB12-13), an emoji after ZWJ (GB11), an Indic consonant after a
# virama or other extender (GB9c).
JOINS = 1  # Extend, ZWJ, SpacingMark
PREPEND = 2
_HANGUL, _FLAG, _EMOJI, _CONSONANT = 1, 2, 4, 8  # the conditional kinds
_AFTER = 2  # shift: "continues a cluster after a character of this kind"
_BEFORE = 6  # shift: "is a character that one of this kind may continue"
GLUES_NEXT = 0b1111 << _BEFORE
_RI = _FLAG << _AFTER
_EXTPICT = _EMOJI << _AFTER
_ZWJ = _EMOJI << _BEFORE
_CONTROL = 1 << 10  # Control, CR, LF: always a boundary after one (GB4)
_EXTEND = 1 << 11  # GCB=Extend proper (skin tones, variation selectors, combining marks)
_PROPERTIES = (
    (JOINS, r"[\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}]"),
    (PREPEND, r"\p{GCB=Prepend}"),
    (_HANGUL << _AFTER, r"[\p{GCB=L}\p{GCB=V}\p{GCB=T}\p{GCB=LV}\p{GCB=LVT}]"),
    (_HANGUL << _BEFORE, r"[\p{GCB=L}\p{GCB=V}\p{GCB=T}\p{GCB=LV}\p{GCB=LVT}]"),
    (_FLAG << _AFTER, r"\p{GCB=Regional_Indicator}"),
    (_FLAG << _BEFORE, r"\p{GCB=Regional_Indicator}"),
    (_EMOJI << _AFTER, r"\p{Extended_Pictographic}"),
    (_EMOJI << _BEFORE, r"\p{GCB=ZWJ}"),
    (_CONSONANT << _AFTER, r"\p{InCB=Consonant}"),
    (_CONSONANT << _BEFORE, r"[\p{GCB=Extend}\p{GCB=ZWJ}]"),
    (_CONTROL, r"[\p{GCB=Control}\p{GCB=CR}\p{GCB=LF}]"),
    (_EXTEND, r"\p{GCB=Extend}"),
)
_MATCHERS = tuple((bit, regex.compile(pattern)) for bit, pattern in _PROPERTIES)
CACHE_LIMIT = 8192
_GSM_CLASSES = dict.fromkeys(ALPHABET, 0) | dict.fromkeys("\n\r\f", _CONTROL)
# Two sets for the segmenter's hot path: a boundary is certain between a character in NO_GLUE
# (nothing continues a cluster after it) and one in NO_JOIN (it never continues one blindly).
NO_GLUE: set[str] = set(ALPHABET)
NO_JOIN: set[str] = set(ALPHABET)
# The same keyed by UTF-16: a BMP character by its unit, another by (high << 16) | low.
NO_GLUE_UNITS: set[int] = set(map(ord, ALPHABET))
NO_JOIN_UNITS: set[int] = set(map(ord, ALPHABET))
JOINS_UNITS: set[int] = set()  # characters with JOINS
CONTROL_UNITS: set[int] = set(map(ord, "\n\r\f"))
MARK_GLUE_UNITS: set[int] = set()  # what only an Indic consonant may continue (most marks)
NOT_CONSONANT_UNITS: set[int] = set(map(ord, ALPHABET))  # not an InCB consonant
EXTEND_UNITS: set[int] = set()  # GCB=Extend
EMOJI_UNITS: set[int] = set()  # Extended_Pictographic


def utf16_key(ch: str) -> int:
    """``ch`` keyed by its UTF-16 code units (see NO_GLUE_UNITS)."""
    cp = ord(ch)
    if cp < 0x10000:
        return cp
    cp -= 0x10000
    return (0xD800 + (cp >> 10)) << 16 | (0xDC00 + (cp & 0x3FF))


class _ClassMemo(dict):
    """character -> bits; a miss computes them from the Unicode data (and fills the sets)."""

    def __missing__(self, ch: str) -> int:
        bits = 0
        for bit, pattern in _MATCHERS:
            if pattern.match(ch):
                bits |= bit
        if len(self) >= CACHE_LIMIT:  # bounded: forget everything but the GSM-7 alphabet
            self.clear()
            self.update(_GSM_CLASSES)
            for memo, keep in ((NO_GLUE, ALPHABET), (NO_JOIN, ALPHABET)):
                memo.intersection_update(keep)
            for memo in (
                NO_GLUE_UNITS,
                NO_JOIN_UNITS,
                JOINS_UNITS,
                CONTROL_UNITS,
                MARK_GLUE_UNITS,
                NOT_CONSONANT_UNITS,
                EXTEND_UNITS,
                EMOJI_UNITS,
            ):
                memo.intersection_update(map(ord, ALPHABET))
        self[ch] = bits
        if not bits & (GLUES_NEXT | PREPEND):
            NO_GLUE.add(ch)
            NO_GLUE_UNITS.add(utf16_key(ch))
        if bits & JOINS:
            JOINS_UNITS.add(utf16_key(ch))
        else:
            NO_JOIN.add(ch)
            NO_JOIN_UNITS.add(utf16_key(ch))
        if bits & _CONTROL:
            CONTROL_UNITS.add(utf16_key(ch))
        if bits & (GLUES_NEXT | PREPEND) == _CONSONANT << _BEFORE:
            MARK_GLUE_UNITS.add(utf16_key(ch))
        if not bits & _CONSONANT << _AFTER:
            NOT_CONSONANT_UNITS.add(utf16_key(ch))
        if bits & _EXTEND:
            EXTEND_UNITS.add(utf16_key(ch))
        if bits & _EXTPICT:
            EMOJI_UNITS.add(utf16_key(ch))
        return bits


CLASSES = _ClassMemo(_GSM_CLASSES)


def _joined(prev: int, nxt: int) -> int:
    """Nonzero if the pair may belong to one cluster (beyond JOINS, which callers check)."""
    return prev & PREPEND or (nxt >> _AFTER) & (prev >> _BEFORE) & 0b1111


def graphemes(text: str) -> list[str]:
    """The grapheme clusters of ``text``, CR LF counted as two."""
    out = _CLUSTER.findall(text)
    if "\r\n" in text:
        split: list[str] = []
        for g in out:
            if g == "\r\n":
                split += ("\r", "\n")
            else:
                split.append(g)
        return split
    return out


def certain_boundary(text: str, i: int) -> bool:
    """True if offset ``i`` is a cluster boundary whatever comes before (never a wrong True)."""
    if i <= 0 or i >= len(text):
        return True
    nxt = CLASSES[text[i]]
    if nxt & JOINS:
        return False
    return not _joined(CLASSES[text[i - 1]], nxt)


def all_standalone(chars: set[str]) -> bool:
    """True if, in a text whose other characters are GSM-7, each of ``chars`` is its own cluster.

    A character that joins only after certain others (an emoji after ZWJ, say) is alone if
    none of those others is present.
    """
    classes = CLASSES
    return not any(classes[ch] & (JOINS | GLUES_NEXT | PREPEND) for ch in chars)


def boundary_at_or_before(text: str, i: int, lo: int = 0) -> int:
    """The last cluster boundary at or before offset ``i``; ``lo`` must be a boundary <= ``i``.

    Walks back over what is plainly one cluster (marks, skin tones, flag pairs, emoji ZWJ
    sequences) by the rules themselves and leaves anything else to \\X.
    """
    while lo < i < len(text):
        ch, before = text[i], text[i - 1]
        if ch in NO_JOIN and before in NO_GLUE:  # the common case, by set look-ups alone
            return i
        nxt, prev = CLASSES[ch], CLASSES[before]
        if nxt & JOINS:  # GB9, GB9a: no boundary, unless after a control (GB4)
            if prev & _CONTROL:
                return i
            i -= 1
        elif not (prev & PREPEND or (nxt >> _AFTER) & (prev >> _BEFORE) & 0b1111):
            return i  # (_joined, inline: this is the engine's slow path but still a hot one)
        elif nxt & prev & _RI:  # GB12-13: a boundary after an even run of flag letters
            k = i - 1
            while k >= lo and CLASSES[text[k]] & _RI:
                k -= 1
            if (i - 1 - k) % 2 == 0:
                return i
            i -= 1
        elif nxt & _EXTPICT and prev & _ZWJ:  # GB11: emoji Extend* ZWJ x emoji
            k = i - 2
            while k >= lo and CLASSES[text[k]] & _EXTEND:
                k -= 1
            if k < lo:
                return _boundary_by_clusters(text, i, lo)
            if not CLASSES[text[k]] & _EXTPICT:
                return i
            i -= 1
        else:
            return _boundary_by_clusters(text, i, lo)
    return i


def _boundary_by_clusters(text: str, i: int, lo: int) -> int:
    # \X from the nearest certain boundary; boundaries up to i depend only on text[:i + 1].
    pos = i - 1
    while pos > lo and not (
        (text[pos] in NO_JOIN and text[pos - 1] in NO_GLUE) or certain_boundary(text, pos)
    ):
        pos -= 1
    for cluster in _CLUSTER.findall(text, pos, i + 1):
        end = pos + len(cluster)
        if end > i:
            break
        pos = end
    return pos


def cluster_at(text: str, i: int, lo: int = 0) -> tuple[int, int]:
    """(start, end) of the cluster that contains offset ``i``; ``lo`` is a boundary <= ``i``."""
    start = boundary_at_or_before(text, i, lo)
    if start == i and certain_boundary(text, i + 1):
        return i, i + 1
    end = _CLUSTER.match(text, start).end()
    if end - start == 2 and text[start] == "\r" and text[start + 1] == "\n":
        end = start + 1  # CR LF is two clusters here; i is the CR (an LF starts its own)
    return start, end
