"""BUR001 message-burst through the real runner (segment counts from smskit.encoding)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smskit.config import ConfigError
from tests.rule_helpers import HAS_ENGINE, campaign_yaml, check, write

pytestmark = pytest.mark.skipif(
    not HAS_ENGINE, reason="smskit.encoding (the engine branch) has not been merged yet"
)

# 60 GSM-7 characters each: alone one segment; three joined by line breaks are 182 characters,
# more than the 160 of one segment, so two segments of at most 153.
A = "Datavartija otetaan käyttöön liittymässäsi 1.6.2017 lähtien."
B = "Voit muuttaa datarajaa OmaElisassa milloin tahansa maksutta."
C = "Muutos tulee voimaan vuorokauden kuluttua!! Terveisin, Elisa"


def _burst(tmp_path: Path, bodies: dict[str, str], interval: str | None = None):
    path = write(tmp_path, "c.yml", campaign_yaml("c", bodies, interval=interval))
    return path, check(tmp_path, [path], ["BUR001"]).findings


def test_three_messages_at_once_are_one_burst_reported_at_the_second(tmp_path: Path) -> None:
    assert len(A) == len(B) == len(C) == 60
    path, findings = _burst(tmp_path, {"notice": A, "details": B, "reminder": C})
    [f] = findings
    assert (f.code, f.severity.value, f.message_id) == ("BUR001", "warning", "details")
    assert path.read_text().splitlines()[f.line - 1] == "  - id: details"
    assert f.message == (
        "messages 'notice', 'details' and 'reminder' reach each recipient at the same moment "
        "(the campaign sets no interval): separate messages can arrive out of order and make "
        "the phone buzz each time; send one message instead (merged: 2 segments, now 3 "
        "segments in 3 messages)"
    )
    assert f.extra["merged_segments"] == 2 and f.extra["separate_segments"] == 3


def test_merged_text_is_counted_in_the_encoding_it_would_need(tmp_path: Path) -> None:
    # The emoji makes the merged text UCS-2 (70 UTF-16 units fit one segment): 39 + 1 + 36
    # characters and two units for the emoji are 78 units, two segments. Apart: GSM-7 and
    # 38 units of UCS-2, one segment each.
    first = "Tervetuloa Elisan asiakkaaksi, Matti!!!"
    second = "Liittymäsi on nyt käytössä. Kiitos! 😊"
    assert len(first) == 39 and len(second) == 37
    _, [f] = _burst(tmp_path, {"a": first, "b": second}, interval="30s")
    assert "within 30 seconds (interval 30 seconds)" in f.message
    assert f.extra["merged_segments"] == 2 and f.extra["separate_segments"] == 2


def test_only_messages_inside_the_window_form_the_burst(tmp_path: Path) -> None:
    bodies = {f"m{i}": f"Viesti {i}. Terveisin Elisa" for i in range(1, 6)}
    _, [f] = _burst(tmp_path, bodies, interval="4m")  # at 0, 4, 8, 12 and 16 minutes
    assert f.extra["messages"] == ["m1", "m2", "m3"]
    assert "within 8 minutes (interval 4 minutes)" in f.message


def test_an_explicit_zero_interval_is_named(tmp_path: Path) -> None:
    _, [f] = _burst(tmp_path, {"a": A, "b": B}, interval="0s")
    assert "reach each recipient at the same moment (interval 0 seconds)" in f.message


@pytest.mark.parametrize(("interval", "fires"), [("9m", True), ("10m", False), ("1h", False)])
def test_spacing_at_or_beyond_the_window_is_not_a_burst(
    tmp_path: Path, interval: str, fires: bool
) -> None:
    _, findings = _burst(tmp_path, {"a": A, "b": B}, interval=interval)
    assert bool(findings) is fires


def test_one_message_is_never_a_burst(tmp_path: Path) -> None:
    assert _burst(tmp_path, {"a": A})[1] == []


def test_window_option_from_a_pack(tmp_path: Path) -> None:
    write(tmp_path, "team.yml", "rules:\n  BUR001: {window: 2h}\n")
    write(tmp_path, "smskit.yml", "packs: [default, fi, sv, en, ./team.yml]\n")
    _, [f] = _burst(tmp_path, {"a": A, "b": B}, interval="1h")
    assert "within 1 hour (interval 1 hour)" in f.message
    write(tmp_path, "team.yml", "rules:\n  BUR001: {window: soon}\n")
    with pytest.raises(ConfigError, match="BUR001 option 'window' must be a duration"):
        _burst(tmp_path, {"a": A, "b": B})


def test_a_suppression_on_the_second_message_silences_it(tmp_path: Path) -> None:
    text = (
        campaign_yaml("c", {"a": A, "b": B})
        + '    suppress: {BUR001: "sent as a pair on purpose"}\n'
    )
    path = write(tmp_path, "c.yml", text)
    result = check(tmp_path, [path], ["BUR001", "SUP002"])
    assert result.findings == []
