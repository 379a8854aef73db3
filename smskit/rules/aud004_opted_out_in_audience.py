"""AUD004 opted-out-in-audience: numbers on the opt-out list are in the audience.

The ``opt_out:`` file lists numbers never to message (one a line, or a CSV with a phone
column; normalized like the audience). The send skips them; this finding says how many there
are, so that a list exported before the opt-outs were applied is noticed.

Bad::

    opt_out: optout.txt     # +358401234567 is also in the audience

Good::

    # nothing to change: the send skips them; export the audience without them next time

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "AUD004"
NAME = "opted-out-in-audience"
SEVERITY = Severity.INFO
SCOPE = "audience"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import (
        audience_mark,
        audience_name,
        examples_extra,
        examples_text,
        result_for,
    )

    result = result_for(campaign, ctx)
    tally = result.opted_out
    if tally.count:
        yield Problem(
            f"{tally.count:,} rows of {audience_name(result)} are on the opt-out list and will "
            f"be skipped: {examples_text(tally)}",
            at=audience_mark(campaign),
            extra=examples_extra(tally),
        )
