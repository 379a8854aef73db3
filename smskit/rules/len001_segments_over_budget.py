"""LEN001 segments-over-budget: a message needs more segments than the budget allows.

Every segment is billed, and a long message split into many parts is more likely to arrive in
pieces on older phones. The budget (default 2 segments) is policy: set it in a rule pack. The
count is exact: GSM-7 or UCS-2, headers of multipart messages, and characters that never split
across segments, as Twilio counts them (after Smart Encoding when it is on).

Bad (budget 2)::

    body: "<a 400-character GSM-7 text>"   # 3 segments

Good::

    body: "<the same said in 300 characters>"   # 2 segments

Options:

- ``budget`` (int, default 2): the most segments a message may use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "LEN001"
NAME = "segments-over-budget"
SEVERITY = Severity.WARNING
SCOPE = "campaign"


@dataclass(frozen=True)
class Options:
    budget: int = 2


def check(campaign: Campaign, options: Options, ctx: Context) -> Iterator[Problem]:
    from smskit.encoding import analyze, segment_count
    from smskit.encoding.units import GSM7, GSM7_MULTI, GSM7_SINGLE, UCS2_MULTI, UCS2_SINGLE

    for msg in campaign.messages:
        # The count alone is cheap; the full analysis (for the units) only when over budget.
        if segment_count(msg.body, campaign.smart_encoding) <= options.budget:
            continue
        a = analyze(msg.body, smart_encoding=campaign.smart_encoding)  # same segment count
        gsm7 = a.encoding == GSM7
        # One segment holds 160/70; split into parts, each holds 153/67.
        if options.budget == 1:
            room = GSM7_SINGLE if gsm7 else UCS2_SINGLE
        else:
            room = options.budget * (GSM7_MULTI if gsm7 else UCS2_MULTI)
        yield Problem(
            f"message '{msg.id}' is {a.segments} segments of {a.encoding} "
            f"({a.units} {'septets' if gsm7 else 'UTF-16 units'}); "
            f"the budget is {options.budget}: shorten it by about {a.units - room} characters",
            at=msg.body_node.start,
            message_id=msg.id,
        )
