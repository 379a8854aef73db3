"""DAT002 date-format-house-style: a date is not written in the locale's house format.

Customers read dates fastest in the form they see everywhere else, and a brand that writes
them one way looks trustworthy. The house format is CLDR's short date for the campaign's
locale (through Babel) with the year in full: d.M.yyyy for fi-FI and for sv-FI (the Swedish
locale pack follows Finland-Swedish usage), yyyy-MM-dd for sv-SE, dd/MM/yyyy for en-GB,
M/d/yyyy for en-US. A locale pack's ``date_format`` or this rule's option changes it.

A date written without its year passes when it has the house shape ("1.6." for d.M.yyyy).
The fix (safe) rewrites the date in the house format, keeping a range a range
("01.–03.06.17" becomes "1.–3.6.2017"). Only a year-less date whose house format has no
year-less form (yyyy-MM-dd) needs a year, taken from ``send_at``: that fix is unsafe.

While the campaign's dates disagree with each other, DAT001 reports them and this rule waits,
so that one date is never told two different things; once they agree, this rule moves them
all to the house format (``smskit check --fix`` does both in one run).

Bad (fi-FI)::

    body: "Tarjous voimassa 2017-06-01 asti."

Good::

    body: "Tarjous voimassa 1.6.2017 asti."

Options:

- ``date_format`` (str, default ""): the house format, e.g. "dd.MM.yyyy"; empty takes the
  locale pack's ``date_format``, else CLDR's.
- ``only_when_consistent`` (bool, default true): stay quiet while DAT001 has findings; set it
  to false if DAT001 is turned off.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "DAT002"
NAME = "date-format-house-style"
SEVERITY = Severity.WARNING
SCOPE = "campaign"


@dataclass(frozen=True)
class Options:
    date_format: str = ""
    only_when_consistent: bool = True


def check(campaign: Campaign, options: Options, ctx: Context) -> Iterator[Problem]:
    # Imported on first use: `smskit rules` and `smskit explain` need none of it.
    from smskit.rules._dates import campaign_dates
    from smskit.text.date_format import PatternError, follows

    cd = campaign_dates(campaign, ctx)
    if cd.error:
        yield Problem(cd.error, at=campaign.node("locale").start)
        return
    if not cd.dates:
        return
    try:
        house = cd.house(options.date_format)
    except PatternError as e:
        yield Problem(f"{CODE}: {e}", at=campaign.node("locale").start)
        return
    if options.only_when_consistent:
        result = cd.consistency(house)
        if result is not None and not result.consistent:
            return
    for fd in cd.dates:
        m, msg = fd.match, fd.message
        if follows(m, house.family, house.year):
            continue
        fixed, added, fix = cd.rewrite(fd, house)
        note = f" (the year {added} taken from send_at; check it)" if added is not None else ""
        advice = f"write {fixed}{note}" if fixed else "write it with its year"
        yield Problem(
            f"the date {m.text} in message '{msg.id}' is not in the house date format "
            f"for {campaign.locale} ({house}); {advice}",
            at=msg.mark_at(m.start),
            end=msg.mark_at(m.end),
            message_id=msg.id,
            fix=fix,
            extra={"format": m.format, "house": str(house)},
        )
