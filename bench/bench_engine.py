"""smskit's encoding engine against smsutil on the calculator's 3,000 random strings.

Both sides get the same question, encoding and segment count of each body, and run
interleaved (100 strings each in turn, several rounds) so that machine noise hits both alike;
times are CPU time of this process. smskit's full ``analyze`` (the parts and every character
that forced UCS-2) is timed afterwards, for information. Goal (issue): at least 10x smsutil's
throughput while agreeing 100% with Twilio's calculator.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import smsutil

from smskit.encoding import GSM7, UCS2, analyze, encoding_and_segments

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "conformance" / "twilio-segment-calculator" / "random_strings.json"
ROUNDS = 7
CHUNK = 100
GOAL = 10.0

Answer = Callable[[str], tuple[str, int]]
_SMSUTIL_ENCODING = {"gsm0338": GSM7, "utf_16_be": UCS2}


def smsutil_answer(text: str) -> tuple[str, int]:
    result = smsutil.split(text)
    return _SMSUTIL_ENCODING[result.encoding], len(result.parts)


def analyze_answer(text: str) -> tuple[str, int]:
    a = analyze(text)
    return a.encoding, a.segments


def _run(fn: Answer, texts: list[str]) -> float:
    start = time.process_time()
    for text in texts:
        fn(text)
    return time.process_time() - start


def _rounds(contenders: dict[str, Answer], texts: list[str]) -> dict[str, float]:
    """Median CPU time per round over all texts, the contenders taking turns chunk by chunk."""
    for fn in contenders.values():  # warm caches and lazy imports
        _run(fn, texts[:200])
    chunks = [texts[k : k + CHUNK] for k in range(0, len(texts), CHUNK)]
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(ROUNDS):
        spent = dict.fromkeys(contenders, 0.0)
        for chunk in chunks:
            for name, fn in contenders.items():
                spent[name] += _run(fn, chunk)
        for name, total in spent.items():
            times[name].append(total)
    return {name: statistics.median(ts) for name, ts in times.items()}


def _agreement(fn: Answer, cases: list[dict]) -> float:
    hits = sum(fn(c["input"]) == (c["encoding"], c["segments"]) for c in cases)
    return 100.0 * hits / len(cases)


def main() -> None:
    if not DATA.is_file():
        print(f"skipped: {DATA} not found (the shared conformance data sits beside the repo)")
        return
    cases = json.loads(DATA.read_text(encoding="utf-8"))
    texts = [c["input"] for c in cases]
    contenders = {
        "smskit encoding_and_segments": encoding_and_segments,
        "smsutil split": smsutil_answer,
    }
    medians = _rounds(contenders, texts)
    medians |= _rounds({"smskit analyze (parts, UCS-2 causes)": analyze_answer}, texts)
    peer = medians["smsutil split"]
    answers = {**contenders, "smskit analyze (parts, UCS-2 causes)": analyze_answer}
    print(f"{len(texts):,} strings, {ROUNDS} rounds, median CPU time per round:")
    for name, fn in answers.items():
        m = medians[name]
        print(
            f"  {name:38} {m * 1000:7.1f} ms  {len(texts) / m:9,.0f} strings/s  "
            f"{peer / m:5.1f}x smsutil  agrees with calculator {_agreement(fn, cases):6.2f}%"
        )
    ratio = peer / medians["smskit encoding_and_segments"]
    verdict = "meets" if ratio >= GOAL else "MISSES"
    print(f"engine throughput {ratio:.1f}x smsutil ({verdict} goal >= {GOAL:.0f}x)")
