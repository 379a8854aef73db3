"""The sender killed with SIGKILL at random moments, rerun until done: still exactly once.

The default size keeps ``make test`` quick; ``SMSKIT_SOAK_RECIPIENTS=2000`` runs the full
soak (``bench/bench_send.py`` runs it too).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from subprocess import PIPE

import pytest

from smskit.emulator import EmulatorServer
from smskit.emulator.soak import SOAK_SID, SOAK_TOKEN, run_soak, verify
from tests.waiting import wait_until

SIZE = int(os.environ.get("SMSKIT_SOAK_RECIPIENTS", "120"))


@pytest.mark.soak
def test_sigkill_and_resume_sends_each_message_exactly_once(tmp_path):
    seed = int(os.environ.get("SMSKIT_SOAK_SEED", "20240529"))
    run = run_soak(
        tmp_path / "soak",
        recipients=SIZE,
        kills=5,
        kill_rate=30,  # killed runs: slow, so that 5 kills come long before the end
        kill_after=(8, 20),  # each run dies after 8-20 of its messages reached the emulator
        rate=0,  # the runs after the last kill go unthrottled
        opt_out_every=25,
        seed=seed,
    )
    assert run.kills >= 5
    assert run.final.get("complete"), f"not finished after {run.runs} runs (seed {seed})"
    # the last run found work done by the killed ones
    assert run.final["this_run"].get("already", 0) > 0

    emu = sqlite3.connect(run.emulator_db)
    stored = emu.execute("SELECT sid, to_number, body FROM messages").fetchall()
    emu.close()
    received = Counter((to, body) for _, to, body in stored)
    opted = set(run.opted_out)
    assert opted
    eligible = [to for to in run.recipients if to not in opted]
    expected = {(to, body) for to in eligible for _, body in run.messages}
    assert set(received) == expected, f"seed {seed}"
    assert set(received.values()) == {1}, f"duplicates with seed {seed}"
    assert not any(to in opted for _, to, _ in stored)

    journal = sqlite3.connect(run.journal)
    rows = journal.execute(
        "SELECT recipient, message_id, state, sid FROM deliveries WHERE campaign = 'soak'"
    ).fetchall()
    journal.close()
    assert Counter(state for _, _, state, _ in rows) == {
        "sent": len(expected),
        "failed": len(opted),  # each opted-out number's first message answered 21610
        "opted_out": len(opted),  # ... and its second was never attempted
    }
    journal_sent = {sid: (to, mid) for to, mid, state, sid in rows if state == "sent"}
    bodies = dict(run.messages)
    assert {sid: (to, bodies[mid]) for sid, (to, mid) in journal_sent.items()} == {
        sid: (to, body) for sid, to, body in stored
    }
    assert verify(run) == []
    assert SOAK_TOKEN.encode() not in run.journal.read_bytes()


@contextmanager
def _two_message_send(tmp_path: Path, campaign: str, count: int, latency_ms: int):
    """An emulator answering after ``latency_ms``, and the command that sends it a two-message
    campaign for ``count`` recipients: (emulator, command, environment, journal)."""
    recipients = [f"+35842{i:07d}" for i in range(count)]
    (tmp_path / "r.txt").write_text("\n".join(recipients), encoding="utf-8")
    env = {**os.environ, "TWILIO_ACCOUNT_SID": SOAK_SID, "TWILIO_AUTH_TOKEN": SOAK_TOKEN}
    journal = tmp_path / "journal.sqlite"
    with EmulatorServer(
        db_path=tmp_path / "emu.sqlite",
        account_sid=SOAK_SID,
        auth_token=SOAK_TOKEN,
        latency_ms=latency_ms,
    ) as emu:
        cmd = [
            *(sys.executable, "-m", "smskit.send", "--campaign", campaign),
            *("--journal", str(journal), "--recipients", str(tmp_path / "r.txt")),
            *("--message", "a=Ensimmäinen", "--message", "b=Toinen", "--sender", "Elisa"),
            *("--base-url", emu.url, "--json"),
        ]
        yield emu, cmd, env, journal


def _interrupted(proc: subprocess.Popen) -> str:
    """Wait for the interrupted sender; its stderr (its summary on stdout says interrupted)."""
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    summary = json.loads(out)
    assert summary["interrupted"] and not summary["complete"]
    return err


def _journal_states(journal: Path) -> tuple[Counter, set[str]]:
    db = sqlite3.connect(journal)
    states = Counter(r[0] for r in db.execute("SELECT state FROM deliveries"))
    sids = {r[0] for r in db.execute("SELECT sid FROM deliveries WHERE sid IS NOT NULL")}
    db.close()
    return states, sids


def _rerun_completes(cmd: list[str], env: dict[str, str], emu: EmulatorServer, total: int) -> None:
    again = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["complete"]
    received = Counter((m.to, m.body) for m in emu.store.all())
    assert len(received) == total and set(received.values()) == {1}


def test_ctrl_c_leaves_the_journal_consistent_and_the_rerun_finishes(tmp_path: Path) -> None:
    # Twilio-like latency: several requests are in flight when Ctrl-C comes
    with _two_message_send(tmp_path, "ctrlc", 80, latency_ms=200) as (emu, cmd, env, journal):
        # 20 segments/s: 160 messages take 8 s, so Ctrl-C after the 20th lands mid-send
        proc = subprocess.Popen(
            [*cmd, "--rate", "20"], stdout=PIPE, stderr=PIPE, text=True, env=env
        )
        wait_until(lambda: emu.store.count() >= 20 or proc.poll() is not None, timeout=60)
        proc.send_signal(signal.SIGINT)
        err = _interrupted(proc)
        states, sids = _journal_states(journal)
        # Every request that left got its answer recorded before the sender stopped: Ctrl-C
        # stops new requests, then the sender waits for those in flight (none is "attempting")
        assert set(states) <= {"sent", "pending"}, states
        assert sids == {m.sid for m in emu.store.all()}
        assert 0 < states["sent"] < 160
        # the rate is not part of the campaign's content: the rerun may go unthrottled
        _rerun_completes([*cmd, "--rate", "0"], env, emu, 160)
    assert re.search(r"sent", err)  # plain progress lines went to stderr, not a traceback


def test_a_second_ctrl_c_stops_at_once_and_the_rerun_still_sends_each_message_once(
    tmp_path: Path,
) -> None:
    # every request stays in flight a second: the second Ctrl-C meets some
    with _two_message_send(tmp_path, "twice", 40, latency_ms=1000) as (emu, cmd, env, journal):
        proc = subprocess.Popen(
            [*cmd, "--rate", "0", "--concurrency", "8"],
            stdout=PIPE,
            stderr=PIPE,
            text=True,
            env=env,
        )
        wait_until(lambda: emu.store.count() >= 1 or proc.poll() is not None, timeout=60)
        proc.send_signal(signal.SIGINT)  # the first: stop dispatching, wait for those in flight
        time.sleep(0.2)  # the first is being handled: requests are still in flight
        proc.send_signal(signal.SIGINT)  # the second: do not wait
        _interrupted(proc)
        states, _ = _journal_states(journal)
        # Claims whose request never left went back to "pending"; the answers to those in
        # flight came within the grace the second Ctrl-C still gives them, and were recorded.
        assert set(states) <= {"sent", "pending"}, states
        assert 0 < states["sent"] < 80
        _rerun_completes([*cmd, "--rate", "0", "--concurrency", "64"], env, emu, 80)
