"""DAT005 date-in-past: a date in a message is earlier than the day the campaign is sent.

A message that announces an offer "until 1.6.2017" but goes out on 5.6.2017 tells customers
about something that is already over; usually the text was copied from an earlier campaign
or the send time moved. The rule compares each date (a range's last day) with the date of
``send_at``, in send_at's own UTC offset. Campaigns without ``send_at`` are not checked.

A date written without its year takes the send year, unless it would lie more than two months
before the send date: then it is read as next year ("2.1." in a campaign sent on 20.12.2017
is 2.1.2018), so only recent past dates are reported for year-less dates.

There is no automatic fix: update the date or the send time.

Bad (send_at: 2017-06-05T10:00:00+03:00)::

    body: "Tarjous voimassa 1.6.2017 asti."

Good::

    body: "Tarjous voimassa 30.6.2017 asti."

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "DAT005"
NAME = "date-in-past"
SEVERITY = Severity.WARNING
SCOPE = "campaign"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    # Imported on first use: `smskit rules` and `smskit explain` need none of it.
    from smskit.rules._dates import campaign_dates
    from smskit.text.dates import as_date

    cd = campaign_dates(campaign, ctx)
    send = cd.send_date
    if send is None:
        return
    for fd in cd.dates:
        m, msg = fd.match, fd.message
        year = cd.year_of(m)
        last = as_date(year, m.month, m.day)  # None if not a date at all (DAT003's)
        if last is None or last >= send:
            continue
        sent = cd.write_house(send.year, send.month, send.day)
        read = f" (read as {cd.write_house(year, m.month, m.day)})" if m.year is None else ""
        what = f"the range {m.text}" if m.is_range else f"the date {m.text}"
        days = (send - last).days
        yield Problem(
            f"{what}{read} in message '{msg.id}' {'ends' if m.is_range else 'is'} {days} "
            f"day{'s' if days != 1 else ''} before the campaign is sent (send_at {sent}): "
            "customers read about a day that has passed; update the date or the send time",
            at=msg.mark_at(m.start),
            end=msg.mark_at(m.end),
            message_id=msg.id,
            extra={"days_before": days},
        )
