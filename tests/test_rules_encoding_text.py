"""ENC001 diacritics-lost and ENC002 mojibake through the real loader, packs and fixer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smskit.autofix import run_fixes
from smskit.config import load_config
from smskit.lint import check_files
from smskit.rules import all_rules
from smskit.text.diacritics import voikko_available, voikko_unavailable_reason

needs_voikko = pytest.mark.skipif(
    not voikko_available(),
    reason=f"Voikko is not usable here ({voikko_unavailable_reason()}); `make voikko` installs it",
)


def _campaign(
    folder: Path,
    name: str,
    bodies: list[str],
    *,
    locale: str = "fi-FI",
    brand: str = "Elisa",
    sender: str = "Elisa",
) -> Path:
    lines = [
        f"# {name}: a comment the fixer must keep",
        f"campaign: {name}",
        f"brand: {brand}",
        f"locale: {locale}",
        f"sender: {sender}",
        "messages:",
    ]
    for i, body in enumerate(bodies, 1):
        lines += [f"  - id: m{i}", f'    body: "{body}"  # message {i}']
    path = folder / f"{name}.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _config(folder: Path, extra_pack: str | None = None):
    packs = ["default", "fi", "sv", "en"]
    if extra_pack is not None:
        (folder / "team.yml").write_text(extra_pack, encoding="utf-8")
        packs.append("./team.yml")
    (folder / "smskit.yml").write_text(
        f"packs: [{', '.join(packs)}]\nselect: [ENC001, ENC002]\n", encoding="utf-8"
    )
    return load_config(folder / "smskit.yml")


def _check(folder: Path, files: list[Path], extra_pack: str | None = None):
    config = _config(folder, extra_pack)
    return check_files(files, config), config


@needs_voikko
def test_enc001_reports_lost_dots_with_position_and_unsafe_fix(tmp_path):
    path = _campaign(tmp_path, "notice", ["Datavartija on kaytossa 1.6. alkaen. Terveisin Elisa"])
    result, _ = _check(tmp_path, [path])
    [f] = result.findings
    assert (f.code, f.name, f.severity.value) == ("ENC001", "diacritics-lost", "error")
    assert f.message == "'kaytossa' has lost its ä/ö: write 'käytössä'"
    line = path.read_text(encoding="utf-8").splitlines()[f.line - 1]
    assert line[f.column - 1 :].startswith("kaytossa")
    assert f.fix is not None and not f.fix.safe
    assert f.fix.apply_to(result.campaigns[0].messages[0].body).startswith(
        "Datavartija on käytössä 1.6."
    )
    assert f.extra["voikko"] is True


@needs_voikko
def test_enc001_fix_only_with_unsafe_fixes(tmp_path):
    path = _campaign(tmp_path, "notice", ["Muutos tulee voimaan vuorokauden jalkeen."])
    before = path.read_text(encoding="utf-8")
    result, config = _check(tmp_path, [path])
    assert [f.code for f in result.findings] == ["ENC001"]
    run_fixes(result, [path], config, unsafe=False, write=True)
    assert path.read_text(encoding="utf-8") == before
    result, _, _ = run_fixes(result, [path], config, unsafe=True, write=True)
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("jalkeen", "jälkeen")
    assert result.findings == []


@needs_voikko
def test_enc001_question_marks_through_the_cli(tmp_path):
    path = _campaign(tmp_path, "login", ["K?ytt?j?tunnuksesi on valmis."])
    _config(tmp_path)
    cmd = [sys.executable, "-m", "smskit", "check", "--no-color", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "'K?ytt?j?tunnuksesi' has '?' in place of ä: write 'Käyttäjätunnuksesi'" in out.stdout
    out = subprocess.run([*cmd, "--unsafe-fixes"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'body: "Käyttäjätunnuksesi on valmis."  # message 1' in path.read_text(encoding="utf-8")


def test_enc001_leaves_brand_sender_loanwords_urls_and_english_alone(tmp_path):
    fi = _campaign(
        tmp_path,
        "brands",
        [
            "Tilaa Kaytossa Oy:n Netflix ja iPhone nyt. Katso kaytossa.fi/jalkeen tai {kaytossa}.",
            "Black Friday sale ja area-tarjous: data, roaming ja online nyt",
            "Tyossa-palvelu toimii.",  # the brand, even at sentence start
        ],
        brand="Tyossa",
        sender="TYOSSA",
    )
    en = _campaign(tmp_path, "english", ["Palvelu on kaytossa jalkeen"], locale="en-GB")
    result, _ = _check(tmp_path, [fi, en])
    assert result.findings == []


@needs_voikko
def test_enc001_allow_option_from_a_team_pack(tmp_path):
    path = _campaign(tmp_path, "product", ["Uusi kesanetti on nyt myynnissa."])
    result, _ = _check(tmp_path, [path])
    words = sorted(f.extra["word"] for f in result.findings)
    assert words == ["kesanetti", "myynnissa"]
    pack = "rules:\n  ENC001: {allow: [kesanetti]}\n"
    result, _ = _check(tmp_path, [path], extra_pack=pack)
    assert [f.extra["word"] for f in result.findings] == ["myynnissa"]


def test_enc001_without_voikko_says_so_and_uses_other_campaigns(tmp_path, monkeypatch):
    monkeypatch.setenv("SMSKIT_NO_VOIKKO", "1")
    a = _campaign(tmp_path, "a", ["Ostit vähän lisää dataa."])
    b = _campaign(tmp_path, "b", ["Jäljellä on vahan dataa.", "Soitamme myohemmin!"])
    result, _ = _check(tmp_path, [a, b])
    got = {
        (f.campaign, f.extra["word"], f.extra["restored"], f.extra["method"])
        for f in result.findings
    }
    assert got == {("b", "vahan", "vähän", "known"), ("b", "myohemmin", "myöhemmin", "harmony")}
    for f in result.findings:
        assert "checked without Voikko (SMSKIT_NO_VOIKKO is set)" in f.message
        assert f.extra["voikko"] is False
        assert not f.fix.safe
    # Checked alone, campaign b has no "vähän" to learn from: only the harmony finding stays.
    result, _ = _check(tmp_path, [b])
    assert [f.extra["word"] for f in result.findings] == ["myohemmin"]


def test_enc001_swedish_uses_the_sv_word_list(tmp_path):
    path = _campaign(
        tmp_path,
        "sv",
        ["Valkommen! Din faktura for nasta manad har skickats."],
        locale="sv-FI",
    )
    result, _ = _check(tmp_path, [path])
    got = [(f.extra["word"], f.extra["restored"]) for f in result.findings]
    # "for" and "har" are Swedish words too (för/for, här/har): never reported.
    assert got == [("Valkommen", "Välkommen"), ("nasta", "nästa"), ("manad", "månad")]
    assert all("it has no Swedish" in f.message for f in result.findings)


def test_enc002_reports_and_safely_repairs_mojibake(tmp_path):
    path = _campaign(
        tmp_path,
        "garbled",
        ["Kiitos ettÃ¤ kÃ¤ytÃ¤t palveluamme! Hinta 9,90 â‚¬/kk.", "Tämä viesti on kunnossa."],
    )
    before = path.read_text(encoding="utf-8")
    result, config = _check(tmp_path, [path])
    assert [(f.code, f.message_id) for f in result.findings] == [("ENC002", "m1")] * 3
    first = result.findings[0]
    assert first.message.startswith("'ettÃ¤' is garbled (UTF-8 text read as ")
    assert first.message.endswith("): write 'että'")
    assert all(f.fix.safe for f in result.findings)
    result, _, _ = run_fixes(result, [path], config, unsafe=False, write=True)
    assert result.findings == []
    after = path.read_text(encoding="utf-8")
    assert after == before.replace(
        "Kiitos ettÃ¤ kÃ¤ytÃ¤t palveluamme! Hinta 9,90 â‚¬/kk.",
        "Kiitos että käytät palveluamme! Hinta 9,90 €/kk.",
    )


def test_enc002_is_quiet_on_correct_text_and_enc001_ignores_mojibake(tmp_path):
    path = _campaign(
        tmp_path,
        "clean",
        ["Kesä–heinäkuun “tarjous” 9,90 €/kk – São Paulo, pâté ja Ångström 😀"],
    )
    result, _ = _check(tmp_path, [path])
    assert result.findings == []
    garbled = _campaign(tmp_path, "garbled", ["kÃ¤yttÃ¤jÃ¤tunnus"])
    result, _ = _check(tmp_path, [garbled])
    assert [f.code for f in result.findings] == ["ENC002"]


@pytest.mark.parametrize("code", ["ENC001", "ENC002"])
def test_rule_docs_follow_the_house_format(code):
    rule = all_rules()[code]
    first = rule.doc.splitlines()[0]
    assert first.startswith(f"{code} {rule.name}: ")
    assert "Bad::" in rule.doc and "Good::" in rule.doc and "Options:" in rule.doc


@pytest.mark.parametrize("no_voikko", ["", "1"])
def test_enc001_is_quiet_on_correct_swedish_and_finnish(tmp_path, monkeypatch, no_voikko):
    monkeypatch.setenv("SMSKIT_NO_VOIKKO", no_voikko)
    sv = _campaign(
        tmp_path,
        "sv",
        [
            "Tack för att du är kund hos oss. Vi har öppet alla vardagar.",
            "Din faktura förfaller den 15 juni. Betala enkelt i appen.",
            "Välkommen! Ditt abonnemang förnyas automatiskt varje månad.",
            "Har du frågor? Kontakta kundtjänst på 010 190 240.",
            "Andra kunder har redan valt vårt nya paket. Läs mer på elisa.fi/sv",
        ],
        locale="sv-FI",
    )
    fi = _campaign(
        tmp_path,
        "fi",
        [
            "Tervetuloa! Liittymäsi on nyt käytössä. Ditt abonnemang är nu aktivt.",
            "Saat 3 kk Spotify Premium -palvelun kaupan päälle. Tarjous voimassa 30.6. asti.",
            "Hyvää syyslomaa! Yhteystietosi löydät OmaElisasta. Terveisin Elisa",
        ],
    )
    result, _ = _check(tmp_path, [sv, fi])
    assert result.findings == []
