"""Sending through the real twilio client to the emulator: exactly once, in order, recorded."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from smskit.emulator import EmulatorServer
from smskit.send import (
    Delivery,
    JournalError,
    SendError,
    build_plan,
    content_hash,
    fetch_status,
    send_plan,
    status_rows,
    write_status_csv,
)
from smskit.send.journal import Journal
from smskit.send.progress import PlainLines
from smskit.send.rate import Pacer, default_rate
from smskit.send.twilio_adapter import Credentials, credentials_from_env, to_utc
from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[1]
SID = "AC" + "5e11d" * 6 + "ab"
TOKEN = "tok_" + "Zq8x" * 8
CREDS = Credentials(SID, SID, TOKEN)
SERVICE = "MG" + "1" * 32
MESSAGES = [("intro", "Hei! Tervetuloa asiakkaaksi."), ("tips", "Vinkki: lue ohjeet netistä.")]


def numbers(n: int, start: int = 0) -> list[str]:
    return [f"+35840{i:07d}" for i in range(start, start + n)]


def emulator(tmp_path: Path, **kw) -> EmulatorServer:
    kw.setdefault("sent_after", 0.05)
    kw.setdefault("delivered_after", 0.1)
    return EmulatorServer(db_path=tmp_path / "emu.sqlite", account_sid=SID, auth_token=TOKEN, **kw)


def send(emu: EmulatorServer, tmp_path: Path, recipients, campaign="c1", messages=MESSAGES, **kw):
    kw.setdefault("sender", "Elisa")
    kw.setdefault("rate", 0)
    kw.setdefault("yes", True)
    kw.setdefault("progress", False)
    kw.setdefault("lookup_grace", 0.2)
    plan_kw = {k: kw.pop(k) for k in ("send_at",) if k in kw}
    return send_plan(
        build_plan(campaign, messages, recipients, interval=kw.get("interval"), **plan_kw),
        campaign=campaign,
        campaign_hash=kw.pop("campaign_hash", content_hash(campaign, repr(messages))),
        journal_path=kw.pop("journal_path", tmp_path / "journal.sqlite"),
        base_url=emu.url,
        credentials=CREDS,
        **kw,
    )


def stored_pairs(emu: EmulatorServer) -> Counter:
    return Counter((m.to, m.body) for m in emu.store.all())


def journal_rows(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(
            "SELECT campaign, recipient, message_id, state, sid, error_code FROM deliveries"
        ).fetchall()
    finally:
        db.close()


def test_every_recipient_gets_every_message_once(tmp_path):
    recipients = numbers(40)
    with emulator(tmp_path) as emu:
        summary = send(emu, tmp_path, recipients)
        pairs = stored_pairs(emu)
    assert summary.complete
    assert summary.counts == {"sent": 80}
    assert set(pairs) == {(to, body) for to in recipients for _, body in MESSAGES}
    assert set(pairs.values()) == {1}
    assert summary.segments == 80


def test_exactly_once_under_errors_lost_responses_and_throttling(tmp_path):
    recipients = numbers(150)
    with emulator(
        tmp_path, error_rate=0.1, lost_response_rate=0.1, throttle_rate=0.1, seed=5
    ) as emu:
        summary = send(emu, tmp_path, recipients)
        pairs = stored_pairs(emu)
        emu_sids = {m.sid for m in emu.store.all()}
    assert summary.complete, summary.counts
    assert set(pairs.values()) == {1}
    assert len(pairs) == 300
    run = summary.this_run
    assert run["unknown_outcomes"] > 0 and run["recovered"] > 0 and run["resent"] > 0
    assert run["retries"] > 0
    rows = journal_rows(tmp_path / "journal.sqlite")
    assert {r[4] for r in rows} == emu_sids  # the journal and Twilio agree on every SID


def test_each_recipients_messages_arrive_in_order_and_interval_apart(tmp_path):
    recipients = numbers(6)
    with emulator(tmp_path, throttle_rate=0.2, seed=2) as emu:
        summary = send(emu, tmp_path, recipients, interval=timedelta(seconds=0.4))
        stored = list(emu.store.all())
    assert summary.complete
    for to in recipients:
        mine = sorted((m.created, m.body) for m in stored if m.to == to)
        assert [body for _, body in mine] == [body for _, body in MESSAGES]
        assert mine[1][0] - mine[0][0] >= 0.4


def test_permanent_errors_are_recorded_with_an_explanation(tmp_path):
    bad = ["+15005550001", "+15005550003", "+15005550002", "+15005550009"]
    with emulator(tmp_path) as emu:
        summary = send(emu, tmp_path, [*bad, "+358401111111"], messages=MESSAGES[:1])
        assert {m.to for m in emu.store.all()} == {"+358401111111"}
    assert summary.complete
    assert summary.counts == {"failed": 4, "sent": 1}
    assert summary.failures == {21211: 1, 21408: 1, 21612: 1, 21614: 1}
    rows = {r.recipient: r for r in status_rows("c1", journal_path=tmp_path / "journal.sqlite")}
    assert "not a valid phone number" in rows["+15005550001"].explanation
    assert "Geographic Permissions" in rows["+15005550003"].explanation
    assert "not a mobile number" in rows["+15005550009"].explanation


def test_unsubscribed_number_joins_the_opt_out_list_for_every_campaign(tmp_path):
    stop = "+358409999999"
    with emulator(tmp_path, magic_numbers={stop: 21610}) as emu:
        first = send(emu, tmp_path, [stop, "+358401111111"])
        second = send(
            emu, tmp_path, ["+358402222222", stop], campaign="c2", messages=[("x", "Toinen")]
        )
        received = {m.to for m in emu.store.all()}
    assert stop not in received
    assert first.failures == {21610: 1}
    assert first.counts == {"failed": 1, "opted_out": 1, "sent": 2}
    assert second.counts == {"opted_out": 1, "sent": 1}
    with Journal(tmp_path / "journal.sqlite") as journal:
        assert journal.opt_out_list() == [stop]


def test_rerun_sends_nothing_twice(tmp_path):
    with emulator(tmp_path) as emu:
        send(emu, tmp_path, numbers(10))
        again = send(emu, tmp_path, numbers(12))  # two recipients added to the audience
        pairs = stored_pairs(emu)
    assert again.this_run["already"] == 20
    assert again.this_run["sent"] == 4
    assert len(pairs) == 24 and set(pairs.values()) == {1}


def test_resuming_with_changed_content_is_refused(tmp_path):
    with emulator(tmp_path) as emu:
        send(emu, tmp_path, numbers(3))
        with pytest.raises(JournalError, match="different content"):
            send(emu, tmp_path, numbers(3), messages=[("intro", "Muutettu teksti")])
        assert emu.store.count() == 6


def test_changed_rendering_under_the_same_hash_is_refused(tmp_path):
    with emulator(tmp_path) as emu:
        send(emu, tmp_path, numbers(2), campaign_hash="h1")
        with pytest.raises(JournalError, match="reads differently"):
            send(emu, tmp_path, numbers(2), campaign_hash="h1", messages=[("intro", "Toinen")])
        assert emu.store.count() == 4


def test_corrupt_journal_is_a_clear_error_and_nothing_is_sent(tmp_path):
    journal = tmp_path / "journal.sqlite"
    journal.write_bytes(b"this is not sqlite" * 100)
    with emulator(tmp_path) as emu:
        with pytest.raises(JournalError, match="cannot be read") as info:
            send(emu, tmp_path, numbers(3), journal_path=journal)
        assert emu.store.count() == 0
    assert str(journal) in str(info.value)


def test_locked_journal_is_a_clear_error(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(path), emulator(tmp_path) as emu:
        with pytest.raises(JournalError, match="in use by another"):
            send(emu, tmp_path, numbers(3), journal_path=path)
        assert emu.store.count() == 0


def test_locked_by_another_process(tmp_path):
    path = tmp_path / "journal.sqlite"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time; from smskit.send.journal import Journal; "
            f"j = Journal({str(path)!r}); print('ready', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(JournalError, match="in use by another"):
            Journal(path)
    finally:
        holder.kill()
        holder.wait()


def test_dry_run_contacts_nobody_and_writes_nothing(tmp_path):
    with emulator(tmp_path) as emu:
        summary = send(emu, tmp_path, numbers(5), dry_run=True, yes=False)
        assert emu.store.count() == 0
    assert not (tmp_path / "journal.sqlite").exists()
    assert summary.dry_run and not summary.complete
    assert summary.this_run["to_send"] == 10
    assert summary.this_run["recipients"] == 5


def test_dry_run_after_a_partial_send_counts_what_is_left(tmp_path):
    with emulator(tmp_path) as emu:
        send(emu, tmp_path, numbers(3))
        summary = send(emu, tmp_path, numbers(5), dry_run=True)
    assert summary.this_run["already"] == 6
    assert summary.this_run["to_send"] == 4


def test_sending_needs_confirmation(tmp_path):
    with emulator(tmp_path) as emu:
        with pytest.raises(SendError, match="--yes"):
            send(emu, tmp_path, numbers(2), yes=False)
        assert emu.store.count() == 0


def test_scheduling_through_a_messaging_service_sends_utc(tmp_path):
    helsinki = timezone(timedelta(hours=3))
    send_at = (datetime.now(UTC) + timedelta(hours=2)).astimezone(helsinki).replace(microsecond=0)
    with emulator(tmp_path) as emu:
        summary = send(
            emu,
            tmp_path,
            numbers(3),
            sender=None,
            messaging_service=SERVICE,
            send_at=send_at,
            interval=timedelta(minutes=30),
        )
        stored = sorted(emu.store.all(), key=lambda m: (m.to, m.start))
    assert summary.counts == {"scheduled": 6}
    assert all(m.scheduled and m.messaging_service_sid == SERVICE for m in stored)
    starts = {m.start for m in stored}
    # SendAt was converted to UTC: the instant is the same, not three hours off
    assert starts == {send_at.timestamp(), send_at.timestamp() + 1800}


def test_a_scheduled_message_resent_after_a_lost_claim_is_scheduled_afresh(tmp_path):
    # A run claimed a message to be scheduled 5 minutes ahead (so its send_at has gone
    # stale) and died before Twilio had it: the rerun finds nothing and sends it again,
    # scheduled for the plan's time, not the stale one Twilio would refuse (35114).
    send_at = (datetime.now(UTC) + timedelta(minutes=20)).replace(microsecond=0)
    [d] = build_plan("c1", MESSAGES[:1], numbers(1), send_at=send_at)
    journal = tmp_path / "journal.sqlite"
    with Journal(journal) as j:
        j.begin_campaign("c1", "h", messaging_service=SERVICE)
        j.claim([(d, time.time() + 300)], [], time.time() - 3600)
    with emulator(tmp_path) as emu:
        summary = send(
            emu,
            tmp_path,
            numbers(1),
            messages=MESSAGES[:1],
            sender=None,
            messaging_service=SERVICE,
            send_at=send_at,
            campaign_hash="h",
            lookup_grace=0.0,
        )
        [stored] = emu.store.all()
    assert summary.counts == {"scheduled": 1} and not summary.failures
    assert stored.scheduled and stored.start == send_at.timestamp()


def test_not_due_without_a_messaging_service_waits_for_a_later_run(tmp_path):
    later = datetime.now(UTC) + timedelta(hours=3)
    with emulator(tmp_path) as emu:
        first = send(emu, tmp_path, numbers(2), send_at=later, campaign_hash="h")
        assert emu.store.count() == 0
        assert first.counts == {"waiting": 4}
        assert first.next_due is not None and abs(first.next_due - later) < timedelta(seconds=1)
        assert not first.complete
        # the same campaign, now due
        second = send(emu, tmp_path, numbers(2), send_at=datetime.now(UTC), campaign_hash="h")
        assert emu.store.count() == 4
    assert second.complete and second.counts == {"sent": 4}


def test_soon_due_messages_are_held_in_the_run(tmp_path):
    soon = datetime.now(UTC) + timedelta(seconds=0.6)
    with emulator(tmp_path) as emu:
        summary = send(emu, tmp_path, numbers(2), send_at=soon, messages=MESSAGES[:1])
        created = [m.created for m in emu.store.all()]
    assert summary.counts == {"sent": 2}
    assert min(created) >= soon.timestamp() - 0.01


def test_test_to_sends_the_first_recipients_messages_apart(tmp_path):
    with emulator(tmp_path) as emu:
        summary = send(emu, tmp_path, numbers(50), test_to=["+358405550000", "+358405550001"])
        pairs = stored_pairs(emu)
    assert set(pairs) == {
        (to, body) for to in ("+358405550000", "+358405550001") for _, body in MESSAGES
    }
    assert summary.campaign.startswith("c1:test:")
    with Journal(tmp_path / "journal.sqlite") as journal:
        assert journal.counts("c1") == {}
        assert journal.counts(summary.campaign) == {"sent": 4}


def test_wrong_credentials_stop_the_send_without_leaking_the_secret(tmp_path):
    with emulator(tmp_path) as emu:
        plan = build_plan("c1", MESSAGES, numbers(5))
        with pytest.raises(SendError) as info:
            send_plan(
                plan,
                campaign="c1",
                campaign_hash="h",
                journal_path=tmp_path / "journal.sqlite",
                sender="Elisa",
                yes=True,
                base_url=emu.url,
                credentials=Credentials(SID, SID, "wrong-secret-value"),
                progress=False,
            )
        assert emu.store.count() == 0
    assert "credentials" in str(info.value)
    assert "wrong-secret-value" not in str(info.value)
    states = {r[3] for r in journal_rows(tmp_path / "journal.sqlite")}
    assert states <= {"pending"}


def test_unreachable_twilio_stops_with_a_clear_error(tmp_path):
    with emulator(tmp_path) as emu:
        url = emu.url
    with pytest.raises(SendError, match="cannot reach Twilio"):
        send_plan(
            build_plan("c1", MESSAGES, numbers(3)),
            campaign="c1",
            campaign_hash="h",
            journal_path=tmp_path / "journal.sqlite",
            sender="Elisa",
            yes=True,
            base_url=url,
            credentials=CREDS,
            progress=False,
        )
    states = Counter(r[3] for r in journal_rows(tmp_path / "journal.sqlite"))
    assert set(states) <= {"pending"}  # nothing reached Twilio, nothing is "unknown"


def test_the_auth_token_never_reaches_the_journal_or_the_output(tmp_path, capsys):
    journal = tmp_path / "journal.sqlite"
    with emulator(tmp_path, error_rate=0.1, lost_response_rate=0.1, seed=1) as emu:
        send(emu, tmp_path, numbers(30), progress=True)
        fetch_status("c1", journal_path=journal, base_url=emu.url, credentials=CREDS)
    write_status_csv("c1", tmp_path / "status.csv", journal_path=journal)
    out = capsys.readouterr()
    files = [p for p in tmp_path.iterdir() if p.name.startswith(("journal", "status"))]
    assert files
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path
    assert TOKEN not in out.out + out.err
    assert "sent" in out.err  # the progress lines were there to search
    assert TOKEN not in repr(CREDS) + str(CREDS)


def test_fetch_status_records_delivery_and_exports_csv(tmp_path):
    journal = tmp_path / "journal.sqlite"
    with emulator(
        tmp_path, sent_after=0.05, delivered_after=0.1, magic_numbers={"+358499999903": 30003}
    ) as emu:
        send(emu, tmp_path, [*numbers(4), "+358499999903"], messages=MESSAGES[:1])
        wait_until(lambda: all(m.done_ts <= time.time() for m in emu.store.all()))
        report = fetch_status("c1", journal_path=journal, base_url=emu.url, credentials=CREDS)
    assert report.fetched == 5
    assert report.counts == {"delivered": 4, "undelivered": 1}
    assert report.errors == {30003: 1}
    n = write_status_csv("c1", tmp_path / "status.csv", journal_path=journal)
    lines = (tmp_path / "status.csv").read_text(encoding="utf-8").splitlines()
    assert n == 5 and len(lines) == 6
    assert lines[0].startswith("campaign,message_id,recipient,state,status,error_code")
    bad = next(line for line in lines if "+358499999903" in line)
    assert "undelivered,30003,the phone was unreachable" in bad


def test_fetch_status_of_an_unknown_campaign(tmp_path):
    with emulator(tmp_path) as emu:
        send(emu, tmp_path, numbers(1))
        with pytest.raises(SendError, match="'nope' is not in the journal"):
            fetch_status(
                "nope",
                journal_path=tmp_path / "journal.sqlite",
                base_url=emu.url,
                credentials=CREDS,
            )


def test_plan_must_group_each_recipients_messages(tmp_path):
    plan = [
        Delivery("c1", "b", 1, "+358401111111", "x", 1),
        Delivery("c1", "a", 0, "+358401111111", "y", 1),
    ]
    with emulator(tmp_path) as emu:
        with pytest.raises(SendError, match="out of order"):
            send_plan(
                plan,
                campaign="c1",
                campaign_hash="h",
                journal_path=tmp_path / "j.sqlite",
                sender="Elisa",
                yes=True,
                base_url=emu.url,
                credentials=CREDS,
                progress=False,
            )
        assert emu.store.count() == 0


def test_duplicate_recipient_in_the_plan_is_sent_once(tmp_path):
    with emulator(tmp_path) as emu:
        summary = send(emu, tmp_path, ["+358401111111", "+358402222222", "+358401111111"])
        pairs = stored_pairs(emu)
    assert set(pairs.values()) == {1} and len(pairs) == 4
    assert summary.counts == {"sent": 4}


def test_plain_progress_lines():
    stream = io.StringIO()
    lines = PlainLines(total=10, stream=stream, every=0.0)
    lines.start()
    lines.update({"sent": 4, "failed": 1})
    lines.finish()
    text = stream.getvalue()
    assert "5/10" in text and "sent 4" in text and "failed 1" in text


def test_pacer_spaces_sends_by_segments():
    now = [100.0]
    pacer = Pacer(10.0, clock=lambda: now[0])
    assert pacer.wait_time() == 0
    pacer.take(2)  # two segments occupy 0.2 s
    assert pacer.wait_time() == pytest.approx(0.2)
    now[0] += 0.2
    assert pacer.wait_time() == 0
    now[0] += 60  # a minute idle: only catch_up (0.25 s) of it may be made good at once
    immediate = 0
    while pacer.wait_time() == 0:
        pacer.take(1)
        immediate += 1
    assert immediate == 3
    assert pacer.wait_time() == pytest.approx(0.05)
    assert Pacer(None).wait_time() == 0


def test_pacer_makes_good_a_late_wakeup():
    now = [0.0]
    pacer = Pacer(10.0, clock=lambda: now[0])
    for _ in range(100):  # the sender always wakes 30 ms late
        now[0] += pacer.wait_time() + 0.03
        pacer.take(1)
    # 100 sends at 10/s take 10 s of schedule, not 13 s
    assert now[0] == pytest.approx(10.0, abs=0.3)


@pytest.mark.parametrize(
    ("sender", "service", "rate"),
    [
        ("Elisa", None, 10.0),
        ("12345", None, 100.0),
        ("+18005551234", None, 3.0),
        ("+12025551234", None, 1.0),
        ("+358401234567", None, 10.0),
        (None, SERVICE, 10.0),
    ],
)
def test_default_rate_by_sender_type(sender, service, rate):
    assert default_rate(sender, service) == rate


def test_send_at_is_converted_to_utc():
    local = datetime(2025, 5, 29, 10, 2, tzinfo=timezone(timedelta(hours=3)))
    assert to_utc(local) == datetime(2025, 5, 29, 7, 2, tzinfo=UTC)
    assert to_utc(local).utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        to_utc(datetime(2025, 5, 29, 10, 2))


def test_credentials_from_the_environment():
    assert credentials_from_env({"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "t"}) == (
        Credentials(SID, SID, "t")
    )
    key = credentials_from_env(
        {"TWILIO_ACCOUNT_SID": SID, "TWILIO_API_KEY": "SK1", "TWILIO_API_SECRET": "s"}
    )
    assert (key.account_sid, key.username, key.secret) == (SID, "SK1", "s")
    with pytest.raises(SendError, match="TWILIO_AUTH_TOKEN"):
        credentials_from_env({"TWILIO_ACCOUNT_SID": SID})
    with pytest.raises(SendError, match="TWILIO_ACCOUNT_SID"):
        credentials_from_env({})


def test_api_key_credentials_send(tmp_path):
    key, secret = "SK" + "2" * 32, "api-secret"
    with EmulatorServer(account_sid=SID, auth_token=TOKEN, api_keys={key: secret}) as emu:
        summary = send_plan(
            build_plan("c1", MESSAGES[:1], numbers(2)),
            campaign="c1",
            campaign_hash="h",
            journal_path=tmp_path / "j.sqlite",
            sender="Elisa",
            yes=True,
            base_url=emu.url,
            credentials=Credentials(SID, key, secret),
            progress=False,
        )
        assert emu.store.count() == 2
    assert summary.counts == {"sent": 2}


def test_only_the_adapter_imports_twilio():
    importers = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "smskit").rglob("*.py")
        if "import twilio" in p.read_text() or "from twilio" in p.read_text()
    ]
    assert importers == ["smskit/send/twilio_adapter.py"]
    code = "import sys, smskit.send, smskit.send.engine; print('twilio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_answers_staged_for_a_commit_that_fails_are_kept_for_the_next(tmp_path):
    path = tmp_path / "journal.sqlite"
    d = Delivery("c1", "intro", 0, "+358401111111", "Hei", 1)
    with Journal(path) as journal:
        journal.begin_campaign("c1", "h")
        assert journal.claim([(d, None)], [], time.time()) == [True]
        journal.stage("c1", d.to, d.message_id, state="sent", sid="SM1")
        journal._db.execute("PRAGMA busy_timeout = 50")  # fail fast instead of waiting 2 s
        other = sqlite3.connect(path)
        other.execute("BEGIN IMMEDIATE")  # another writer holds the file
        with pytest.raises(JournalError, match="locked"):
            journal.flush()
        other.rollback()
        other.close()
        assert journal.staged == 1  # the answer was not dropped with the failed transaction
        journal.flush()
    assert [r[3:5] for r in journal_rows(path)] == [("sent", "SM1")]


def test_dry_run_of_changed_content_is_refused_as_the_send_would_be(tmp_path):
    with emulator(tmp_path) as emu:
        send(emu, tmp_path, numbers(2), campaign_hash="h1")
        for dry_run in (True, False):
            with pytest.raises(JournalError, match=r"different content.*new 'campaign:' name"):
                send(emu, tmp_path, numbers(2), campaign_hash="h2", dry_run=dry_run)
        assert emu.store.count() == 4


@pytest.mark.parametrize(
    ("service", "send_in", "interval"),
    [
        (False, None, timedelta(minutes=20)),  # the second message: an interval past max_wait
        (False, timedelta(seconds=1.5), timedelta(minutes=20)),  # the first: held in the run
        (True, timedelta(minutes=16), timedelta(minutes=30)),  # too soon to schedule safely
        (True, timedelta(hours=1), timedelta(minutes=30)),  # scheduled with Twilio
    ],
)
def test_dry_run_plans_what_the_send_then_does(tmp_path, service, send_in, interval):
    recipients = numbers(4)
    send_at = datetime.now(UTC) + send_in if send_in else None
    how = {"sender": None, "messaging_service": SERVICE} if service else {"sender": "Elisa"}
    how.update(interval=interval, campaign_hash="h", max_wait=timedelta(minutes=15))
    if send_at:
        how["send_at"] = send_at
    with Journal(tmp_path / "journal.sqlite") as j:  # one number opted out, one message sent
        j.begin_campaign("c1", "h")
        j.add_opt_out(recipients[3], 21610, "earlier")
        first = next(build_plan("c1", MESSAGES, recipients[:1], send_at=send_at))
        j.claim([(first, None)], [], time.time())
        j.stage(
            "c1",
            first.to,
            first.message_id,
            state="sent",
            sid="SM" + "0" * 32,
            accepted_at=time.time(),
        )
    with emulator(tmp_path) as emu:
        plan = send(emu, tmp_path, recipients, dry_run=True, **how)
        done = send(emu, tmp_path, recipients, **how)
    planned, did = plan.this_run, done.this_run
    assert planned["recipients"] == len(recipients)
    assert sum(
        planned.get(k, 0) for k in ("to_send", "to_schedule", "waiting", "opted_out", "already")
    ) == 2 * len(recipients)
    assert planned["opted_out"] == did["opted_out"] == 2
    assert planned.get("already", 0) == did.get("already", 0) == 1
    assert planned.get("to_send", 0) == did.get("sent", 0)
    assert planned.get("to_schedule", 0) == did.get("scheduled", 0)
    assert planned.get("waiting", 0) == did.get("waiting", 0)
    assert plan.segments == did.get("segments", 0)
