"""Month and weekday names for date detection: CLDR (through Babel) plus a locale pack's forms.

CLDR has the full names in their 'format' and 'stand-alone' contexts and the abbreviations; the
locale packs (``rules/fi.yml`` …) add what CLDR lacks — Finnish case forms ("kesäkuussa",
"lauantain"), "kesäk." style abbreviations, Swedish definite forms ("måndagen"). Babel is imported
only when a text could hold a written date or a weekday word, and each table is built once.

Pack keys (under ``locales: {fi: ...}``)::

    months:
      cldr: [wide]               # CLDR widths to read (wide, abbreviated); default both
      abbreviated: [tammik., …]  # 12 abbreviations to write and recognise instead of CLDR's
      forms: {1: [tammikuun, …], …}   # more forms to recognise, by month number
    weekdays:
      cldr: [wide, abbreviated]
      forms: {1: [maanantain, …], …}  # by ISO weekday number: 1 = Monday … 7 = Sunday
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

# Why a word is known: which list it came from and its place there. DAT004 swaps a wrong
# weekday for the right one in the same slot, so "maanantaina" becomes "tiistaina".
Slot = tuple[str, int]

CLDR_WIDTHS = ("wide", "abbreviated")


class DatePackError(ValueError):
    """A locale pack's date keys are malformed; the message says which key and what to write."""


class MonthWord(NamedTuple):  # quicker to define and to make than a frozen dataclass
    month: int  # 1..12
    abbreviated: bool  # written as MMM rather than MMMM
    full: bool  # also a full name (Swedish "juni" is both)


@dataclass(slots=True)
class DateNames:
    """Every month and weekday word of one language, keyed by lower-cased text."""

    language: str
    months: dict[str, MonthWord] = field(default_factory=dict)
    weekdays: dict[str, tuple[int, Slot]] = field(default_factory=dict)  # weekday 0 = Monday
    month_wide: tuple[str, ...] = ()  # what MMMM writes, January first
    month_abbr: tuple[str, ...] = ()  # what MMM writes
    _weekday_slots: dict[Slot, dict[int, str]] = field(default_factory=dict)

    @property
    def case_sensitive(self) -> bool:
        # English capitalises month names, and "may" is also a verb.
        return self.language == "en"

    def month_word(self, text: str) -> MonthWord | None:
        if self.case_sensitive and not text[:1].isupper():
            return None
        return self.months.get(text.lower())

    def weekday_of(self, text: str) -> int | None:
        hit = self.weekdays.get(text.lower().rstrip("."))
        return hit[0] if hit else None

    def weekday_like(self, text: str, weekday: int) -> str | None:
        """``weekday`` written in the same form as the weekday word ``text`` (case kept)."""
        hit = self.weekdays.get(text.lower().rstrip("."))
        if hit is None:
            return None
        word = self._weekday_slots.get(hit[1], {}).get(weekday)
        if word is None:
            return None
        from smskit.text.diacritics import with_case_of  # only for a wrong weekday's fix

        core = text.rstrip(".")
        return with_case_of(word, core) + text[len(core) :]


CldrNames = dict[str, dict[str, dict[int, str]]]


@cache
def cldr_names(language: str) -> CldrNames:
    """CLDR month and weekday names of ``language`` by kind ("months"/"days") and slot name.

    Read through Babel once per Babel release and language, then from smskit's disk cache.
    """
    from smskit.text.cldr import cached_cldr

    return cached_cldr(
        f"names {language}", lambda: _cldr_names_from_babel(language), decode=_names_from_json
    )


def _cldr_names_from_babel(language: str) -> CldrNames:
    from babel.dates import get_day_names, get_month_names

    out: CldrNames = {"months": {}, "days": {}}
    for width in CLDR_WIDTHS:
        for context in ("format", "stand-alone"):
            key = f"{context}-{width}"
            out["months"][key] = dict(get_month_names(width, context, language))
            out["days"][key] = dict(get_day_names(width, context, language))
    return out


def _names_from_json(data: Any) -> CldrNames:
    # JSON keeps the month and weekday numbers as strings; anything else is a bad entry.
    out: CldrNames = {}
    for kind, count in (("months", 12), ("days", 7)):
        slots = {}
        for width in CLDR_WIDTHS:
            for context in ("format", "stand-alone"):
                table = {int(n): str(w) for n, w in data[kind][f"{context}-{width}"].items()}
                if len(table) != count:
                    raise ValueError("incomplete CLDR table")
                slots[f"{context}-{width}"] = table
        out[kind] = slots
    return out


def _widths(block: Mapping[str, Any], where: str) -> tuple[str, ...]:
    widths = block.get("cldr", list(CLDR_WIDTHS))
    if not isinstance(widths, list) or not all(w in CLDR_WIDTHS for w in widths):
        raise DatePackError(f"{where}.cldr must be a list of: {', '.join(CLDR_WIDTHS)}")
    return tuple(widths)


def _forms(block: Mapping[str, Any], where: str, top: int) -> dict[int, list[str]]:
    forms = block.get("forms") or {}
    if not isinstance(forms, Mapping):
        raise DatePackError(f"{where}.forms must map numbers 1..{top} to lists of words")
    out: dict[int, list[str]] = {}
    for key, words in forms.items():
        try:
            n = int(key)
        except (TypeError, ValueError):
            n = 0
        if not 1 <= n <= top or not isinstance(words, list):
            raise DatePackError(
                f"{where}.forms: key {key!r} must be a number 1..{top} with a list of words"
            )
        if not all(isinstance(w, str) and w.strip() for w in words):
            raise DatePackError(f"{where}.forms.{key}: every entry must be a non-empty word")
        out[n] = [w.strip() for w in words]
    return out


def _abbreviations(block: Mapping[str, Any], where: str) -> tuple[str, ...] | None:
    abbr = block.get("abbreviated")
    if abbr is None:
        return None
    if (
        not isinstance(abbr, list)
        or len(abbr) != 12
        or not all(isinstance(a, str) and a.strip() for a in abbr)
    ):
        raise DatePackError(f"{where}.abbreviated must list 12 abbreviations, January first")
    return tuple(a.strip() for a in abbr)


def _block(pack: Mapping[str, Any] | None, key: str, language: str) -> Mapping[str, Any]:
    block = (pack or {}).get(key) or {}
    if not isinstance(block, Mapping):
        raise DatePackError(f"locale '{language}' key '{key}' must be a mapping (cldr, forms)")
    return block


def check_pack(language: str, block: Mapping[str, Any]) -> None:
    """Check a locale block's date keys (``months``, ``weekdays``, ``date_format``) without
    loading Babel; DatePackError says what is wrong."""
    from smskit.text.date_format import PatternError, parse_pattern

    months = _block(block, "months", language)
    where = f"locale '{language}' months"
    _widths(months, where)
    _abbreviations(months, where)
    _forms(months, where, 12)
    unknown = set(months) - {"cldr", "abbreviated", "forms"}
    if unknown:
        raise DatePackError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            "known: cldr, abbreviated, forms"
        )
    weekdays = _block(block, "weekdays", language)
    where = f"locale '{language}' weekdays"
    _widths(weekdays, where)
    _forms(weekdays, where, 7)
    unknown = set(weekdays) - {"cldr", "forms"}
    if unknown:
        raise DatePackError(
            f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; known: cldr, forms"
        )
    fmt = block.get("date_format")
    patterns = fmt.values() if isinstance(fmt, Mapping) else [] if fmt is None else [fmt]
    for p in patterns:
        if not isinstance(p, str):
            raise DatePackError(f"locale '{language}' date_format: {p!r} is not a pattern")
        try:
            parse_pattern(p)
        except PatternError as e:
            raise DatePackError(f"locale '{language}' {e}") from None


def build_names(language: str, pack: Mapping[str, Any] | None = None) -> DateNames:
    """The name tables of ``language``: CLDR's names plus the pack's ``months``/``weekdays``."""
    cldr = cldr_names(language)
    names = DateNames(language)
    mblock = _block(pack, "months", language)
    mwhere = f"locale '{language}' months"
    widths = _widths(mblock, mwhere)
    wide = cldr["months"]["format-wide"]
    names.month_wide = tuple(wide[m] for m in range(1, 13))
    abbr_list = _abbreviations(mblock, mwhere)
    if abbr_list is not None:
        names.month_abbr = abbr_list
    else:
        a = cldr["months"]["format-abbreviated"]
        names.month_abbr = tuple(a[m] for m in range(1, 13))

    def add_month(word: str, month: int, abbreviated: bool) -> None:
        for w in {word, word.rstrip(".")} if abbreviated else {word}:
            key = w.lower()
            old = names.months.get(key)
            if old is not None and old.month == month:
                abbreviated_now = old.abbreviated or abbreviated
                full_now = old.full or not abbreviated
                names.months[key] = MonthWord(month, abbreviated_now, full_now)
            elif old is None:
                names.months[key] = MonthWord(month, abbreviated, not abbreviated)

    for m in range(1, 13):
        if "wide" in widths:
            for context in ("format", "stand-alone"):
                add_month(cldr["months"][f"{context}-wide"][m], m, False)
        if "abbreviated" in widths and abbr_list is None:
            for context in ("format", "stand-alone"):
                add_month(cldr["months"][f"{context}-abbreviated"][m], m, True)
        if abbr_list is not None:
            add_month(names.month_abbr[m - 1], m, True)
    for m, words in _forms(mblock, mwhere, 12).items():
        for w in words:
            add_month(w, m, w.endswith("."))

    wblock = _block(pack, "weekdays", language)
    wwhere = f"locale '{language}' weekdays"

    def add_day(word: str, weekday: int, slot: Slot) -> None:
        key = word.lower().rstrip(".")
        names.weekdays.setdefault(key, (weekday, slot))
        names._weekday_slots.setdefault(slot, {}).setdefault(weekday, word.rstrip("."))

    # The pack's forms first: where CLDR is irregular (its Finnish 'format' Sunday is
    # "sunnuntai" beside "maanantaina"), a word's slot comes from the pack's aligned lists.
    for iso, words in _forms(wblock, wwhere, 7).items():
        for i, w in enumerate(words):
            add_day(w, iso - 1, ("forms", i))
    for width in _widths(wblock, wwhere):
        for context in ("format", "stand-alone"):
            slot = (f"{context}-{width}", 0)
            for weekday, word in cldr["days"][f"{context}-{width}"].items():
                add_day(word, weekday, slot)
    return names
