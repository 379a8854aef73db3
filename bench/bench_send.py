"""`smskit send` against the emulator: throughput, rate accuracy, memory, and the SIGKILL soak.

Measured side by side in one run, against the emulator running in its own process with no
latency and no faults:

- ours: ``send_plan`` end to end, journal on, no rate limit (messages/s);
- peer (a): a plain sequential loop of ``client.messages.create`` (goal: ours >= 5x);
- peer (b): the emulator's own capacity, measured by a bare load generator (threads with
  ``http.client`` keep-alive connections) on the same endpoint (goal: ours >= 50%).

The same at 200 ms API latency (as from Twilio), where requests in flight matter. Then
``--rate 50`` at 200 ms latency measured over 60 s from the emulator's timestamps (goal: 5%),
the peak memory of a 1,000,000-recipient streamed send (goal: <= 200 MB; an in-process
stand-in takes the requests) and of the real path through the emulator at 10,000 and 100,000
recipients (the peak must not grow with the audience), and the
2,000-recipient, two-message soak with 5% errors, 3% lost responses, 5% throttling and at
least five SIGKILLs (goal: every eligible recipient gets each message exactly once).
"""

from __future__ import annotations

import base64
import http.client
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.rss import PEAK_MB_SOURCE
from smskit.emulator.soak import run_soak, verify
from smskit.send import build_plan, content_hash, send_plan
from smskit.send.twilio_adapter import Credentials

SID = "AC" + "be4c" * 8
TOKEN = "bench-" + "x" * 26
CREDS = Credentials(SID, SID, TOKEN)
BODY = "Hei! Kesätarjous: 20 % alennus kaikista liittymistä 31.5. asti. Terveisin Elisa"


class Emulator:
    """The emulator in its own process, so that it does not share a GIL with the sender."""

    def __init__(self, workdir: Path, *extra: str) -> None:
        env = {**os.environ, "TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN}
        self.db = workdir / f"emulator-{time.monotonic_ns()}.sqlite"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "smskit.emulator", "--port", "0", "--db", str(self.db), *extra],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        found = re.search(r"http://[0-9.]+:[0-9]+", line)
        if not found:
            self.proc.kill()
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.url = found.group(0)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def numbers(n: int, offset: int) -> list[str]:
    return [f"+35850{offset + i:07d}" for i in range(n)]


def ours(url: str, workdir: Path, n: int, offset: int) -> float:
    """Messages per second through ``send_plan``, journal on, no rate limit."""
    journal = workdir / f"journal-{offset}.sqlite"
    plan = build_plan("bench", [("m", BODY)], numbers(n, offset))
    start = time.perf_counter()
    summary = send_plan(
        plan,
        campaign="bench",
        campaign_hash=content_hash(str(offset)),
        journal_path=journal,
        sender="Elisa",
        rate=0,
        yes=True,
        base_url=url,
        credentials=CREDS,
        progress=False,
    )
    elapsed = time.perf_counter() - start
    assert summary.counts == {"sent": n}, summary.counts
    return n / elapsed


def sequential(url: str, n: int, offset: int) -> float:
    from twilio.rest import Client

    client = Client(SID, TOKEN)
    client.api.base_url = url
    start = time.perf_counter()
    for to in numbers(n, offset):
        client.messages.create(to=to, from_="Elisa", body=BODY)
    return n / (time.perf_counter() - start)


def load_generator(url: str, n: int, offset: int, threads: int = 16) -> float:
    """Bare POSTs on keep-alive connections: what the emulator itself can take."""
    parts = urlsplit(url)
    path = f"/2010-04-01/Accounts/{SID}/Messages.json"
    auth = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    todo = iter(numbers(n, offset))
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port)
        while True:
            with lock:
                to = next(todo, None)
            if to is None:
                break
            body = urlencode({"To": to, "From": "Elisa", "Body": BODY})
            conn.request(
                "POST",
                path,
                body,
                {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"},
            )
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 201, resp.status
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return n / (time.perf_counter() - start)


def throughput(workdir: Path, rounds: int = 3) -> None:
    emu = Emulator(workdir)
    try:
        offset = 0
        results: dict[str, list[float]] = {"ours": [], "sequential": [], "capacity": []}
        plan = [("ours", 3000), ("sequential", 600), ("capacity", 4000)]
        for name, n in plan:  # warm-up round, not counted
            _run(name, emu.url, workdir, min(n, 300), offset)
            offset += n
        for _ in range(rounds):
            for name, n in plan:
                results[name].append(_run(name, emu.url, workdir, n, offset))
                offset += n
    finally:
        emu.stop()
    med = {k: statistics.median(v) for k, v in results.items()}
    vs_seq = med["ours"] / med["sequential"]
    vs_cap = med["ours"] / med["capacity"]
    print(
        f"send throughput (journal on, no rate limit, {rounds} alternating rounds, medians): "
        f"smskit {med['ours']:.0f} msg/s; sequential client.messages.create loop "
        f"{med['sequential']:.0f} msg/s; emulator capacity (bare keep-alive load generator) "
        f"{med['capacity']:.0f} req/s"
    )
    print(
        f"  vs sequential loop: {vs_seq:.1f}x ({'meets' if vs_seq >= 5 else 'MISSES'} goal >= 5x); "
        f"vs emulator capacity: {vs_cap:.0%} ({'meets' if vs_cap >= 0.5 else 'MISSES'} goal >= 50%)"
    )


def _run(name: str, url: str, workdir: Path, n: int, offset: int) -> float:
    if name == "ours":
        return ours(url, workdir, n, offset)
    if name == "sequential":
        return sequential(url, n, offset)
    return load_generator(url, n, offset)


def with_latency(workdir: Path, latency_ms: int = 200) -> None:
    """The same comparison at Twilio-like API latency, where requests in flight matter."""
    emu = Emulator(workdir, "--latency", str(latency_ms))
    try:
        seq = sequential(emu.url, 25, 0)
        ours_rate = ours(emu.url, workdir, 600, 100)
    finally:
        emu.stop()
    print(
        f"at {latency_ms} ms API latency: smskit {ours_rate:.0f} msg/s (64 requests in flight); "
        f"sequential loop {seq:.1f} msg/s; {ours_rate / seq:.0f}x"
    )


def rate_accuracy(workdir: Path, rate: float = 50.0, window: float = 60.0) -> None:
    # At 200 ms API latency: the requests in flight must be enough to hold the rate.
    emu = Emulator(workdir, "--latency", "200")
    try:
        n = int(rate * (window + 6))
        start = time.time()
        send_plan(
            build_plan("rate", [("m", "Hei! Tämä on yhden segmentin viesti.")], numbers(n, 0)),
            campaign="rate",
            campaign_hash="rate",
            journal_path=workdir / "journal-rate.sqlite",
            sender="Elisa",
            rate=rate,
            yes=True,
            base_url=emu.url,
            credentials=CREDS,
            progress=False,
        )
    finally:
        emu.stop()
    db = sqlite3.connect(emu.db)
    created = [r[0] for r in db.execute("SELECT created FROM messages ORDER BY created")]
    db.close()
    t0 = created[0] + 2.0  # skip the start, measure a steady 60 s window
    inside = sum(1 for t in created if t0 <= t < t0 + window)
    measured = inside / window
    error = measured / rate - 1
    verdict = "meets" if abs(error) <= 0.05 else "MISSES"
    print(
        f"--rate {rate:g} at 200 ms API latency: measured {measured:.2f} segments/s over "
        f"{window:.0f} s from the "
        f"emulator's timestamps ({error:+.1%}; {verdict} goal within 5%; run took "
        f"{time.time() - start:.0f} s)"
    )


_MEMORY_SCRIPT = (
    PEAK_MB_SOURCE
    + r"""
import sys, time
from smskit.send import build_plan, send_plan
from smskit.send.twilio_adapter import Credentials, Outcome

class Instant:
    # Accepts at once, in process: the streaming plan, the engine's bookkeeping and the
    # journal at a million recipients, without the hours HTTP would take.
    base_url = "instant"
    def __init__(self):
        self.n = 0
    def create(self, to, body, **kw):
        self.n += 1
        return Outcome("accepted", sid=f"SM{self.n:032x}", status="queued")
    def find(self, *a, **kw):
        return None
    def close(self):
        pass

n, journal, url, sid, token = int(sys.argv[1]), sys.argv[2], *(sys.argv[3:6] or [None] * 3)
plan = build_plan("memory", [("intro", "Hei! Tervetuloa asiakkaaksi.")],
                  (f"+35840{i:07d}" for i in range(n)))
how = (dict(base_url=url, credentials=Credentials(sid, sid, token)) if url
       else dict(adapter=Instant()))
start = time.perf_counter()
summary = send_plan(plan, campaign="memory", campaign_hash="h", journal_path=journal,
                    sender="Elisa", rate=0, yes=True, progress=False, **how)
elapsed = time.perf_counter() - start
assert summary.counts == {"sent": n}, summary.counts
print(f"{elapsed:.1f} {peak_mb():.1f}")
"""
)


def _send_in_child(workdir: Path, n: int, *http: str) -> tuple[float, float]:
    """(seconds, peak MB) of sending to ``n`` recipients in a fresh process, through the
    emulator at ``http`` = (url, sid, token) or, without it, to the in-process stand-in."""
    journal = workdir / f"journal-mem-{n}.sqlite"
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(n), str(journal), *http],
        capture_output=True,
        text=True,
        check=True,
    )
    journal.unlink(missing_ok=True)
    elapsed, peak = (float(x) for x in out.stdout.split())
    return elapsed, peak


def memory(workdir: Path, n: int = 1_000_000) -> None:
    small, big = ((size, *_send_in_child(workdir, size)) for size in (10_000, n))
    verdict = "meets" if big[2] <= 200 else "MISSES"
    print(
        f"streaming memory: {big[0]:,} recipients, journal on: peak RSS "
        f"{big[2]:.0f} MB in {big[1]:.0f} s ({verdict} goal <= 200 MB); {small[0]:,} "
        f"recipients: {small[2]:.0f} MB (an in-process stand-in takes each request)"
    )


def memory_over_http(workdir: Path, sizes: tuple[int, ...] = (10_000, 100_000)) -> None:
    """The real path (twilio client, HTTP, emulator) at two sizes: a streamed send's peak
    memory does not grow with the number of recipients."""
    rows = []
    for size in sizes:
        emu = Emulator(workdir)
        try:
            rows.append((size, *_send_in_child(workdir, size, emu.url, SID, TOKEN)))
        finally:
            emu.stop()
            emu.db.unlink(missing_ok=True)
    text = "; ".join(f"{s:,} recipients: {p:.0f} MB ({s / e:.0f} msg/s)" for s, e, p in rows)
    growth = rows[-1][2] - rows[0][2]
    print(f"streaming memory through the emulator (HTTP, twilio client): {text}; {growth:+.0f} MB")


def soak(workdir: Path) -> None:
    # Killed runs go at 300 segments/s and die after 200-700 of their messages: every kill lands
    # mid-send, and the 4,000 messages outlast the five kills; the last run goes unthrottled.
    run = run_soak(
        workdir / "soak", recipients=2000, kills=5, kill_rate=300, kill_after=(200, 700), rate=0
    )
    problems = verify(run)
    if run.kills < 5:
        problems.append(f"only {run.kills} SIGKILLs landed before the send finished")
    verdict = "exactly once" if not problems and run.final.get("complete") else "FAILED"
    print(
        f"soak: 2,000 recipients x 2 messages, 5% errors, 3% lost responses, 5% throttling, "
        f"{run.kills} SIGKILLs, {run.runs} runs, {run.elapsed:.0f} s: {verdict}"
    )
    for p in problems[:10]:
        print(f"  {p}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        throughput(workdir)
        with_latency(workdir)
        rate_accuracy(workdir)
        memory(workdir)
        memory_over_http(workdir)
        soak(workdir)


if __name__ == "__main__":
    main()
