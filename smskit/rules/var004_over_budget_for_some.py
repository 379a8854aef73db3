"""VAR004 over-budget-for-some: some recipients' messages exceed the segment budget or limit.

A template can fit its budget while long names, long addresses or a UCS-2 value push some
recipients' copies over it; each extra segment is billed, and a message longer than 1,600
characters is refused by Twilio. The finding counts the rows over the budget by segment count
and shows the worst case. The budget is the same as LEN001's (2 segments by default).

Bad (budget 2)::

    body: "{first_name} {last_name}, … (150 more characters)"   # 3 segments for 1,204 rows

Good::

    body: "{first_name}, … (shorter)"

Options:

- ``budget`` (int, default 2): the most segments a message may use.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "VAR004"
NAME = "over-budget-for-some"
SEVERITY = Severity.WARNING
SCOPE = "audience"


@dataclass(frozen=True)
class Options:
    budget: int = 2


def check(campaign: Campaign, options: Options, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import (
        EXAMPLES,
        MAX_BODY_CHARS,
        Tally,
        examples_extra,
        examples_text,
        result_for,
    )

    result = result_for(campaign, ctx)
    for mid, stats in result.messages.items():
        over = {b: t for b, t in stats.buckets.items() if b[0] > options.budget or b[1]}
        if not over:
            continue
        count = sum(t.count for t in over.values())
        # each bucket holds its own first rows, so theirs together hold the first rows of all
        first = sorted((e for t in over.values() for e in t.examples), key=lambda e: e.row)
        merged = Tally(count, first[:EXAMPLES])
        by_segments: dict[int, int] = {}
        too_long = 0
        for (segments, long), t in over.items():
            by_segments[segments] = by_segments.get(segments, 0) + t.count
            too_long += t.count if long else 0
        parts = ", ".join(f"{s} segments: {n:,}" for s, n in sorted(by_segments.items()))
        text = (
            f"message '{mid}' is over the {options.budget}-segment budget for {count:,} of "
            f"{result.rows:,} rows ({parts})"
        )
        if too_long:
            text += f"; {too_long:,} are over {MAX_BODY_CHARS:,} characters and Twilio refuses them"
        if stats.worst is not None:
            worst, row = stats.worst
            text += (
                f"; worst: row {row}, {worst.segments} segments of {worst.encoding}, "
                f"{worst.chars} characters"
            )
        text += f" (first rows: {examples_text(merged, more=False)})"
        yield Problem(
            text,
            at=stats.message.body_node.start,
            message_id=mid,
            extra={**examples_extra(merged), "by_segments": by_segments, "over_limit": too_long},
        )
