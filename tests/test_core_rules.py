"""The rules of the core issue: ENC003, ENC004, LEN001, LEN002 and SND002."""

from __future__ import annotations

from pathlib import Path

import pytest

from smskit.findings import Finding
from tests.helpers import HAS_ENGINE, check, write_campaign

HEAD = "campaign: r\nbrand: Elisa\nlocale: fi-FI\nsender: Elisa\n"
needs_engine = pytest.mark.skipif(not HAS_ENGINE, reason="smskit.encoding not merged yet")


def findings(project: Path, text: str, code: str) -> list[Finding]:
    path = write_campaign(project, "r.yml", text=text)
    result = check([path], project, select=[code])
    assert all(f.code == code for f in result.findings)
    return result.findings


def at(text: str, f: Finding) -> str:
    return text.split("\n")[f.line - 1][f.column - 1 :]


def one_body(body_yaml: str) -> str:
    return HEAD + "messages:\n  - id: m\n    body: " + body_yaml + "\n"


def fixed_body(body: str, f: Finding) -> str:
    assert f.fix is not None and f.fix.safe
    return f.fix.apply_to(body)


# -- ENC004 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "name", "replacement"),
    [
        ("\u200b", "zero-width space", ""),
        ("\u00a0", "no-break space", " "),
        ("\u202f", "narrow no-break space", " "),
        ("\u00ad", "soft hyphen", ""),
        ("\ufeff", "byte-order mark", ""),
        ("\u2060", "word joiner", ""),
        ("\u200f", "right-to-left mark", ""),
        ("\u202e", "right-to-left override", ""),
        ("\u2066", "left-to-right isolate", ""),
        ("\u3000", "ideographic space", " "),
    ],
)
def test_enc004_invisible_characters(project: Path, char: str, name: str, replacement: str) -> None:
    body = f"Tarjous{char}voimassa"
    text = one_body(body)  # the character itself, unescaped, in a plain scalar
    (f,) = findings(project, text, "ENC004")
    assert name in f.message and f"U+{ord(char):04X}" in f.message and "'m'" in f.message
    assert at(text, f).startswith(char)  # the position is the character's own
    assert (f.end_line, f.end_column) == (f.line, f.column + 1)
    assert fixed_body(body, f) == f"Tarjous{replacement}voimassa"
    assert f.severity.value == "error"


@pytest.mark.parametrize(
    ("escape", "replacement"),
    [("\\x07", ""), ("\\x7f", ""), ("\\x85", ""), ("\\t", " "), ("\\0", ""), ("\\e", "")],
)
def test_enc004_control_characters(project: Path, escape: str, replacement: str) -> None:
    text = one_body(f'"Hei{escape}kaikki"')
    (f,) = findings(project, text, "ENC004")
    assert "U+00" in f.message
    assert at(text, f).startswith(escape)  # points at the escape that wrote it
    body = {
        "\\x07": "\x07",
        "\\x7f": "\x7f",
        "\\x85": "\x85",
        "\\t": "\t",
        "\\0": "\0",
        "\\e": "\x1b",
    }
    assert fixed_body(f"Hei{body[escape]}kaikki", f) == f"Hei{replacement}kaikki"


def test_enc004_a_run_is_one_finding(project: Path) -> None:
    body = "Hei\u00a0\u00a0\u200b kaikki"
    (f,) = findings(project, one_body(body), "ENC004")
    assert "no-break space and zero-width space" in f.message
    assert fixed_body(body, f) == "Hei  kaikki"  # a run of spaces becomes one space, + the space


@pytest.mark.parametrize(
    "body",
    [
        "|\n      Hei\n      kaikki\n",  # line breaks
        '"Hei\\r\\nkaikki"',  # carriage return and line feed
        "Perhe 👨\u200d👩\u200d👧 ja ä ö å",  # zero-width joiner inside an emoji sequence
        "Hei kaikki, 50 % alennus",
    ],
)
def test_enc004_leaves_ordinary_text_alone(project: Path, body: str) -> None:
    assert findings(project, one_body(body), "ENC004") == []


def test_enc004_reports_each_message_and_can_be_suppressed(project: Path) -> None:
    text = HEAD + (
        "messages:\n"
        "  - id: a\n    body: 'Hei\u200b'\n"
        "  - id: b\n    body: 'Moi\u200b'\n    suppress: {ENC004: the partner wants it}\n"
        "  - id: c\n    body: 'Terve\u00ad'\n"
    )
    got = findings(project, text, "ENC004")
    assert [(f.message_id, f.line) for f in got] == [("a", 7), ("c", 12)]


# -- SND002 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "words"),
    [
        ("'Elisa Oyj Asiakaspalvelu'", ["24 characters", "limit is 11"]),
        ("Elisa-Oyj", ["'-'", "A–Z, a–z, 0–9 and space"]),
        ("ElisaÄÖ", ["'Ä', 'Ö'"]),
        ("'12'", ["no letter"]),
        ("0401234567", ["not in E.164", "+<country code>"]),
        ("123456789", ["not in E.164"]),
        ("' Elisa'", ["starts or ends with a space"]),
        ("'Elisa '", ["starts or ends with a space"]),
        ("'El  isa'", ["two spaces in a row"]),
        ("'+358 40 123 4567'", ["6–15 digits", "no spaces"]),
        ("+35840", ["6–15 digits"]),
        ("+1234567890123456", ["6–15 digits"]),
        ("+999123456789", ["not a phone number"]),
        ("+3581", ["6–15 digits"]),
    ],
)
def test_snd002_invalid_senders(project: Path, sender: str, words: list[str]) -> None:
    text = HEAD.replace("sender: Elisa", f"sender: {sender}") + "messages: [{id: a, body: Hei}]\n"
    got = findings(project, text, "SND002")
    assert got, sender
    message = " | ".join(f.message for f in got)
    for w in words:
        assert w in message
    assert all((f.line, f.column) == (4, 9) for f in got)  # the sender's value


@pytest.mark.parametrize(
    "sender",
    ["Elisa", "'Elisa Oyj'", "Elisa2024", "E", "+358401234567", "+447911123456", "12345", "123"],
)
def test_snd002_valid_senders(project: Path, sender: str) -> None:
    text = HEAD.replace("sender: Elisa", f"sender: {sender}") + "messages: [{id: a, body: Hei}]\n"
    assert findings(project, text, "SND002") == []


def test_snd002_lists_every_problem(project: Path) -> None:
    text = HEAD.replace("sender: Elisa", "sender: ' Elisa-Oyj  Asiakas'") + (
        "messages: [{id: a, body: Hei}]\n"
    )
    got = [f.message for f in findings(project, text, "SND002")]
    assert len(got) == 4  # too long, '-', leading space, two spaces


# -- LEN002 ---------------------------------------------------------------------------------


def test_len002_body_over_twilio_limit(project: Path) -> None:
    text = (
        HEAD
        + f"messages:\n  - id: ok\n    body: {'a' * 1600}\n  - id: long\n    body: {'b' * 1601}\n"
    )
    (f,) = findings(project, text, "LEN002")
    assert f.message_id == "long" and "1601 characters" in f.message and "1600" in f.message
    assert (f.line, f.column) == (9, 11) and f.severity.value == "error"


# -- ENC003 and LEN001 (they need the encoding engine) ------------------------------------


@needs_engine
def test_enc003_names_the_character_and_offers_the_gsm_replacement(project: Path) -> None:
    body = "Tervetuloa – lue lisää: elisa.fi"
    text = one_body(f"'{body}'")
    (f,) = findings(project, text, "ENC003")
    assert "U+2013" in f.message and "UCS-2" in f.message and "GSM-7" in f.message
    assert at(text, f).startswith("–")
    assert fixed_body(body, f) == "Tervetuloa - lue lisää: elisa.fi"
    assert f.severity.value == "warning"


@needs_engine
@pytest.mark.parametrize("body", ["Hei ä ö å Ä Ö Å é ü {name} €", "Hinta 10 € [alv] ~ ^ | \\\\"])
def test_enc003_leaves_gsm7_alone(project: Path, body: str) -> None:
    assert findings(project, one_body(f'"{body}"'), "ENC003") == []


def test_enc004_offers_no_fix_that_would_empty_the_message(project: Path) -> None:
    # Found by the fix property (tests/test_fix_keeps_gsm7.py): a body of only a soft hyphen
    # became "" under --fix, and the file no longer loaded.
    (f,) = findings(project, one_body('"\\u00ad"'), "ENC004")
    assert f.fix is None
    (g,) = findings(project, one_body('"a\\u00ad"'), "ENC004")
    assert g.fix is not None


@needs_engine
def test_enc003_with_smart_encoding_reports_only_what_twilio_cannot_replace(project: Path) -> None:
    smart = HEAD + "smart_encoding: true\nmessages:\n"
    quotes = smart + "  - id: q\n    body: 'Hei “kaikki” – tervetuloa'\n"
    assert findings(project, quotes, "ENC003") == []
    emoji = smart + "  - id: e\n    body: 'Hei 😀'\n"
    (f,) = findings(project, emoji, "ENC003")
    assert f.fix is None and "no GSM-7 equivalent" in f.message


@needs_engine
def test_len001_segment_budget(project: Path) -> None:
    text = HEAD + (
        "messages:\n"
        f"  - id: two\n    body: {'a' * 306}\n"  # 2 segments of 153
        f"  - id: three\n    body: {'a' * 307}\n"  # 3 segments
        f"  - id: ucs2\n    body: {'ä' * 100}{'–' * 35}\n"  # 135 units of UCS-2: 3 segments
    )
    got = findings(project, text, "LEN001")
    assert [f.message_id for f in got] == ["three", "ucs2"]
    assert "3 segments of GSM-7" in got[0].message and "3 segments of UCS-2" in got[1].message
    (project / "smskit.yml").write_text("packs: [default, ./budget.yml]\n")
    (project / "budget.yml").write_text("rules:\n  LEN001: {budget: 3}\n")
    assert findings(project, text, "LEN001") == []


@needs_engine
@pytest.mark.parametrize(
    ("budget", "body", "over"),
    [
        (1, "a" * 200, 40),  # one segment holds 160 septets, not 153
        (1, "ä" * 60 + "–" * 20, 10),  # one UCS-2 segment holds 70 units, not 67
        (2, "a" * 400, 94),  # two segments of 153
        (2, "ä" * 100 + "–" * 40, 6),  # two segments of 67
    ],
    ids=["gsm7-one", "ucs2-one", "gsm7-two", "ucs2-two"],
)
def test_len001_says_how_much_to_shorten_for_the_budget(
    project: Path, budget: int, body: str, over: int
) -> None:
    (project / "smskit.yml").write_text("packs: [default, ./budget.yml]\n")
    (project / "budget.yml").write_text(f"rules:\n  LEN001: {{budget: {budget}}}\n")
    (f,) = findings(project, one_body(body), "LEN001")
    assert f"shorten it by about {over} characters" in f.message
