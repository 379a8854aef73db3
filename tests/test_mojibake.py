"""Mojibake: UTF-8 read as Latin-1/Windows-1252 is found and repaired; correct text is not."""

from __future__ import annotations

import pytest

from smskit.findings import Edit, Fix
from smskit.model import Mark, Node
from smskit.text.mojibake import find_mojibake, looks_suspicious


def _garble(text: str, encoding: str = "cp1252") -> str:
    # What a tool does when it reads UTF-8 bytes as Windows-1252 or Latin-1.
    return text.encode("utf-8").decode(encoding)


def _repair(text: str) -> str:
    node = Node(text, Mark(1, 1, 0), Mark(1, 1, 0))
    edits = tuple(Edit(m.start, m.end, m.repaired) for m in find_mojibake(text))
    return Fix("repair", node, edits).apply_to(text)


@pytest.mark.parametrize(
    "original",
    [
        "Kiitos, että käytät palveluamme!",
        "Käyttäjätunnus: 12345",
        "Hinta 9,90 €/kk.",
        "Se on Elisan ’paras’ tarjous – nyt",
        "Välkommen till Åbo! Öppet må–fre.",
        "Hyvää päivää 😀",
        "ÄÖÅ äöå",
    ],
)
@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_garbled_text_is_found_and_repaired(original, encoding):
    try:
        garbled = _garble(original, encoding)
    except UnicodeDecodeError:
        pytest.skip(f"{encoding} cannot hold these bytes")
    assert garbled != original
    found = find_mojibake(garbled)
    assert found, garbled
    for m in found:
        assert garbled[m.start : m.end] == m.text
        assert m.encoding in ("Latin-1", "Windows-1252", "Latin-1/Windows-1252")
    assert _repair(garbled) == original


def test_examples_from_the_issue():
    assert [(m.text, m.repaired) for m in find_mojibake("kÃ¤yttÃ¤jÃ¤")] == [
        ("kÃ¤yttÃ¤jÃ¤", "käyttäjä")
    ]
    assert [(m.text, m.repaired) for m in find_mojibake("Hinta 10 â‚¬ kk")] == [("â‚¬", "€")]
    assert [(m.text, m.repaired) for m in find_mojibake("Se onâ€™s")] == [("onâ€™s", "on’s")]


def test_garbled_words_inside_correct_text_are_repaired_alone():
    text = "Käytössä on nyt: kÃ¤yttÃ¤jÃ¤tunnus ja salasana. Terveisin Elisa"
    found = find_mojibake(text)
    assert [(m.text, m.repaired) for m in found] == [("kÃ¤yttÃ¤jÃ¤tunnus", "käyttäjätunnus")]
    assert _repair(text) == "Käytössä on nyt: käyttäjätunnus ja salasana. Terveisin Elisa"


def test_double_encoding_is_repaired():
    twice = _garble(_garble("Hyvää päivää"))
    assert _repair(twice) == "Hyvää päivää"


CORRECT = [
    "Kiitos, että olet asiakkaamme. Terveisin Elisa",
    "Kesä–heinäkuun tarjous: 9,90 €/kk ± 1 €",
    "Älä unohda: “tarjous” päättyy…",
    "Tack för att du är kund hos oss – välkommen!",
    "Öppet må–fre 9–17, lör 10–14.",
    "Minä—sinä, Tänä…, Hyvä·paras, Sää±2 astetta",
    "Kesä™ tarjous ja Kesä® ale",
    "Käytä «koodia» ja »nyt«",
    "São Paulo, SÃO PAULO, São Tomé",
    "Ângela, ÂGE DE PIERRE, pâté, château, crème brûlée",
    "naïve café résumé Müller Fußball Señor Ñandú Ångström",
    "Hyvää päivää 😀👍 ja 🇫🇮",
    "Hinnat ¼ pois, lämpö 20° ja ©2024 Elisa",
    "Visste du att ä”? Nej.",
    "Svarå–ö ja å¼",
]


@pytest.mark.parametrize("text", CORRECT)
def test_correct_text_is_never_reported(text):
    assert find_mojibake(text) == []


def test_the_cheap_precheck_lets_plain_text_skip_ftfy():
    assert not looks_suspicious("Kiitos, että käytät palveluamme! Hinta 9,90 €.")
    assert looks_suspicious("kÃ¤yttÃ¤jÃ¤")
    assert looks_suspicious("â‚¬")


def test_lost_bytes_give_no_repair():
    # The last ä went through a system that wrote "?" for a byte it could not show.
    found = find_mojibake("KÃ¤yttÃ¤jÃ? on valmis")
    assert [(m.text, m.repaired) for m in found] == [("KÃ¤yttÃ¤jÃ?", None)]
