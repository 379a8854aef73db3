"""SIG001 signature-mismatch: messages of one brand end with different sign-offs.

A campaign whose first message ends "Terveisin Elisa" and whose reminder ends "t. Elisa" looks
careless, and a customer who gets both in one minute wonders whether they really come from the
same company. The same goes across campaigns: checked together (the CI gate checks the whole
``campaigns/`` folder), every campaign of a brand should sign off the same way.

The rule finds the sign-off most messages of the brand use and reports the others; case,
spacing and punctuation do not count ("Terveisin, Elisa." equals "terveisin Elisa"). When a
rule pack fixes the brand's sign-off (``brands: {Elisa: {signoff: "Terveisin Elisa"}}``), that
one wins. A tie goes to the form used first. The fix (safe) replaces the sign-off with the
expected one. Sign-offs that name another brand are SIG003's.

Bad::

    - id: offer
      body: "Uusi Netflix-paketti nyt 9,90 €/kk. Terveisin Elisa"
    - id: reminder
      body: "Muista: tarjous päättyy tänään. t. Elisa"

Good::

    - id: offer
      body: "Uusi Netflix-paketti nyt 9,90 €/kk. Terveisin Elisa"
    - id: reminder
      body: "Muista: tarjous päättyy tänään. Terveisin Elisa"

Options: none. Sign-off phrases are locale data (``signoffs`` in ``rules/fi.yml`` etc.); a
brand's sign-off and aliases are brand data (``brands:`` in your own pack).
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.brands import Target, Usage, brand_target, brand_usage
from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "SIG001"
NAME = "signature-mismatch"
SEVERITY = Severity.ERROR
SCOPE = "project"


def check_project(
    campaigns: list[Campaign], options: object, ctx: Context
) -> Iterator[tuple[Campaign, Problem]]:
    # brand_usage reads ctx.campaigns: the runner's list, the same as ``campaigns``.
    for brand, usages in brand_usage(ctx).items():
        target = brand_target(ctx, brand)
        if target is None:
            continue
        for u in usages:
            if u.signoff.key == target.key:
                continue
            yield u.campaign, _problem(u, usages, target, brand)


def _problem(u: Usage, usages: list[Usage], target: Target, brand: str) -> Problem:
    so, msg = u.signoff, u.message
    if target.from_pack:
        why = f"the rule packs set {brand}'s sign-off to '{target.text}'"
    else:
        here = sum(1 for v in usages if v.campaign is u.campaign and v.signoff.key == target.key)
        if here:
            why = (
                f"the other message of this campaign signs off '{target.text}'"
                if here == 1
                else f"the other {here} messages of this campaign sign off '{target.text}'"
            )
        else:
            slugs = list(
                dict.fromkeys(v.campaign.slug for v in usages if v.signoff.key == target.key)
            )
            shown = ", ".join(slugs[:3]) + (f" and {len(slugs) - 3} more" if len(slugs) > 3 else "")
            one = len(slugs) == 1
            why = (
                f"{brand}'s other {'campaign' if one else 'campaigns'} checked together "
                f"({shown}) {'signs' if one else 'sign'} off '{target.text}' in {target.count} "
                f"message{'s' if target.count != 1 else ''}"
            )
    return Problem(
        f"message '{msg.id}' signs off '{so.text}' but {why}: use '{target.text}'",
        at=msg.mark_at(so.start),
        end=msg.mark_at(so.end),
        message_id=msg.id,
        fix=Fix(f"use '{target.text}'", msg.body_node, (Edit(so.start, so.end, target.text),)),
        extra={"signoff": so.text, "expected": target.text, "brand": brand},
    )
