"""Audience pre-flight against a bare ``csv.reader`` pass and against the naive way.

A realistic Finnish audience of 1,000,000 rows is written to a temporary folder (semicolons and a
BOM, as Excel's "CSV UTF-8" writes them in a Finnish locale): names with ä and ö, some Š/Ž/ç
names, some written in capitals, some empty, a few bad and duplicate numbers, a few quoted
fields. Numbers are sequential Finnish mobile numbers, +358 40 1000000 upwards, written as
+35840…, 040 … … or 040… : no range of Finnish numbers reserved for drama or testing could be
found in Traficom's published material, so these are fictional but not reserved; the file only
lives in a temporary folder and nothing is sent. (The example audience in campaigns/examples/
uses +46 70 174 06 05-14, which the Swedish regulator PTS reserves for fiction.)

Timed, alternating, median of rounds:
  (a) a bare csv.reader pass over the file (the peer),
  (b) ``smskit.preflight.run`` on a two-message campaign, as the tool runs it: on a machine with
      two CPUs the phone column goes to a worker process (smskit.worker) while this one reads
      the file and checks the messages; its CPU time over both processes is printed, and the
      same run kept in one process is timed beside it for comparison,
  (c) the naive way: render every message in full and run the engine on it, measured on the
      first 100,000 rows and scaled to the file (it is linear; the full run takes minutes).
Goals (issue 4): b ≤ 2 × a, c ≥ 10 × b; peak memory of (b) ≤ 150 MB, measured in a fresh
subprocess (bench.rss): the process's peak plus its worker's (an overcount, as
both count the pages they share after the fork).
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.rss import PEAK_MB_SOURCE

ROWS = 1_000_000
NAIVE_ROWS = 100_000
ROUNDS = 3

FIRST = [
    "Matti",
    "Timo",
    "Juha",
    "Mikko",
    "Jari",
    "Antti",
    "Jukka",
    "Mika",
    "Markku",
    "Pekka",
    "Hannu",
    "Heikki",
    "Seppo",
    "Janne",
    "Ari",
    "Sami",
    "Petri",
    "Kari",
    "Ville",
    "Marko",
    "Tuomas",
    "Väinö",
    "Yrjö",
    "Jyrki",
    "Tuula",
    "Anne",
    "Päivi",
    "Ritva",
    "Pirjo",
    "Sari",
    "Minna",
    "Marja",
    "Tiina",
    "Riitta",
    "Leena",
    "Anna",
    "Johanna",
    "Eila",
    "Merja",
    "Kaisa",
    "Satu",
    "Sanna",
    "Hanna",
    "Jenni",
    "Anna-Liisa",
    "Maija-Leena",
    "Säde",
    "Ilmari",
    "Aleksi",
    "Eetu",
    "Onni",
    "Elias",
    "Aino",
    "Eevi",
    "Helmi",
    "Lilja",
    "Sofia",
    "Ella",
    "Iida",
    "Venla",
]
LAST = [
    "Korhonen",
    "Virtanen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Heikkilä",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Salo",
    "Laitinen",
    "Tuominen",
    "Rantanen",
    "Karjalainen",
    "Jokinen",
    "Mattila",
    "Savolainen",
    "Lahtinen",
    "Ahonen",
    "Pääkkönen",
    "Kärkkäinen",
    "Väisänen",
    "Söderberg",
    "Lönnrot",
    "Åström",
]
FOREIGN_FIRST = ["Šárka", "Žaklina", "François", "Jiří", "Zoë", "Ayşe", "Łukasz"]
FOREIGN_LAST = ["Šemeikka", "Čapek", "Çelik", "Novák", "Dvořák", "Šimek"]
CITIES = "Helsinki Espoo Tampere Vantaa Oulu Turku Jyväskylä Lahti Kuopio Pori Kouvola Joensuu"

OFFER = (
    "Hei {first_name}! Kevään tarjous: Saunalahti 5G -liittymä 19,90 €/kk 12 kk ajan. "
    "Tilaa elisa.fi/kevat Terveisin Elisa"
)
REMINDER = (
    "{first_name} {last_name}, muistathan: tarjous on voimassa 31.5.2026 asti ja koskee myös "
    "perheesi liittymiä. Kysy lisää myymälästä ({city}). Kiellä viestit: elisa.fi/stop"
)
CAMPAIGN = (
    "campaign: kevat-tarjous\nbrand: Elisa\nlocale: fi-FI\npurpose: marketing\nsender: Elisa\n"
    "audience: audience.csv\nmessages:\n"
    f"  - id: offer\n    body: {json.dumps(OFFER, ensure_ascii=False)}\n"
    f"  - id: reminder\n    body: {json.dumps(REMINDER, ensure_ascii=False)}\n"
)


def write_audience(path: Path, rows: int = ROWS, seed: int = 4) -> None:
    """A Finnish audience as Excel writes "CSV UTF-8" in a Finnish locale (BOM, semicolons)."""
    rng = random.Random(seed)
    cities = CITIES.split()
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(["phone", "first_name", "last_name", "city", "customer_id"])
        for i in range(rows):
            n = 1_000_000 + i  # fictional, see the module docstring
            r = rng.random()
            if r < 0.002:
                phone = rng.choice(["040 123", "12345", "n/a", "+358 40", "0400-12"])
            elif r < 0.003 and i > 10:
                phone = f"+35840{n - rng.randrange(1, 10):07d}"  # a duplicate
            elif r < 0.40:
                phone = f"+35840{n:07d}"
            elif r < 0.80:
                phone = f"040 {n // 10_000:03d} {n % 10_000:04d}"
            else:
                phone = f"040{n:07d}"
            first = rng.choice(FOREIGN_FIRST) if rng.random() < 0.01 else rng.choice(FIRST)
            last = rng.choice(FOREIGN_LAST) if rng.random() < 0.01 else rng.choice(LAST)
            q = rng.random()
            if q < 0.02:
                first = first.upper()
            elif q < 0.03:
                first = ""
            if i % 100_000 == 50_000:
                last = f"{last}; {rng.choice(LAST)}"  # a quoted field
            w.writerow([phone, first, last, rng.choice(cities), f"A{100000 + i}"])


def write_campaign(folder: Path, rows: int = ROWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_audience(folder / "audience.csv", rows)
    path = folder / "campaign.yml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    return path


def _bare(csv_path: Path) -> float:
    start = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8-sig") as f:
        for _row in csv.reader(f, delimiter=";"):
            pass
    return time.perf_counter() - start


def _ours(campaign_path: Path) -> tuple[float, float]:
    """Wall time of the pre-flight, and the CPU time it took in every process (a large
    audience has its phone numbers checked in a second process: see smskit.worker)."""
    from smskit.loader import load
    from smskit.preflight import run

    campaign = load(campaign_path).campaign
    assert campaign is not None
    cpu0 = os.times()
    start = time.perf_counter()
    result = run(campaign)
    elapsed = time.perf_counter() - start
    cpu1 = os.times()
    assert result.refused is None and result.rows > 0, result.refused
    cpu = sum(b - a for a, b in zip(cpu0[:4], cpu1[:4], strict=True))
    return elapsed, cpu


def _naive(campaign_path: Path, rows: int) -> float:
    """``smskit.preflight.naive_outcomes`` (full render + engine) over the first ``rows``."""
    from smskit.audience import open_audience
    from smskit.loader import load
    from smskit.preflight import naive_outcomes

    campaign = load(campaign_path).campaign
    assert campaign is not None
    start = time.perf_counter()
    naive_outcomes(campaign, open_audience(campaign_path.parent / "audience.csv"), rows)
    return time.perf_counter() - start


_PEAK = (
    PEAK_MB_SOURCE
    + """
import resource, sys
from pathlib import Path
from smskit.loader import load
from smskit.preflight import run
campaign = load(Path(sys.argv[1])).campaign
base = peak_mb()
result = run(campaign)
peak = peak_mb()
# the worker is forked, not exec'd: its figure includes the pages it shares with this process
worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(peak, base, worker, result.rows)
"""
)


def _peak_mb(campaign_path: Path) -> tuple[float, float, float]:
    """Peak RSS of the pre-flight's process and of its worker, if any (MB; both count the
    pages they share), and the interpreter's with imports."""
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, str(campaign_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    peak, base, worker = (float(x) for x in out[:3])
    return peak, base, worker


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        campaign = write_campaign(Path(tmp) / "camp")
        csv_path = campaign.parent / "audience.csv"
        size = csv_path.stat().st_size / 1e6
        print(
            f"audience: {ROWS:,} rows, {size:.0f} MB, written in {time.perf_counter() - t0:.0f} s"
        )
        peak, base, worker = _peak_mb(campaign)
        _bare(csv_path), _ours(campaign)  # warm the page cache and imports
        a, b, b1, cpu = [], [], [], []
        for _ in range(ROUNDS):
            a.append(_bare(csv_path))
            wall, used = _ours(campaign)
            b.append(wall)
            cpu.append(used)
            with _one_process():
                b1.append(_ours(campaign)[0])
        c_part = [_naive(campaign, NAIVE_ROWS) for _ in range(ROUNDS)]
        ma, mb, mb1 = statistics.median(a), statistics.median(b), statistics.median(b1)
        mc = statistics.median(c_part) * ROWS / NAIVE_ROWS
        print(f"(a) bare csv.reader pass        median {ma:6.2f} s")
        print(
            f"(b) smskit pre-flight           median {mb:6.2f} s "
            f"(CPU {statistics.median(cpu):.2f} s: phone numbers in a worker process)"
        )
        print(f"    the same in one process     median {mb1:6.2f} s ({mb1 / ma:.2f}x a)")
        print(
            f"(c) naive render + engine        median {mc:6.2f} s "
            f"(measured on {NAIVE_ROWS:,} rows, scaled)"
        )
        r1, r2 = mb / ma, mc / mb
        print(
            f"b/a = {r1:.2f}x ({'meets' if r1 <= 2 else 'MISSES'} goal <= 2x); "
            f"c/b = {r2:.1f}x ({'meets' if r2 >= 10 else 'MISSES'} goal >= 10x)"
        )
        total = peak + worker
        print(
            f"peak memory of (b): {peak:.0f} MB + worker {worker:.0f} MB = {total:.0f} MB "
            f"(interpreter and imports: {base:.0f} MB; the two count their shared pages twice) "
            f"({'meets' if total <= 150 else 'MISSES'} goal <= 150 MB)"
        )


@contextmanager
def _one_process() -> Iterator[None]:
    import smskit.preflight as preflight

    saved, preflight.WORKER_MIN_BYTES = preflight.WORKER_MIN_BYTES, 1 << 62
    try:
        yield
    finally:
        preflight.WORKER_MIN_BYTES = saved


if __name__ == "__main__":
    main()
