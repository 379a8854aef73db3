"""DAT004 weekday-mismatch: the weekday named next to a date is not that date's weekday.

"maanantaina 6.6.2017" when 6.6.2017 is a Tuesday leaves the customer guessing which of the
two is right, and half of them come on the wrong day. Weekday words are read in Finnish,
Swedish and English, full, abbreviated and inflected ("maanantaina", "lauantain", "ma",
"måndag den", "Mon"), before the date or in brackets after it ("6.6. (ti)"); "ma–ke 6.–8.6."
checks both ends of the range.

A date written without its year takes the year from ``send_at`` (a date more than two months
before the send date is read as next year); without ``send_at`` such dates are skipped.
Dates that do not exist are DAT003's.

The fix (unsafe: maybe the date is the mistake) writes the right weekday in the same form,
"maanantaina" → "tiistaina", when the locale pack lists that form for every weekday.

Bad::

    body: "Myymälä avataan maanantaina 6.6.2017."

Good::

    body: "Myymälä avataan tiistaina 6.6.2017."

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Edit, Fix, Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "DAT004"
NAME = "weekday-mismatch"
SEVERITY = Severity.ERROR
SCOPE = "campaign"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    # Imported on first use: `smskit rules` and `smskit explain` need none of it.
    from smskit.rules._dates import campaign_dates
    from smskit.text.dates import ENGLISH_WEEKDAYS, WeekdayWord, as_date

    cd = campaign_dates(campaign, ctx)
    for fd in cd.dates:
        m, msg = fd.match, fd.message
        if m.weekday is None:
            continue
        year = cd.year_of(m)
        if year is None:
            continue
        days = m.days(year)
        pairs: list[tuple[WeekdayWord, tuple[int | None, int, int]]] = [(m.weekday, days[0])]
        if m.end_weekday is not None:
            pairs.append((m.end_weekday, days[-1]))
        for word, (y, mo, d) in pairs:
            day = as_date(y, mo, d)
            if day is None or day.weekday() == word.weekday:
                continue
            actual = day.weekday()
            said = ENGLISH_WEEKDAYS[word.weekday]
            is_ = ENGLISH_WEEKDAYS[actual]
            written = cd.write_house(y, mo, d)
            read = f" (read as {written} from send_at)" if m.year is None else ""
            right = cd.finder.names.weekday_like(word.text, actual)
            advice = f"write '{right}'" if right else f"name {is_}"
            fix = None
            if right:
                fix = Fix(
                    f"write '{right}'",
                    msg.body_node,
                    (Edit(word.start, word.end, right),),
                    safe=False,
                )
            yield Problem(
                f"'{word.text}' ({said}) in message '{msg.id}' does not match the date "
                f"{m.text}{read}: that day is a {is_}; {advice}, or correct the date",
                at=msg.mark_at(word.start),
                end=msg.mark_at(m.end),
                message_id=msg.id,
                fix=fix,
                extra={"said": said, "actual": is_},
            )
