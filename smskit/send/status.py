"""Delivery status: ask Twilio about every journaled message, record it, and export it."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import astuple, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smskit.send.errors import SendError, explain
from smskit.send.journal import DEFAULT_PATH, Journal, Row
from smskit.send.progress import make_reporter

FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "canceled", "read"})


@dataclass(frozen=True, slots=True)
class StatusRow:
    campaign: str
    message_id: str
    recipient: str
    state: str
    status: str
    error_code: int | None
    explanation: str
    sid: str | None
    segments: int
    attempts: int
    updated_at: str

    @classmethod
    def of(cls, row: Row) -> StatusRow:
        return cls(
            row.campaign,
            row.message_id,
            row.recipient,
            row.state,
            row.twilio_status or row.state,
            row.error_code or None,  # 0 is no error code, as in the explanation
            explain(row.error_code, row.error_message) if row.error_code else "",
            row.sid,
            row.segments,
            row.attempts,
            datetime.fromtimestamp(row.updated_at, UTC).isoformat(timespec="seconds"),
        )


CSV_FIELDS = tuple(f.name for f in fields(StatusRow))


@dataclass
class StatusReport:
    campaign: str
    counts: dict[str, int] = field(default_factory=dict)  # by Twilio status (or journal state)
    errors: dict[int, int] = field(default_factory=dict)  # by error code
    fetched: int = 0
    unavailable: int = 0  # could not be fetched this time

    def table(self) -> list[tuple[str, int]]:
        return sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))


def fetch_status(
    campaign: str,
    *,
    journal_path: str | Path = DEFAULT_PATH,
    base_url: str | None = None,
    concurrency: int = 16,
    refresh_final: bool = False,
    progress: bool | None = None,
    adapter: Any = None,
    credentials: Any = None,
) -> StatusReport:
    """Fetch the status of every journaled message that Twilio accepted, and record it.

    Messages already in a final status are not asked again unless ``refresh_final``.
    """
    with Journal(journal_path) as journal:
        if journal.campaign_hash(campaign) is None:
            known = ", ".join(journal.campaigns()) or "none"
            raise SendError(
                f"campaign '{campaign}' is not in the journal {journal_path} (it has: {known})"
            )
        from smskit.send.twilio_adapter import adapter_for

        report = StatusReport(campaign)
        reporter = make_reporter(progress, None)
        stats: Counter[str] = Counter()
        with adapter_for(adapter, credentials, base_url) as client:
            try:
                reporter.start()
                todo = (
                    r
                    for r in journal.iter_rows(campaign, ["sent", "scheduled"])
                    if r.sid and (refresh_final or r.twilio_status not in FINAL_STATUSES)
                )
                with ThreadPoolExecutor(max_workers=concurrency) as pool:
                    pending: set[Future[Any]] = set()
                    rows: dict[Future[Any], Row] = {}
                    for row in todo:
                        if len(pending) >= concurrency * 4:  # bounded: the journal may be huge
                            _collect(pending, rows, journal, report, stats)
                            reporter.update(stats)
                        fut = pool.submit(client.fetch, row.sid)
                        rows[fut] = row
                        pending.add(fut)
                    while pending:
                        _collect(pending, rows, journal, report, stats)
                        reporter.update(stats)
                journal.flush()
            finally:
                reporter.finish()
        report.counts = journal.status_counts(campaign)
        report.errors = journal.error_counts(campaign)
    return report


def _collect(
    pending: set[Future[Any]],
    rows: dict[Future[Any], Row],
    journal: Journal,
    report: StatusReport,
    stats: Counter[str],
) -> None:
    from smskit.send.twilio_adapter import Found

    done, _ = wait(pending, return_when=FIRST_COMPLETED)
    for fut in done:
        pending.discard(fut)
        row = rows.pop(fut)
        result = fut.result()
        if isinstance(result, Found):
            changes: dict[str, Any] = {
                "twilio_status": result.status,
                "error_code": result.error_code,
                "error_message": explain(result.error_code) if result.error_code else None,
            }
            if row.state == "scheduled" and result.status not in ("scheduled", "canceled"):
                changes["state"] = "sent"
            journal.stage(row.campaign, row.recipient, row.message_id, **changes)
            report.fetched += 1
            stats["sent"] += 1
        else:
            if result.kind == "fatal":
                raise SendError(result.message or explain(result.code))
            report.unavailable += 1
            stats["failed"] += 1
    if journal.staged > 500:
        journal.flush()


def status_rows(campaign: str, *, journal_path: str | Path = DEFAULT_PATH) -> Iterator[StatusRow]:
    """Every journaled delivery of a campaign with its latest known status (read only)."""
    journal = Journal(journal_path, readonly=True)
    try:
        for row in journal.iter_rows(campaign):
            yield StatusRow.of(row)
    finally:
        journal.close()


def write_status_csv(
    campaign: str, path: str | Path, *, journal_path: str | Path = DEFAULT_PATH
) -> int:
    """Write the status table as CSV; returns the number of rows written."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(CSV_FIELDS)
        for r in status_rows(campaign, journal_path=journal_path):
            out.writerow(astuple(r))  # csv writes None as "", as the table shows a missing value
            n += 1
    return n
