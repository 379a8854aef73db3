"""Grapheme clusters, the units a message is never split inside.

Clusters are the `regex` module's ``\\X`` (extended grapheme clusters, UAX #29), except that CR LF
counts as two: Twilio's calculator treats CR and LF as two GSM-7 characters. ``\\X`` agrees with
the calculator on all 3,597 recorded cases. The calculator's own splitter (grapheme-splitter
1.0.4) implements UAX #29 of Unicode 10 (2017), so it splits newer emoji sequences
(❤️‍🔥, 🧑‍🤝‍🧑, 🫶🏻 …) that ``\\X`` keeps whole. The counts differ only if such a sequence
sits on a segment boundary; we keep it whole, as a phone displays it.

Walking a whole body with ``\\X`` is slow (about 1 µs per cluster), so the segmenter asks only
whether a given offset is a cluster boundary. That is settled by the two characters around it
unless they are ones that can join; only then is ``\\X`` run, and only over the stretch from the
nearest certain boundary.
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
)
_MATCHERS = tuple((bit, regex.compile(pattern)) for bit, pattern in _PROPERTIES)
CACHE_LIMIT = 8192
# Memo of the bits per character, plus two sets for the segmenter's hot path: a boundary is
# certain between a character in NO_GLUE (nothing can continue after it) and one in NO_JOIN.
CLASSES: dict[str, int] = dict.fromkeys(ALPHABET, 0)
NO_GLUE: set[str] = set(ALPHABET)
NO_JOIN: set[str] = set(ALPHABET)


def _joined(prev: int, nxt: int) -> int:
    """Nonzero if the pair may belong to one cluster (beyond JOINS, which callers check)."""
    return prev & PREPEND or (nxt >> _AFTER) & (prev >> _BEFORE) & 0b1111


def char_class(ch: str) -> int:
    """The bits of ``ch`` (see above), memoised."""
    bits = CLASSES.get(ch)
    if bits is None:
        bits = 0
        for bit, pattern in _MATCHERS:
            if pattern.match(ch):
                bits |= bit
        if len(CLASSES) >= CACHE_LIMIT:
            CLASSES.clear()
            CLASSES.update(dict.fromkeys(ALPHABET, 0))
            NO_GLUE.intersection_update(ALPHABET)
            NO_JOIN.intersection_update(ALPHABET)
        CLASSES[ch] = bits
        if not bits & (GLUES_NEXT | PREPEND):
            NO_GLUE.add(ch)
        if not bits & JOINS:
            NO_JOIN.add(ch)
    return bits


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
    get = CLASSES.get
    nxt = get(text[i])
    if nxt is None:
        nxt = char_class(text[i])
    if nxt & JOINS:
        return False
    prev = get(text[i - 1])
    if prev is None:
        prev = char_class(text[i - 1])
    return not _joined(prev, nxt)


def all_standalone(chars: set[str]) -> bool:
    """True if, in a text whose other characters are GSM-7, each of ``chars`` is its own cluster.

    A character that joins only after certain others (an emoji after ZWJ, say) is alone if
    none of those others is present.
    """
    get = CLASSES.get
    for ch in chars:
        bits = get(ch)
        if bits is None:
            bits = char_class(ch)
        if bits & (JOINS | GLUES_NEXT | PREPEND):
            return False
    return True


def boundary_at_or_before(text: str, i: int, lo: int = 0) -> int:
    """The last cluster boundary at or before offset ``i``; ``lo`` must be a boundary <= ``i``."""
    if certain_boundary(text, i):
        return i
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
