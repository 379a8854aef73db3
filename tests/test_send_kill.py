"""The sender killed with SIGKILL at random moments, rerun until done: still exactly once.

The default size keeps ``make test`` quick; ``SMSKIT_SOAK_RECIPIENTS=2000`` runs the full
soak (``bench/bench_send.py`` runs it too).
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter

import pytest

from smskit.emulator.soak import SOAK_TOKEN, run_soak, verify

SIZE = int(os.environ.get("SMSKIT_SOAK_RECIPIENTS", "120"))


@pytest.mark.soak
def test_sigkill_and_resume_sends_each_message_exactly_once(tmp_path):
    seed = int(os.environ.get("SMSKIT_SOAK_SEED", "20240529"))
    run = run_soak(
        tmp_path / "soak",
        recipients=SIZE,
        kills=5,
        rate=60,  # slow enough that every kill lands mid-send
        kill_after=(0.7, 1.4),
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
