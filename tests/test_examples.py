"""The bundled examples show what the README promises: the 2017 send fails, the rest pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from smskit.config import load_config
from smskit.lint import check_files

EXAMPLES = Path(__file__).resolve().parents[1] / "campaigns" / "examples"


@pytest.fixture(scope="module")
def result():
    files = sorted(EXAMPLES.glob("*.yml"))
    return check_files(files, load_config(cwd=EXAMPLES))


def codes_for(result, name: str) -> set[str]:
    return {f.code for f in result.findings if Path(f.file).name == name}


def test_the_three_message_send_is_caught_by_every_rule_of_the_story(result):
    codes = codes_for(result, "elisa-datavartija-2017.yml")
    assert {"SIG001", "DAT001", "ENC001", "BUR001"} <= codes


@pytest.mark.parametrize(
    "name", ["elisa-datavartija-fixed.yml", "elisa-kiitos.yml", "elisa-kesatarjous.yml"]
)
def test_corrected_and_good_examples_are_clean(result, name):
    assert codes_for(result, name) == set(), [
        f"{f.code} {f.message}" for f in result.findings if Path(f.file).name == name
    ]


def test_signoff_finding_offers_the_majority_form(result):
    sig = [f for f in result.findings if f.code == "SIG001"]
    assert sig and all("Terveisin Elisa" in f.message for f in sig)
    assert all(f.message_id == "details" for f in sig)
