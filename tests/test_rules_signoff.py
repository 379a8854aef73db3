"""SIG001-SIG003 through the real loader, packs, runner and fixer."""

from __future__ import annotations

from pathlib import Path

import pytest

from smskit.config import ConfigError
from tests.rule_helpers import apply_fixes, bodies, campaign_yaml, check, only, write

SIG = ["SIG"]


def _pack(folder: Path, text: str) -> None:
    write(folder, "brand.yml", text)
    write(folder, "smskit.yml", "packs: [default, fi, sv, en, ./brand.yml]\n")


# -- SIG001 ---------------------------------------------------------------------------------


def test_sig001_reports_the_minority_signoff_of_a_campaign_and_fixes_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "datavartija.yml",
        campaign_yaml(
            "datavartija",
            {
                "notice": "Datavartija otetaan käyttöön 1.6.2017. Terveisin Elisa",
                "details": "Voit muuttaa rajaa OmaElisassa. Terveisin Elisa",
                "reminder": "Datavartija alkaa pian. t. Elisa",
            },
        ),
    )
    result = check(tmp_path, [path], SIG)
    [f] = result.findings
    assert f.code == "SIG001" and f.severity.value == "error"
    assert f.message == (
        "message 'reminder' signs off 't. Elisa' but the other 2 messages of this campaign "
        "sign off 'Terveisin Elisa': use 'Terveisin Elisa'"
    )
    # The reminder's body is on line 12 (comment, 5 keys, then id/body pairs).
    line = path.read_text().splitlines()[f.line - 1]
    assert f.line == 12
    assert line[f.column - 1 : f.end_column - 1] == "t. Elisa"
    assert f.message_id == "reminder" and f.fix is not None and f.fix.safe

    fixed = apply_fixes(result, [f])[path]
    assert fixed.startswith("# datavartija: a comment that fixes must keep\n")
    assert bodies(path, fixed)[2] == "Datavartija alkaa pian. Terveisin Elisa"
    path.write_text(fixed, encoding="utf-8")
    assert check(tmp_path, [path], SIG).findings == []


def test_sig001_compares_campaigns_of_one_brand_across_files(tmp_path: Path) -> None:
    a = write(
        tmp_path,
        "campaigns/kevat.yml",
        campaign_yaml(
            "kevat", ["Kevättarjous alkaa! Terveisin Elisa", "Muista tarjous! Terveisin Elisa"]
        ),
    )
    b = write(
        tmp_path,
        "campaigns/lasku.yml",
        campaign_yaml("lasku", {"bill": "Uusi laskusi on valmis.\nt. Elisa"}),
    )
    result = check(tmp_path, [a, b], SIG)
    [f] = result.findings
    assert f.file.endswith("lasku.yml") and f.line == 8
    line = b.read_text().splitlines()[7]
    assert line[f.column - 1 : f.end_column - 1] == "t. Elisa"  # after the escaped "\\n"
    assert f.message == (
        "message 'bill' signs off 't. Elisa' but Elisa's other campaign checked together "
        "(kevat) signs off 'Terveisin Elisa' in 2 messages: use 'Terveisin Elisa'"
    )
    fixed = apply_fixes(result, [f])[b]
    assert bodies(b, fixed) == ["Uusi laskusi on valmis.\nTerveisin Elisa"]
    # Alone, the bill campaign is consistent with itself.
    assert check(tmp_path, [b], SIG).findings == []


def test_sig001_ignores_case_spacing_and_punctuation(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.yml",
        campaign_yaml(
            "c", ["Hei! Terveisin Elisa", "Moi!\nterveisin,\nElisa.", "Hei! TERVEISIN  ELISA"]
        ),
    )
    assert only(check(tmp_path, [path], SIG), "SIG001") == []


def test_sig001_tie_goes_to_the_form_used_first(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yml", campaign_yaml("c", {"a": "Hei! -Elisa", "b": "Moi! t. Elisa"}))
    [f] = only(check(tmp_path, [path], SIG), "SIG001")
    assert f.message_id == "b"
    assert "the other message of this campaign signs off '-Elisa'" in f.message


def test_sig001_other_brands_are_not_compared(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yml", campaign_yaml("a", ["Hei! Terveisin Elisa"]))
    b = write(tmp_path, "b.yml", campaign_yaml("b", ["Hei! t. DNA"], brand="DNA", sender="DNA"))
    assert only(check(tmp_path, [a, b], SIG), "SIG001") == []


def test_sig001_the_brand_packs_signoff_wins_over_the_majority(tmp_path: Path) -> None:
    _pack(tmp_path, 'brands:\n  Elisa:\n    signoff: "t. Elisa"\n')
    path = write(
        tmp_path,
        "c.yml",
        campaign_yaml("c", {"a": "Hei! Terveisin Elisa", "b": "Moi! Terveisin Elisa"}),
    )
    result = check(tmp_path, [path], SIG)
    found = only(result, "SIG001")
    assert [f.message_id for f in found] == ["a", "b"]
    assert found[0].message == (
        "message 'a' signs off 'Terveisin Elisa' but the rule packs set Elisa's sign-off to "
        "'t. Elisa': use 't. Elisa'"
    )
    fixed = apply_fixes(result, found)[path]
    assert bodies(path, fixed) == ["Hei! t. Elisa", "Moi! t. Elisa"]


def test_sig001_an_alias_groups_with_its_brand(tmp_path: Path) -> None:
    _pack(tmp_path, 'brands:\n  Elisa:\n    aliases: ["Elisa Oyj"]\n')
    a = write(
        tmp_path, "a.yml", campaign_yaml("a", ["Hei! Terveisin Elisa", "Moi! Terveisin Elisa"])
    )
    b = write(tmp_path, "b.yml", campaign_yaml("b", ["Hei! t. Elisa Oyj"], brand="Elisa Oyj"))
    [f] = only(check(tmp_path, [a, b], SIG), "SIG001")
    assert f.file.endswith("b.yml") and "use 'Terveisin Elisa'" in f.message


def test_sig001_fix_keeps_a_literal_block_and_its_opt_out_tail(tmp_path: Path) -> None:
    text = """\
# Summer offer: the comment and the block layout must survive the fix.
campaign: kesa
brand: Elisa
locale: fi-FI
sender: Elisa
purpose: marketing
messages:
  - id: offer
    body: |-
      Kesän datatarjous 19,90 €/kk.
      Terveisin Elisa
      Peru: elisa.fi/stop
  - id: reminder
    body: |-
      Tarjous päättyy huomenna.
      t. Elisa
      Peru: elisa.fi/stop
  - id: last
    body: "Viimeinen päivä! Terveisin Elisa. Peru: elisa.fi/stop"
"""
    path = write(tmp_path, "kesa.yml", text)
    result = check(tmp_path, [path], SIG)
    [f] = result.findings
    assert (f.code, f.line, f.column) == ("SIG001", 16, 7)
    fixed = apply_fixes(result, [f])[path]
    assert fixed == text.replace("      t. Elisa\n", "      Terveisin Elisa\n")


# -- SIG002 ---------------------------------------------------------------------------------


def test_sig002_each_message_needs_a_signoff_by_default(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.yml",
        campaign_yaml(
            "c", {"a": "Lasku on valmis. Terveisin Elisa", "b": "Lasku on maksettu. Kiitos!"}
        ),
    )
    result = check(tmp_path, [path], SIG)
    [f] = result.findings
    assert (f.code, f.severity.value, f.message_id, f.line) == ("SIG002", "warning", "b", 10)
    assert f.message == (
        "message 'b' has no sign-off, so the reader sees only the sender ID: "
        "end it with 'Terveisin Elisa'"
    )
    assert f.fix is not None and not f.fix.safe
    fixed = apply_fixes(result, [f])[path]
    assert bodies(path, fixed)[1] == "Lasku on maksettu. Kiitos! Terveisin Elisa"


def test_sig002_adds_the_signoff_before_the_opt_out_tail(tmp_path: Path) -> None:
    body = "Kesätarjous 19,90 €/kk!\nLue lisää: elisa.fi/kesa\nPeru: elisa.fi/stop"
    path = write(tmp_path, "c.yml", campaign_yaml("c", [body], purpose="marketing"))
    result = check(tmp_path, [path], SIG)
    [f] = result.findings
    assert f.message.endswith("end it with 'Terveisin Elisa'")  # the locale's first phrase
    fixed = apply_fixes(result, [f])[path]
    assert bodies(path, fixed) == [
        "Kesätarjous 19,90 €/kk!\nTerveisin Elisa\nLue lisää: elisa.fi/kesa\nPeru: elisa.fi/stop"
    ]


@pytest.mark.parametrize(
    ("require", "expected"), [("each", ["a", "b"]), ("last", ["b"]), ("none", [])]
)
def test_sig002_require_option(tmp_path: Path, require: str, expected: list[str]) -> None:
    _pack(tmp_path, f"rules:\n  SIG002: {{require: {require}}}\n")
    path = write(tmp_path, "c.yml", campaign_yaml("c", {"a": "Hei!", "b": "Moi!"}))
    result = check(tmp_path, [path], SIG)
    found = only(result, "SIG002")
    assert [f.message_id for f in found] == expected
    if found:
        fixed = apply_fixes(result, found[-1:])[path]
        assert bodies(path, fixed)[1] == "Moi! Terveisin Elisa"


def test_sig002_fix_closes_an_open_sentence(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yml", campaign_yaml("c", ["Tervetuloa asiakkaaksi"]))
    result = check(tmp_path, [path], SIG)
    fixed = apply_fixes(result, result.findings)[path]
    assert bodies(path, fixed) == ["Tervetuloa asiakkaaksi. Terveisin Elisa"]


def test_sig002_a_team_signoff_phrase_from_its_own_pack(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yml", campaign_yaml("c", ["Tervetuloa! Halauksin Elisa"]))
    assert [f.code for f in check(tmp_path, [path], SIG).findings] == ["SIG002"]
    _pack(tmp_path, "locales:\n  fi:\n    signoffs: [Halauksin]\n")
    assert check(tmp_path, [path], SIG).findings == []


def test_sig002_a_locale_without_pack_data_uses_every_locales_phrases(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yml", campaign_yaml("c", ["Willkommen!\n— Elisa"], locale="de-DE"))
    assert check(tmp_path, [path], SIG).findings == []


def test_a_phrase_list_that_is_not_a_list_is_a_config_error(tmp_path: Path) -> None:
    _pack(tmp_path, "locales:\n  fi:\n    signoffs: Terveisin\n")
    path = write(tmp_path, "c.yml", campaign_yaml("c", ["Hei! Terveisin Elisa"]))
    with pytest.raises(ConfigError, match=r"brand\.yml: 'signoffs' of locale 'fi' must be a list"):
        check(tmp_path, [path], SIG)


def test_sig002_rejects_an_unknown_require_value(tmp_path: Path) -> None:
    _pack(tmp_path, "rules:\n  SIG002: {require: first}\n")
    path = write(tmp_path, "c.yml", campaign_yaml("c", ["Hei!"]))
    with pytest.raises(ConfigError, match="require' must be one of: each, last, none"):
        check(tmp_path, [path], SIG)


# -- SIG003 ---------------------------------------------------------------------------------


def test_sig003_signoff_names_another_brand_of_the_run(tmp_path: Path) -> None:
    elisa = write(
        tmp_path, "elisa.yml", campaign_yaml("elisa", {"bill": "Lasku on valmis. Terveisin DNA"})
    )
    dna = write(
        tmp_path,
        "dna.yml",
        campaign_yaml("dna", ["Lasku on valmis. Terveisin DNA"], brand="DNA", sender="DNA"),
    )
    result = check(tmp_path, [elisa, dna], SIG)
    [f] = result.findings
    assert (f.code, f.file.endswith("elisa.yml"), f.line) == ("SIG003", True, 8)
    assert f.message == (
        "message 'bill' signs off 'Terveisin DNA', which names DNA, but the campaign's brand "
        "is Elisa: sign off as Elisa, e.g. 'Terveisin Elisa'"
    )
    assert f.fix is not None and not f.fix.safe
    fixed = apply_fixes(result, [f])[elisa]
    assert bodies(elisa, fixed) == ["Lasku on valmis. Terveisin Elisa"]


def test_sig003_brand_known_only_from_a_pack_and_inflected(tmp_path: Path) -> None:
    _pack(tmp_path, "brands:\n  DNA: {}\n  Elisa:\n    aliases: [Saunalahti]\n")
    path = write(
        tmp_path,
        "c.yml",
        campaign_yaml(
            "c",
            {
                "a": "Lasku on valmis. Terveisin DNA:n asiakaspalvelu",
                "b": "Lasku on valmis. Terveisin Saunalahti",
                "c": "Lasku on valmis. Terveisin Saunalahti",
            },
        ),
    )
    result = check(tmp_path, [path], SIG)
    assert [(f.code, f.message_id) for f in result.findings] == [("SIG003", "a")]
    # Without a known brand the name could be a person: nothing to say.
    other = write(tmp_path / "x", "d.yml", campaign_yaml("d", ["Lasku on valmis. Terveisin Anna"]))
    assert only(check(tmp_path / "x", [other], SIG), "SIG003") == []


def test_sig003_sender_name_counts_as_own(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yml", campaign_yaml("a", ["Hei! t. ElisaViihde"], sender="ElisaViihde"))
    b = write(
        tmp_path,
        "b.yml",
        campaign_yaml("b", ["Hei! t. ElisaViihde"], brand="ElisaViihde", sender="ElisaViihde"),
    )
    assert only(check(tmp_path, [a, b], SIG), "SIG003") == []
