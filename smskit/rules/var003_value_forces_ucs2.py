"""VAR003 value-forces-ucs2: a recipient's value switches the message to UCS-2.

The message text itself is GSM-7, but some values are not: a name with š, ž, ç, á or ł (or an
emoji) makes that recipient's whole message UCS-2, with 70 characters a segment instead of 160.
Those recipients cost more segments. The finding counts them, adds up the extra segments, and
shows each example's closest GSM-7 spelling ("François" → "Francois") where one exists;
whether to respell a name is the sender's call, so nothing is changed automatically.

Bad::

    body: "Hei {first_name}! …"     # 'Šárka': 2 segments instead of 1

Good::

    # accept the cost (suppress with a reason), or shorten the message so that the UCS-2
    # version still fits its segments, or respell values where the recipient would agree

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "VAR003"
NAME = "value-forces-ucs2"
SEVERITY = Severity.WARNING
SCOPE = "audience"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import examples_extra, examples_text, result_for

    result = result_for(campaign, ctx)
    for mid, stats in result.messages.items():
        tally = stats.ucs2
        if not tally.count:
            continue
        extra = tally.extra.get("extra_segments", 0)
        yield Problem(
            f"message '{mid}' goes as UCS-2 for {tally.count:,} rows because of their values "
            f"(+{extra:,} segments in all): {examples_text(tally)}",
            at=stats.message.body_node.start,
            message_id=mid,
            extra=examples_extra(tally),
        )
