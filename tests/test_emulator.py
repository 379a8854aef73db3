"""The emulator, driven by the real twilio client over a real socket."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from smskit.emulator import EmulatorServer

SID = "AC" + "1234abcd" * 4
TOKEN = "tok-" + "s3cr3t" * 5
SERVICE = "MG" + "0" * 32


def client_for(emu: EmulatorServer, user: str = SID, password: str = TOKEN) -> Client:
    client = Client(user, password, account_sid=SID)
    client.api.base_url = emu.url
    return client


@pytest.fixture
def emu(tmp_path):
    with EmulatorServer(
        db_path=tmp_path / "emu.sqlite",
        account_sid=SID,
        auth_token=TOKEN,
        sent_after=0.2,
        delivered_after=0.4,
    ) as server:
        yield server


class StepClock:
    """The emulator's clock, moved by the test: status changes without sleeping."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


def api_error(call) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as info:
        call()
    return info.value


def test_create_answers_twilios_message_shape(emu):
    client = client_for(emu)
    before = datetime.now(UTC).replace(microsecond=0)
    msg = client.messages.create(to="+358401234567", from_="Elisa", body="Hei Matti, tervetuloa!")
    assert re.fullmatch(r"SM[0-9a-f]{32}", msg.sid)
    assert msg.status == "queued"
    assert msg.to == "+358401234567"
    assert msg.from_ == "Elisa"
    assert msg.num_segments == "1"
    assert msg.error_code is None
    assert msg.direction == "outbound-api"
    assert msg.uri == f"/2010-04-01/Accounts/{SID}/Messages/{msg.sid}.json"
    assert before <= msg.date_created <= datetime.now(UTC)
    assert msg.date_sent is None  # not sent yet


def test_raw_json_dates_are_rfc2822(emu):
    resp = requests.post(
        f"{emu.url}/2010-04-01/Accounts/{SID}/Messages.json",
        data={"To": "+358401234567", "From": "Elisa", "Body": "x"},
        auth=(SID, TOKEN),
        timeout=10,
    )
    assert resp.status_code == 201
    created = resp.json()["date_created"]
    assert created.endswith(" +0000")
    assert parsedate_to_datetime(created).tzinfo is not None


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, "1"),
        ("a" * 161, "2"),
        ("€" * 80, "1"),  # extension characters cost two septets: 160 septets
        ("€" * 81, "2"),
        ("Hei 😀", "1"),  # UCS-2
        ("😀" * 36, "2"),  # 72 UTF-16 units
    ],
)
def test_num_segments_follows_the_encoding(emu, body, segments):
    msg = client_for(emu).messages.create(to="+358401234567", from_="Elisa", body=body)
    assert msg.num_segments == segments


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("+15005550001", 21211),
        ("+15005550002", 21612),
        ("+15005550003", 21408),
        ("+15005550004", 21610),
        ("+15005550009", 21614),
        ("0401234567", 21211),  # not E.164
        ("+0401234567", 21211),
    ],
)
def test_magic_and_invalid_numbers_answer_twilio_errors(emu, to, code):
    client = client_for(emu)
    err = api_error(lambda: client.messages.create(to=to, from_="Elisa", body="x"))
    assert (err.status, err.code) == (400, code)
    assert emu.store.count() == 0


def test_configurable_magic_numbers(tmp_path):
    with EmulatorServer(
        account_sid=SID, auth_token=TOKEN, magic_numbers={"+358409999999": 21610}
    ) as emu:
        client = client_for(emu)
        err = api_error(lambda: client.messages.create(to="+358409999999", from_="E", body="x"))
        assert err.code == 21610
        # the defaults are replaced, so Twilio's test number is an ordinary number here
        assert client.messages.create(to="+15005550004", from_="E", body="x").status == "queued"


def test_validation_errors(emu):
    client = client_for(emu)
    cases = [
        (dict(to="+358401234567", body="x"), 21603),
        (dict(to="+358401234567", from_="bad sender name!", body="x"), 21212),
        (dict(to="+358401234567", messaging_service_sid="MG123", body="x"), 21701),
        (dict(to="+358401234567", from_="Elisa", body="a" * 1601), 21617),
        (dict(to="+358401234567", from_="Elisa", body=""), 21602),
    ]
    for kwargs, code in cases:
        err = api_error(lambda kw=kwargs: client.messages.create(**kw))
        assert err.code == code, kwargs
    ok = client.messages.create(to="+358401234567", from_="Elisa", body="a" * 1600)
    assert ok.num_segments == "11"


def test_wrong_credentials_get_401_with_twilio_error_json(emu):
    for user, password in [(SID, "wrong"), ("AC" + "0" * 32, TOKEN), ("", "")]:
        err = api_error(
            lambda u=user, p=password: client_for(emu, u, p).messages.create(
                to="+358401234567", from_="Elisa", body="x"
            )
        )
        assert (err.status, err.code) == (401, 20003)
    resp = requests.get(f"{emu.url}/2010-04-01/Accounts/{SID}/Messages.json", timeout=10)
    assert resp.status_code == 401
    assert resp.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert emu.store.count() == 0


def test_api_key_and_secret_are_accepted(tmp_path):
    key, secret = "SK" + "9" * 32, "key-secret"
    with EmulatorServer(account_sid=SID, auth_token=TOKEN, api_keys={key: secret}) as emu:
        client = client_for(emu, key, secret)
        assert client.messages.create(to="+358401234567", from_="E", body="x").sid
        err = api_error(
            lambda: client_for(emu, key, TOKEN).messages.create(
                to="+358401234567", from_="E", body="x"
            )
        )
        assert err.code == 20003


def test_other_account_in_path_is_not_found(emu):
    resp = requests.get(
        f"{emu.url}/2010-04-01/Accounts/AC{'f' * 32}/Messages.json", auth=(SID, TOKEN), timeout=10
    )
    assert resp.status_code == 404
    assert resp.json()["code"] == 20404


def test_list_filters_and_pages_like_twilio(emu):
    client = client_for(emu)
    sids = {
        client.messages.create(to="+358401111111", from_="Elisa", body=f"m{i}").sid
        for i in range(23)
    }
    client.messages.create(to="+358402222222", from_="Elisa", body="other")
    client.messages.create(to="+358401111111", from_="Saunalahti", body="other sender")
    listed = client.messages.list(to="+358401111111", from_="Elisa", page_size=5)
    assert {m.sid for m in listed} == sids
    assert len(listed) == 23
    # newest first, as Twilio lists them
    assert [m.body for m in listed[:3]] == ["m22", "m21", "m20"]
    page = client.messages.page(to="+358401111111", page_size=10)
    assert len(list(page)) == 10
    assert page.next_page_url and "PageToken=PA" in page.next_page_url
    assert client.messages.list(to="+358409999999") == []


def test_date_sent_filters_only_match_sent_messages(tmp_path):
    clock = StepClock()
    with EmulatorServer(
        account_sid=SID, auth_token=TOKEN, sent_after=0.3, delivered_after=0.6, clock=clock
    ) as emu:
        client = client_for(emu)
        start = clock.utc() - timedelta(seconds=1)
        msg = client.messages.create(to="+358401111111", from_="Elisa", body="x")
        clock.advance(0.29)
        assert client.messages.list(date_sent_after=start) == []  # still queued
        clock.advance(0.02)
        found = client.messages.list(to="+358401111111", date_sent_after=start)
        assert [m.sid for m in found] == [msg.sid]
        assert client.messages.list(date_sent_after=clock.utc() + timedelta(hours=1)) == []
        assert [m.sid for m in client.messages.list(date_sent=clock.utc())] == [msg.sid]
        yesterday = clock.utc() - timedelta(days=1)
        assert client.messages.list(date_sent_before=yesterday) == []
        assert client.messages.list(date_sent=yesterday) == []


def test_status_moves_to_delivered_and_undelivered(tmp_path):
    clock = StepClock()
    with EmulatorServer(
        account_sid=SID,
        auth_token=TOKEN,
        sent_after=0.1,
        delivered_after=0.2,
        undelivered_rate=0.5,
        seed=7,
        clock=clock,
    ) as emu:
        client = client_for(emu)
        sids = [
            client.messages.create(to="+358401111111", from_="Elisa", body=str(i)).sid
            for i in range(30)
        ]
        assert {client.messages(sid).fetch().status for sid in sids} == {"queued"}
        clock.advance(0.15)
        assert {client.messages(sid).fetch().status for sid in sids} == {"sent"}
        clock.advance(0.1)
        final = [client.messages(sid).fetch() for sid in sids]
        statuses = {m.status for m in final}
        assert statuses == {"delivered", "undelivered"}
        for m in final:
            if m.status == "undelivered":
                assert m.error_code in (30003, 30005, 30006, 30008)
                assert m.date_sent is not None
            else:
                assert m.error_code is None


def test_delivery_failure_magic_number(tmp_path):
    clock = StepClock()
    with EmulatorServer(
        account_sid=SID,
        auth_token=TOKEN,
        sent_after=0.05,
        delivered_after=0.1,
        magic_numbers={"+358400000003": 30003},
        clock=clock,
    ) as emu:
        client = client_for(emu)
        msg = client.messages.create(to="+358400000003", from_="Elisa", body="x")
        assert msg.status == "queued"
        clock.advance(0.1)
        fetched = client.messages(msg.sid).fetch()
        assert (fetched.status, fetched.error_code) == ("undelivered", 30003)


def test_scheduling_needs_a_messaging_service_and_the_window(emu):
    client = client_for(emu)
    now = datetime.now(UTC)
    ok = client.messages.create(
        to="+358401111111",
        messaging_service_sid=SERVICE,
        body="later",
        schedule_type="fixed",
        send_at=now + timedelta(hours=2),
    )
    assert ok.status == "scheduled"
    assert ok.messaging_service_sid == SERVICE
    assert client.messages(ok.sid).fetch().status == "scheduled"
    for send_at in (now + timedelta(minutes=5), now + timedelta(days=36)):
        err = api_error(
            lambda s=send_at: client.messages.create(
                to="+358401111111",
                messaging_service_sid=SERVICE,
                body="x",
                schedule_type="fixed",
                send_at=s,
            )
        )
        assert err.code == 35114
    err = api_error(
        lambda: client.messages.create(
            to="+358401111111",
            from_="Elisa",
            body="x",
            schedule_type="fixed",
            send_at=now + timedelta(hours=2),
        )
    )
    assert err.code == 35118
    canceled = client.messages(ok.sid).update(status="canceled")
    assert canceled.status == "canceled"


def test_messaging_service_send_is_accepted(emu):
    msg = client_for(emu).messages.create(
        to="+358401111111", messaging_service_sid=SERVICE, body="x"
    )
    assert msg.status == "accepted"
    assert msg.from_ is None


def test_fetch_unknown_sid_is_404(emu):
    err = api_error(lambda: client_for(emu).messages("SM" + "0" * 32).fetch())
    assert (err.status, err.code) == (404, 20404)


def test_error_rate_answers_500_and_stores_nothing(tmp_path):
    with EmulatorServer(account_sid=SID, auth_token=TOKEN, error_rate=1.0) as emu:
        client = client_for(emu)
        err = api_error(lambda: client.messages.create(to="+358401111111", from_="E", body="x"))
        assert (err.status, err.code) == (500, 20500)
        assert emu.store.count() == 0


def test_throttle_rate_answers_429_20429(tmp_path):
    with EmulatorServer(account_sid=SID, auth_token=TOKEN, throttle_rate=1.0) as emu:
        client = client_for(emu)
        err = api_error(lambda: client.messages.create(to="+358401111111", from_="E", body="x"))
        assert (err.status, err.code) == (429, 20429)
        assert emu.store.count() == 0


def test_lost_response_stores_then_drops_the_connection(tmp_path):
    with EmulatorServer(account_sid=SID, auth_token=TOKEN, lost_response_rate=1.0) as emu:
        client = client_for(emu)
        with pytest.raises(requests.ConnectionError):
            client.messages.create(to="+358401111111", from_="E", body="lost")
        stored = list(emu.store.all())
        assert [(m.to, m.body) for m in stored] == [("+358401111111", "lost")]
        # reads are not dropped: the message can be found
        assert [m.sid for m in client.messages.list(to="+358401111111")] == [stored[0].sid]


def test_seed_reproduces_the_fault_pattern(tmp_path):
    def pattern(seed: int) -> list[str]:
        with EmulatorServer(
            account_sid=SID, auth_token=TOKEN, error_rate=0.3, throttle_rate=0.3, seed=seed
        ) as emu:
            client = client_for(emu)
            out = []
            for i in range(40):
                try:
                    client.messages.create(to="+358401111111", from_="E", body=str(i))
                    out.append("ok")
                except TwilioRestException as exc:
                    out.append(str(exc.code))
            return out

    first = pattern(11)
    assert first == pattern(11)
    assert {"ok", "20500", "20429"} <= set(first)
    assert first != pattern(12)


def test_store_survives_a_restart(tmp_path):
    db = tmp_path / "emu.sqlite"
    with EmulatorServer(db_path=db, account_sid=SID, auth_token=TOKEN) as emu:
        sid = client_for(emu).messages.create(to="+358401111111", from_="E", body="x").sid
    with EmulatorServer(db_path=db, account_sid=SID, auth_token=TOKEN) as emu:
        assert client_for(emu).messages(sid).fetch().body == "x"


def test_missing_credentials_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with pytest.raises(ValueError, match="TWILIO_AUTH_TOKEN"):
        EmulatorServer()


def test_module_entry_point_serves_and_never_prints_the_token(tmp_path):
    env = {**os.environ, "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "smskit.emulator", "--port", "0", "--db", str(tmp_path / "e.db")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        client = Client(SID, TOKEN)
        client.api.base_url = url
        assert client.messages.create(to="+358401111111", from_="E", body="x").status == "queued"
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert TOKEN not in line + out + err


def test_module_entry_point_without_credentials_exits_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    proc = subprocess.run(
        [sys.executable, "-m", "smskit.emulator", "--port", "0", "--db", str(tmp_path / "e.db")],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: the emulator needs an account SID")
    assert "Traceback" not in proc.stderr


def test_a_message_answered_201_is_committed(tmp_path):
    # Creates are committed in groups; the 201 is written only after the group's commit, so
    # another connection to the store file (a test, a report) already sees the message.
    db = tmp_path / "emu.sqlite"
    with EmulatorServer(db_path=db, account_sid=SID, auth_token=TOKEN) as emu:
        client = client_for(emu)
        for i in range(20):
            sid = client.messages.create(to="+358401111111", from_="E", body=str(i)).sid
            reader = sqlite3.connect(db)
            try:
                found = reader.execute("SELECT body FROM messages WHERE sid = ?", (sid,)).fetchall()
            finally:
                reader.close()
            assert found == [(str(i),)]


def test_malformed_requests_and_other_methods(emu):
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 400 ")
        assert sock.recv(65536) == b""  # and the connection is closed
    resp = requests.put(
        f"{emu.url}/2010-04-01/Accounts/{SID}/Messages.json", auth=(SID, TOKEN), timeout=10
    )
    assert (resp.status_code, resp.json()["code"]) == (405, 20004)


def test_unknown_behaviour_and_bad_rates_are_refused() -> None:
    with pytest.raises(TypeError, match="error_rte"):
        EmulatorServer(account_sid=SID, auth_token=TOKEN, error_rte=0.5)
    with pytest.raises(ValueError, match=r"the throttle rate must be between 0 and 1, got 1\.5"):
        EmulatorServer(account_sid=SID, auth_token=TOKEN, throttle_rate=1.5)
