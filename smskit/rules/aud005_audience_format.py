"""AUD005 audience-format: the audience file, or some of its rows, cannot be read as recipients.

The audience must be a CSV file with a header line and a phone column (``phone``; the match
ignores case). The file is refused when it is missing, empty, has no phone column or a column
named twice, or has a quoted field that never closes; a row with more or fewer fields than the
header (usually a delimiter inside a value that was not quoted) is left out of the send and
counted here with the first rows.

Bad::

    phone;first_name
    040 123 4567;Virtanen; Jari

Good::

    phone;first_name
    040 123 4567;"Virtanen; Jari"

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "AUD005"
NAME = "audience-format"
SEVERITY = Severity.ERROR
SCOPE = "audience"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import (
        audience_mark,
        audience_name,
        examples_extra,
        refused_problem,
        result_for,
    )

    result = result_for(campaign, ctx)
    problem = refused_problem(campaign, result, CODE)
    if problem is not None:
        yield problem
    tally = result.malformed
    if tally.count:
        first = "; ".join(e.text for e in tally.examples[:3])
        yield Problem(
            f"{tally.count:,} rows of {audience_name(result)} cannot be read and will not be "
            f"messaged: {first}" + ("; …" if tally.count > 3 else ""),
            at=audience_mark(campaign),
            extra=examples_extra(tally),
        )
