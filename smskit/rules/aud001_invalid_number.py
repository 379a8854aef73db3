"""AUD001 invalid-number: a row's phone number is not a valid number.

Numbers are normalized to E.164 with phonenumbers (national numbers read in the region of the
campaign's locale: fi-FI → Finland), so "040 123 4567", "+358 40 1234567" and "0401234567" are
the same recipient. A row whose number is not valid (too short, a wrong prefix, a name in the
phone column) cannot be messaged: the send skips it, and this finding counts such rows and
names the first ones with the reason. An entry of the opt-out list that is not a valid number
is reported too, because it cannot be honoured.

Bad::

    phone;first_name
    040 123;Jari

Good::

    phone;first_name
    040 123 4567;Jari

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "AUD001"
NAME = "invalid-number"
SEVERITY = Severity.ERROR
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
    tally = result.invalid
    if tally.count:
        yield Problem(
            f"{tally.count:,} of {result.rows:,} rows of {audience_name(result)} have no valid "
            f"phone number and will not be messaged: {examples_text(tally)}",
            at=audience_mark(campaign),
            extra=examples_extra(tally),
        )
    for p in result.invalid_opt_out:
        yield Problem(p.message, at=audience_mark(campaign), extra=dict(p.extra, row=p.row))
