"""SIG003 signature-brand: the sign-off names another brand than the campaign's.

Campaign texts are copied between brands all the time; a message for Elisa customers that ends
"Terveisin DNA" confuses the customer and looks like a scam. The rule knows the brands of every
campaign checked together and the brands of the rule packs (``brands:``); a brand's
``aliases`` ("Elisa Oyj", "Saunalahti") count as the brand itself, and so does an
alphanumeric sender ID. A name the rule does not know as a brand (a person, "Anna") is fine.

Bad::

    brand: Elisa
    ...
      body: "Uusi laskusi on valmis. Terveisin DNA"

Good::

    brand: Elisa
    ...
      body: "Uusi laskusi on valmis. Terveisin Elisa"

The fix (unsafe: a co-branded message may be intended) writes the brand's own sign-off.

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.brands import brand_book, brand_target, campaign_signoffs, other_brand
from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "SIG003"
NAME = "signature-brand"
SEVERITY = Severity.ERROR
SCOPE = "campaign"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    brand = brand_book(ctx).resolve(campaign.brand)
    for msg, so in zip(campaign.messages, campaign_signoffs(ctx, campaign), strict=True):
        if so is None:
            continue
        other = other_brand(ctx, campaign, so)
        if other is None:
            continue
        target = brand_target(ctx, brand)
        if target is not None:
            edit, suggestion = Edit(so.start, so.end, target.text), target.text
        else:
            edit = Edit(so.name_start, so.end, brand)
            suggestion = so.text[: so.name_start - so.start] + brand
        yield Problem(
            f"message '{msg.id}' signs off '{so.text}', which names {other}, but the "
            f"campaign's brand is {brand}: sign off as {brand}, e.g. '{suggestion}'",
            at=msg.mark_at(so.start),
            end=msg.mark_at(so.end),
            message_id=msg.id,
            fix=Fix(f"use '{suggestion}'", msg.body_node, (edit,), safe=False),
            extra={"signoff": so.text, "named_brand": other, "brand": brand},
        )
