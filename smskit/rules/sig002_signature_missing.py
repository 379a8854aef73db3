"""SIG002 signature-missing: a message does not say who it is from.

An SMS shows only the sender ID, and many phones group messages from different senders in
one thread or show a short code. Ending with the brand's sign-off ("Terveisin Elisa") tells the
customer who is writing and makes fake messages easier to spot. The rule accepts any sign-off
the locale packs know (``signoffs`` in ``rules/fi.yml`` etc.) followed by a name, or the
brand's name alone on the last line.

Bad::

    body: "Laskusi on maksettu. Kiitos!"

Good::

    body: "Laskusi on maksettu. Kiitos! Terveisin Elisa"

The fix (unsafe: it lengthens the message) adds the brand's sign-off before any trailing
opt-out line or link.

Options:

- ``require`` (``each`` | ``last`` | ``none``, default ``each``): every message needs a
  sign-off, only the campaign's last message, or none.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from smskit.brands import brand_target, campaign_signoffs
from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign
from smskit.phrases import phrases, signoff_finder
from smskit.rules.base import Context

CODE = "SIG002"
NAME = "signature-missing"
SEVERITY = Severity.WARNING
SCOPE = "campaign"


@dataclass(frozen=True)
class Options:
    require: Literal["each", "last", "none"] = "each"


def check(campaign: Campaign, options: Options, ctx: Context) -> Iterator[Problem]:
    if options.require == "none":
        return
    signoffs = campaign_signoffs(ctx, campaign)
    pairs = list(zip(campaign.messages, signoffs, strict=True))
    if options.require == "last":
        pairs = pairs[-1:]
    suggestion = None
    for msg, so in pairs:
        if so is not None:
            continue
        if suggestion is None:
            suggestion = _suggestion(campaign, ctx)
        insert_at = signoff_finder(ctx, campaign.language).tail_start(msg.body)
        # On a line of its own when the message or its tail is laid out in lines.
        lines = "\n" in msg.body[:insert_at] or msg.body[insert_at:].lstrip(" \t")[:1] == "\n"
        sep = "\n" if lines else " "
        if msg.body[:insert_at][-1:].isalnum():
            sep = "." + sep  # close the last sentence first
        which = "the last message" if options.require == "last" else "message"
        yield Problem(
            f"{which} '{msg.id}' has no sign-off, so the reader sees only the sender ID: "
            f"end it with '{suggestion}'",
            at=msg.mark_at(insert_at),
            message_id=msg.id,
            fix=Fix(
                f"add '{suggestion}'",
                msg.body_node,
                (Edit(insert_at, insert_at, sep + suggestion),),
                safe=False,
            ),
        )


def _suggestion(campaign: Campaign, ctx: Context) -> str:
    target = brand_target(ctx, campaign.brand)
    if target is not None:
        return target.text
    words = [p for p in phrases(ctx, campaign.language, "signoffs") if p[:1].isalpha()]
    return f"{words[0]} {campaign.brand}" if words else f"- {campaign.brand}"
