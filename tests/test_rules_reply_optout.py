"""SND001 reply-to-one-way-sender and OPT001 opt-out-missing through the real runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from smskit.config import ConfigError
from tests.rule_helpers import apply_fixes, bodies, campaign_yaml, check, only, write

RULES = ["SND001", "OPT001"]


def _codes(tmp_path: Path, body: str, **kw) -> list[str]:
    path = write(tmp_path, "c.yml", campaign_yaml("c", [body], **kw))
    return [f.code for f in check(tmp_path, [path], RULES).findings]


# -- SND001 ---------------------------------------------------------------------------------


def test_snd001_reply_request_from_a_name_sender(tmp_path: Path) -> None:
    body = "Haluatko laskun paperisena? Vastaa tähän viestiin KYLLÄ. Terveisin Elisa"
    path = write(tmp_path, "c.yml", campaign_yaml("c", {"paper": body}))
    [f] = check(tmp_path, [path], RULES).findings
    assert (f.code, f.severity.value, f.line) == ("SND001", "error", 8)
    assert f.message == (
        "message 'paper' asks the recipient to reply ('Vastaa tähän viestiin') but the sender "
        "'Elisa' is a name, which cannot receive replies: send from a number or short code, "
        "or give a link or phone number instead"
    )
    line = path.read_text().splitlines()[7]
    assert line[f.column - 1 : f.end_column - 1] == "Vastaa tähän viestiin"


@pytest.mark.parametrize("sender", ["+358401234567", "16400"])
def test_snd001_numbers_and_short_codes_can_receive_replies(tmp_path: Path, sender: str) -> None:
    assert _codes(tmp_path, "Vastaa KYLLÄ, niin lähetämme laskun paperisena.", sender=sender) == []


@pytest.mark.parametrize(
    ("locale", "body", "fires"),
    [
        ("fi-FI", "Lähetä viesti KYLLÄ, niin tilaamme sen.", True),
        ("fi-FI", "Tekstaa SALDO saadaksesi saldon.", True),
        ("fi-FI", "Älä vastaa tähän viestiin.", False),
        ("fi-FI", "Tähän viestiin ei voi vastata.", False),
        ("fi-FI", "Vastaanottaja: Matti. Paketti on noudettavissa.", False),  # word inside a word
        ("fi-FI", "Uusi hinta vastaa noin 2 € kuussa.", False),
        ("sv-FI", "Svara JA för att beställa.", True),
        ("sv-FI", "Svara inte på detta sms.", False),
        ("sv-FI", "Vi skickar fakturan i morgon.", False),  # skickar is not skicka
        ("en-GB", "Reply YES to confirm your booking.", True),
        ("en-GB", "Please text back to confirm.", True),
        ("en-GB", "Please do not reply to this message.", False),
        ("en-GB", "Thanks for replying to our survey.", False),
    ],
)
def test_snd001_phrases_are_whole_words_per_locale(
    tmp_path: Path, locale: str, body: str, fires: bool
) -> None:
    assert ("SND001" in _codes(tmp_path, body, locale=locale)) is fires


def test_snd001_a_team_adds_its_own_reply_phrase_in_a_pack(tmp_path: Path) -> None:
    body = "Laita viesti KYLLÄ, niin tilaamme sen."
    assert _codes(tmp_path, body) == []
    write(tmp_path, "team.yml", "locales:\n  fi:\n    reply_phrases: [laita viesti]\n")
    write(tmp_path, "smskit.yml", "packs: [default, fi, sv, en, ./team.yml]\n")
    assert _codes(tmp_path, body) == ["SND001"]
    # The built-in phrases are still there: the team's list extended them.
    assert _codes(tmp_path, "Vastaa tähän viestiin.") == ["SND001"]


# -- OPT001 ---------------------------------------------------------------------------------

OFFER = "Kesätarjous: 5G-liittymä 19,90 €/kk! Terveisin Elisa"


def test_opt001_marketing_without_opt_out(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yml", campaign_yaml("c", {"offer": OFFER}, purpose="marketing"))
    [f] = check(tmp_path, [path], RULES).findings
    assert (f.code, f.severity.value, f.line, f.fix) == ("OPT001", "error", 9, None)
    assert f.message == (
        "marketing message 'offer' has no free way to refuse further marketing, which the law "
        "requires in every marketing message; it needs an opt-out with a link or a number to "
        "text, e.g. 'Peru: esimerkki.fi/stop' with your own link"
    )


def test_opt001_transactional_messages_need_none(tmp_path: Path) -> None:
    assert _codes(tmp_path, OFFER) == []
    assert _codes(tmp_path, OFFER, purpose="transactional") == []


@pytest.mark.parametrize(
    ("locale", "tail"),
    [
        ("fi-FI", "Peru: elisa.fi/stop"),
        ("fi-FI", "Peru markkinointi: https://elisa.fi/peru"),
        ("fi-FI", "Kiellä markkinointi: tekstaa STOP numeroon 16400"),
        ("fi-FI", "Markkinointikielto Omassa Elisassa."),
        ("fi-FI", "elisa.fi/optout"),  # a link pattern alone
        ("sv-FI", "Avregistrera: elisa.fi/stopp"),
        ("en-GB", "Unsubscribe: https://elisa.com/unsubscribe"),
        ("en-GB", "Text STOP to 80088 to opt out."),
    ],
)
def test_opt001_accepts_links_numbers_and_pack_phrases(
    tmp_path: Path, locale: str, tail: str
) -> None:
    assert _codes(tmp_path, f"{OFFER}\n{tail}", purpose="marketing", locale=locale) == []


@pytest.mark.parametrize(
    ("locale", "tail", "phrase"),
    [
        ("fi-FI", "Kiellä markkinointi vastaamalla STOP.", "Kiellä markkinointi vastaamalla STOP."),
        ("en-GB", "Reply STOP to opt out.", "Reply STOP to opt out."),
        ("sv-FI", "Svara STOPP för att avregistrera dig.", "Svara STOPP för att avregistrera dig."),
    ],
)
def test_opt001_reply_stop_does_not_count_with_a_name_sender(
    tmp_path: Path, locale: str, tail: str, phrase: str
) -> None:
    path = write(
        tmp_path,
        "c.yml",
        campaign_yaml("c", {"offer": f"{OFFER}\n{tail}"}, purpose="marketing", locale=locale),
    )
    result = check(tmp_path, [path], RULES)
    assert sorted(f.code for f in result.findings) == ["OPT001", "SND001"]
    [f] = only(result, "OPT001")
    assert f.message.startswith(
        f"marketing message 'offer' offers only a reply to opt out ('{phrase}'), but the sender "
        "'Elisa' is a name and cannot receive replies: give a link or a number to text instead"
    )
    # From a number, the same reply works: no findings at all.
    assert (
        _codes(
            tmp_path, f"{OFFER}\n{tail}", purpose="marketing", locale=locale, sender="+358401234567"
        )
        == []
    )


def test_opt001_brand_pack_opt_out_is_suggested_and_added_by_the_unsafe_fix(
    tmp_path: Path,
) -> None:
    write(tmp_path, "brand.yml", 'brands:\n  Elisa:\n    opt_out: "Peru: elisa.fi/stop"\n')
    write(tmp_path, "smskit.yml", "packs: [default, fi, sv, en, ./brand.yml]\n")
    path = write(tmp_path, "c.yml", campaign_yaml("c", {"offer": OFFER}, purpose="marketing"))
    result = check(tmp_path, [path], RULES)
    [f] = result.findings
    assert f.message.endswith(
        "it needs an opt-out with a link or a number to text: add 'Peru: elisa.fi/stop' "
        "(Elisa's opt-out in the rule packs)"
    )
    assert f.fix is not None and not f.fix.safe
    fixed = apply_fixes(result, [f])[path]
    assert bodies(path, fixed) == [f"{OFFER}\nPeru: elisa.fi/stop"]
    path.write_text(fixed, encoding="utf-8")
    assert check(tmp_path, [path], RULES).findings == []


def test_opt001_every_message_needs_its_own_opt_out(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.yml",
        campaign_yaml(
            "c",
            {"offer": f"{OFFER}\nPeru: elisa.fi/stop", "reminder": "Tarjous päättyy! t. Elisa"},
            purpose="marketing",
        ),
    )
    result = check(tmp_path, [path], RULES)
    [f] = result.findings
    assert (f.code, f.message_id) == ("OPT001", "reminder")
    # What to add is the opt-out the campaign already uses.
    assert f.message.endswith("add 'Peru: elisa.fi/stop' as message 'offer' does")
    fixed = apply_fixes(result, [f])[path]
    assert bodies(path, fixed)[1] == "Tarjous päättyy! t. Elisa\nPeru: elisa.fi/stop"


def test_opt001_a_team_adds_link_patterns_and_a_bad_regex_is_a_config_error(
    tmp_path: Path,
) -> None:
    body = f"{OFFER}\nÄlä lähetä enää: elisa.fi/x/ei-kiitos"
    assert _codes(tmp_path, body, purpose="marketing") == ["OPT001"]
    write(tmp_path, "team.yml", "locales:\n  fi:\n    opt_out_link_patterns: ['/ei-kiitos\\b']\n")
    write(tmp_path, "smskit.yml", "packs: [default, fi, sv, en, ./team.yml]\n")
    assert _codes(tmp_path, body, purpose="marketing") == []
    write(tmp_path, "team.yml", "locales:\n  fi:\n    opt_out_link_patterns: ['(stop']\n")
    with pytest.raises(ConfigError, match=r"team\.yml: 'opt_out_link_patterns' of locale 'fi'"):
        _codes(tmp_path, body, purpose="marketing")
