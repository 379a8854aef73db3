"""DAT003 date-impossible: a date that does not exist in the calendar.

"31.2.2018" or "29.2.2019" (2019 is no leap year) is a typo that sends customers to a day
that never comes; they cannot tell which day was meant, and a campaign that promises an offer
"until 31.2." looks like a scam. The rule names the date and says why it does not exist.

A date written without its year takes the year the campaign is sent in (``send_at``; a date
more than two months before the send date is read as next year). Without ``send_at`` only
dates that exist in no year are reported ("31.2.", not "29.2.").

There is no automatic fix: only the writer knows which day was meant.

Bad::

    body: "Tarjous voimassa 31.2.2018 asti."

Good::

    body: "Tarjous voimassa 28.2.2018 asti."

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "DAT003"
NAME = "date-impossible"
SEVERITY = Severity.ERROR
SCOPE = "campaign"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    # Imported on first use: `smskit rules` and `smskit explain` need none of it.
    from smskit.rules._dates import campaign_dates
    from smskit.text.dates import impossible_reason

    cd = campaign_dates(campaign, ctx)
    for fd in cd.dates:
        m, msg = fd.match, fd.message
        year = cd.year_of(m)
        days = m.days(year)
        for which, (y, mo, d) in zip(("first", "last"), days, strict=False):
            reason = impossible_reason(y, mo, d)
            if reason is None:
                continue
            what = f"the {which} day of the range {m.text}" if m.is_range else m.text
            read = ""
            if m.year is None and y is not None:
                read = f" (read as {y} from send_at)"
            yield Problem(
                f"{what} in message '{msg.id}' is not a date{read}: {reason}; "
                "write the day that was meant",
                at=msg.mark_at(m.start),
                end=msg.mark_at(m.end),
                message_id=msg.id,
            )
            break
