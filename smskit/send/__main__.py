"""``python -m smskit.send``: the sender without the campaign CLI (tests, benchmarks, demos).

Recipients come one per line from ``--recipients FILE`` (or ``--synthetic N`` numbers), the
messages from ``--message ID=BODY``; credentials from the usual TWILIO_* variables.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime, timedelta

from smskit.send.engine import send_plan
from smskit.send.errors import SendError
from smskit.send.plan import build_plan, content_hash
from smskit.send.status import fetch_status, write_status_csv


def _recipients(args: argparse.Namespace) -> Iterator[str]:
    if args.synthetic:
        for i in range(args.synthetic):
            yield f"{args.prefix}{i:07d}"
        return
    with open(args.recipients, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield line.strip()


def _file_digest(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m smskit.send", description=__doc__)
    p.add_argument("--campaign", required=True)
    p.add_argument("--journal", default=".smskit/journal.sqlite")
    p.add_argument("--recipients", help="a file with one E.164 number per line")
    p.add_argument("--synthetic", type=int, default=0, help="send to N generated numbers")
    p.add_argument("--prefix", default="+35840")
    p.add_argument("--message", action="append", default=[], metavar="ID=BODY")
    p.add_argument("--sender")
    p.add_argument("--messaging-service")
    p.add_argument("--rate", type=float, default=None, help="segments/s; 0 for no limit")
    p.add_argument("--interval", type=float, default=0.0, help="seconds between messages")
    p.add_argument("--send-at", default=None, help="ISO 8601 with a UTC offset")
    p.add_argument("--base-url", default=None)
    p.add_argument("--concurrency", type=int, default=None)
    p.add_argument("--lookup-grace", type=float, default=3.0)
    p.add_argument("--test-to", action="append", default=[])
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--status", action="store_true", help="fetch delivery status instead")
    p.add_argument("--csv", default=None, help="with --status: write the table here")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    a = p.parse_args(argv)
    try:
        if a.status:
            report = fetch_status(
                a.campaign, journal_path=a.journal, base_url=a.base_url, progress=a.progress
            )
            if a.csv:
                write_status_csv(a.campaign, a.csv, journal_path=a.journal)
            print(json.dumps(asdict(report)) if a.json else report.table())
            return 0
        if not a.message or not (a.recipients or a.synthetic):
            p.error("give --message ID=BODY and --recipients FILE (or --synthetic N)")
        messages = [tuple(m.split("=", 1)) for m in a.message]
        if any(len(m) != 2 for m in messages):
            p.error("--message takes ID=BODY")
        send_at = datetime.fromisoformat(a.send_at) if a.send_at else None
        interval = timedelta(seconds=a.interval) if a.interval else None
        ident = _file_digest(a.recipients) if a.recipients else f"synthetic:{a.synthetic}"
        digest = content_hash(json.dumps(messages), ident, str(send_at), str(interval))
        plan = build_plan(a.campaign, messages, _recipients(a), send_at=send_at, interval=interval)
        summary = send_plan(
            plan,
            campaign=a.campaign,
            campaign_hash=digest,
            journal_path=a.journal,
            sender=a.sender,
            messaging_service=a.messaging_service,
            rate=a.rate,
            interval=interval,
            yes=True,
            dry_run=a.dry_run,
            test_to=a.test_to or None,
            base_url=a.base_url,
            progress=a.progress,
            concurrency=a.concurrency,
            lookup_grace=a.lookup_grace,
        )
    except (SendError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    if a.json:
        out = asdict(summary)
        out["complete"] = summary.complete
        out["next_due"] = summary.next_due.isoformat() if summary.next_due else None
        print(json.dumps(out))
    else:
        for state, n, meaning in summary.table():
            print(f"{state:>10} {n:>8}  {meaning}")
        print(f"segments {summary.segments}, about {summary.estimated_cost} {summary.currency}")
    return 130 if summary.interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
