"""`smskit send`, `status`, `preview` and `segments` as a user runs them.

Every send goes through the real twilio client to the project's emulator on a real socket.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from smskit.emulator import EmulatorServer
from tests.helpers import run_cli

SID = "AC" + "c11" * 10 + "ab"
TOKEN = "cli-token-" + "Qw7e" * 6

CAMPAIGN = """\
campaign: kevat-kiitos
brand: Elisa
locale: fi-FI
sender: Elisa
audience: audience.csv
defaults: {first_name: "asiakas"}
suppress: {AUD001: "the CRM export has one junk row; it is skipped"}
messages:
  - id: thanks
    body: "Kiitos tilauksestasi, {first_name}! Toimitamme puhelimesi pian. Terveisin Elisa"
"""

AUDIENCE = """\
phone,first_name
+46701740605,Aino
+46701740606,Väinö
+46701740606,Väinö
not a number,Pekka
+46701740607,
"""
ELIGIBLE = {"+46701740605", "+46701740606", "+46701740607"}


@pytest.fixture
def emulator(tmp_path):
    with EmulatorServer(
        db_path=tmp_path / "emulator.sqlite",
        account_sid=SID,
        auth_token=TOKEN,
        sent_after=0.05,
        delivered_after=0.1,
    ) as emu:
        yield emu


@pytest.fixture
def project(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "kiitos.yml").write_text(CAMPAIGN, encoding="utf-8")
    (tmp_path / "audience.csv").write_text(AUDIENCE, encoding="utf-8")
    return tmp_path


def smskit(project: Path, emulator: EmulatorServer, *args: str):
    env = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SMSKIT_TWILIO_BASE_URL": emulator.url,
    }
    return run_cli(*args, cwd=project, env=env, timeout=120)


def received(emulator: EmulatorServer) -> Counter:
    return Counter((m.to, m.body) for m in emulator.store.all())


def test_send_delivers_once_to_every_eligible_recipient_and_a_rerun_sends_nothing(
    project, emulator
):
    first = smskit(project, emulator, "send", "kiitos.yml", "--yes")
    assert first.returncode == 0, first.stderr
    got = received(emulator)
    assert {to for to, _ in got} == ELIGIBLE
    assert set(got.values()) == {1}
    assert ("+46701740606", first_line_body("Väinö")) in got
    assert ("+46701740607", first_line_body("asiakas")) in got  # empty value → default
    again = smskit(project, emulator, "send", "kiitos.yml", "--yes")
    assert again.returncode == 0, again.stderr
    assert received(emulator) == got
    journal = project / ".smskit" / "journal.sqlite"
    assert journal.is_file()
    for out in (first.stdout, first.stderr, again.stdout, again.stderr):
        assert TOKEN not in out
    assert TOKEN.encode() not in journal.read_bytes()


def first_line_body(name: str) -> str:
    return f"Kiitos tilauksestasi, {name}! Toimitamme puhelimesi pian. Terveisin Elisa"


def test_send_refuses_while_an_error_level_finding_stands(project, emulator):
    text = CAMPAIGN.replace("Toimitamme puhelimesi pian", "Puhelin on kaytossa pian")
    (project / "kiitos.yml").write_text(text, encoding="utf-8")
    proc = smskit(project, emulator, "send", "kiitos.yml", "--yes")
    assert proc.returncode == 1
    assert "ENC001" in proc.stderr and "not sending" in proc.stderr
    assert emulator.store.count() == 0


def test_send_needs_yes_when_nobody_can_answer(project, emulator):
    proc = smskit(project, emulator, "send", "kiitos.yml")
    assert proc.returncode == 2
    assert "--yes" in proc.stderr and "Traceback" not in proc.stderr
    assert emulator.store.count() == 0


def test_dry_run_shows_the_plan_and_contacts_nobody(project, emulator):
    proc = smskit(project, emulator, "send", "kiitos.yml", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "recipients" in proc.stdout and "segments" in proc.stdout
    now = [line for line in proc.stdout.splitlines() if line.startswith("to send in this run")]
    assert now and now[0].split()[-1] == "3"
    assert emulator.store.count() == 0


def test_changed_audience_after_a_send_is_refused(project, emulator):
    assert smskit(project, emulator, "send", "kiitos.yml", "--yes").returncode == 0
    with (project / "audience.csv").open("a", encoding="utf-8") as fh:
        fh.write("+46701740608,Säde\n")
    proc = smskit(project, emulator, "send", "kiitos.yml", "--yes")
    assert proc.returncode == 1
    assert "different content" in proc.stderr
    assert emulator.store.count() == len(ELIGIBLE)


def test_test_to_sends_only_to_the_given_numbers(project, emulator):
    proc = smskit(project, emulator, "send", "kiitos.yml", "--yes", "--test-to", "+46701740613")
    assert proc.returncode == 0, proc.stderr
    assert {to for to, _ in received(emulator)} == {"+46701740613"}
    # the real send is recorded apart: it still goes to everyone
    assert smskit(project, emulator, "send", "kiitos.yml", "--yes").returncode == 0
    assert {to for to, _ in received(emulator)} == {"+46701740613"} | ELIGIBLE


def test_status_prints_delivery_states_and_exports_csv(project, emulator):
    assert smskit(project, emulator, "send", "kiitos.yml", "--yes").returncode == 0
    deadline = time.monotonic() + 10
    while True:
        proc = smskit(project, emulator, "status", "kiitos.yml", "--csv", "status.csv")
        assert proc.returncode == 0, proc.stderr
        if "delivered  3" in proc.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "delivered  3" in proc.stdout
    with (project / "status.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["recipient"] for r in rows} == ELIGIBLE
    assert all(r["status"] == "delivered" for r in rows)
    assert TOKEN not in (project / "status.csv").read_text(encoding="utf-8")


def test_status_of_a_campaign_never_sent_is_a_clear_error(project, emulator):
    assert smskit(project, emulator, "send", "kiitos.yml", "--dry-run").returncode == 0
    proc = smskit(project, emulator, "status", "kiitos.yml")
    assert proc.returncode in (1, 2)
    assert "Traceback" not in proc.stderr and "kevat-kiitos" in proc.stderr


def test_wrong_credentials_are_a_one_line_error_without_the_token(project, emulator):
    env = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": "wrong-" + TOKEN,
        "SMSKIT_TWILIO_BASE_URL": emulator.url,
    }
    proc = run_cli("send", "kiitos.yml", "--yes", cwd=project, env=env, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert TOKEN not in proc.stderr + proc.stdout
    assert emulator.store.count() == 0


def test_preview_renders_recipients_with_encoding_and_segments(project):
    proc = run_cli("preview", "kiitos.yml", "--rows", "2", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert first_line_body("Aino") in proc.stdout
    assert first_line_body("Väinö") in proc.stdout
    assert proc.stdout.count("GSM-7, 1 segment") == 2


def test_invalid_numbers_block_the_send_unless_suppressed_with_a_reason(project, emulator):
    text = CAMPAIGN.replace(
        'suppress: {AUD001: "the CRM export has one junk row; it is skipped"}\n', ""
    )
    (project / "kiitos.yml").write_text(text, encoding="utf-8")
    proc = smskit(project, emulator, "send", "kiitos.yml", "--yes")
    assert proc.returncode == 1
    assert "AUD001" in proc.stderr and "row 5" in proc.stderr
    assert emulator.store.count() == 0


def test_campaign_without_audience_cannot_be_sent(project, emulator):
    (project / "kiitos.yml").write_text(CAMPAIGN.replace("audience: audience.csv\n", ""))
    proc = smskit(project, emulator, "send", "kiitos.yml", "--yes")
    assert proc.returncode == 2
    assert "audience" in proc.stderr


def test_segments_command_text_and_jsonl(tmp_path):
    proc = run_cli("segments", "Tervetuloa – lue lisää", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "UCS-2" in proc.stdout and "U+2013" in proc.stdout
    lines = ['"Hei"', json.dumps("ä" * 161), json.dumps("😀")]
    proc = run_cli("segments", "--jsonl", cwd=tmp_path, input="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["encoding"], r["segments"]) for r in records] == [
        ("GSM-7", 1),
        ("GSM-7", 2),
        ("UCS-2", 1),
    ]
    bad = run_cli("segments", "--jsonl", cwd=tmp_path, input="not json\n")
    assert bad.returncode == 2 and "line 1" in bad.stderr
