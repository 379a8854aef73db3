"""Twilio Smart Encoding, and the GSM-7 rewrite we suggest to writers.

Smart Encoding (a Messaging Service setting) makes Twilio swap look-alike characters (curly
quotes, long dashes, odd spaces …) for GSM-7 ones before sending, so that a body which would
go as UCS-2 can go as GSM-7. :func:`smart_encode` replays Twilio's segment calculator 1.2.0:
every code point in its map is replaced, before the body is split into grapheme clusters.

Two known quirks of 1.2.0 are kept, because the calculator's test suite asserts them and this
module is a model of that calculator: ‹ (U+2039) becomes ">" and › (U+203A) "<" (1.3.0 swaps
them back), and U+200C ZERO WIDTH NON-JOINER is left in place (1.3.0 removes it). The swap never
changes a count (both are one septet); keeping U+200C can only predict UCS-2 where Twilio might
send GSM-7, the cautious side for a bill.

:func:`gsm_suggestion` is advice for the person writing the message, so it corrects those quirks
and drops the parts of the map that only make sense as a last-moment rewrite: combining marks
stay with their letter (Smart Encoding would turn "n" + U+0303 into "n~"), spaces become one
space rather than two (seven for a tab), line and paragraph separators a newline, and invisible
controls nothing. It never touches a GSM-7 character, so ä ö å é ü … always survive.
"""

from __future__ import annotations

import re
import unicodedata

from smskit import lazy_re
from smskit.encoding.gsm7 import ALPHABET
from smskit.encoding.smart_map import SMART_ENCODING_MAP

# Compiled on first use: only messages sent with Smart Encoding need it.
_SMART_CHARS = lazy_re.compile("[" + "".join(re.escape(chr(cp)) for cp in SMART_ENCODING_MAP) + "]")

# What 1.3.0 of the calculator changed; used for the suggestion only.
FIXED_IN_1_3_0: dict[int, str] = {0x2039: "<", 0x203A: ">", 0x200C: ""}


def smart_encode(text: str) -> str:
    """The body as Twilio sends it with Smart Encoding on (calculator 1.2.0 behaviour)."""
    if _SMART_CHARS.search(text) is None:
        return text
    return text.translate(SMART_ENCODING_MAP)


def _suggestion_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp, replacement in {**SMART_ENCODING_MAP, **FIXED_IN_1_3_0}.items():
        ch = chr(cp)
        category = unicodedata.category(ch)
        if ch in ALPHABET or category.startswith("M"):
            continue
        if category in ("Zl", "Zp"):
            replacement = "\n"
        elif category == "Zs" or ch == "\t":
            replacement = " "
        elif category in ("Cc", "Cf"):
            replacement = ""
        table[cp] = replacement
    return table


_SUGGESTION_TABLE = _suggestion_table()
_SUGGESTION_CHARS = lazy_re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp in _SUGGESTION_TABLE) + "]"
)


def gsm_suggestion(text: str) -> str:
    """``text`` with non-GSM punctuation, spaces and look-alike letters replaced by GSM-7 ones.

    Every GSM-7 character of ``text`` is kept, in order; characters with no GSM-7 equivalent in
    the Smart Encoding map (š, ž, ç, emoji …) are left as they are.
    """
    if _SUGGESTION_CHARS.search(text) is None:
        return text
    return text.translate(_SUGGESTION_TABLE)
