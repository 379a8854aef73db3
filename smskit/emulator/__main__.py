"""``python -m smskit.emulator``: the emulator without the typer CLI (tests, benchmarks)."""

from __future__ import annotations

import argparse
import sys

from smskit.emulator.server import run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m smskit.emulator", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--db", default=".smskit/emulator.sqlite")
    p.add_argument("--account-sid", default=None, help="default: $TWILIO_ACCOUNT_SID")
    p.add_argument("--auth-token", default=None, help="default: $TWILIO_AUTH_TOKEN")
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--lost-response-rate", type=float, default=0.0)
    p.add_argument("--throttle-rate", type=float, default=0.0)
    p.add_argument("--latency", type=float, default=0.0, help="milliseconds per request")
    p.add_argument("--undelivered-rate", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--magic", action="append", default=[], metavar="NUMBER=CODE")
    p.add_argument("--sent-after", type=float, default=0.5, help="seconds until 'sent'")
    p.add_argument("--delivered-after", type=float, default=1.5, help="seconds until delivered")
    a = p.parse_args(argv)
    try:
        run(
            a.host,
            a.port,
            a.db,
            a.account_sid,
            a.auth_token,
            error_rate=a.error_rate,
            lost_response_rate=a.lost_response_rate,
            throttle_rate=a.throttle_rate,
            latency_ms=a.latency,
            undelivered_rate=a.undelivered_rate,
            seed=a.seed,
            magic=a.magic,
            sent_after=a.sent_after,
            delivered_after=a.delivered_after,
            echo=lambda line: print(line, flush=True),
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
