"""Date patterns: the house format, writing a date in a pattern, and which format a campaign uses.

Patterns use CLDR's letters: ``d``/``dd`` day, ``do`` day as an ordinal ("1st", "1:a"),
``M``/``MM`` month number, ``MMM`` abbreviated and ``MMMM`` full month name, ``yy``/``yyyy``
year. smskit writes seven shapes, each with and without the year::

    d.M.yyyy     d.M.        (dot: Finnish and Finland-Swedish)
    d/M/yyyy     d/M         (slash, day first: en-GB)
    M/d/yyyy     M/d         (slash, month first: en-US)
    yyyy-MM-dd   —           (ISO 8601: no year-less form)
    d. MMMM yyyy d. MMMM     (Finnish written)
    d MMMM yyyy  d MMMM      (Swedish and British written)
    MMMM d, yyyy MMMM d      (American written)

The house format of a locale is CLDR's short date pattern (through Babel) with the year written
in full — a two-digit year is ambiguous in a customer message, and CLDR's own medium and long
patterns write it in full: fi-FI ``d.M.yyyy``, sv-FI ``yyyy-MM-dd``, en-GB ``dd/MM/yyyy``,
en-US ``M/d/yyyy``. A locale pack's ``date_format`` (a pattern, or a mapping of region to
pattern with an optional ``default``) or a rule's ``date_format`` option overrides it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from smskit.text.date_names import DateNames
    from smskit.text.dates import DateMatch

# kind → (template with year, template without year); {d} {M} {y} are the slots.
KINDS: dict[str, tuple[str, str | None]] = {
    "dot": ("{d}.{M}.{y}", "{d}.{M}."),
    "slash-dmy": ("{d}/{M}/{y}", "{d}/{M}"),
    "slash-mdy": ("{M}/{d}/{y}", "{M}/{d}"),
    "iso": ("{y}-{M}-{d}", None),
    "fi-written": ("{d}. {M} {y}", "{d}. {M}"),
    "written-dm": ("{d} {M} {y}", "{d} {M}"),
    "written-md": ("{M} {d}, {y}", "{M} {d}"),
}
NUMERIC_KINDS = frozenset({"dot", "slash-dmy", "slash-mdy", "iso"})
# How far before the send date a year-less date is still read as that year (and so lies in
# the past); earlier ones are read as next year: "2.1." sent on 20.12.2017 is 2.1.2018.
YEARLESS_LOOKBACK = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class DatePattern:
    """One way of writing a date: a shape (``kind``) and how each part is written."""

    kind: str
    day: str
    month: str
    year: str | None  # None: written without the year

    def __str__(self) -> str:
        with_year, without = KINDS[self.kind]
        if self.year or without is None:  # ISO is always shown with its year
            return with_year.format(d=self.day, M=self.month, y=self.year or "yyyy")
        return without.format(d=self.day, M=self.month)

    @property
    def family(self) -> DatePattern:
        """The pattern without its year: what a year-less date must match."""
        return DatePattern(self.kind, self.day, self.month, None)

    @property
    def has_yearless_form(self) -> bool:
        return KINDS[self.kind][1] is not None

    def with_year(self, year: str | None) -> DatePattern:
        return DatePattern(self.kind, self.day, self.month, year)


class PatternError(ValueError):
    pass


_TOKEN = {"d": "(?P<d>do|dd|d)", "M": "(?P<M>MMMM|MMM|MM|M)", "y": "(?P<y>yyyy|yy|y)"}


@cache
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[dMy]\})", template)
    rx = "".join(_TOKEN[p[1]] if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(rx + r"\Z")


def parse_pattern(text: str) -> DatePattern:
    """Read a CLDR-style pattern ("d.M.y", "dd/MM/yyyy", "d. MMMM y"); PatternError if unknown."""
    text = str(text).strip()
    for kind, (with_year, without) in KINDS.items():
        for template in (with_year, without):
            if template is None:
                continue
            m = _template_regex(template).match(text)
            if not m:
                continue
            month = m["M"]
            if (kind in NUMERIC_KINDS) != (len(month) <= 2):
                continue
            year = m.groupdict().get("y")
            if year == "y":
                year = "yyyy"
            return DatePattern(kind, m["d"], month, year)
    raise PatternError(
        f"date format '{text}' is not one smskit can write; use one like d.M.yyyy, dd.MM.yyyy, "
        "yyyy-MM-dd, dd/MM/yyyy, M/d/yyyy, d. MMMM yyyy, d MMMM yyyy or MMMM d, yyyy"
    )


def split_locale(locale: str) -> tuple[str, str | None]:
    """("fi", "FI") for "fi-FI"; the region is None when absent."""
    parts = re.split(r"[-_]", locale)
    language = parts[0].lower()
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), None)
    return language, region


@cache
def cldr_short_pattern(locale: str) -> str:
    """CLDR's short date pattern for ``locale`` ("d.M.y" for fi-FI), through Babel.

    Read through Babel once per Babel release and locale, then from smskit's disk cache.
    """
    from smskit.text.cldr import cached_cldr

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("not a pattern")
        return value

    return cached_cldr(f"short-date {locale}", lambda: _short_pattern(locale), decode=check)


def _short_pattern(locale: str) -> str:
    from babel import Locale, UnknownLocaleError

    language, region = split_locale(locale)
    try:
        loc = Locale(language, region) if region else Locale(language)
        return loc.date_formats["short"].pattern
    except (UnknownLocaleError, ValueError):
        try:
            return Locale(language).date_formats["short"].pattern
        except (UnknownLocaleError, ValueError):
            return "y-MM-dd"


def house_pattern(
    locale: str, pack: Mapping[str, Any] | None = None, override: str = ""
) -> DatePattern:
    """The locale's house date format: the override, the pack's ``date_format``, else CLDR."""
    if override:
        return parse_pattern(override)
    _, region = split_locale(locale)
    configured = (pack or {}).get("date_format")
    if isinstance(configured, Mapping):
        configured = configured.get(region or "", configured.get("default"))
    if configured:
        if not isinstance(configured, str):
            raise PatternError(
                f"date_format must be a pattern such as d.M.yyyy, not {configured!r}"
            )
        return parse_pattern(configured)
    pattern = parse_pattern(cldr_short_pattern(locale))
    return pattern.with_year("yyyy") if pattern.year == "yy" else pattern


# --- writing dates -----------------------------------------------------------------------


def _ordinal(day: int, language: str) -> str:
    if language == "sv":
        return f"{day}:{'a' if day % 10 in (1, 2) and day % 100 not in (11, 12) else 'e'}"
    if language == "en":
        suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return f"{day}{suffix}"
    return f"{day}."


def _day(day: int, token: str, language: str) -> str:
    if token == "dd":
        return f"{day:02d}"
    if token == "do":
        return _ordinal(day, language)
    return str(day)


def _month(month: int, token: str, names: DateNames | None) -> str:
    if token == "MM":
        return f"{month:02d}"
    if token == "M":
        return str(month)
    if names is None:
        raise PatternError("month names are needed to write this pattern")
    return (names.month_abbr if token == "MMM" else names.month_wide)[month - 1]


def format_date(
    year: int | None, month: int, day: int, pattern: DatePattern, names: DateNames | None = None
) -> str | None:
    """The date written in ``pattern`` (year-less when ``year`` or the pattern's year is None).

    None when the pattern has no year-less form (ISO) and the year is unknown.
    """
    language = names.language if names else "fi"
    if year is None or pattern.year is None:
        if not pattern.has_yearless_form:
            return None
        pattern, year = pattern.family, None
    y = "" if year is None else (f"{year % 100:02d}" if pattern.year == "yy" else str(year))
    with_year, without = KINDS[pattern.kind]
    template = with_year if pattern.year else without
    assert template is not None
    d = _day(day, pattern.day, language)
    if pattern.kind == "fi-written" and pattern.day == "do":
        d = d.rstrip(".")  # the template already has the dot
    return template.format(d=d, M=_month(month, pattern.month, names), y=y)


def format_match(
    match: DateMatch,
    pattern: DatePattern,
    names: DateNames | None = None,
    year: int | None = None,
) -> str | None:
    """``match`` (a date or a range) written in ``pattern``; None if that needs an unknown year.

    ``year`` supplies the year of a year-less date (the fixed text then carries it).
    """
    y2 = match.year if match.year is not None else year
    end = format_date(y2, match.month, match.day, pattern, names)
    if end is None or not match.is_range:
        return end
    sy, sm, sd = match.first_day(year)
    dash = match.dash or "–"
    language = names.language if names else "fi"
    if sm == match.month and sy == y2:
        # The same month: the first day alone ("1.–3.6.2017", "1–3 June", "June 1–3, 2017").
        d1 = _day(sd, pattern.day, language)
        if pattern.kind in ("dot", "fi-written"):
            return f"{d1.rstrip('.')}.{dash}{end}"
        if pattern.kind == "written-dm":
            return f"{d1}{dash}{end}"
        if pattern.kind == "written-md":
            month = _month(match.month, pattern.month, names)
            out = f"{month} {d1}{dash}{_day(match.day, pattern.day, language)}"
            if y2 is not None:
                yy = pattern.year == "yy"
                out += f", {y2 % 100:02d}" if yy else f", {y2}"
            return out
    # "30.6.–2.7.2017" and "30 June – 2 July 2017" write the year once; slash and ISO dates
    # are written in full on both sides, where a lone "30/6" would read as a fraction.
    once = sy == y2 and pattern.kind not in ("slash-dmy", "slash-mdy", "iso")
    start = format_date(None if once else sy, sm, sd, pattern, names)
    if start is None:
        return None
    if pattern.kind in NUMERIC_KINDS:
        return f"{start}{dash}{end}"
    return f"{start} {dash} {end}"


# --- reading year-less dates ---------------------------------------------------------------


def resolve_year(month: int, day: int, send: date) -> int:
    """The year a year-less date means in a message sent on ``send``.

    The send year, unless the date would lie more than YEARLESS_LOOKBACK before the send
    date: then next year ("2.1." in a campaign sent on 20.12.2017 is 2.1.2018).
    """
    year = send.year
    try:
        candidate = date(year, month, day)
    except ValueError:
        candidate = date(year, month, 28)  # 29.2. in a common year: judge by the 28th
    return year + 1 if candidate < send - YEARLESS_LOOKBACK else year


# --- consistency within a campaign -------------------------------------------------------


class Consistency(NamedTuple):  # quicker to define and to make than a frozen dataclass
    """The format most of a campaign's dates use, and the dates that differ from it."""

    family: DatePattern  # the majority shape, without year
    year: str  # the majority year token among dates that have a year
    minority: tuple[int, ...]  # indexes into the dates passed in

    @property
    def pattern(self) -> DatePattern:
        return self.family.with_year(self.year)

    @property
    def consistent(self) -> bool:
        return not self.minority


def follows(match: DateMatch, family: DatePattern, year: str | None) -> bool:
    """Does ``match`` use this family (and, when it has a year, this year token)?"""
    if family not in match.families:
        return False
    return match.year_token is None or year is None or match.year_token == year


def consistency(matches: Sequence[DateMatch], house: DatePattern) -> Consistency | None:
    """Majority format of ``matches``; a tie between different dates goes to the house format.

    Only the shape counts for year-less dates ("1.6." agrees with "1.6.2017"); for dates with a
    year, the year's width ("17" or "2017") counts too.
    """
    if not matches:
        return None
    first = matches[0]
    if all(m.families == first.families for m in matches[1:]):
        years = {m.year_token for m in matches} - {None}
        if len(years) <= 1:  # the usual case: every date written alike
            year = next(iter(years), house.year or "yyyy")
            if house.family in first.families:
                return Consistency(house.family, year, ())
            if len(first.families) == 1:
                return Consistency(next(iter(first.families)), year, ())
    counts: Counter[DatePattern] = Counter()
    for m in matches:
        counts.update(m.families)
    top = max(counts.values())
    tied = [f for f, n in counts.items() if n == top]
    followers = {f: frozenset(i for i, m in enumerate(matches) if f in m.families) for f in tied}
    if house.family in tied or len(set(followers.values())) > 1:
        # A real tie (different dates on each side) goes to the house format.
        family = house.family
    else:
        # One group of dates that fits several patterns ("10.12." is d.M. and dd.MM.):
        # name it the way closest to the house format, padding day and month alike.
        family = min(
            tied,
            key=lambda f: (
                f.kind != house.kind,
                (f.day, f.month) != (house.day, house.month),
                (f.day == "dd") != (f.month == "MM"),
                str(f),
            ),
        )
    years = Counter(m.year_token for m in matches if m.year_token is not None)
    if years:
        ytop = max(years.values())
        ytied = [y for y, n in years.items() if n == ytop]
        year = ytied[0] if len(ytied) == 1 else house.year or "yyyy"
    else:
        year = house.year or "yyyy"
    minority = tuple(i for i, m in enumerate(matches) if not follows(m, family, year))
    return Consistency(family, year, minority)
