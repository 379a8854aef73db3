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
    from smskit.preflight import result_for, row_problem

    result = result_for(campaign, ctx)
    if result.opted_out.count:
        yield row_problem(
            campaign, result, result.opted_out, "are on the opt-out list and will be skipped"
        )
