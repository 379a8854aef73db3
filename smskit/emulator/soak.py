"""Kill-and-resume reliability harness: the sender under SIGKILL, against a faulty emulator.

The sender runs as ``python -m smskit.send`` in a subprocess and is killed with SIGKILL at
random moments, then rerun until it reports the campaign complete. ``verify`` then compares
what the emulator stored with what should have been sent and with the journal.

A kill is timed by the run's progress, not by the clock: each run is killed once the emulator
has received a random number of its messages. So on a slow or loaded machine every kill still
lands mid-send (a slow start-up cannot make a kill land before the first request, nor a fast
run finish the campaign before the last kill). The killed runs go at ``kill_rate``; the runs
after the last kill at ``rate`` (the rate is not part of the campaign's content).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from smskit.emulator.server import EmulatorServer

SOAK_SID = "AC" + "50a4" * 8
SOAK_TOKEN = "soak-" + "t0k3n" * 6
SOAK_MESSAGES = [
    ("intro", "Hei! Kiitos, että olet asiakkaamme."),
    ("offer", "Tarjous: 20 % alennus 31.5. asti. Terveisin Elisa"),
]


@dataclass
class SoakRun:
    workdir: Path
    recipients: list[str]
    opted_out: list[str]
    messages: list[tuple[str, str]]
    emulator_db: Path
    journal: Path
    kills: int = 0
    runs: int = 0
    elapsed: float = 0.0
    final: dict = field(default_factory=dict)


def run_soak(
    workdir: Path,
    *,
    recipients: int = 2000,
    kills: int = 5,
    error_rate: float = 0.05,
    lost_response_rate: float = 0.03,
    throttle_rate: float = 0.05,
    rate: float = 0,
    kill_rate: float = 300,
    kill_after: tuple[int, int] = (200, 700),
    opt_out_every: int = 40,
    seed: int = 0,
    max_runs: int = 60,
    echo: Callable[[str], None] = lambda _: None,
) -> SoakRun:
    """Kill ``kills`` runs, each after ``kill_after`` (min, max) of its messages reached the
    emulator, then rerun until the sender reports the campaign complete."""
    workdir.mkdir(parents=True, exist_ok=True)
    numbers = [f"+35841{i:07d}" for i in range(recipients)]
    opted = numbers[opt_out_every // 2 :: opt_out_every] if opt_out_every else []
    (workdir / "recipients.txt").write_text("\n".join(numbers) + "\n", encoding="utf-8")
    run = SoakRun(
        workdir,
        numbers,
        opted,
        SOAK_MESSAGES,
        workdir / "emulator.sqlite",
        workdir / "journal.sqlite",
    )
    rng = random.Random(seed)
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": SOAK_SID,
        "TWILIO_AUTH_TOKEN": SOAK_TOKEN,
    }
    env.pop("TWILIO_API_KEY", None)
    started = time.monotonic()
    with EmulatorServer(
        db_path=run.emulator_db,
        account_sid=SOAK_SID,
        auth_token=SOAK_TOKEN,
        error_rate=error_rate,
        lost_response_rate=lost_response_rate,
        throttle_rate=throttle_rate,
        seed=seed,
        magic_numbers={n: 21610 for n in opted},
    ) as emu:
        cmd = [
            sys.executable,
            "-m",
            "smskit.send",
            "--campaign",
            "soak",
            "--journal",
            str(run.journal),
            "--recipients",
            str(workdir / "recipients.txt"),
            "--sender",
            "Elisa",
            "--base-url",
            emu.url,
            "--lookup-grace",
            "0.3",
            "--json",
            "--no-progress",
        ]
        for mid, body in SOAK_MESSAGES:
            cmd += ["--message", f"{mid}={body}"]
        while run.runs < max_runs:
            run.runs += 1
            killing = run.kills < kills
            proc = subprocess.Popen(
                [*cmd, "--rate", str(kill_rate if killing else rate)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            if killing:
                target = emu.store.count() + rng.randint(*kill_after)
                deadline = time.monotonic() + 120
                while (
                    proc.poll() is None
                    and emu.store.count() < target
                    and time.monotonic() < deadline
                ):
                    time.sleep(0.005)
                time.sleep(rng.uniform(0, 0.02))  # not always right after a message was stored
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    proc.communicate()
                    run.kills += 1
                    echo(f"run {run.runs}: killed (SIGKILL #{run.kills})")
                    continue
            out, err = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"the sender failed (exit {proc.returncode}): {err.strip()}")
            summary = json.loads(out)
            echo(f"run {run.runs}: {summary['counts']}")
            run.final = summary
            if summary["complete"]:
                break
    run.elapsed = time.monotonic() - started
    return run


def verify(run: SoakRun) -> list[str]:
    """Everything that is wrong with a finished soak run (an empty list: exactly once)."""
    problems: list[str] = []
    db = sqlite3.connect(run.emulator_db)
    try:
        stored = db.execute("SELECT sid, to_number, body FROM messages").fetchall()
    finally:
        db.close()
    got = Counter((to, body) for _, to, body in stored)
    opted = set(run.opted_out)
    for to in run.recipients:
        for _, body in run.messages:
            n = got.get((to, body), 0)
            want = 0 if to in opted else 1
            if n != want:
                problems.append(f"{to} got {body[:20]!r} {n} times, expected {want}")
    extra = set(got) - {(to, body) for to in run.recipients for _, body in run.messages}
    problems += [f"unexpected message {pair}" for pair in sorted(extra)]
    j = sqlite3.connect(run.journal)
    try:
        rows = j.execute(
            "SELECT recipient, message_id, state, sid FROM deliveries WHERE campaign = 'soak'"
        ).fetchall()
        opt_outs = {r[0] for r in j.execute("SELECT number FROM opt_outs")}
    finally:
        j.close()
    bodies = dict(run.messages)
    by_sid = {sid: (to, body) for sid, to, body in stored}
    open_rows = [r for r in rows if r[2] not in ("sent", "failed", "opted_out")]
    problems += [f"journal row left {r[2]}: {r[0]} {r[1]}" for r in open_rows]
    for to, mid, state, sid in rows:
        if state == "sent" and by_sid.get(sid) != (to, bodies[mid]):
            problems.append(f"journal says {to} {mid} is {sid}, the emulator disagrees")
    journal_sids = {r[3] for r in rows if r[3]}
    problems += [
        f"emulator message {s} missing from the journal" for s in set(by_sid) - journal_sids
    ]
    if opt_outs != opted:
        problems.append(f"opt-out list {sorted(opt_outs)} != {sorted(opted)}")
    return problems
