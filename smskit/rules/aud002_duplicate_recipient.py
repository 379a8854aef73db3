"""AUD002 duplicate-recipient: the same number appears in more than one row.

Numbers are compared after normalization, so "040 123 4567" and "+358401234567" are the same
recipient. The send messages each number once (the first row wins), so nobody gets the campaign
twice; the finding says how many rows are repeats, because a repeated number usually means a
merged or doubled export whose other values may differ.

Bad::

    phone;first_name
    040 123 4567;Jari
    +358401234567;Jari

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

CODE = "AUD002"
NAME = "duplicate-recipient"
SEVERITY = Severity.WARNING
SCOPE = "audience"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import result_for, row_problem

    result = result_for(campaign, ctx)
    if result.duplicates.count:
        yield row_problem(
            campaign,
            result,
            result.duplicates,
            "repeat a number from an earlier row; each number gets the messages once",
        )
