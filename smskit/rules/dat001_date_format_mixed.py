"""DAT001 date-format-mixed: the dates of one campaign are written in different formats.

A customer who reads "1.6.2017" in one message and "01.06.17" or "2017-06-01" in the next
wonders whether these are different days, and the brand looks careless. The rule finds the
format most of the campaign's dates use and reports each date written otherwise, offering
that date rewritten in the majority format (a safe fix: the day stays the same).

How formats are compared:

- The shape counts (1.6.2017, 01.06.17, 2017-06-01, 1/6/2017, "1. kesäkuuta 2017" are all
  different), and so does the width of a written year (2017 against 17).
- A date written without its year ("1.6.") agrees with the same shape with a year ("1.6.2017"):
  leaving the year out is a choice of content, not of format. Its fix keeps it year-less.
- "10.12.2017" agrees with both d.M.yyyy and dd.MM.yyyy: days and months from 10 up look the
  same either way.
- A tie goes to the house format (see DAT002), then to the format used first.
- If the majority format has no year-less form (ISO, yyyy-MM-dd), a year-less date can only be
  rewritten by adding a year: that fix takes the year from ``send_at`` and is unsafe.

DAT002 (house style) stays quiet while a campaign mixes formats: first the dates agree (this
rule), then, if the format they agree on is not the house format, DAT002 moves them all to it.
``smskit check --fix`` runs both steps.

Bad::

    - id: reminder
      body: "Tarjous voimassa 1.6.2017 asti."
    - id: last-call
      body: "Muista: tarjous päättyy 01.06.17!"

Good::

    - id: reminder
      body: "Tarjous voimassa 1.6.2017 asti."
    - id: last-call
      body: "Muista: tarjous päättyy 1.6.2017!"

Options:

- ``date_format`` (str, default ""): the house format used to break ties; empty takes the
  locale pack's ``date_format``, else CLDR's (d.M.yyyy for fi-FI).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "DAT001"
NAME = "date-format-mixed"
SEVERITY = Severity.ERROR
SCOPE = "campaign"


@dataclass(frozen=True)
class Options:
    date_format: str = ""


def check(campaign: Campaign, options: Options, ctx: Context) -> Iterator[Problem]:
    # Imported on first use: `smskit rules` and `smskit explain` need none of it.
    from smskit.rules._dates import campaign_dates
    from smskit.text.date_format import PatternError

    cd = campaign_dates(campaign, ctx)
    if len(cd.dates) < 2:
        return
    try:
        house = cd.house(options.date_format)
    except PatternError as e:
        yield Problem(f"{CODE} option date_format: {e}", at=campaign.node("locale").start)
        return
    matches = [fd.match for fd in cd.dates]
    result = cd.consistency(house)
    if result is None or result.consistent:
        return
    family, year = result.family, result.year
    # The minority is every date that does not follow the majority: the rest agree with it.
    minority = set(result.minority)
    agreeing = [m for i, m in enumerate(matches) if i not in minority]
    if agreeing:
        example = next((m.text for m in agreeing if m.year is not None), agreeing[0].text)
        shown = str(family.with_year(year) if any(m.year for m in agreeing) else family)
        majority = f"{len(agreeing)} of {len(matches)} are written like {example}, {shown}"
    else:
        majority = f"no format is used by most of them, so the house format {house} decides"
    for i in result.minority:
        fd = cd.dates[i]
        m, msg = fd.match, fd.message
        fixed, added_year, fix = cd.rewrite(fd, family.with_year(year))
        if fixed is not None:
            advice = f"write {fixed}"
            if added_year is not None:
                advice += f" (the year {added_year} taken from send_at; check it)"
        else:
            advice = "write it with its year, like the others"
        yield Problem(
            f"the date {m.text} in message '{msg.id}' is written differently from the other "
            f"dates of this campaign ({majority}); {advice} so that every date looks the same",
            at=msg.mark_at(m.start),
            end=msg.mark_at(m.end),
            message_id=msg.id,
            fix=fix,
            extra={"format": m.format, "majority": str(family.with_year(year))},
        )
