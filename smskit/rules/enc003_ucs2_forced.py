"""ENC003 ucs2-forced: a character outside GSM-7 switched the message to UCS-2.

SMS has two alphabets. GSM-7 fits 160 characters in one segment (153 each when the message is
split) and includes ä, ö, å, Ä, Ö, Å, é and ü. One character outside it — a typographic quote
’, a dash –, an ellipsis …, an emoji, an š — switches the WHOLE message to UCS-2: 70 characters
a segment (67 when split). The same text can then cost two or three times as much, and every
recipient gets more message parts. The finding names each character and its position, and
gives the segment count now and with the GSM-7 replacement. Invisible characters (a
zero-width or no-break space, a soft hyphen) also force UCS-2; ENC004 reports those.

With ``smart_encoding: true`` the check looks at the text after Twilio's Smart Encoding
(which replaces curly quotes, dashes and the like on its own), so only what Twilio cannot
replace is reported.

Bad::

    body: "Tervetuloa – lue lisää: elisa.fi"      # en dash: UCS-2, 1 segment of 70

Good::

    body: "Tervetuloa - lue lisää: elisa.fi"      # GSM-7, 1 segment of 160

The fix (safe) replaces punctuation and spaces with their GSM-7 equivalents; it never touches
ä, ö, å or any other GSM-7 character, and leaves letters and emoji that have no equivalent.

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "ENC003"
NAME = "ucs2-forced"
SEVERITY = Severity.WARNING
SCOPE = "campaign"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.encoding import GSM7, analyze, encoding_of, gsm_suggestion
    from smskit.rules.enc004_invisible_character import is_invisible, without_invisible

    for msg in campaign.messages:
        # Most bodies are GSM-7, which one C call tells; only UCS-2 ones need the analysis.
        if encoding_of(msg.body, campaign.smart_encoding) == GSM7:
            continue
        a = analyze(msg.body, smart_encoding=campaign.smart_encoding)  # UCS-2, as just found
        # Invisible characters (a zero-width space, a no-break space) are ENC004's to report.
        ucs2_chars = [(o, g) for o, g in a.ucs2_chars if not is_invisible(g)]
        if not ucs2_chars:
            continue
        edits = []
        if not campaign.smart_encoding:
            for offset, grapheme in ucs2_chars:
                replacement = gsm_suggestion(grapheme)
                if replacement != grapheme:
                    edits.append(Edit(offset, offset + len(grapheme), replacement))
        chars = ", ".join(
            f"'{g}' (U+{ord(g[0]):04X}) at {offset + 1}" for offset, g in ucs2_chars[:5]
        )
        more = f" and {len(ucs2_chars) - 5} more" if len(ucs2_chars) > 5 else ""
        text = (
            f"message '{msg.id}' is sent as UCS-2 ({a.segments} segment"
            f"{'s' if a.segments != 1 else ''}) because of {chars}{more}"
        )
        fix = None
        if edits:
            fixed = Fix("", msg.body_node, tuple(edits)).apply_to(msg.body)
            after = analyze(without_invisible(fixed))
            if after.encoding == GSM7:
                text += f"; with GSM-7 replacements it is {after.segments} segment(s) of GSM-7"
            else:
                text += f"; replacing the punctuation still leaves UCS-2 ({after.segments})"
            fix = Fix("replace with GSM-7 equivalents", msg.body_node, tuple(edits))
        else:
            text += "; there is no GSM-7 equivalent: rephrase, or suppress with a reason"
        start = ucs2_chars[0][0] if not campaign.smart_encoding else 0
        yield Problem(text, at=msg.mark_at(start), message_id=msg.id, fix=fix)
