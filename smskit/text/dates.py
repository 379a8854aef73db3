"""Find the dates in an SMS text (fi, sv, en), with their format and any weekday word.

Recognised::

    1.6.2017  01.06.17  1.6.  (dot)            2017-06-01  (ISO)
    1/6/2017  01/06/2017 (day first)           6/1/2017 (month first, for en-US)
    1. kesäkuuta 2017   1 juni 2017   1st June 2017   June 1, 2017   (written)
    1.–3.6.2017   1.-3.6.   30.6.–2.7.2017   1–3 June   June 1–3, 2017   (ranges)
    maanantaina 6.6.2017   ti 6.6.   Monday 6 June   måndag den 6 juni   6.6. (ti)

Not dates: times (klo 9.30, 9.00–17.00), prices (9,90 €, 19.90), decimals (1.5 Gbit/s),
phone numbers, versions (v2.1.3, iOS 16.4), percentages, IP addresses, order numbers, URLs.
A year-less slash date ("6/1") counts only with a weekday word, since "1/2" is usually a half.

The scan is cheap for texts without dates: the patterns are tried only where a run of digits
starts, and Babel (month and weekday names) is loaded only when a number stands before a word
or a date after one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from typing import Any, NamedTuple

from smskit import lazy_re
from smskit.text.date_format import (
    DatePattern,
    cldr_short_pattern,
    format_match,
    house_pattern,
    parse_pattern,
    split_locale,
)
from smskit.text.date_names import DateNames, DatePackError, MonthWord, build_names

__all__ = [
    "DateFinder",
    "DateMatch",
    "DatePackError",
    "WeekdayWord",
    "as_date",
    "find_dates",
    "impossible_reason",
]

# For messages to the marketer, who reads them in English.
ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")  # fmt: skip


class WeekdayWord(NamedTuple):  # quicker to define and to make than a frozen dataclass
    start: int
    end: int
    text: str
    weekday: int  # 0 = Monday, as datetime.date.weekday()


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date (or a range of dates) found in a text.

    ``year``/``month``/``day`` is the date, or a range's last day; ``start_ymd`` a range's first.
    ``families`` holds every year-less pattern the text agrees with: "10.12.2017" is both
    ``d.M.`` and ``dd.MM.``.
    """

    start: int
    end: int
    text: str
    pattern: DatePattern
    families: frozenset[DatePattern]
    year: int | None
    month: int
    day: int
    valid: bool
    start_ymd: tuple[int | None, int, int] | None = None
    dash: str | None = None
    weekday: WeekdayWord | None = None  # the word naming the (first) day
    end_weekday: WeekdayWord | None = None  # "ma–ke 6.–8.6.": the word naming the last day

    @property
    def format(self) -> str:
        return str(self.pattern)

    @property
    def year_token(self) -> str | None:
        return self.pattern.year

    @property
    def ymd(self) -> tuple[int | None, int, int]:
        return (self.year, self.month, self.day)

    @property
    def is_range(self) -> bool:
        return self.start_ymd is not None

    def first_day(self, year: int | None = None) -> tuple[int | None, int, int]:
        """The first day (y, m, d); ``year`` stands in for a missing year of the last day."""
        y = self.year if self.year is not None else year
        if self.start_ymd is None:
            return (y, self.month, self.day)
        return _range_start(self.start_ymd, y, self.month)

    def days(self, year: int | None = None) -> list[tuple[int | None, int, int]]:
        """The first and, for a range, the last day."""
        last = (self.year if self.year is not None else year, self.month, self.day)
        return [self.first_day(year), last] if self.is_range else [last]


def _range_start(
    start: tuple[int | None, int, int], year: int | None, month: int
) -> tuple[int | None, int, int]:
    """A range's first day, given its last day's year and month.

    A first day without a year has the last day's year, or the year before when its month is
    later: "30.12.–2.1.2018" starts in 2017.
    """
    sy, sm, sd = start
    if sy is None and year is not None:
        sy = year - 1 if sm > month else year
    return (sy, sm, sd)


def as_date(y: int | None, m: int, d: int) -> date | None:
    """(y, m, d) as a date; None when the year is unknown or the day does not exist."""
    if y is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def impossible_reason(year: int | None, month: int, day: int) -> str | None:
    """Why (year, month, day) is not a date, in words; None when it is one.

    A year-less date is judged in a leap year, so 29.2. passes.
    """
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    name = ENGLISH_MONTHS[month - 1]
    longest = _days_in_month(2000 if year is None else year, month)
    if day < 1:
        return "there is no day 0"
    if day <= longest:
        return None
    if month == 2 and day == 29 and year is not None:
        return f"{year} is not a leap year, so February has 28 days"
    where = name if year is None else f"{name} {year}"
    return f"{where} has {longest} days"


# --- the patterns --------------------------------------------------------------------------
# Those only some texts reach (slash and ISO dates, units, URLs) are compiled on first use.

_DIGITS = re.compile(r"\d+")
_YEAR = r"(?:19|20)\d\d|\d\d"
_DASH = r"[-–—]"
_DOT = re.compile(
    rf"(?:(?P<d1>\d{{1,2}})(?:\.(?P<m1>\d{{1,2}})\.(?P<y1>{_YEAR})?|\.)?\s?(?P<dash>{_DASH})\s?)?"
    rf"(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>{_YEAR})?"
)
_SLASH = lazy_re.compile(rf"(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})(?:/(?P<y>{_YEAR}))?")
_ISO = lazy_re.compile(r"(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_BAD_BEFORE = set("_.,/:#+@$€£\\'=&?%")
# Words after which a number is a time or a version, not a date: "klo 12.10.", "iOS 16.4.".
_NOT_BEFORE_A_DATE = frozenset({
    "klo", "kello", "kl", "klockan", "at", "versio", "version", "versionen", "ver", "v", "ios",
    "ipados", "android", "macos", "windows", "päivitys", "update",
})  # fmt: skip
_TIME_RANGE_HEAD = lazy_re.compile(rf"\d[.:]\d\d\s?{_DASH}")
_UNIT_AFTER = lazy_re.compile(
    r"\A\s?(?:[€$£%‰]|e\b|eur|euro|kr\b|snt\b|sek\b|[kMGT]i?[Bb]|Mbit|Gbit|kbit)"
)
# A token that is a web address: "https://…", "www.…", "elisa.fi/…".
_URL_HEAD = lazy_re.compile(r"\S*://|www\.|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}/", re.IGNORECASE)
_ORDINAL = r"\.|:[ae]|st|nd|rd|th"
# Month and weekday words are matched as any word and looked up in the name tables: a regex
# alternation of every inflected form is tried word by word and costs a hundred times more.
_WORD = r"[^\W\d_]+"
_DAY_MONTH = re.compile(
    rf"(?:(?P<d1>\d{{1,2}})(?P<o1>{_ORDINAL})?(?:\s?(?P<mn1>{_WORD})(?P<dot1>\.)?)?"
    rf"\s?(?P<dash>{_DASH})\s?)?"
    rf"(?P<d>\d{{1,2}})(?:(?P<o>{_ORDINAL})\s?|\s)(?:of\s)?(?P<mn>{_WORD})(?P<dot>\.)?"
    rf"(?:,?\s(?P<y>(?:19|20)\d\d)(?!\d))?"
)
# English "June 1, 2017" and "June 1–3"; in a range the last day is (mn2, d2). Compiled on
# first use: only English texts are read for it.
_MONTH_DAY = lazy_re.compile(
    rf"(?<![^\W\d_])(?P<mn>{_WORD})(?P<dot>\.)?\s(?P<d>\d{{1,2}})(?!\d)(?P<o>st|nd|rd|th)?"
    rf"(?:\s?(?P<dash>{_DASH})\s?(?:(?P<mn2>{_WORD})(?P<dot2>\.)?\s)?(?P<d2>\d{{1,2}})(?!\d)"
    rf"(?P<o2>st|nd|rd|th)?)?(?:,?\s(?P<y>(?:19|20)\d\d)(?!\d))?"
)
_WEEKDAY_AFTER = lazy_re.compile(rf"\s?\(\s?(?P<w>{_WORD})\.?\s?\)")


def _word_before(text: str, end: int) -> tuple[int, int] | None:
    """The span of the word ending at ``end`` (a dot after it allowed, not included)."""
    if end > 0 and text[end - 1] == ".":
        end -= 1
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return (start, end) if start < end else None


class _Starts(NamedTuple):
    """Where each pattern may match: the digit runs of its shape, followed by what it needs.

    A day or month is one or two digits, an ISO year four; the character after the run must
    be the pattern's next one ("." or a dash or a space for _DOT, "/" for _SLASH, "-" for
    _ISO). Any other run fails the pattern at once, so it is not tried there: most numbers in
    a message (times, prices, phone numbers) are dropped here by a look at two characters.
    """

    dot: list[int]
    slash: list[int]
    iso: list[int]
    day_month: list[int]

    @classmethod
    def of(cls, text: str, runs: list[tuple[int, int]]) -> _Starts:
        dot, slash, iso, day_month = [], [], [], []
        for start, end in runs:
            after = text[end : end + 1]
            if end - start <= 2:
                day_month.append(start)
                if after == "/":
                    slash.append(start)
                elif after and (after in ".-–—" or after.isspace()):
                    dot.append(start)
            elif end - start == 4 and after == "-":
                iso.append(start)
        return cls(dot, slash, iso, day_month)


def _scan(rx: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)`` tried only at ``starts``: far cheaper than at every character."""
    pos = 0
    for start in starts:
        if start < pos:
            continue
        m = rx.match(text, start)
        if m:
            yield m
            pos = m.end()


def _in_url(text: str, pos: int) -> bool:
    """Is ``pos`` inside a web address (the whitespace-delimited token holding it)?"""
    head = pos
    while head > 0 and not text[head - 1].isspace():
        head -= 1
    return head < pos and _URL_HEAD.match(text, head, pos) is not None


@cache  # (a number's text and a token pair: a small set, met again in every date)
def _numeric_token(text: str, word_tokens: tuple[str, str]) -> frozenset[str]:
    """Which of ("d", "dd") — or ("M", "MM") — a written number agrees with."""
    short, padded = word_tokens
    if len(text) == 1:
        return frozenset({short})
    if text.startswith("0"):
        return frozenset({padded})
    return frozenset({short, padded})


def _year(text: str | None) -> tuple[int | None, str | None]:
    if not text:
        return None, None
    if len(text) == 2:
        return 2000 + int(text), "yy"
    return int(text), "yyyy"


# Memoised: a handful of (kind, days, months) combinations recur in every date of a run, and
# building their patterns was a fifth of finding a date.
@cache
def _families(kind: str, days: frozenset[str], months: frozenset[str]) -> frozenset[DatePattern]:
    return frozenset(DatePattern(kind, d, m, None) for d in days for m in months)


@cache
def _canonical(
    kind: str, days: frozenset[str], months: frozenset[str], year: str | None
) -> DatePattern:
    """The one pattern to name a date by: padded where the text shows padding."""
    if "do" in days:
        day = "do"
    elif len(days) == 1:
        day = next(iter(days))
    else:
        day = "dd" if months == {"MM"} else "d"
    if len(months) == 1:
        month = next(iter(months))
    elif "MMMM" in months:
        month = "MMMM"
    else:
        month = "MM" if day == "dd" else "M"
    return DatePattern(kind, day, month, year)


@dataclass
class _Candidate:
    start: int
    end: int
    kind: str
    days: frozenset[str]
    months: frozenset[str]
    ymd: tuple[int | None, int, int]
    year_token: str | None
    start_ymd: tuple[int | None, int, int] | None = None
    dash: str | None = None
    numeric: bool = True
    needs_weekday: bool = False  # a year-less slash date counts only with a weekday word


class DateFinder:
    """Finds dates in the texts of one locale; builds its name tables on first need."""

    def __init__(self, locale: str = "fi-FI", pack: Mapping[str, Any] | None = None) -> None:
        self.locale = locale
        self.language, self.region = split_locale(locale)
        self.pack = pack or {}
        self._names: DateNames | None = None
        self._mdy: bool | None = None
        self._house: dict[str, DatePattern] = {}

    # -- lazily built tables -----------------------------------------------------------------

    @property
    def names(self) -> DateNames:
        """Month and weekday names (CLDR plus the pack); DatePackError if the pack is malformed."""
        if self._names is None:
            self._names = build_names(self.language, self.pack)
        return self._names

    @property
    def month_first(self) -> bool:
        """Is "6/1/2017" 6 January (True: en-US) or 1 June (False)?"""
        if self._mdy is None:
            try:
                house: DatePattern | None = self.house()
            except ValueError:  # a bad pack date_format: CLDR decides
                house = None
            if house is None or house.kind not in ("slash-mdy", "slash-dmy"):
                house = parse_pattern(cldr_short_pattern(self.locale))
            self._mdy = house.kind == "slash-mdy"
        return self._mdy

    # -- the scan ----------------------------------------------------------------------------

    def find(self, text: str) -> list[DateMatch]:
        """Every date in ``text``, in order, none overlapping."""
        # Every date starts with a number (or, in English, a month name before one): the
        # patterns are tried only where a run of digits starts, which a plain \d+ finds fast.
        runs = [m.span() for m in _DIGITS.finditer(text)]
        if not runs:
            return []
        starts = _Starts.of(text, runs)
        cands = list(self._numeric_candidates(text, starts))
        cands.extend(self._written_candidates(text, starts.day_month))
        cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
        out: list[DateMatch] = []
        for c in cands:
            if out and c.start < out[-1].end:
                continue
            left = self._left_ok(text, c)
            if left == "dash":
                merged = self._join_range(text, out[-1] if out else None, c)
                if merged is not None:
                    out[-1] = merged
                continue
            if left and self._right_ok(text, c) and not _in_url(text, c.start):
                match = self._to_match(text, c)
                if match is not None:
                    out.append(match)
        return out

    def _numeric_candidates(self, text: str, starts: _Starts) -> Iterator[_Candidate]:
        if "." in text:
            for m in _scan(_DOT, text, starts.dot):
                yield from self._dot_candidates(m)
        if "/" in text:
            mdy = None
            for m in _scan(_SLASH, text, starts.slash):
                if mdy is None:
                    mdy = self.month_first
                d_txt, m_txt = (m["b"], m["a"]) if mdy else (m["a"], m["b"])
                day, month = int(d_txt), int(m_txt)
                y, yt = _year(m["y"])
                if _plausible(month, day):
                    yield _Candidate(
                        m.start(), m.end(), "slash-mdy" if mdy else "slash-dmy",
                        _numeric_token(d_txt, DAY), _numeric_token(m_txt, MONTH),
                        (y, month, day), yt, needs_weekday=y is None,
                    )  # fmt: skip
        if "-" in text:
            for m in _scan(_ISO, text, starts.iso):
                month, day = int(m["m"]), int(m["d"])
                if _plausible(month, day):
                    yield _Candidate(
                        m.start(), m.end(), "iso",
                        _numeric_token(m["d"], DAY), _numeric_token(m["m"], MONTH),
                        (int(m["y"]), month, day), "yyyy",
                    )  # fmt: skip

    def _dot_candidates(self, m: re.Match[str]) -> Iterator[_Candidate]:
        day, month = int(m["d"]), int(m["m"])
        if not _plausible(month, day):
            return
        y, yt = _year(m["y"])
        days, months = _numeric_token(m["d"], DAY), _numeric_token(m["m"], MONTH)
        tail = _Candidate(m.start("d"), m.end(), "dot", days, months, (y, month, day), yt)
        if m["d1"] is not None:
            d1 = int(m["d1"])
            m1 = int(m["m1"]) if m["m1"] else month
            start = (_year(m["y1"])[0], m1, d1)
            # Both days show the padding ("01.–03.6."); if they disagree, the last one decides.
            days = days & _numeric_token(m["d1"], DAY) or days
            if m["m1"]:
                months = months & _numeric_token(m["m1"], MONTH) or months
            if _plausible(m1, d1) and _ordered(start, tail.ymd):
                yield replace(
                    tail, start=m.start(), days=days, months=months, start_ymd=start,
                    dash=m["dash"],
                )  # fmt: skip
                return
        yield tail

    def _written_candidates(self, text: str, starts: list[int]) -> Iterator[_Candidate]:
        # The month names (and Babel) are needed only once a number stands before a word.
        for m in _scan(_DAY_MONTH, text, starts):
            cand = self._day_month(m, self.names)
            if cand is not None:
                yield cand
        if self.language == "en":
            for m in _MONTH_DAY.finditer(text):
                cand = self._month_day(m, self.names)
                if cand is not None:
                    yield cand

    def _day_month(self, m: re.Match[str], names: DateNames) -> _Candidate | None:
        mw, dot_is_month = _month_of(names, m["mn"], m["dot"])
        if mw is None:
            return None
        day = int(m["d"])
        y, yt = _year(m["y"])
        end = m.end()
        if m["dot"] and not dot_is_month:  # "1 juni. 2017": the dot ends a sentence
            y, yt, end = None, None, m.end("mn")
        if m["o"] == ".":
            kind, days = "fi-written", _numeric_token(m["d"], DAY)
        elif m["o"]:
            kind, days = "written-dm", frozenset({"do"})
        else:
            kind, days = "written-dm", _numeric_token(m["d"], DAY)
        if not _plausible(mw.month, day):
            return None
        cand = _Candidate(
            m.start("d"), end, kind, days, _month_tokens(mw), (y, mw.month, day), yt,
            numeric=False,
        )  # fmt: skip
        if m["d1"] is not None:
            mw1 = _month_of(names, m["mn1"], m["dot1"])[0] if m["mn1"] else mw
            d1 = int(m["d1"])
            if mw1 is not None and _plausible(mw1.month, d1):
                start = (None, mw1.month, d1)
                if _ordered(start, (None, mw.month, day)):
                    cand.start, cand.start_ymd, cand.dash = m.start(), start, m["dash"]
        return cand

    def _month_day(self, m: re.Match[str], names: DateNames) -> _Candidate | None:
        mw1, dot_is_month = _month_of(names, m["mn"], m["dot"])
        if mw1 is None or (m["dot"] and not dot_is_month):
            return None
        y, yt = _year(m["y"])
        if m["d2"] is None:
            day, mw, o = int(m["d"]), mw1, m["o"]
        else:
            mw = _month_of(names, m["mn2"], m["dot2"])[0] if m["mn2"] else mw1
            if mw is None:
                return None
            day, o = int(m["d2"]), m["o2"]
        days = frozenset({"do"}) if o else _numeric_token(m["d2"] or m["d"], DAY)
        if not _plausible(mw.month, day):
            return None
        cand = _Candidate(
            m.start(), m.end(), "written-md", days, _month_tokens(mw), (y, mw.month, day), yt,
            numeric=False,
        )  # fmt: skip
        if m["d2"] is not None:
            start = (None, mw1.month, int(m["d"]))
            if not (_plausible(mw1.month, start[2]) and _ordered(start, (None, mw.month, day))):
                return None
            cand.start_ymd, cand.dash = start, m["dash"]
        return cand

    # -- context ---------------------------------------------------------------------------

    def _left_ok(self, text: str, c: _Candidate) -> bool | str:
        """False when the text before says this is no date; "dash" after "date–"."""
        if c.start == 0:
            return True
        prev = text[c.start - 1]
        if prev.isalnum() or prev in _BAD_BEFORE:
            return False
        k = c.start - 1 if prev != " " else c.start - 2
        if k >= 1 and text[k] in "-–—":
            before = text[k - 1]
            if before.isalnum() or (before == " " and k >= 2 and text[k - 2].isdigit()):
                return "dash"
        if not c.numeric:
            return True
        if k >= 1 and text[k] in "-–—":  # "9.00–12.10." is a time range
            return not _TIME_RANGE_HEAD.search(text, max(0, k - 6), k + 1)
        word = _word_before(text, c.start - 1 if prev.isspace() else c.start)
        return word is None or text[word[0] : word[1]].lower() not in _NOT_BEFORE_A_DATE

    def _right_ok(self, text: str, c: _Candidate) -> bool:
        rest = text[c.end : c.end + 12]
        if not rest:
            return True
        if rest[0].isalnum() or rest[0] == "_":
            return False
        if rest[0] in ".,/:" and rest[1:2].isdigit():
            return False  # 1.2.3.4, 1.6.2017.5
        if rest[0] == "-" and rest[1:2].isdigit():
            return self._date_follows(text, c.end + 1, c.kind)  # 2017-06-01-1234 is a number
        return not (c.numeric and _UNIT_AFTER.match(rest))

    @staticmethod
    def _date_follows(text: str, pos: int, kind: str) -> bool:
        rx = {"iso": _ISO, "slash-dmy": _SLASH, "slash-mdy": _SLASH}.get(kind)
        return bool(rx and rx.match(text, pos))

    def _join_range(self, text: str, prev: DateMatch | None, c: _Candidate) -> DateMatch | None:
        """The date after "1/6/2017–" joins the first into one range."""
        if prev is None or prev.is_range or prev.pattern.kind != c.kind:
            return None
        if not re.fullmatch(rf"\s?{_DASH}\s?", text[prev.end : c.start]):
            return None
        if not self._right_ok(text, c):
            return None
        second = self._to_match(text, c, weekdays=False)
        if second is None or not _ordered(prev.ymd, second.ymd):
            return None
        families = prev.families & second.families or second.families
        return replace(
            second,
            start=prev.start,
            text=text[prev.start : second.end],
            families=families,
            start_ymd=prev.ymd,
            dash=text[prev.end : c.start].strip(),
            valid=prev.valid and second.valid,
            weekday=prev.weekday,
        )

    def _to_match(self, text: str, c: _Candidate, weekdays: bool = True) -> DateMatch | None:
        families = _families(c.kind, c.days, c.months)
        if not families:
            return None
        first = last = None
        if weekdays:
            first, last = self._weekdays(text, c)
        if c.needs_weekday and first is None:
            return None
        y, month, day = c.ymd
        valid = impossible_reason(y, month, day) is None
        if c.start_ymd is not None:
            valid = valid and impossible_reason(*_range_start(c.start_ymd, y, month)) is None
        return DateMatch(
            start=c.start,
            end=c.end,
            text=text[c.start : c.end],
            pattern=_canonical(c.kind, c.days, c.months, c.year_token),
            families=families,
            year=y,
            month=month,
            day=day,
            valid=valid,
            start_ymd=c.start_ymd,
            dash=c.dash,
            weekday=first,
            end_weekday=last,
        )

    def _weekdays(self, text: str, c: _Candidate) -> tuple[WeekdayWord | None, WeekdayWord | None]:
        """The weekday word(s) naming this date: "ma 6.6.", "ma–ke 6.–8.6.", "6.6. (ti)"."""
        k = c.start
        if k > 0 and text[k - 1].isspace():
            k -= 1
            if text[max(0, k - 4) : k].lower() in (" den", " the"):
                k -= 4
            if k > 0 and text[k - 1] == ",":
                k -= 1
            last = self._weekday_at(text, _word_before(text, k))
            if last is not None:
                p = last.start
                p -= text[p - 1 : p] == " "
                if text[p - 1 : p] in ("-", "–", "—"):
                    p -= 1
                    p -= text[p - 1 : p] == " "
                    first = self._weekday_at(text, _word_before(text, p))
                    if first is not None:  # "ma–ke 6.–8.6."; with one date, "ke" names it
                        return (first, last) if c.start_ymd is not None else (last, None)
                return last, None
        m = _WEEKDAY_AFTER.match(text, c.end) if "(" in text[c.end : c.end + 3] else None
        if m:
            return self._weekday_at(text, m.span("w")), None
        return None, None

    def _weekday_at(self, text: str, span: tuple[int, int] | None) -> WeekdayWord | None:
        if span is None:
            return None
        word = text[span[0] : span[1]]
        weekday = self.names.weekday_of(word)
        return None if weekday is None else WeekdayWord(span[0], span[1], word, weekday)

    # -- writing -----------------------------------------------------------------------------

    def house(self, override: str = "") -> DatePattern:
        """The house pattern of this finder's locale (see ``date_format.house_pattern``)."""
        pattern = self._house.get(override)
        if pattern is None:
            pattern = self._house[override] = house_pattern(self.locale, self.pack, override)
        return pattern

    def render(self, match: DateMatch, pattern: DatePattern, year: int | None = None) -> str | None:
        """``match`` written in ``pattern``, month names from this locale; None if the year is
        needed and unknown (``year`` supplies it for a year-less date)."""
        names = self.names if pattern.month in ("MMM", "MMMM") else None
        return format_match(match, pattern, names, year)


DAY = ("d", "dd")
MONTH = ("M", "MM")


def _month_of(names: DateNames, word: str, dot: str | None) -> tuple[MonthWord | None, bool]:
    """The month a word names, and whether a dot after it belongs to it ("kesäk.", "jan.")."""
    if dot:
        mw = names.month_word(word + ".")
        if mw is not None:
            return mw, True
    return names.month_word(word), False


def _month_tokens(mw: MonthWord) -> frozenset[str]:
    if mw.abbreviated and mw.full:
        return frozenset({"MMM", "MMMM"})
    return frozenset({"MMM" if mw.abbreviated else "MMMM"})


def _plausible(month: int, day: int) -> bool:
    # Shapes that could be a date at all: 31.2. is a (wrong) date, 35.2. and 9.30. are not.
    return 1 <= month <= 12 and 1 <= day <= 31


def _ordered(a: tuple[int | None, int, int], b: tuple[int | None, int, int]) -> bool:
    """Is day ``a`` before day ``b`` (so "a–b" is a range)?"""
    ay, am, ad = a
    by, bm, bd = b
    if ay is not None and by is not None and ay != by:
        return ay < by
    if ay is None and am > bm:
        return True  # "30.12.–2.1.2018" runs over the new year
    return (am, ad) < (bm, bd)


_FINDERS: dict[tuple[str, int], tuple[Mapping[str, Any] | None, DateFinder]] = {}


def find_dates(
    text: str, locale: str = "fi-FI", pack: Mapping[str, Any] | None = None
) -> list[DateMatch]:
    """The dates in ``text`` read as ``locale``, with a locale pack's ``months``, ``weekdays``
    and ``date_format`` keys (``pack``, e.g. ``ctx.locale("fi")``). Finders are cached."""
    key = (locale, id(pack))
    hit = _FINDERS.get(key)
    if hit is None or hit[0] is not pack:
        if len(_FINDERS) > 64:
            _FINDERS.clear()
        hit = (pack, DateFinder(locale, pack))
        _FINDERS[key] = hit
    return hit[1].find(text)
