"""Lost ä/ö/å: restoration with Voikko, the fallback without it, and what must never fire."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from smskit.text import diacritics
from smskit.text.diacritics import (
    diacritic_candidates,
    find_lost_diacritics,
    known_forms,
    strip_diacritics,
    violates_vowel_harmony,
    voikko_available,
    voikko_unavailable_reason,
)

REPO = Path(__file__).resolve().parents[1]

needs_voikko = pytest.mark.skipif(
    not voikko_available(),
    reason=f"Voikko is not usable here ({voikko_unavailable_reason()}); `make voikko` installs it",
)

# Correct Finnish as operators write it: none of these may ever be reported.
CORRECT_FI = [
    "Hei {first_name}! Laskusi 45,90 € eräpäivä on 15.6.2024. Kiitos, että olet asiakkaamme.",
    "Uusi 5G-liittymäsi on nyt käytössä. Lisätietoja: elisa.fi/5g",
    "Tervetuloa asiakkaaksi! Liittymäsi aktivoituu tunnin kuluessa.",
    "Muistathan, että tarjous on voimassa sunnuntaihin asti.",
    "Datapaketti 10 Gt on käytetty. Voit ostaa lisädataa osoitteessa https://elisa.fi/lisadata",
    "Roaming-käyttösi EU:n ulkopuolella on ylittänyt 50 euron rajan.",
    "Netflix ja Disney+ nyt osana Elisa Viihde -pakettia.",
    "Kotinetin huoltokatko tiistaina 4.6. klo 00–04. Pahoittelemme häiriötä.",
    "Sinulle on saapunut uusi vastaajaviesti. Kuuntele soittamalla numeroon 0400 999 999.",
    "Tilauksesi on lähetetty ja se saapuu Postin noutopisteeseen 2–3 arkipäivän kuluessa.",
    "Vahvistuskoodisi on 482913. Älä kerro koodia kenellekään.",
    "Laajakaistayhteytesi nopeus nousee 1000 Mbit/s:iin maksutta.",
    "Kiitos yhteydenotostasi! Asiakaspalvelumme vastaa sinulle arkisin klo 8–18.",
    "Kesäale alkaa nyt: kaikki puhelimet jopa -30 %. Tarjous koskee myös iPhonea.",
    "Hyvää joulua ja onnellista uutta vuotta toivottaa koko tiimimme!",
    "Ilmoitamme, että hinnastomme muuttuu 1.9.2024 alkaen. Lue lisää: elisa.fi/hinnasto",
    "Mobiilivarmenteesi on otettu käyttöön. Voit nyt tunnistautua verkkopankkiin.",
    "Syyslomalla kannattaa katsoa elokuvia: vuokraa kaksi, maksa yksi.",
    "Vastaa tähän viestiin numerolla 1, jos haluat jatkaa tilaustasi.",
    "Päivitä yhteystietosi OmaElisassa, niin pysyt ajan tasalla.",
    "Kyselylomakkeen täyttäneiden kesken arvotaan lahjakortti.",
    "Yksityisasiakkaiden asiakaspalvelu palvelee myös lauantaisin.",
    "Puhelinyhteytesi on palautettu. Pahoittelemme katkosta.",
    "Lataa sovellus: App Store tai Google Play.",
    "Wifi-verkon nimi ja salasana löytyvät modeemin pohjasta.",
    "Online-palvelumme ovat tauolla huoltotöiden takia sunnuntaina.",
    "Jos et halua enää markkinointiviestejä, lähetä LOPETA numeroon 12345.",
    "Tietoturvapaketti suojaa kolme laitetta. Hinta 4,90 €/kk.",
    "Sopimuksesi päättyy pian. Jatka nyt ja saat kuukauden veloituksetta.",
    "Tilasit uuden SIM-kortin. Se toimitetaan kotiosoitteeseesi.",
    "Lahjakorttisi saldo on 25 €. Voimassa vuoden loppuun.",
    "Kuukausimaksusi pysyy samana, mutta saat enemmän dataa.",
    "Olemme vastaanottaneet maksusi. Kiitos!",
    "Tervetuloa Black Friday -kampanjaan: kaikki kuulokkeet -40 %.",
    "Saat tämän viestin, koska olet antanut markkinointiluvan.",
    "Autamme mielellämme: soita 010 190 240 tai chattaa kanssamme.",
    "Seuraava lasku erääntyy 30.5. Summa on 29,90 euroa.",
    "Sinulla on kolme käyttämätöntä lahjakorttia.",
    "Perhepaketti sisältää neljä liittymää ja yhteisen datan.",
    "Matkustatko ulkomaille? Tarkista roaming-hinnat ennen lähtöä.",
    "Uusi laskusi on nähtävillä verkkolaskuna pankissasi.",
    "Vaihda vanha puhelimesi uuteen ja saat hyvityksen heti.",
    "Muistutus: ajanvarauksesi on huomenna klo 14.30 myymälässä Kamppi.",
    "Tarkista tiedot: https://oma.elisa.fi/tiedot?id={customer_id}&kieli=fi",
    "Yhteistyökumppanimme tarjoaa streaming-palvelun kolmeksi kuukaudeksi maksutta.",
    "Tyytyväisyyskyselyymme vastaaminen vie vain minuutin.",
    "Hyödynnä koodi SYKSY24 verkkokaupassa ja saat toimituksen ilmaiseksi.",
    "Onko kaikki kunnossa? Vastaa KYLLÄ tai EI.",
    "Tiesitkö? Syyskuussa yhteensopiva puhelin maksaa vain 1 €.",
]

# Lost-diacritic lookalikes where they are not prose: never reported.
NOT_PROSE = [
    "Katso https://example.fi/kaytossa/jalkeen ja www.kaytossa.fi/paiva",
    "Kirjoita osoitteeseen kaytossa.jalkeen@example.com tai paiva@example.fi",
    "Hei {kaytossa}, {{ jalkeen }} ja %(paiva)s",
    "Seuraa #kaytossa ja @jalkeen",
    "Koodilla KESAALE tai PAIVA2024 saat alennuksen.",
    "Versio paiva2 ja tyossa_3 ovat koodeja.",
    "Kampanja Kaytossa Oy ja Jalkeen Group ovat nimiä.",
]


def _words(hits) -> list[tuple[str, str | None]]:
    return [(h.word, h.restored) for h in hits]


# --- with Voikko ----------------------------------------------------------------------------


@needs_voikko
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Palvelu on kaytossa jalkeen paivityksen.",
            [("kaytossa", "käytössä"), ("jalkeen", "jälkeen"), ("paivityksen", "päivityksen")],
        ),
        (
            "Hyvaa paivaa! Soitamme myohemmin.",
            [("Hyvaa", "Hyvää"), ("paivaa", "päivää"), ("myohemmin", "myöhemmin")],
        ),
        ("Laskun erapaiva on huomenna.", [("erapaiva", "eräpäivä")]),
        (
            "Tarkea tiedote: sahkoposti ei toimi.",
            [("Tarkea", "Tärkeä"), ("sahkoposti", "sähköposti")],
        ),
        (
            "Kiitos yhteistyosta ja tyytyvaisyydesta.",
            [("yhteistyosta", "yhteistyöstä"), ("tyytyvaisyydesta", "tyytyväisyydestä")],
        ),
    ],
)
def test_voikko_restores_dropped_dots(text, expected):
    hits = find_lost_diacritics(text, "fi")
    assert _words(hits) == expected
    assert all(h.method == "voikko" and h.voikko for h in hits)
    for h in hits:
        assert text[h.start : h.end] == h.word


@needs_voikko
@pytest.mark.parametrize(
    ("text", "word", "restored"),
    [
        ("K?ytt?j?tunnus: 12345", "K?ytt?j?tunnus", "Käyttäjätunnus"),
        ("Kiitos t?st?!", "t?st?", "tästä"),
        ("Uusi K?YTT?J?TUNNUS on valmis", "K?YTT?J?TUNNUS", "KÄYTTÄJÄTUNNUS"),
        ("Mit?? Ei mit??n.", "Mit?", "Mitä"),  # the last "?" is the question mark
        ("Onnea ?itienp?iv?n?.", "?itienp?iv?n?", "äitienpäivänä"),
    ],
)
def test_voikko_fills_question_marks(text, word, restored):
    hits = find_lost_diacritics(text, "fi")
    assert (hits[0].word, hits[0].restored) == (word, restored)
    assert text[hits[0].start : hits[0].end] == word


@needs_voikko
def test_question_mark_at_end_of_a_correct_word_is_punctuation():
    assert find_lost_diacritics("Onko kaikki kunnossa? Tiesitkö?", "fi") == []


@needs_voikko
def test_unresolvable_question_mark_inside_a_word_is_reported_without_a_fix():
    hits = find_lost_diacritics("Tilaa xq?zr nyt", "fi")
    assert _words(hits) == [("xq?zr", None)]
    assert hits[0].method == "question-mark"


@needs_voikko
@pytest.mark.parametrize("text", CORRECT_FI)
def test_voikko_never_reports_correct_finnish(text):
    assert find_lost_diacritics(text, "fi") == []


@needs_voikko
@pytest.mark.parametrize("text", NOT_PROSE)
def test_voikko_skips_urls_codes_placeholders_and_names(text):
    assert find_lost_diacritics(text, "fi") == []


@needs_voikko
def test_loanwords_are_left_alone_and_ignore_covers_coincidences():
    text = "Uusi data-paketti ja roaming online: premium bonus streaming wifi"
    assert find_lost_diacritics(text, "fi") == []
    # "sale" happens to be "säle" with its dots back: the pack's ignore list covers it.
    assert _words(find_lost_diacritics("Black Friday sale alkaa", "fi")) == [("sale", "säle")]
    assert find_lost_diacritics("Black Friday sale alkaa", "fi", ignore={"sale"}) == []


@needs_voikko
def test_only_words_that_could_have_lost_dots_are_looked_up():
    diacritics.spell.cache_clear()
    # Every word here has ä/ö already, is short, or has no a/o to restore.
    find_lost_diacritics("Sinä et ehkä tiedä, että meillä on tänään iltä, yli kymmenen.", "fi")
    assert diacritics.spell.cache_info().currsize == 0
    find_lost_diacritics("Palvelu on kaytossa.", "fi")
    looked_up = diacritics.spell.cache_info().currsize
    assert looked_up > 0
    find_lost_diacritics("Palvelu on kaytossa.", "fi")
    assert diacritics.spell.cache_info().currsize == looked_up  # answered from the cache


@needs_voikko
def test_known_form_breaks_a_tie_between_restorations():
    # "t?it?" is both "täitä" (lice) and "töitä" (work); the campaign's own spelling wins.
    hit = find_lost_diacritics("Paljon t?it? tänään.", "fi")[0]
    assert {hit.restored, *hit.alternatives} == {"täitä", "töitä"}
    hit = find_lost_diacritics("Paljon t?it? tänään.", "fi", known=known_forms(["töitä"]))[0]
    assert (hit.restored, hit.alternatives) == ("töitä", ("täitä",))


@needs_voikko
def test_fi_pack_word_list_holds_only_words_whose_stripped_form_is_not_finnish():
    pack = yaml.safe_load((REPO / "rules" / "fi.yml").read_text(encoding="utf-8"))
    words = pack["locales"]["fi"]["diacritic_words"]
    assert len(words) > 20
    for w in words:
        assert diacritics.spell(w), w
        assert not diacritics.spell(strip_diacritics(w)), w


# --- without Voikko -------------------------------------------------------------------------


@pytest.mark.parametrize("text", CORRECT_FI + NOT_PROSE)
def test_fallback_never_reports_correct_finnish(text):
    known = known_forms(CORRECT_FI)  # every correct word with its dots is "known"
    assert find_lost_diacritics(text, "fi", known=known, voikko=False) == []


def test_fallback_uses_the_same_word_written_with_dots_elsewhere():
    known = known_forms(["Palvelu on käytössä päivityksen jälkeen."])
    hits = find_lost_diacritics(
        "Paivityksen jalkeen kaikki toimii.", "fi", known=known, voikko=False
    )
    assert _words(hits) == [("Paivityksen", "Päivityksen"), ("jalkeen", "jälkeen")]
    assert {h.method for h in hits} == {"known"}
    assert not any(h.voikko for h in hits)


def test_fallback_settled_cache_skips_words_but_keeps_results():
    text = "Palvelu toimii taas, kiitos kaikille. Hyvaa iltaa ja tervetuloa {name}!"
    settled: set[str] = set()
    first = find_lost_diacritics(text, "fi", voikko=False, settled=settled)
    assert {"Palvelu", "toimii", "taas", "kiitos"} <= settled
    assert "Hyvaa" not in settled
    assert find_lost_diacritics(text, "fi", voikko=False, settled=settled) == first
    assert [h.word for h in first] == ["Hyvaa"]


def test_fallback_finds_vowel_harmony_violations():
    hits = find_lost_diacritics("Hyvaa iltaa, tyossa nayttaa kiirettä.", "fi", voikko=False)
    assert _words(hits) == [("Hyvaa", "Hyvää"), ("tyossa", "työssä"), ("nayttaa", "näyttää")]
    assert {h.method for h in hits} == {"harmony"}


@pytest.mark.parametrize(
    "word",
    [
        "yhteystiedot",
        "puhelinyhteys",
        "syysloma",
        "kyselylomake",
        "yksityisasiakas",
        "laajakaistayhteys",
        "hyvinvointi",
        "ylioppilas",
        "syyskuu",
        "analyysi",
        "yhteyssopimus",
        "party",
        "today",
        "happy",
        "yoga",
        "playlist",
        "mystery",
        "loyalty",
    ],
)
def test_compounds_and_english_words_do_not_violate_harmony(word):
    assert not violates_vowel_harmony(word)


@pytest.mark.parametrize(
    "word",
    ["hyvaa", "tyossa", "myohemmin", "kaytossa", "nayttaa", "yhteistyo", "paattyy", "loytyy"],
)
def test_words_that_lost_dots_violate_harmony(word):
    assert violates_vowel_harmony(word)


def test_fallback_reports_question_marks_without_a_guess():
    hits = find_lost_diacritics("K?ytt?j?tunnus on valmis.", "fi", voikko=False)
    assert _words(hits) == [("K?ytt?j?tunnus", None)]
    known = known_forms(["Käyttäjätunnus"])
    hits = find_lost_diacritics("K?ytt?j?tunnus on valmis.", "fi", known=known, voikko=False)
    assert _words(hits) == [("K?ytt?j?tunnus", "Käyttäjätunnus")]


def test_env_switch_turns_voikko_off(monkeypatch):
    monkeypatch.setenv("SMSKIT_NO_VOIKKO", "1")
    assert not voikko_available()
    assert "SMSKIT_NO_VOIKKO" in voikko_unavailable_reason()
    hits = find_lost_diacritics("Palvelu on kaytossa jalkeen.", "fi")
    assert all(not h.voikko for h in hits)
    assert _words(hits) == [("kaytossa", "käytössä")]  # harmony; "jalkeen" needs a known form


def test_swedish_uses_known_forms_and_ring_a():
    known = known_forms(["Välkommen! Nästa månad får du två fakturor."])
    hits = find_lost_diacritics("Valkommen tillbaka, nasta manad igen.", "sv", known=known)
    assert _words(hits) == [("Valkommen", "Välkommen"), ("nasta", "nästa"), ("manad", "månad")]
    assert not any(h.voikko for h in hits)  # there is no Swedish Voikko


def test_other_languages_are_not_checked():
    assert find_lost_diacritics("Palvelu on kaytossa", "en") == []


def test_candidates_come_fewest_changes_first_and_strip_back():
    cands = list(diacritic_candidates("kaytossa", "fi"))
    changes = [k for k, _ in cands]
    assert changes == sorted(changes)
    assert len(cands) == 2**3 - 1  # a, o, a
    for k, c in cands:
        assert strip_diacritics(c) == "kaytossa"
        assert sum(a != b for a, b in zip(c, "kaytossa", strict=True)) == k
    sv = {c for _, c in diacritic_candidates("manad", "sv")}
    assert {"månad", "mänad", "månåd"} <= sv
    assert {c for _, c in diacritic_candidates("t?st?", "fi")} >= {"tästä", "töstö", "tåstå"}


def test_voikko_and_ftfy_are_not_imported_until_needed():
    code = (
        "import sys; import smskit.text.diacritics as d, smskit.text.mojibake as m; "
        "m.find_mojibake('Kiitos että käytät palvelua'); "
        "print('libvoikko' in sys.modules, 'ftfy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
