"""The GSM 03.38 alphabet as Twilio's segment calculator knows it.

The basic set costs one septet per character, the extension table (form feed, ``^ { } \\ [ ~ ] |``
and ``€``) two: an escape septet and the character. The escape character itself is not
something a message body can contain, and lowercase ``ç`` is not in the alphabet (capital ``Ç``
is). Encoding goes through a C charmap so that checking a whole body is one call.
"""

from __future__ import annotations

import codecs
import re

# In GSM 03.38 code order (0x00-0x7F) without the escape at 0x1B.
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = "\f^{}\\[~]|€"
ALPHABET = frozenset(BASIC + EXTENSION)
NON_GSM = re.compile("[^" + re.escape(BASIC + EXTENSION) + "]")

# A charmap encoder turns a GSM-7 body into one byte per character in a single C call and
# raises on anything else. Byte 0 must decode to U+0000 for CPython to build a fast
# EncodingMap, so NUL is encodable and checked separately; the basic set takes bytes 1-127
# and the extension table 128-137, so "costs two septets" is "byte >= 0x80".
_DECODING = "\x00" + BASIC + EXTENSION + "\ufffe" * (256 - 1 - len(BASIC) - len(EXTENSION))
_ENCODING_MAP = codecs.charmap_build(_DECODING)
_charmap_encode = codecs.charmap_encode
EXT_BYTE_MIN = 1 + len(BASIC)  # first byte that stands for an extension character
# bytes.translate table: extension characters -> 1, everything else -> 0 (for bytes.count).
EXT_FLAGS = bytes(1 if b >= EXT_BYTE_MIN else 0 for b in range(256))


def gsm7_bytes(text: str) -> bytes | None:
    """One byte per character if ``text`` is all GSM-7, else None (bytes >= 0x80: extension)."""
    try:
        data = _charmap_encode(text, None, _ENCODING_MAP)[0]  # errors=None: strict
    except UnicodeEncodeError:
        return None
    return None if b"\x00" in data else data


def is_gsm7(text: str) -> bool:
    """True if every character of ``text`` is in the GSM-7 basic set or extension table."""
    return gsm7_bytes(text) is not None


def gsm7_septets(ch: str) -> int | None:
    """Septets the character costs in GSM-7: 1 (basic set), 2 (extension table) or None."""
    if len(ch) != 1 or ch not in ALPHABET:
        return None
    return 2 if ch in EXTENSION else 1


def septet_count(data: bytes) -> int:
    """Septets of a body given as :func:`gsm7_bytes` output."""
    return len(data) + data.translate(EXT_FLAGS).count(1)
