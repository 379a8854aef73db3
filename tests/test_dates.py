"""Date detection, house formats and date writing (smskit.text.dates / date_format / date_names)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from smskit.config import ConfigError, load_config
from smskit.text.date_format import (
    DatePattern,
    PatternError,
    consistency,
    format_date,
    house_pattern,
    parse_pattern,
    resolve_year,
)
from smskit.text.dates import DateFinder, as_date, find_dates, impossible_reason

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def locales() -> dict:
    """The merged locale data of the built-in packs, read the way `smskit check` reads them."""
    return load_config(cwd=REPO).locales


def finder(locales: dict, locale: str) -> DateFinder:
    return DateFinder(locale, locales.get(locale.split("-")[0], {}))


# --- must match -----------------------------------------------------------------------------

# (locale, text, the date's text, format, (y, m, d))
MUST_MATCH = [
    ("fi-FI", "Tarjous voimassa 1.6.2017 asti.", "1.6.2017", "d.M.yyyy", (2017, 6, 1)),
    ("fi-FI", "Tarjous päättyy 01.06.17!", "01.06.17", "dd.MM.yy", (2017, 6, 1)),
    ("fi-FI", "Toimitus 2017-06-01.", "2017-06-01", "yyyy-MM-dd", (2017, 6, 1)),
    ("fi-FI", "Voimassa 1.6. asti", "1.6.", "d.M.", (None, 6, 1)),
    ("fi-FI", "Tervetuloa 24.12.!", "24.12.", "d.M.", (None, 12, 24)),
    ("fi-FI", "Erä 1/6/2017 saapui", "1/6/2017", "d/M/yyyy", (2017, 6, 1)),
    ("fi-FI", "Erä 01/06/2017 saapui", "01/06/2017", "dd/MM/yyyy", (2017, 6, 1)),
    ("fi-FI", "Alkaa 1. kesäkuuta 2017.", "1. kesäkuuta 2017", "d. MMMM yyyy", (2017, 6, 1)),
    ("fi-FI", "Alkaa 1.kesäkuuta 2017.", "1.kesäkuuta 2017", "d. MMMM yyyy", (2017, 6, 1)),
    ("fi-FI", "Alkaa 15. tammikuuta", "15. tammikuuta", "d. MMMM", (None, 1, 15)),
    ("fi-FI", "Alkaa 6. kesäk. 2017", "6. kesäk. 2017", "d. MMM yyyy", (2017, 6, 6)),
    ("fi-FI", "Kauppa auki 6.6.2017.", "6.6.2017", "d.M.yyyy", (2017, 6, 6)),
    ("fi-FI", "(voimassa 1.6.2017)", "1.6.2017", "d.M.yyyy", (2017, 6, 1)),
    ("fi-FI", "1.6.2017:stä alkaen", "1.6.2017", "d.M.yyyy", (2017, 6, 1)),
    ("fi-FI", "Alkaa 1.6.2017 klo 9.30.", "1.6.2017", "d.M.yyyy", (2017, 6, 1)),
    ("fi-FI", "Päivitys tulee 10.10.2017", "10.10.2017", "d.M.yyyy", (2017, 10, 10)),
    ("fi-FI", "Lasku 31.2.2018", "31.2.2018", "d.M.yyyy", (2018, 2, 31)),
    ("sv-FI", "Erbjudandet gäller till 1 juni 2017.", "1 juni 2017", "d MMMM yyyy", (2017, 6, 1)),
    ("sv-FI", "Välkommen den 1:a juni!", "1:a juni", "do MMMM", (None, 6, 1)),
    ("sv-FI", "Från 1 jan. 2018", "1 jan. 2018", "d MMM yyyy", (2018, 1, 1)),
    ("sv-FI", "Gäller till 6.6.2017.", "6.6.2017", "d.M.yyyy", (2017, 6, 6)),
    ("sv-SE", "Leverans 2017-06-01", "2017-06-01", "yyyy-MM-dd", (2017, 6, 1)),
    ("en-GB", "Offer ends 1 June 2017.", "1 June 2017", "d MMMM yyyy", (2017, 6, 1)),
    ("en-GB", "Offer ends 1st June 2017.", "1st June 2017", "do MMMM yyyy", (2017, 6, 1)),
    ("en-GB", "Offer ends 01/06/2017.", "01/06/2017", "dd/MM/yyyy", (2017, 6, 1)),
    ("en-GB", "See you on the 3rd of June", "3rd of June", "do MMMM", (None, 6, 3)),
    ("en-US", "Offer ends June 1, 2017.", "June 1, 2017", "MMMM d, yyyy", (2017, 6, 1)),
    ("en-US", "Offer ends 6/1/2017.", "6/1/2017", "M/d/yyyy", (2017, 6, 1)),
    ("en-US", "Offer ends Jun 1.", "Jun 1", "MMM d", (None, 6, 1)),
    ("en-US", "Due Sept. 5, 2017", "Sept. 5, 2017", "MMM d, yyyy", (2017, 9, 5)),
    ("en-US", "Due June 21st", "June 21st", "MMMM do", (None, 6, 21)),
]


@pytest.mark.parametrize(("locale", "text", "found", "fmt", "ymd"), MUST_MATCH)
def test_must_match(locales, locale, text, found, fmt, ymd):
    matches = finder(locales, locale).find(text)
    assert [(m.text, m.format, m.ymd) for m in matches] == [(found, fmt, ymd)]
    m = matches[0]
    assert text[m.start : m.end] == found


# --- must not match ---------------------------------------------------------------------------

MUST_NOT_MATCH = [
    # times
    "klo 9.30",
    "Tervetuloa klo 9.30.",
    "kello 12.15",
    "Avaamme kello 12.15.",
    "kl. 10.30.",
    "Öppet klockan 12.10.",
    "Doors open at 10.30.",
    "9.00–17.00",
    "Avoinna ma–pe 9.00–17.00.",
    "avoinna 9.00-12.10.",
    "ma–pe 9–17",
    "12:30",
    # prices
    "9,90 €",
    "19.90",
    "19.90 €",
    "Vain 19,90€/kk",
    "12.10 €",
    "hinta 12.10 e/kk",
    "alk. 6.90 €/kk",
    "Pris 19,90 kr",
    "Pris 19.90 kr.",
    "Only £19.99",
    "Only $12.10.",
    # decimals and units
    "1.5 Gbit/s",
    "2.5 GB",
    "Nopeus jopa 1.5 Gbit/s!",
    "100 Mbit/s",
    "3.5 mm",
    # phone numbers
    "010 190 240",
    "0800 123 456",
    "Soita 0800 123 456.",
    "+358 40 123 4567",
    "040-123 4567",
    "puh. 09 123 4567",
    # versions
    "v2.1.3",
    "versio 2.1.",
    "Päivitä iOS 16.4",
    "Päivitä iOS 16.4.",
    "Android 12.1.",
    "Version 16.4.1",
    "1.6.3",
    "2.1.3",
    # percentages
    "12.5 %",
    "12.5%",
    "alennus 12,5 %",
    "-12.5 % kaikesta",
    # IP addresses
    "192.168.1.1",
    "10.0.0.1",
    "8.8.8.8",
    "Reitittimen osoite on 192.168.10.1.",
    # order and reference numbers
    "tilaus 2017-06-01-1234",
    "Tilausnumero 12345/2017",
    "viite 1234 5678 9012",
    "#12.6.2017",
    "asiakasnro 1.6.2017.5",
    # fractions and scores
    "1/2 hinta",
    "Half price: 1/2 off",
    "24/7",
    "50/50",
    "3/4",
    # URLs
    "https://elisa.fi/tarjous/1/6/2017",
    "Katso www.elisa.fi/ale-1.6.2017",
    "elisa.fi/1.6.",
    # not dates at all
    "1,6,2017",
    "Kesä 2017",
    "kesäkuussa 2017",
    "3 kertaa kesäkuussa",
    "0.5.",
    "32.1.2017",
    "1.13.2017",
    "00.06.2017",
    "1.0.2017",
    "you may 2 times",
    "May contain nuts",
    "Hei Matti, kiitos tilauksestasi!",
]


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
@pytest.mark.parametrize("locale", ["fi-FI", "sv-FI", "en-GB", "en-US"])
def test_must_not_match(locales, locale, text):
    assert finder(locales, locale).find(text) == []


# --- ranges -----------------------------------------------------------------------------------

RANGES = [
    # (locale, text, found, first (y, m, d), last (y, m, d))
    ("fi-FI", "Ale 1.–3.6.2017!", "1.–3.6.2017", (2017, 6, 1), (2017, 6, 3)),
    ("fi-FI", "Ale 1.-3.6.!", "1.-3.6.", (None, 6, 1), (None, 6, 3)),
    ("fi-FI", "Ale 1–3.6.2017", "1–3.6.2017", (2017, 6, 1), (2017, 6, 3)),
    ("fi-FI", "Ale 01.–3.6.2017", "01.–3.6.2017", (2017, 6, 1), (2017, 6, 3)),
    ("fi-FI", "Ale 30.6.–2.7.2017", "30.6.–2.7.2017", (2017, 6, 30), (2017, 7, 2)),
    ("fi-FI", "Ale 30.12.–2.1.2018", "30.12.–2.1.2018", (2017, 12, 30), (2018, 1, 2)),
    ("fi-FI", "Ale 1.6.2017–3.6.2017", "1.6.2017–3.6.2017", (2017, 6, 1), (2017, 6, 3)),
    ("fi-FI", "Ale 1.6. - 3.6.2017", "1.6. - 3.6.2017", (2017, 6, 1), (2017, 6, 3)),
    ("fi-FI", "Ale 1.–3. kesäkuuta 2017", "1.–3. kesäkuuta 2017", (2017, 6, 1), (2017, 6, 3)),
    ("fi-FI", "Ale 1/6/2017–3/6/2017", "1/6/2017–3/6/2017", (2017, 6, 1), (2017, 6, 3)),
    ("sv-FI", "Rea 1–3 juni", "1–3 juni", (None, 6, 1), (None, 6, 3)),
    ("en-GB", "Sale 1–3 June 2017", "1–3 June 2017", (2017, 6, 1), (2017, 6, 3)),
    ("en-US", "Sale June 1–3, 2017", "June 1–3, 2017", (2017, 6, 1), (2017, 6, 3)),
    ("en-US", "Sale June 30 – July 2", "June 30 – July 2", (None, 6, 30), (None, 7, 2)),
    (
        "en-US",
        "Sale 2017-06-01–2017-06-03",
        "2017-06-01–2017-06-03",
        (2017, 6, 1),
        (2017, 6, 3),
    ),
]


@pytest.mark.parametrize(("locale", "text", "found", "first", "last"), RANGES)
def test_ranges_are_one_date(locales, locale, text, found, first, last):
    (m,) = finder(locales, locale).find(text)
    assert m.text == found and m.is_range
    assert m.first_day() == first
    assert m.ymd == last


def test_a_backwards_range_is_not_a_range(locales):
    (m,) = finder(locales, "fi-FI").find("Ale 5.–3.6.2017")
    assert not m.is_range and m.text == "3.6.2017"


# --- weekdays ---------------------------------------------------------------------------------

WEEKDAYS = [
    # (locale, text, the weekday word, weekday 0 = Monday)
    ("fi-FI", "Avaamme maanantaina 6.6.2017.", "maanantaina", 0),
    ("fi-FI", "Avaamme ma 6.6.", "ma", 0),
    ("fi-FI", "Avaamme ti. 6.6.", "ti", 1),
    ("fi-FI", "Lauantain 10.6. aukioloajat", "Lauantain", 5),
    ("fi-FI", "Keskiviikkoon 7.6. mennessä", "Keskiviikkoon", 2),
    ("fi-FI", "Sunnuntaina, 11.6.2017", "Sunnuntaina", 6),
    ("fi-FI", "Avaamme 6.6. (ti)", "ti", 1),
    ("fi-FI", "Avaamme torstaina 8. kesäkuuta", "torstaina", 3),
    ("sv-FI", "Vi öppnar måndag den 6 juni", "måndag", 0),
    ("sv-FI", "Vi öppnar måndagen den 6 juni 2017", "måndagen", 0),
    ("sv-FI", "Vi öppnar tis 6.6.", "tis", 1),
    ("en-GB", "We open Monday 6 June", "Monday", 0),
    ("en-GB", "We open on Monday, the 6th of June", "Monday", 0),
    ("en-GB", "We open Thurs 8 June", "Thurs", 3),
    ("en-US", "We open Monday, June 6, 2017", "Monday", 0),
    ("en-US", "We open Mon 6/5", "Mon", 0),
]


@pytest.mark.parametrize(("locale", "text", "word", "weekday"), WEEKDAYS)
def test_weekday_word_before_or_after_the_date(locales, locale, text, word, weekday):
    (m,) = finder(locales, locale).find(text)
    assert m.weekday is not None
    assert (m.weekday.text, m.weekday.weekday) == (word, weekday)
    assert text[m.weekday.start : m.weekday.end] == word


def test_weekday_range_names_both_ends(locales):
    (m,) = finder(locales, "fi-FI").find("Avoinna ma–ke 6.–8.6.")
    assert (m.weekday.text, m.weekday.weekday) == ("ma", 0)
    assert (m.end_weekday.text, m.end_weekday.weekday) == ("ke", 2)


def test_words_that_are_not_weekdays_are_not_attached(locales):
    (m,) = finder(locales, "fi-FI").find("Tarjous voimassa 6.6.2017")
    assert m.weekday is None


def test_year_less_slash_date_needs_a_weekday(locales):
    f = finder(locales, "en-US")
    assert f.find("Offer ends 6/5") == []
    assert [m.ymd for m in f.find("Offer ends Mon 6/5")] == [(None, 6, 5)]


def test_weekday_like_keeps_the_form(locales):
    names = finder(locales, "fi-FI").names
    assert names.weekday_like("maanantaina", 1) == "tiistaina"
    assert names.weekday_like("Lauantain", 6) == "Sunnuntain"
    assert names.weekday_like("keskiviikkoon", 4) == "perjantaihin"
    assert names.weekday_like("ma", 2) == "ke"
    assert finder(locales, "sv-FI").names.weekday_like("måndagen", 4) == "fredagen"


# --- validity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "valid"),
    [("31.2.2018", False), ("29.2.2019", False), ("29.2.2020", True), ("31.4.2018", False),
     ("29.2.", True), ("30.2.", False), ("31.12.2017", True), ("30.–31.2.", False)],
)  # fmt: skip
def test_validity(locales, text, valid):
    (m,) = finder(locales, "fi-FI").find(f"Päivä {text}")
    assert m.valid is valid


def test_impossible_reason_explains():
    assert impossible_reason(2019, 2, 29) == "2019 is not a leap year, so February has 28 days"
    assert impossible_reason(2018, 2, 31) == "February 2018 has 28 days"
    assert impossible_reason(None, 4, 31) == "April has 30 days"
    assert impossible_reason(None, 2, 29) is None
    assert impossible_reason(2020, 2, 29) is None


def test_padding_ambiguity_is_kept():
    (m,) = find_dates("Päivä 10.12.2017", "fi-FI")
    assert {str(f) for f in m.families} == {"d.M.", "dd.MM.", "d.MM.", "dd.M."}
    (m,) = find_dates("Päivä 01.12.2017", "fi-FI")
    assert {str(f) for f in m.families} == {"dd.MM.", "dd.M."}
    assert m.format == "dd.MM.yyyy"


# --- house formats ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("fi-FI", "d.M.yyyy"), ("fi", "d.M.yyyy"), ("sv-SE", "yyyy-MM-dd"),
     ("sv-FI", "yyyy-MM-dd"), ("en-GB", "dd/MM/yyyy"), ("en-US", "M/d/yyyy")],
)  # fmt: skip
def test_house_format_from_cldr(locale, expected):
    assert str(house_pattern(locale)) == expected


def test_packs_override_the_house_format(locales):
    # The built-in sv pack writes Finland-Swedish dates the Finnish way; Sweden keeps CLDR's.
    assert str(house_pattern("sv-FI", locales["sv"])) == "d.M.yyyy"
    assert str(house_pattern("sv-SE", locales["sv"])) == "yyyy-MM-dd"
    assert str(house_pattern("fi-FI", {"date_format": "dd.MM.yyyy"})) == "dd.MM.yyyy"
    assert str(house_pattern("fi-FI", {}, "d. MMMM yyyy")) == "d. MMMM yyyy"
    region = {"date_format": {"GB": "d MMMM yyyy", "default": "MMMM d, yyyy"}}
    assert str(house_pattern("en-GB", region)) == "d MMMM yyyy"
    assert str(house_pattern("en-US", region)) == "MMMM d, yyyy"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("d.M.y", "d.M.yyyy"), ("y-MM-dd", "yyyy-MM-dd"), ("dd/MM/y", "dd/MM/yyyy"),
     ("M/d/yy", "M/d/yy"), ("d. MMMM y", "d. MMMM yyyy"), ("MMM d, y", "MMM d, yyyy"),
     ("d.M.", "d.M.")],
)  # fmt: skip
def test_parse_pattern(text, expected):
    assert str(parse_pattern(text)) == expected


@pytest.mark.parametrize("text", ["", "yyyy/dd/MM", "d-M-yyyy", "d.MMMM.yyyy", "EEEE", "MM.yyyy"])
def test_parse_pattern_refuses_unknown(text):
    with pytest.raises(PatternError, match="use one like"):
        parse_pattern(text)


def test_bad_pack_is_a_config_error_naming_the_file(tmp_path):
    pack = tmp_path / "ours.yml"
    pack.write_text("locales:\n  fi:\n    weekdays:\n      forms: {8: [huomenna]}\n")
    (tmp_path / "smskit.yml").write_text("packs: [default, fi, ./ours.yml]\n")
    with pytest.raises(ConfigError, match=r"ours\.yml.*1\.\.7"):
        load_config(tmp_path / "smskit.yml")
    pack.write_text("locales:\n  fi:\n    date_format: dd-MM-yyyy\n")
    with pytest.raises(ConfigError, match=r"ours\.yml.*dd-MM-yyyy"):
        load_config(tmp_path / "smskit.yml")


def test_a_team_pack_adds_forms_without_losing_the_built_in_ones(tmp_path):
    (tmp_path / "ours.yml").write_text(
        "locales:\n  fi:\n    weekdays:\n      forms: {1: [maanantaiaamuna]}\n"
    )
    (tmp_path / "smskit.yml").write_text("packs: [default, fi, ./ours.yml]\n")
    fi = load_config(tmp_path / "smskit.yml").locales["fi"]
    f = DateFinder("fi-FI", fi)
    assert f.find("Maanantaiaamuna 5.6.2017")[0].weekday.weekday == 0
    assert f.find("Lauantain 10.6.")[0].weekday.weekday == 5


# --- writing dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pattern", "expected"),
    [
        ("01.06.17", "d.M.yyyy", "1.6.2017"),
        ("1.6.2017", "dd.MM.yy", "01.06.17"),
        ("1.6.", "yyyy-MM-dd", None),
        ("1.6.", "d. MMMM yyyy", "1. kesäkuuta"),
        ("2017-06-01", "d. MMMM yyyy", "1. kesäkuuta 2017"),
        ("1.6.2017", "d MMM yyyy", "1 kesäk. 2017"),
        ("01.–03.06.17", "d.M.yyyy", "1.–3.6.2017"),
        ("1.–3.6.2017", "d. MMMM yyyy", "1.–3. kesäkuuta 2017"),
        ("30.6.–2.7.2017", "d.M.yyyy", "30.6.–2.7.2017"),
        ("30.6.–2.7.2017", "yyyy-MM-dd", "2017-06-30–2017-07-02"),
        ("1.–3.6.2017", "dd/MM/yyyy", "01/06/2017–03/06/2017"),
        ("30.12.–2.1.2018", "d.M.yyyy", "30.12.2017–2.1.2018"),
    ],
)  # fmt: skip
def test_render_fi(locales, text, pattern, expected):
    f = finder(locales, "fi-FI")
    (m,) = f.find(f"Päivä {text}")
    assert f.render(m, parse_pattern(pattern)) == expected


def test_render_en_and_sv(locales):
    en = finder(locales, "en-US")
    (m,) = en.find("Sale 1.–3.6.2017")
    assert en.render(m, parse_pattern("MMMM d, yyyy")) == "June 1–3, 2017"
    assert en.render(m, parse_pattern("do MMMM yyyy")) == "1st–3rd June 2017"
    assert en.render(m, parse_pattern("M/d/yyyy")) == "6/1/2017–6/3/2017"
    sv = finder(locales, "sv-FI")
    (m,) = sv.find("Rea 30.6.–2.7.2017")
    assert sv.render(m, parse_pattern("d MMMM yyyy")) == "30 juni – 2 juli 2017"
    assert format_date(2017, 6, 1, parse_pattern("do MMMM"), sv.names) == "1:a juni"
    assert format_date(None, 6, 1, parse_pattern("do MMMM yyyy"), sv.names) == "1:a juni"
    assert format_date(2017, 6, 22, parse_pattern("do MMMM"), sv.names) == "22:a juni"
    assert format_date(2017, 6, 11, parse_pattern("do MMMM"), en.names) == "11th June"
    assert format_date(2017, 6, 22, parse_pattern("do MMMM"), en.names) == "22nd June"


def test_year_less_date_can_be_given_a_year(locales):
    f = finder(locales, "fi-FI")
    (m,) = f.find("Päivä 1.6.")
    assert f.render(m, parse_pattern("yyyy-MM-dd"), 2017) == "2017-06-01"


# --- year-less dates and consistency ----------------------------------------------------------


def test_resolve_year():
    send = date(2017, 12, 20)
    assert resolve_year(1, 2, send) == 2018  # "2.1." sent before new year
    assert resolve_year(12, 1, send) == 2017  # recent: same year (and in the past)
    assert resolve_year(6, 6, date(2017, 6, 1)) == 2017
    assert resolve_year(2, 29, date(2019, 2, 1)) == 2019  # not a date that year: DAT003's


def _dates(texts: list[str], locale: str = "fi-FI"):
    return [m for t in texts for m in find_dates(f"Päivä {t}", locale)]


def test_consistency_majority_and_ties():
    house = parse_pattern("d.M.yyyy")
    c = consistency(_dates(["01.06.17", "02.06.17", "3.6.2017"]), house)
    assert str(c.pattern) == "dd.MM.yy" and c.minority == (2,)
    c = consistency(_dates(["01.06.17", "3.6.2017"]), house)  # tie: the house format wins
    assert str(c.pattern) == "d.M.yyyy" and c.minority == (0,)
    c = consistency(_dates(["2017-06-01", "01.06.17"]), house)  # tie, house unused: house
    assert str(c.pattern) == "d.M.yyyy" and c.minority == (0, 1)
    c = consistency(_dates(["1.6.17", "2.6.2017"]), house)  # same shape, years tie: house
    assert str(c.pattern) == "d.M.yyyy" and c.minority == (0,)
    c = consistency(_dates(["1.6.", "6.6.2017", "10.12.2017"]), house)
    assert c.consistent
    c = consistency(_dates(["1.6.", "2.6.", "2017-06-08"]), house)
    assert str(c.family) == "d.M." and c.minority == (2,)
    # "10.12.2017" agrees with padded and unpadded: it sides with the rest.
    c = consistency(_dates(["01.06.2017", "10.12.2017"]), house)
    assert c.consistent and str(c.pattern) == "dd.MM.yyyy"


# --- properties -------------------------------------------------------------------------------

HOUSE_LOCALES = ["fi-FI", "sv-FI", "sv-SE", "en-GB", "en-US"]
SENTENCES = ["{d}", "Tarjous voimassa {d} asti.", "Alkaa {d}!", "({d})", "Erbjudandet gäller {d}.",
             "Offer ends {d}, don't miss it", "{d}: uusi hinnasto"]  # fmt: skip
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))


# Besides the house format, the other ways each language writes a date.
WRITTEN = {
    "fi": ["d. MMMM yyyy", "d. MMMM", "d. MMM yyyy", "dd.MM.yy", "d.M."],
    "sv": ["d MMMM yyyy", "d MMM yyyy", "do MMMM", "d.M."],
    "en": ["d MMMM yyyy", "do MMMM yyyy", "MMMM d, yyyy", "MMM do", "yyyy-MM-dd"],
}


@settings(max_examples=300, deadline=None)
@given(
    day=dates,
    locale=st.sampled_from(HOUSE_LOCALES),
    which=st.integers(-1, 4),
    sentence=st.sampled_from(SENTENCES),
)
def test_any_date_in_the_house_format_is_found(locales, day, locale, which, sentence):
    f = finder(locales, locale)
    other = WRITTEN[locale[:2]]
    pattern = f.house() if which < 0 else parse_pattern(other[which % len(other)])
    assume(pattern.year != "yy" or day.year >= 2000)  # "99" is read as 2099
    written = format_date(day.year, day.month, day.day, pattern, f.names)
    text = sentence.format(d=written)
    matches = f.find(text)
    year = day.year if pattern.year else None
    assert [(m.text, m.ymd) for m in matches] == [(written, (year, day.month, day.day))]
    assert matches[0].valid and pattern.family in matches[0].families


@settings(max_examples=300, deadline=None)
@given(
    # The detector reads years 1900-2099, so the range must end by 2099-12-31.
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 11)),
    span=st.integers(1, 20),
    locale=st.sampled_from(HOUSE_LOCALES),
)
def test_any_range_written_by_smskit_reads_back(locales, day, span, locale):
    f = finder(locales, locale)
    text = f"Ale {format_date(day.year, day.month, day.day, f.house(), f.names)}"
    (m,) = f.find(text)
    last = day + timedelta(days=span)
    ranged = replace(
        m, year=last.year, month=last.month, day=last.day,
        start_ymd=(day.year, day.month, day.day), dash="–",
    )  # fmt: skip
    written = f.render(ranged, f.house())
    (back,) = f.find(f"Ale {written} asti")
    assert back.first_day() == (day.year, day.month, day.day)
    assert back.ymd == (last.year, last.month, last.day)


hours = st.integers(0, 23)
minutes = st.integers(0, 59)
euros = st.integers(0, 9999)
cents = st.integers(0, 99)


@st.composite
def prices_and_times(draw) -> str:
    h, mi, h2, mi2 = draw(hours), draw(minutes), draw(hours), draw(minutes)
    e, c = draw(euros), draw(cents)
    sep = draw(st.sampled_from([".", ","]))
    t1, t2 = f"{h}.{mi:02d}", f"{h2}.{mi2:02d}"
    p = f"{e}{sep}{c:02d}"
    return draw(
        st.sampled_from(
            [f"klo {t1}", f"klo {t1}.", f"kello {t1}.", f"klo {t1}–{t2}", f"avoinna {t1}–{t2}.",
             f"{t1}-{t2}", f"kl. {t1}.", f"at {t1}.", f"Hinta {p} €", f"Vain {p}€!", f"{p} €/kk",
             f"nyt {p} e/kk", f"Pris {p} kr.", f"Only €{p}.", f"{p} %", f"-{p} % alennus",
             f"{p} GB", f"{p} Mbit/s."]
        )
    )  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(text=prices_and_times(), locale=st.sampled_from(HOUSE_LOCALES))
def test_prices_and_times_are_never_dates(locales, text, locale):
    assert finder(locales, locale).find(text) == []


# --- cost -------------------------------------------------------------------------------------


def test_babel_is_loaded_only_when_a_text_needs_it(tmp_path):
    # With an empty disk cache (a warm one spares Babel altogether: see test_cache.py).
    code = (
        "import sys\n"
        "from smskit.text.dates import find_dates\n"
        "find_dates('Kiitos tilauksestasi! Toimitamme sen pian.', 'fi-FI')\n"
        "find_dates('1.6.2017', 'fi-FI')\n"
        "print('babel' in sys.modules)\n"
        "find_dates('Tervetuloa 1. kesäkuuta 2017', 'fi-FI')\n"
        "print('babel' in sys.modules)\n"
    )
    env = {**os.environ, "SMSKIT_CACHE_DIR": str(tmp_path / "empty-cache")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["False", "True"]


def test_finder_tables_are_built_once(locales):
    f = finder(locales, "fi-FI")
    f.find("maanantaina 6.6.2017")
    names = f.names
    f.find("tiistaina 7.6.2017")
    assert f.names is names


def test_pattern_str_roundtrip():
    for kind in ("dot", "slash-dmy", "slash-mdy", "fi-written", "written-dm", "written-md"):
        month = "MMMM" if "written" in kind else "M"
        p = DatePattern(kind, "d", month, "yyyy")
        assert parse_pattern(str(p)) == p
        assert parse_pattern(str(p.family)) == p.family


# --- the start filter -------------------------------------------------------------------------

# Texts made of numbers, separators and words, the stuff of dates, times and prices.
_NUMBERS = st.sampled_from(
    ["1", "6", "12", "06", "31", "123", "2017", "2017-06-01", "1/6/2017", "1 – 3.6.", "1/6"]
)
_SEPARATORS = st.sampled_from(
    [".", "/", "-", "–", "—", " ", ". ", " – ", "\u00a0", ":a ", "st ", ", ", "\n", "(", ""]
)
_WORDS = st.sampled_from(
    ["", "", "kesäkuuta ", "juni ", "June ", "ma ", "(ti) ", "Monday ", "klo ", "€ ", "x"]
)
_DATEISH = st.lists(st.tuples(_NUMBERS, _SEPARATORS, _WORDS).map("".join), max_size=8).map("".join)


@settings(max_examples=600, deadline=None)
@given(_DATEISH, st.sampled_from(HOUSE_LOCALES))
def test_the_start_filter_drops_only_starts_where_no_pattern_could_match(locales, text, locale):
    from smskit.text import dates

    f = finder(locales, locale)
    filtered = f.find(text)
    every = vars(dates._Starts)["of"]

    def all_starts(cls, text, runs):
        starts = [s for s, _ in runs]
        return cls(starts, starts, starts, starts)

    dates._Starts.of = classmethod(all_starts)
    try:
        unfiltered = f.find(text)
    finally:
        dates._Starts.of = every
    assert filtered == unfiltered


@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31))
def test_as_date_is_a_date_exactly_when_impossible_reason_has_none(y: int, m: int, d: int) -> None:
    got = as_date(y, m, d)
    assert (got is not None) == (impossible_reason(y, m, d) is None)
    assert got is None or (got.year, got.month, got.day) == (y, m, d)
    assert as_date(None, m, d) is None  # a year-less date is no day yet


@pytest.mark.parametrize(
    ("locale", "date_format", "month_first"),
    [("en-US", None, True), ("en-GB", None, False), ("fi-FI", None, False),
     ("en-GB", "M/d/yyyy", True), ("en-US", "d/M/yyyy", False),
     ("en-US", "yyyy-MM-dd", True),  # not a slash pattern: CLDR's short one decides
     ("en-US", "not a pattern", True), ("en-GB", ["d/M"], False)],  # a bad one: CLDR's too
)  # fmt: skip
def test_month_first_follows_the_house_slash_order(locales, locale, date_format, month_first):
    pack = dict(locales.get("en", {}))
    if date_format is not None:
        pack["date_format"] = date_format
    f = DateFinder(locale, pack)
    assert f.month_first is month_first
    (m,) = f.find("Alkaa 6/1/2017 klo 9")
    assert m.ymd == ((2017, 6, 1) if month_first else (2017, 1, 6))


def test_weekday_like_keeps_capitals_and_the_dot(locales):
    names = finder(locales, "fi-FI").names
    assert names.weekday_like("MAANANTAINA", 1) == "TIISTAINA"
    assert names.weekday_like("Ma.", 2) == "Ke."
