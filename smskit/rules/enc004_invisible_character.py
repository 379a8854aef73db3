"""ENC004 invisible-or-control-character: an invisible or control character in a body.

Zero-width spaces, no-break spaces, soft hyphens, byte-order marks and control characters
come in when text is pasted from Word, web pages or spreadsheets. The reader sees nothing,
but most of them force the whole message into UCS-2 (70 characters a segment instead of
160) or show up as boxes on older phones. Line breaks are fine.

Bad::

    body: "Tervetuloa\u200b asiakkaaksi"     # zero-width space

Good::

    body: "Tervetuloa asiakkaaksi"

The fix (safe) deletes zero-width characters, soft hyphens and BOMs, turns no-break and
other special spaces into a plain space, and removes control characters.

Options: none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "ENC004"
NAME = "invisible-or-control-character"
SEVERITY = Severity.ERROR
SCOPE = "campaign"

_NAMES = {
    "\u00a0": ("no-break space", " "),
    "\u202f": ("narrow no-break space", " "),
    "\u2007": ("figure space", " "),
    "\u2009": ("thin space", " "),
    "\u200a": ("hair space", " "),
    "\u2002": ("en space", " "),
    "\u2003": ("em space", " "),
    "\u3000": ("ideographic space", " "),
    "\u00ad": ("soft hyphen", ""),
    "\u200b": ("zero-width space", ""),
    "\u200c": ("zero-width non-joiner", ""),
    "\u2060": ("word joiner", ""),
    "\ufeff": ("byte-order mark", ""),
    "\u200e": ("left-to-right mark", ""),
    "\u200f": ("right-to-left mark", ""),
    # Directional embeddings, overrides and isolates: invisible, and they reorder the text
    # around them on the phone.
    "\u202a": ("left-to-right embedding", ""),
    "\u202b": ("right-to-left embedding", ""),
    "\u202c": ("pop directional formatting", ""),
    "\u202d": ("left-to-right override", ""),
    "\u202e": ("right-to-left override", ""),
    "\u2066": ("left-to-right isolate", ""),
    "\u2067": ("right-to-left isolate", ""),
    "\u2068": ("first strong isolate", ""),
    "\u2069": ("pop directional isolate", ""),
    "\u2028": ("line separator", "\n"),
    "\u2029": ("paragraph separator", "\n"),
}
# Control characters other than line feed and carriage return, plus the named ones above.
# ZWJ (U+200D) is left alone: it is part of emoji sequences.
_PATTERN = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f" + "".join(sorted(_NAMES)) + "]+")


def _describe(ch: str) -> tuple[str, str]:
    if ch in _NAMES:
        return _NAMES[ch]
    if ch == "\t":
        return ("tab", " ")
    name = unicodedata.name(ch, "")  # C0 and C1 controls have no name in the database
    return (f"control character {name}" if name else "control character", "")


def _replacement(run: str) -> str:
    replacement = "".join(_describe(c)[1] for c in run)
    return " " if replacement and not replacement.strip() else replacement


def is_invisible(grapheme: str) -> bool:
    """Whether this rule reports the character (ENC003 leaves such characters to it)."""
    return bool(_PATTERN.fullmatch(grapheme))


def without_invisible(text: str) -> str:
    """``text`` as this rule's fixes leave it."""
    return _PATTERN.sub(lambda m: _replacement(m.group()), text)


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    for msg in campaign.messages:
        # A body of nothing but invisible characters gets no fix: removing them would leave
        # an empty message (which is no campaign at all); the writer must write it.
        fixable = None
        for m in _PATTERN.finditer(msg.body):
            if fixable is None:
                fixable = bool(without_invisible(msg.body).strip())
            run = m.group()
            what = sorted({_describe(c)[0] for c in run})
            replacement = _replacement(run)
            codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(run))
            yield Problem(
                f"invisible {' and '.join(what)} ({codes}) in message '{msg.id}' at "
                f"character {m.start() + 1}; it is usually pasted in by accident: remove it",
                at=msg.mark_at(m.start()),
                end=msg.mark_at(m.end()),
                message_id=msg.id,
                fix=Fix(
                    f"replace with {replacement!r}" if replacement else "remove it",
                    msg.body_node,
                    (Edit(m.start(), m.end(), replacement),),
                )
                if fixable
                else None,
            )
