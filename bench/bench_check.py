"""`smskit check` against yamllint on the same files: 1,000 campaigns, and cold start on one.

Both tools run as their installed console scripts, alternating, so machine noise hits both alike.
Goals (issue 2): 1,000 files at most 0.25× yamllint's wall time; one file at most 1.5×.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import write_corpus

BIN = Path(sys.executable).parent


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def compare(label: str, ours: list[str], peer: list[str], rounds: int, goal: float) -> float:
    _time(ours), _time(peer)  # warm the page cache and .pyc files
    a, b = [], []
    for _ in range(rounds):
        a.append(_time(ours))
        b.append(_time(peer))
    ma, mb = statistics.median(a), statistics.median(b)
    ratio = ma / mb
    verdict = "meets" if ratio <= goal else "MISSES"
    print(
        f"{label}: smskit median {ma * 1000:.0f} ms, yamllint median {mb * 1000:.0f} ms "
        f"over {rounds} alternating rounds; ratio {ratio:.2f}x ({verdict} goal <= {goal}x)"
    )
    return ratio


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "campaigns"
        paths = write_corpus(folder, 1000)
        smskit, yamllint = str(BIN / "smskit"), str(BIN / "yamllint")
        compare(
            "check 1,000 campaign files (every rule on)",
            [smskit, "check", str(folder), "--format", "json"],
            [yamllint, "-f", "parsable", str(folder)],
            rounds=5,
            goal=0.25,
        )
        compare(
            "cold start, one file",
            [smskit, "check", str(paths[0]), "--format", "json"],
            [yamllint, "-f", "parsable", str(paths[0])],
            rounds=21,
            goal=1.5,
        )


if __name__ == "__main__":
    main()
