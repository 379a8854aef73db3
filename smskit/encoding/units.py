"""What a segment holds, and what text costs in UTF-16 code units."""

from __future__ import annotations

import codecs

GSM7 = "GSM-7"
UCS2 = "UCS-2"

GSM7_SINGLE, GSM7_MULTI = 160, 153  # septets: one segment, or each part of a longer message
UCS2_SINGLE, UCS2_MULTI = 70, 67  # UTF-16 code units likewise (the 6-octet header takes the rest)

# The codec functions themselves: str.encode("utf-16-le") spends a microsecond finding them.
utf16_encode = codecs.utf_16_le_encode
utf16_decode = codecs.utf_16_le_decode


def utf16_units(text: str) -> int:
    """UTF-16 code units of ``text`` (a lone surrogate counts one, as in JavaScript)."""
    return len(utf16_encode(text, "surrogatepass")[0]) >> 1
