"""Sign-off extraction (smskit.text.signoff) with the built-in locale packs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smskit.config import load_config
from smskit.text.signoff import SignoffFinder, finder, mentions, normalise

NAMES = ("Elisa", "Elisa Oyj", "DNA")


def _finder(lang: str) -> SignoffFinder:
    data = load_config().locales[lang]
    return finder(
        tuple(data["signoffs"]),
        tuple(data["opt_out_phrases"]),
        tuple(data["opt_out_link_patterns"]),
    )


FOUND = [
    # Finnish
    ("fi", "Tervetuloa asiakkaaksi! t. Elisa", "t. Elisa"),
    ("fi", "Laskusi on maksettu.\nTerveisin Elisa", "Terveisin Elisa"),
    (
        "fi",
        "Laskusi on maksettu.\nYstävällisin terveisin,\nElisa",
        "Ystävällisin terveisin,\nElisa",
    ),
    ("fi", "Kiitos tilauksesta! Parhain terveisin Elisa Oyj.", "Parhain terveisin Elisa Oyj"),
    ("fi", "Tilauksesi on toimitettu. Kiitos, Elisa", "Kiitos, Elisa"),
    ("fi", "Tilaus vahvistettu -Elisa", "-Elisa"),
    ("fi", "Tilaus vahvistettu.\n– Elisa", "– Elisa"),
    ("fi", "Huoltokatko yöllä klo 1-3. terveisin elisa", "terveisin elisa"),
    (
        "fi",
        "Uusi lasku on valmis.\nTerveisin Elisan asiakaspalvelu",
        "Terveisin Elisan asiakaspalvelu",
    ),
    ("fi", "Tervetuloa!\nElisa", "Elisa"),
    ("fi", "Kiitos, Terveisin Elisa", "Terveisin Elisa"),
    ("fi", "Tarjous päättyy tänään! Terveisin Elisa 😊", "Terveisin Elisa"),
    # tails: opt-out lines and links after the sign-off
    ("fi", "Kesäkampanja alkaa! Terveisin Elisa. Peru: elisa.fi/stop", "Terveisin Elisa"),
    ("fi", "Kesäkampanja alkaa! t. Elisa Peru: elisa.fi/stop", "t. Elisa"),
    (
        "fi",
        "Kesäkampanja alkaa!\nTerveisin Elisa\nKiellä markkinointi: tekstaa STOP numeroon 16400",
        "Terveisin Elisa",
    ),
    ("fi", "Uusi 5G-liittymä!\nTerveisin Elisa\nhttps://elisa.fi/5g", "Terveisin Elisa"),
    ("fi", "Uusi 5G-liittymä! t. Elisa\nLue lisää: elisa.fi/5g\nPeru: elisa.fi/peru", "t. Elisa"),
    (
        "fi",
        "Tilaa elisa.fi/kesa\nTerveisin Elisa\nPeru markkinointi: elisa.fi/peru",
        "Terveisin Elisa",
    ),
    # Swedish
    ("sv", "Välkommen som kund!\n/Elisa", "/Elisa"),
    ("sv", "Tack för ditt köp! mvh Elisa", "mvh Elisa"),
    (
        "sv",
        "Din faktura är betald.\nMed vänliga hälsningar,\nElisa",
        "Med vänliga hälsningar,\nElisa",
    ),
    ("sv", "Sommarerbjudande! Hälsningar från Elisa", "Hälsningar från Elisa"),
    (
        "sv",
        "Sommarerbjudande! Vänliga hälsningar Elisa. Avregistrera: elisa.fi/stopp",
        "Vänliga hälsningar Elisa",
    ),
    (
        "sv",
        "Ny faktura finns.\nHälsningar Elisa\nSvara STOPP till 16400 för att avsluta",
        "Hälsningar Elisa",
    ),
    # English
    ("en", "Your bill is paid. Thanks, Elisa", "Thanks, Elisa"),
    ("en", "Your bill is paid.\n— Elisa\nReply STOP to opt out", "— Elisa"),
    ("en", "Big sale today! Cheers, the Elisa team", "Cheers, the Elisa team"),
    (
        "en",
        "Big sale! Best regards, Elisa Oyj. Unsubscribe: https://elisa.com/unsubscribe",
        "Best regards, Elisa Oyj",
    ),
    (
        "en",
        "Your order has shipped.\nKind regards,\nAnna from Elisa",
        "Kind regards,\nAnna from Elisa",
    ),
    ("en", "Welcome aboard! Regards, DNA", "Regards, DNA"),
]

NOT_FOUND = [
    ("fi", "Kiitos tilauksestasi!"),
    ("fi", "Kiitos, että valitsit Elisan."),
    ("fi", "Ystävällisin terveisin"),
    ("fi", "Terveisin Elisa ja hyvää kesää!"),  # plain text after the candidate
    ("fi", "Hinta 9,90 €/kk - 12 kk"),
    ("fi", "Terveisin Elisa! Tutustu uusiin tarjouksiin ja säästä jopa puolet hinnasta."),
    ("fi", "Palvelu toimii taas normaalisti. Lisätietoja elisa.fi/tiedotteet"),
    ("fi", "Tiedote: www.elisa.fi/t. Kiitos"),  # "t." ends a link, not a sign-off phrase
    ("fi", "Peru: elisa.fi/stop"),
    ("fi", "Elisa"),  # the whole message is not its own sign-off
    ("sv", "Tack för din beställning!"),
    ("sv", "Din kod är 123456 /"),
    ("en", "Thanks for your order!"),
    ("en", "Thanks for shopping with Elisa today, see you soon"),
    ("en", "Your code is 4471. Regards"),
    ("en", "Reply STOP to opt out"),
]


@pytest.mark.parametrize(("lang", "body", "expected"), FOUND)
def test_finds_the_signoff_with_its_exact_text(lang: str, body: str, expected: str) -> None:
    found = _finder(lang).find(body, NAMES)
    assert found is not None, body
    assert found.text == expected
    assert body[found.start : found.end] == expected


@pytest.mark.parametrize(("lang", "body"), NOT_FOUND)
def test_does_not_mistake_other_text_for_a_signoff(lang: str, body: str) -> None:
    assert _finder(lang).find(body, NAMES) is None


def test_phrase_and_name_are_split() -> None:
    found = _finder("fi").find("Tervetuloa!\nYstävällisin terveisin, Elisa Oyj", NAMES)
    assert found is not None
    assert (found.phrase, found.name) == ("Ystävällisin terveisin", "Elisa Oyj")
    assert found.name_start == found.start + len("Ystävällisin terveisin, ")


def test_a_bare_name_counts_only_when_it_is_known() -> None:
    assert _finder("fi").find("Tervetuloa!\nElisa", ()) is None
    assert _finder("fi").find("Tervetuloa!\nElisa", ("elisa",)) is not None


def test_a_team_phrase_from_a_pack_is_understood() -> None:
    base = _finder("fi")
    body = "Tervetuloa! Halauksin Elisa"
    assert base.find(body, NAMES) is None
    extended = finder((*load_config().locales["fi"]["signoffs"], "Halauksin"))
    assert extended.find(body, NAMES).text == "Halauksin Elisa"


def test_normalise_ignores_case_spacing_and_punctuation_but_not_the_phrase() -> None:
    assert normalise("Terveisin,\nElisa.") == normalise("terveisin  Elisa")
    assert normalise("t. Elisa") != normalise("Terveisin Elisa")
    assert normalise("—Elisa") == normalise("- Elisa")
    assert normalise("/Elisa") != normalise("Elisa")


def test_mentions_allows_finnish_case_endings_but_not_other_words() -> None:
    assert mentions("Elisan asiakaspalvelu", "Elisa")
    assert mentions("DNA:n tiimi", "DNA")
    assert mentions("Elisa Oyj", "elisa oyj")
    assert not mentions("Elisabet", "Elisa")
    assert not mentions("Telia", "Elisa")


def test_tail_start_is_where_the_opt_out_and_links_begin() -> None:
    f = _finder("fi")
    body = "Kesätarjous 19,90 €/kk!\nLue lisää: elisa.fi/kesa\nPeru: elisa.fi/stop"
    assert body[: f.tail_start(body)] == "Kesätarjous 19,90 €/kk!"
    assert f.tail_start("Ei häntää.") == len("Ei häntää.")


# --- the kept readings of what follows a phrase -----------------------------------------------

_BITS = st.sampled_from(
    ["Tervetuloa! ", "Laskusi on maksettu.", "\n", " ", "t. ", "Terveisin ", "terveisin ",
     "Ystävällisin terveisin,\n", "Kiitos, ", "– ", "-", "/", "Elisa", "Elisan asiakaspalvelu",
     "DNA", "Telia", "Peru: elisa.fi/stop", "STOP 16400", "Lue lisää: elisa.fi/x", ".", "!",
     "ja muuta", "ä"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(_BITS, max_size=10).map("".join), st.sampled_from(["fi", "sv", "en"]))
def test_kept_readings_give_what_reading_afresh_gives(body, lang):
    kept = _finder(lang)
    data = load_config().locales[lang]
    keys = ("signoffs", "opt_out_phrases", "opt_out_link_patterns")
    afresh = SignoffFinder(*(tuple(data[k]) for k in keys))
    afresh._after_phrase_seen = afresh._after_phrase  # no kept readings
    for text in (body, "Ennen: " + body, body):  # the same tail at another offset, then again
        assert kept.find(text, NAMES) == afresh.find(text, NAMES)
