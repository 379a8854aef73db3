"""DAT001–DAT005 through the real loader, runner and fixer, on campaign files in tmp_path."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from smskit.autofix import run_fixes
from smskit.config import load_config
from smskit.lint import CheckResult, check_files
from smskit.rules import all_rules

PACKS = "packs: [default, fi, sv, en]\n"


def campaign_yaml(
    bodies: list[str], locale: str = "fi-FI", send_at: str | None = None, extra: str = ""
) -> str:
    lines = ["# kesäkampanja", "campaign: test-campaign", "brand: Elisa", f"locale: {locale}"]
    lines.append("sender: Elisa")
    if send_at:
        lines.append(f"send_at: {send_at}")
    lines.append("messages:")
    for i, body in enumerate(bodies, 1):
        lines += [f"  - id: m{i}", f"    body: {json.dumps(body, ensure_ascii=False)}  # m{i}"]
    return "\n".join(lines) + "\n" + extra


class Run:
    def __init__(self, tmp_path: Path, text: str, config: str = PACKS, select: str = "DAT") -> None:
        self.path = tmp_path / "campaign.yml"
        self.path.write_text(text, encoding="utf-8")
        (tmp_path / "smskit.yml").write_text(config, encoding="utf-8")
        self.config = load_config(tmp_path / "smskit.yml").with_selection([select], None)
        self.result: CheckResult = check_files([self.path], self.config)

    def codes(self, code: str | None = None) -> list:
        return [f for f in self.result.findings if code is None or f.code == code]

    def fix(self, unsafe: bool = False) -> str:
        self.result, _, _ = run_fixes(
            self.result, [self.path], self.config, unsafe=unsafe, write=True
        )
        return self.path.read_text(encoding="utf-8")

    def at(self, finding) -> str:
        """The file's text from the finding's position to the end of that line."""
        line = self.path.read_text(encoding="utf-8").splitlines()[finding.line - 1]
        return line[finding.column - 1 :]


def bodies_of(text: str) -> list[str]:
    return [json.loads(line.split("body: ", 1)[1].rsplit("  #", 1)[0])
            for line in text.splitlines() if "body: " in line]  # fmt: skip


# --- DAT001 date-format-mixed -----------------------------------------------------------------


def test_dat001_reports_the_minority_with_the_majority_as_safe_fix(tmp_path):
    run = Run(tmp_path, campaign_yaml([
        "Tarjous voimassa 1.6.2017 asti.", "Muista: tarjous päättyy 2.6.2017!",
        "Viimeinen päivä 01.06.17, tervetuloa!",
    ]))  # fmt: skip
    (f,) = run.codes("DAT001")
    assert f.severity.value == "error" and f.message_id == "m3"
    assert "01.06.17" in f.message and "write 1.6.2017" in f.message
    assert run.at(f).startswith("01.06.17")
    assert f.fix is not None and f.fix.safe
    fixed = run.fix()
    assert bodies_of(fixed)[2] == "Viimeinen päivä 1.6.2017, tervetuloa!"
    assert fixed.startswith("# kesäkampanja\n") and "# m3" in fixed  # comments kept
    assert run.codes() == []


def test_dat001_year_less_dates_agree_with_the_same_shape(tmp_path):
    run = Run(tmp_path, campaign_yaml(["Ale alkaa 1.6.!", "Ale päättyy 10.6.2017."]))
    assert run.codes() == []


def test_dat001_padding_ambiguous_dates_side_with_the_rest(tmp_path):
    run = Run(tmp_path, campaign_yaml(["Alkaa 01.06.2017", "Päättyy 10.12.2017"]))
    assert run.codes("DAT001") == []


def test_dat001_majority_wins_then_dat002_moves_all_to_the_house_format(tmp_path):
    run = Run(tmp_path, campaign_yaml([
        "Alkaa 01.06.17.", "Jatkuu 02.06.17.", "Päättyy 3.6.2017."
    ]))  # fmt: skip
    (f,) = run.codes("DAT001")
    assert f.message_id == "m3" and "write 03.06.17" in f.message
    assert run.codes("DAT002") == []  # waits while the dates disagree
    fixed = run.fix()
    assert bodies_of(fixed) == ["Alkaa 1.6.2017.", "Jatkuu 2.6.2017.", "Päättyy 3.6.2017."]


def test_dat001_tie_goes_to_the_house_format(tmp_path):
    run = Run(tmp_path, campaign_yaml(["Alkaa 2017-06-01.", "Päättyy 03.06.17."]))
    found = run.codes("DAT001")
    assert [f.message_id for f in found] == ["m1", "m2"]
    assert bodies_of(run.fix()) == ["Alkaa 1.6.2017.", "Päättyy 3.6.2017."]


def test_dat001_year_less_date_against_iso_needs_an_unsafe_year(tmp_path):
    bodies = ["Alkaa 2017-06-01.", "Jatkuu 2017-06-02.", "Päättyy 3.6."]
    run = Run(tmp_path, campaign_yaml(bodies, send_at="2017-05-29T10:00:00+03:00"), select="DAT001")
    (f,) = run.codes("DAT001")
    assert f.message_id == "m3" and not f.fix.safe and "2017" in f.message
    assert bodies_of(run.fix())[2] == "Päättyy 3.6."  # not applied without --unsafe-fixes
    assert bodies_of(run.fix(unsafe=True))[2] == "Päättyy 2017-06-03."  # the full stop kept
    no_send = Run(tmp_path, campaign_yaml(bodies))
    (f,) = no_send.codes("DAT001")
    assert f.fix is None and "with its year" in f.message


def test_dat001_written_forms_count_as_a_format(tmp_path):
    run = Run(tmp_path, campaign_yaml([
        "Alkaa 1. kesäkuuta 2017.", "Jatkuu 2. kesäkuuta 2017.", "Päättyy 3.6.2017.",
    ]))  # fmt: skip
    (f,) = run.codes("DAT001")
    assert "write 3. kesäkuuta 2017" in f.message


def test_dat001_quiet_for_one_date_or_none(tmp_path):
    assert Run(tmp_path, campaign_yaml(["Alkaa 01.06.17."])).codes("DAT001") == []
    assert Run(tmp_path, campaign_yaml(["Kiitos tilauksesta!", "Hinta 19,90 €"])).codes() == []


# --- DAT002 date-format-house-style -----------------------------------------------------------


def test_dat002_consistent_but_not_house_format(tmp_path):
    run = Run(tmp_path, campaign_yaml(["Alkaa 2017-06-01.", "Päättyy 2017-06-03."]))
    found = run.codes("DAT002")
    assert [f.message_id for f in found] == ["m1", "m2"]
    assert found[0].severity.value == "warning" and "d.M.yyyy" in found[0].message
    assert all(f.fix.safe for f in found)
    assert bodies_of(run.fix()) == ["Alkaa 1.6.2017.", "Päättyy 3.6.2017."]


@pytest.mark.parametrize(
    ("locale", "body", "fixed"),
    [("sv-FI", "Rean börjar 1 juni. Välkommen!", "Rean börjar 1.6. Välkommen!"),
     ("sv-SE", "Rean börjar 1.6. Välkommen!", "Rean börjar 1 juni. Välkommen!"),
     ("sv-SE", "Rean börjar 1.6. kl 9", "Rean börjar 1 juni kl 9")],
)  # fmt: skip
def test_dat002_fix_minds_the_full_stop(tmp_path, locale, body, fixed):
    pack = 'rules:\n  DAT002: {date_format: "d MMMM yyyy"}\n' if locale == "sv-SE" else ""
    (tmp_path / "ours.yml").write_text(pack or "description: none\n")
    run = Run(tmp_path, campaign_yaml([body], locale=locale), PACKS.replace("]", ", ./ours.yml]"))
    assert bodies_of(run.fix()) == [fixed]


def test_dat002_year_less_date_against_an_iso_house_needs_an_unsafe_year(tmp_path):
    bodies = ["Rean slutar 3.6."]
    pack = "rules:\n  DAT002: {date_format: yyyy-MM-dd}\n"
    (tmp_path / "ours.yml").write_text(pack)
    config = PACKS.replace("]", ", ./ours.yml]")
    sent = campaign_yaml(bodies, locale="sv-FI", send_at="2017-05-29T10:00:00+03:00")
    run = Run(tmp_path, sent, config, select="DAT002")
    (f,) = run.codes("DAT002")
    assert not f.fix.safe and "the year 2017 taken from send_at" in f.message
    assert bodies_of(run.fix()) == bodies  # not applied without --unsafe-fixes
    assert bodies_of(run.fix(unsafe=True)) == ["Rean slutar 2017-06-03."]
    (f,) = Run(tmp_path, campaign_yaml(bodies, locale="sv-FI"), config, select="DAT002").codes()
    assert f.fix is None and "write it with its year" in f.message


def test_dat002_range_keeps_its_shape(tmp_path):
    run = Run(tmp_path, campaign_yaml(["Ale 01.–03.06.17!"]))
    assert [f.code for f in run.codes()] == ["DAT002"]
    assert bodies_of(run.fix()) == ["Ale 1.–3.6.2017!"]


@pytest.mark.parametrize(
    ("locale", "body", "fixed"),
    [("fi-FI", "Alkaa 1.6.2017.", None), ("fi-FI", "Alkaa 1.6.", None),
     ("sv-FI", "Börjar 2017-06-01.", "Börjar 1.6.2017."), ("sv-SE", "Börjar 2017-06-01.", None),
     ("sv-SE", "Börjar 1 juni 2017.", "Börjar 2017-06-01."),
     ("en-GB", "Starts 1 June 2017.", "Starts 01/06/2017."),
     ("en-US", "Starts June 1, 2017.", "Starts 6/1/2017."), ("en-US", "Starts 6/1/2017.", None)],
)  # fmt: skip
def test_dat002_house_format_per_locale(tmp_path, locale, body, fixed):
    run = Run(tmp_path, campaign_yaml([body], locale=locale))
    if fixed is None:
        assert run.codes() == []
    else:
        assert [f.code for f in run.codes()] == ["DAT002"]
        assert bodies_of(run.fix()) == [fixed]


def test_dat002_house_format_from_a_team_pack_and_the_rule_option(tmp_path):
    (tmp_path / "ours.yml").write_text("locales:\n  fi:\n    date_format: dd.MM.yyyy\n")
    run = Run(tmp_path, campaign_yaml(["Alkaa 1.6.2017."]), PACKS.replace("]", ", ./ours.yml]"))
    assert [f.code for f in run.codes()] == ["DAT002"]
    assert bodies_of(run.fix()) == ["Alkaa 01.06.2017."]
    (tmp_path / "ours.yml").write_text('rules:\n  DAT002: {date_format: "d. MMMM yyyy"}\n')
    run = Run(tmp_path, campaign_yaml(["Alkaa 1.6.2017."]), PACKS.replace("]", ", ./ours.yml]"))
    assert bodies_of(run.fix()) == ["Alkaa 1. kesäkuuta 2017."]


def test_dat002_can_report_mixed_campaigns_too(tmp_path):
    (tmp_path / "ours.yml").write_text("rules:\n  DAT002: {only_when_consistent: false}\n")
    bodies = ["Alkaa 1.6.2017.", "Jatkuu 2.6.2017.", "Päättyy 2017-06-03."]
    run = Run(tmp_path, campaign_yaml(bodies), PACKS.replace("]", ", ./ours.yml]"))
    assert sorted(f.code for f in run.codes()) == ["DAT001", "DAT002"]
    # Both offer the same text, so applying both is one change.
    assert {f.fix.edits[0].text for f in run.codes()} == {"3.6.2017"}
    assert bodies_of(run.fix())[2] == "Päättyy 3.6.2017."


def test_bad_date_format_option_is_one_clear_finding(tmp_path):
    (tmp_path / "ours.yml").write_text('rules:\n  DAT002: {date_format: "dd-MM-yyyy"}\n')
    run = Run(tmp_path, campaign_yaml(["Alkaa 1.6.2017."]), PACKS.replace("]", ", ./ours.yml]"))
    (f,) = run.codes("DAT002")
    assert "dd-MM-yyyy" in f.message and "use one like" in f.message and f.line == 4


# --- DAT003 date-impossible -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "send_at", "reason"),
    [("Voimassa 31.2.2018 asti.", None, "February 2018 has 28 days"),
     ("Voimassa 29.2.2019 asti.", None, "2019 is not a leap year"),
     ("Voimassa 31.4. asti.", None, "April has 30 days"),
     ("Voimassa 29.2. asti.", "2019-02-01T10:00:00+02:00", "read as 2019"),
     ("Ale 30.–31.2.2018", None, "the first day of the range"),
     ("Offer ends 31 June", None, "June has 30 days")],
)  # fmt: skip
def test_dat003_fires(tmp_path, body, send_at, reason):
    locale = "en-GB" if body.startswith("Offer") else "fi-FI"
    run = Run(tmp_path, campaign_yaml([body], locale=locale, send_at=send_at))
    (f,) = run.codes("DAT003")
    assert reason in f.message and f.fix is None and f.severity.value == "error"


@pytest.mark.parametrize(
    ("body", "send_at"),
    [("Voimassa 29.2.2020 asti.", None), ("Voimassa 29.2. asti.", None),
     ("Voimassa 29.2. asti.", "2020-02-01T10:00:00+02:00"), ("Voimassa 28.2.2019 asti.", None)],
)  # fmt: skip
def test_dat003_quiet(tmp_path, body, send_at):
    assert Run(tmp_path, campaign_yaml([body], send_at=send_at)).codes("DAT003") == []


# --- DAT004 weekday-mismatch ------------------------------------------------------------------


def test_dat004_names_the_real_weekday_and_offers_it_unsafely(tmp_path):
    assert date(2017, 6, 6).weekday() == 1  # a Tuesday
    run = Run(tmp_path, campaign_yaml(["Myymälä avataan maanantaina 6.6.2017 klo 9."]))
    (f,) = run.codes("DAT004")
    assert "maanantaina" in f.message and "Monday" in f.message and "Tuesday" in f.message
    assert "tiistaina" in f.message
    assert run.at(f).startswith("maanantaina 6.6.2017")
    assert not f.fix.safe
    assert bodies_of(run.fix())[0].startswith("Myymälä avataan maanantaina")
    assert bodies_of(run.fix(unsafe=True)) == ["Myymälä avataan tiistaina 6.6.2017 klo 9."]


@pytest.mark.parametrize(
    ("locale", "body", "fixed"),
    [("fi-FI", "Lauantain 10.6.2017 tarjoukset", None),
     ("fi-FI", "Sunnuntain 10.6.2017 tarjoukset", "Lauantain 10.6.2017 tarjoukset"),
     ("fi-FI", "Avoinna ma 5.6.2017", None),
     ("fi-FI", "Avoinna ti 5.6.2017", "Avoinna ma 5.6.2017"),
     ("fi-FI", "Avoinna 5.6.2017 (su)", "Avoinna 5.6.2017 (ma)"),
     ("sv-FI", "Vi öppnar måndag den 6 juni 2017", "Vi öppnar tisdag den 6 juni 2017"),
     ("sv-FI", "Vi öppnar tisdagen den 6 juni 2017", None),
     ("en-US", "We open Monday, June 6, 2017", "We open Tuesday, June 6, 2017"),
     ("en-GB", "We open Tue 6 June 2017", None)],
)  # fmt: skip
def test_dat004_languages_and_forms(tmp_path, locale, body, fixed):
    run = Run(tmp_path, campaign_yaml([body], locale=locale), select="DAT004")
    if fixed is None:
        assert run.codes("DAT004") == []
    else:
        assert len(run.codes("DAT004")) == 1
        assert bodies_of(run.fix(unsafe=True)) == [fixed]


def test_dat004_year_less_dates_take_the_year_of_send_at(tmp_path):
    send = "2017-06-01T10:00:00+03:00"
    assert Run(tmp_path, campaign_yaml(["Avoinna ma 5.6."], send_at=send)).codes() == []
    run = Run(tmp_path, campaign_yaml(["Avoinna ti 5.6."], send_at=send))
    (f,) = run.codes("DAT004")
    assert "Monday" in f.message and "5.6.2017" in f.message
    # Without send_at the year is unknown: no guess.
    assert Run(tmp_path, campaign_yaml(["Avoinna ti 5.6."])).codes() == []


def test_dat004_checks_both_ends_of_a_weekday_range(tmp_path):
    run = Run(tmp_path, campaign_yaml(["Avoinna ma–ke 6.–8.6.2017"]))
    found = run.codes("DAT004")
    assert [("Tuesday" in f.message, "Thursday" in f.message) for f in found] == [
        (True, False),
        (False, True),
    ]
    assert bodies_of(run.fix(unsafe=True)) == ["Avoinna ti–to 6.–8.6.2017"]


def test_dat004_skips_impossible_dates(tmp_path):
    run = Run(tmp_path, campaign_yaml(["Avoinna ma 31.2.2018"]))
    assert [f.code for f in run.codes()] == ["DAT003"]


# --- DAT005 date-in-past ----------------------------------------------------------------------

SEND = "2017-06-05T10:00:00+03:00"


@pytest.mark.parametrize(
    ("body", "fires"),
    [("Voimassa 1.6.2017 asti.", True), ("Voimassa 5.6.2017 asti.", False),
     ("Voimassa 30.6.2017 asti.", False), ("Ale 1.–3.6.2017", True), ("Ale 1.–6.6.2017", False),
     ("Voimassa 1.6. asti.", True), ("Voimassa 30.6. asti.", False),
     ("Voimassa 2.1. asti.", False)],
)  # fmt: skip
def test_dat005(tmp_path, body, fires):
    run = Run(tmp_path, campaign_yaml([body], send_at=SEND))
    found = run.codes("DAT005")
    assert len(found) == (1 if fires else 0)
    if fires:
        assert "5.6.2017" in found[0].message and found[0].severity.value == "warning"
        assert found[0].fix is None


def test_dat005_year_less_dates_roll_into_next_year(tmp_path):
    run = Run(tmp_path, campaign_yaml(["Voimassa 2.1. asti.", "Ale 1.12. asti"],
                                      send_at="2017-12-20T10:00:00+02:00"))  # fmt: skip
    (f,) = run.codes("DAT005")
    assert f.message_id == "m2" and "1.12.2017" in f.message


def test_dat005_uses_the_send_date_in_its_own_offset(tmp_path):
    # 01:00 in Helsinki on 5 June is still 4 June in UTC; the customer's day is the 5th.
    run = Run(tmp_path, campaign_yaml(["Voimassa 4.6.2017 asti."],
                                      send_at="2017-06-05T01:00:00+03:00"))  # fmt: skip
    assert len(run.codes("DAT005")) == 1


def test_dat005_needs_send_at(tmp_path):
    assert Run(tmp_path, campaign_yaml(["Voimassa 1.6.2017 asti."])).codes() == []


def test_message_suppression_applies(tmp_path):
    text = campaign_yaml(["Voimassa 1.6.2017 asti."], send_at=SEND)
    text = text.replace("  # m1\n", "  # m1\n    suppress: {DAT005: reminder of a past offer}\n")
    assert Run(tmp_path, text).codes() == []


# --- documentation and registration -----------------------------------------------------------


@pytest.mark.parametrize("code", ["DAT001", "DAT002", "DAT003", "DAT004", "DAT005"])
def test_rule_docs_and_defaults(code, tmp_path):
    rule = all_rules()[code]
    assert rule.doc.startswith(f"{code} {rule.name}: ")
    assert "Bad" in rule.doc and "Good" in rule.doc and "Options" in rule.doc
    (tmp_path / "smskit.yml").write_text(PACKS)
    setting = load_config(tmp_path / "smskit.yml").settings[code]
    assert setting.enabled and setting.severity == rule.severity
