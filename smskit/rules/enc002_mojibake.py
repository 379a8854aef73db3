"""ENC002 mojibake: garbled text from UTF-8 read as Latin-1 or Windows-1252.

When a message passes through a spreadsheet, database or tool that reads UTF-8 text as
Latin-1 or Windows-1252, every ä turns into "Ã¤", every € into "â‚¬" and every ’ into "â€™".
The customer gets a message full of strange symbols, often split into more (and dearer) parts.
The rule asks ftfy, a library made for this, whether a message is garbled and what it said
before; text ftfy leaves alone (São Paulo, pâté, kesä–heinäkuu) is never reported.

Bad::

    body: "Kiitos ettÃ¤ kÃ¤ytÃ¤t palveluamme! Hinta 9,90 â‚¬/kk."

Good::

    body: "Kiitos että käytät palveluamme! Hinta 9,90 €/kk."

The fix (safe) writes ftfy's repair of each garbled word. When part of the text was lost in
the conversion (a "�"), there is no fix: retype the word.

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context
from smskit.text.mojibake import find_mojibake

CODE = "ENC002"
NAME = "mojibake"
SEVERITY = Severity.ERROR
SCOPE = "campaign"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    for msg in campaign.messages:
        for bad in find_mojibake(msg.body):
            where = f"UTF-8 text read as {bad.encoding}"
            if bad.repaired is None:
                text = f"'{bad.text}' is garbled ({where}) and part of it is lost: retype it"
                fix = None
            else:
                text = f"'{bad.text}' is garbled ({where}): write '{bad.repaired}'"
                fix = Fix(
                    f"write '{bad.repaired}'",
                    msg.body_node,
                    (Edit(bad.start, bad.end, bad.repaired),),
                )
            yield Problem(
                text,
                at=msg.mark_at(bad.start),
                end=msg.mark_at(bad.end),
                message_id=msg.id,
                fix=fix,
                extra={"text": bad.text, "repaired": bad.repaired, "encoding": bad.encoding},
            )
