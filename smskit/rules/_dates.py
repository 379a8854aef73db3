"""What the DAT rules share (not a rule): a campaign's dates, found once per run.

The five rules each ask for the same campaign; the scan is memoised in ``ctx.cache`` so every
message is read once, and one ``DateFinder`` serves every campaign of a locale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from smskit.findings import Edit, Fix
from smskit.model import Campaign, Message
from smskit.rules.base import Context
from smskit.text.date_format import (
    Consistency,
    DatePattern,
    PatternError,
    consistency,
    format_date,
    resolve_year,
)
from smskit.text.date_names import DatePackError
from smskit.text.dates import DateFinder, DateMatch


class FoundDate(NamedTuple):
    """A date and the message it is in (a named tuple: one per date of a run)."""

    message: Message
    match: DateMatch


class Rewrite(NamedTuple):
    """A date written in another pattern (DAT001 and DAT002 both offer one)."""

    text: str | None  # None: the pattern needs a year that is not known
    year_added: int | None  # the year taken from send_at for a year-less date, if one was
    fix: Fix | None  # None when there is no text or it is the same as written


@dataclass
class CampaignDates:
    campaign: Campaign
    finder: DateFinder
    dates: list[FoundDate]
    error: str | None = None  # the locale pack's date keys could not be used
    _consistency: dict[DatePattern, Consistency | None] = field(default_factory=dict)

    def consistency(self, house: DatePattern) -> Consistency | None:
        """The campaign's majority format (DAT001 and DAT002 both ask)."""
        if house not in self._consistency:
            self._consistency[house] = consistency([fd.match for fd in self.dates], house)
        return self._consistency[house]

    @property
    def send_date(self) -> date | None:
        """The day the campaign is sent, in send_at's own UTC offset."""
        send_at = self.campaign.send_at
        return send_at.date() if send_at is not None else None

    def year_of(self, match: DateMatch) -> int | None:
        """The (last) day's year: written, or for a year-less date taken from send_at."""
        if match.year is not None:
            return match.year
        send = self.send_date
        return resolve_year(match.month, match.day, send) if send is not None else None

    def house(self, override: str = "") -> DatePattern:
        """The locale's house pattern; PatternError if a pack or option names a bad one."""
        return self.finder.house(override)

    def write(self, y: int | None, m: int, d: int, pattern: DatePattern) -> str:
        """A single day in ``pattern`` (for messages: "the send date 10.6.2017")."""
        names = self.finder.names if pattern.month in ("MMM", "MMMM") else None
        return format_date(y, m, d, pattern, names) or f"{y}-{m:02d}-{d:02d}"

    def rewrite(self, found: FoundDate, pattern: DatePattern) -> Rewrite:
        """``found`` written in ``pattern``, with the fix that writes it.

        A year-less date written in a pattern with a year (an ISO house format) gets the year
        from send_at; the marketer should check it, so that fix is not safe.
        """
        m, msg = found.match, found.message
        text, added = self.finder.render(m, pattern), None
        if text is None:
            added = self.year_of(m)
            text = self.finder.render(m, pattern, added) if added is not None else None
            if text is None:
                added = None
        fix = None
        if text is not None and text != m.text:
            edit = date_edit(msg.body, m, text)
            fix = Fix(f"write {text}", msg.body_node, (edit,), safe=added is None)
        return Rewrite(text, added, fix)

    def write_house(self, y: int | None, m: int, d: int) -> str:
        try:
            pattern = self.house()
        except PatternError:
            pattern = DatePattern("iso", "dd", "MM", "yyyy")
        return self.write(y, m, d, pattern)


def campaign_dates(campaign: Campaign, ctx: Context) -> CampaignDates:
    """Every date in the campaign's messages, in message order."""
    # By identity: ctx.campaigns keeps every campaign of the run alive, so ids are not reused.
    return ctx.memo(("dates", id(campaign)), lambda: _campaign_dates(campaign, ctx))


def _campaign_dates(campaign: Campaign, ctx: Context) -> CampaignDates:
    finder = ctx.memo(
        ("dates.finder", campaign.locale),
        lambda: DateFinder(campaign.locale, ctx.locale(campaign.language)),
    )
    found: list[FoundDate] = []
    error = None
    try:
        for msg in campaign.messages:
            found.extend(FoundDate(msg, m) for m in finder.find(msg.body))
    except DatePackError as e:
        found, error = [], f"{e}; fix the locale pack"
    return CampaignDates(campaign, finder, found, error)


def date_edit(body: str, match: DateMatch, new: str) -> Edit:
    """The edit that writes ``new`` in place of ``match``, minding a full stop.

    Finnish "Ale päättyy 3.6." ends the sentence with the date's own dot: written as
    "2017-06-03" it needs the full stop back. And "1 juni." written as "1.6." must not
    become "1.6..".
    """
    after = body[match.end : match.end + 2]
    if new.endswith(".") and after[:1] == ".":
        return Edit(match.start, match.end + 1, new)
    if match.text.endswith(".") and not new.endswith("."):
        sentence_end = not after or after[:1] == "\n" or (after[:1] == " " and after[1:].isupper())
        if sentence_end:
            return Edit(match.start, match.end, new + ".")
    return Edit(match.start, match.end, new)
