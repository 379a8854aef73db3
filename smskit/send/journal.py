"""The send journal: the durable record of who has been messaged, in one SQLite file.

One row per campaign × message × recipient. A row is written (and committed) *before* its
request leaves, in state ``attempting``; the answer updates it. A row found ``attempting`` or
``unknown`` on the next run is an outcome nobody saw, and is looked up in Twilio before any
resend. The campaign's content hash is stored with it, so a resumed send cannot mix versions.
Numbers that answered 21610 (unsubscribed) join the opt-out list, which every campaign honours.

States: ``attempting`` (request in flight, or the sender died), ``unknown`` (no answer, or a 5xx),
``sent`` and ``scheduled`` (Twilio accepted it; ``sid`` set), ``failed`` (a permanent error),
``opted_out`` (never sent: the number is on the opt-out list), ``pending`` (throttled or held
back, to be sent by a later run) and ``waiting`` (not due yet: a later run sends it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smskit.send.errors import JournalError
from smskit.send.plan import Delivery

DEFAULT_PATH = Path(".smskit") / "journal.sqlite"
SCHEMA_VERSION = "1"

UNRESOLVED = ("attempting", "unknown")
ACCEPTED = ("sent", "scheduled")
FINAL = ("sent", "scheduled", "failed", "opted_out")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS campaigns (
    campaign TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    sender TEXT,
    messaging_service TEXT,
    test INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    campaign TEXT NOT NULL,
    recipient TEXT NOT NULL,
    message_id TEXT NOT NULL,
    message_index INTEGER NOT NULL,
    body_hash TEXT NOT NULL,
    segments INTEGER NOT NULL,
    state TEXT NOT NULL,
    not_before REAL,
    send_at REAL,
    sid TEXT,
    twilio_status TEXT,
    error_code INTEGER,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_attempt_at REAL,
    last_attempt_at REAL,
    accepted_at REAL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (campaign, recipient, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS deliveries_recipient ON deliveries (recipient);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (campaign, state);
CREATE TABLE IF NOT EXISTS opt_outs (
    number TEXT PRIMARY KEY,
    code INTEGER,
    campaign TEXT,
    added_at REAL NOT NULL
);
"""

_ROW_COLUMNS = (
    "campaign",
    "recipient",
    "message_id",
    "message_index",
    "body_hash",
    "segments",
    "state",
    "not_before",
    "send_at",
    "sid",
    "twilio_status",
    "error_code",
    "error_message",
    "attempts",
    "first_attempt_at",
    "last_attempt_at",
    "accepted_at",
    "updated_at",
)
_SELECT = ", ".join(_ROW_COLUMNS)


@dataclass(slots=True)
class Row:
    campaign: str
    recipient: str
    message_id: str
    message_index: int
    body_hash: str
    segments: int
    state: str
    not_before: float | None
    send_at: float | None
    sid: str | None
    twilio_status: str | None
    error_code: int | None
    error_message: str | None
    attempts: int
    first_attempt_at: float | None
    last_attempt_at: float | None
    accepted_at: float | None
    updated_at: float


def body_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:24]


class Journal:
    """One process's exclusive handle on a journal file.

    Writes are staged and committed together (``flush``); ``claim`` flushes staged updates
    and the new ``attempting`` rows in one transaction before any of those requests is made.
    """

    def __init__(self, path: str | Path = DEFAULT_PATH, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._staged: list[tuple[str, tuple[Any, ...]]] = []
        self._update_sql: dict[tuple[str, ...], str] = {}
        self._lock_fd: int | None = None
        if readonly and not self.path.exists():
            raise JournalError(f"no journal at {self.path}: nothing has been sent from here yet")
        if not readonly:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise JournalError(
                    f"cannot create the journal's folder {self.path.parent}: {exc.strerror}"
                ) from None
            self._take_lock()
        try:
            if readonly:
                uri = f"file:{self.path.resolve()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=2.0)
            else:
                self._db = sqlite3.connect(self.path, isolation_level=None, timeout=2.0)
            self._setup()
        except sqlite3.DatabaseError as exc:
            self._release_lock()
            raise _journal_error(self.path, exc) from None

    # -- opening, locking, checking
    def _take_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: SQLite's own locking still applies
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise JournalError(
                f"cannot open the journal lock {lock_path}: {exc.strerror}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise JournalError(
                f"the journal {self.path} is in use by another running `smskit send`; "
                "wait for it to finish (two senders on one journal could message people twice)"
            ) from None
        self._lock_fd = fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _setup(self) -> None:
        db = self._db
        check = db.execute("PRAGMA quick_check(1)").fetchone()
        if check and check[0] != "ok":
            raise sqlite3.DatabaseError(check[0])
        if self.readonly:
            return
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed "attempting" row must survive a power cut, not only a kill -9.
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if found is None:
            db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif found[0] != SCHEMA_VERSION:
            raise JournalError(
                f"the journal {self.path} has schema {found[0]}, this smskit writes "
                f"{SCHEMA_VERSION}: use the smskit version that wrote it"
            )

    def close(self) -> None:
        try:
            if not self.readonly:
                self.flush()
        finally:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._release_lock()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, tuple(args))
        except sqlite3.DatabaseError as exc:
            raise _journal_error(self.path, exc) from None

    # -- campaigns
    def begin_campaign(
        self,
        campaign: str,
        content_hash: str,
        *,
        sender: str | None = None,
        messaging_service: str | None = None,
        test: bool = False,
    ) -> None:
        """Register a campaign version, or note a resume of the same version."""
        now = time.time()
        if self.check_content(campaign, content_hash):
            self._run("UPDATE campaigns SET updated_at = ? WHERE campaign = ?", (now, campaign))
            return
        self._run(
            "INSERT INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?)",
            (campaign, content_hash, sender, messaging_service, int(test), now, now),
        )

    def check_content(self, campaign: str, content_hash: str) -> bool:
        """True when the journal has this version of the campaign, False when it has none;
        JournalError when it has another version (a resume would mix the two)."""
        known = self.campaign_hash(campaign)
        if known is not None and known != content_hash:
            raise JournalError(
                f"campaign '{campaign}' was already sent (or partly sent) with different content "
                f"(journal {self.path}); resuming would mix two versions. Restore the content "
                "that was sent, or give the changed campaign a new 'campaign:' name"
            )
        return known is not None

    def campaign_hash(self, campaign: str) -> str | None:
        row = self._run(
            "SELECT content_hash FROM campaigns WHERE campaign = ?", (campaign,)
        ).fetchone()
        return row[0] if row else None

    def campaigns(self) -> list[str]:
        return [r[0] for r in self._run("SELECT campaign FROM campaigns ORDER BY campaign")]

    def has_rows(self, campaign: str) -> bool:
        return (
            self._run("SELECT 1 FROM deliveries WHERE campaign = ? LIMIT 1", (campaign,)).fetchone()
            is not None
        )

    # -- reading rows
    def rows_for(self, campaign: str, recipients: list[str]) -> dict[tuple[str, str], Row]:
        out: dict[tuple[str, str], Row] = {}
        for start in range(0, len(recipients), 500):
            chunk = recipients[start : start + 500]
            sql = (
                f"SELECT {_SELECT} FROM deliveries WHERE campaign = ? "
                f"AND recipient IN ({','.join('?' * len(chunk))})"
            )
            for r in self._run(sql, (campaign, *chunk)):
                row = Row(*r)
                out[(row.recipient, row.message_id)] = row
        return out

    def iter_rows(self, campaign: str, states: Iterable[str] | None = None) -> Iterator[Row]:
        sql = f"SELECT {_SELECT} FROM deliveries WHERE campaign = ?"
        args: list[Any] = [campaign]
        if states is not None:
            states = list(states)
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += states
        sql += " ORDER BY recipient, message_index"
        # A second cursor, so that updates may run while the caller iterates.
        cur = self._db.cursor()
        try:
            cur.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise _journal_error(self.path, exc) from None
        while batch := cur.fetchmany(1000):
            for r in batch:
                yield Row(*r)

    def counts(self, campaign: str) -> dict[str, int]:
        return dict(
            self._run(
                "SELECT state, count(*) FROM deliveries WHERE campaign = ? GROUP BY state",
                (campaign,),
            ).fetchall()
        )

    def segments(self, campaign: str, states: Iterable[str] = ACCEPTED) -> int:
        states = list(states)
        row = self._run(
            f"SELECT coalesce(sum(segments), 0) FROM deliveries WHERE campaign = ? "
            f"AND state IN ({','.join('?' * len(states))})",
            (campaign, *states),
        ).fetchone()
        return int(row[0])

    def next_due(self, campaign: str) -> float | None:
        """The earliest time a waiting delivery comes due (epoch seconds)."""
        row = self._run(
            "SELECT min(not_before) FROM deliveries WHERE campaign = ? AND state = 'waiting'",
            (campaign,),
        ).fetchone()
        return row[0] if row else None

    def status_counts(self, campaign: str) -> dict[str, int]:
        return dict(
            self._run(
                "SELECT coalesce(twilio_status, state), count(*) FROM deliveries "
                "WHERE campaign = ? GROUP BY 1",
                (campaign,),
            ).fetchall()
        )

    def error_counts(self, campaign: str) -> dict[int, int]:
        return dict(
            self._run(
                "SELECT error_code, count(*) FROM deliveries WHERE campaign = ? "
                "AND error_code IS NOT NULL GROUP BY error_code",
                (campaign,),
            ).fetchall()
        )

    def sids_for(self, recipient: str) -> set[str]:
        """Every message SID the journal has for a number, in any campaign."""
        return {
            r[0]
            for r in self._run(
                "SELECT sid FROM deliveries WHERE recipient = ? AND sid IS NOT NULL", (recipient,)
            )
        }

    # -- opt-outs
    def has_opt_outs(self) -> bool:
        return self._run("SELECT 1 FROM opt_outs LIMIT 1").fetchone() is not None

    def opted_out(self, numbers: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            found.update(
                r[0]
                for r in self._run(
                    f"SELECT number FROM opt_outs WHERE number IN ({','.join('?' * len(chunk))})",
                    chunk,
                )
            )
        return found

    def add_opt_out(
        self, number: str, code: int | None = None, campaign: str | None = None
    ) -> None:
        self._staged.append(
            (
                "INSERT INTO opt_outs VALUES (?, ?, ?, ?) ON CONFLICT (number) DO NOTHING",
                (number, code, campaign, time.time()),
            )
        )

    def opt_out_list(self) -> list[str]:
        return [r[0] for r in self._run("SELECT number FROM opt_outs ORDER BY number")]

    # -- writing
    def stage(self, campaign: str, recipient: str, message_id: str, **fields: Any) -> None:
        """Stage an update of one row (committed by the next ``flush`` or ``claim``)."""
        names = tuple(fields)
        sql = self._update_sql.get(names)
        if sql is None:
            cols = ", ".join(f"{k} = ?" for k in (*names, "updated_at"))
            sql = self._update_sql[names] = (
                f"UPDATE deliveries SET {cols} WHERE campaign = ? AND recipient = ? "
                "AND message_id = ?"
            )
        self._staged.append((sql, (*fields.values(), time.time(), campaign, recipient, message_id)))

    def stage_new(self, d: Delivery, state: str, **fields: Any) -> None:
        """Stage a row that is decided without a request (waiting, opted out...)."""
        values = _new_row(d, state, fields)
        self._staged.append(
            (
                f"INSERT INTO deliveries ({', '.join(values)}) VALUES "
                f"({', '.join('?' * len(values))}) "
                "ON CONFLICT (campaign, recipient, message_id) DO UPDATE SET "
                + ", ".join(f"{k} = excluded.{k}" for k in values if k in fields or k == "state")
                # only an undecided row may be re-decided; a request's outcome is never replaced
                + " WHERE deliveries.state IN ('pending', 'waiting')",
                tuple(values.values()),
            )
        )

    def claim(
        self,
        new: list[tuple[Delivery, float | None]],
        again: list[tuple[Delivery, float | None]],
        now: float,
    ) -> list[bool]:
        """Commit ``attempting`` rows for the requests about to be made; True where claimed.

        ``new`` have no row yet (a row that appeared meanwhile is a duplicate in the plan and
        is not claimed); ``again`` have a row that is known not to have reached Twilio. Each
        comes with the time it is to be scheduled for through Twilio, if any.
        """
        claimed: list[bool] = []
        rows = [
            (
                d.campaign,
                d.to,
                d.message_id,
                d.message_index,
                body_hash(d.body),
                d.segments,
                now,
                now,
                now,
                send_at,
            )
            for d, send_at in new
        ]
        staged, self._staged = self._staged, []
        committed = False
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._apply(staged)
            before = self._db.total_changes
            self._db.executemany(_CLAIM_SQL, rows)
            if self._db.total_changes - before == len(rows):
                claimed = [True] * len(rows)
            else:  # some rows already existed: redo one by one to learn which
                self._db.execute("ROLLBACK")
                self._db.execute("BEGIN IMMEDIATE")
                self._apply(staged)
                claimed = [self._db.execute(_CLAIM_SQL, row).rowcount == 1 for row in rows]
            for d, send_at in again:
                cur = self._db.execute(
                    "UPDATE deliveries SET state = 'attempting', attempts = attempts + 1, "
                    "first_attempt_at = coalesce(first_attempt_at, ?), last_attempt_at = ?, "
                    "not_before = NULL, send_at = ?, updated_at = ? "
                    "WHERE campaign = ? AND recipient = ? AND message_id = ? "
                    "AND state IN ('pending', 'waiting')",
                    (now, now, send_at, now, d.campaign, d.to, d.message_id),
                )
                claimed.append(cur.rowcount == 1)
            self._db.execute("COMMIT")
            committed = True
        except BaseException as exc:  # Ctrl-C included: never leave a transaction open
            if not committed:
                self._unstage(staged)
            if isinstance(exc, sqlite3.DatabaseError):
                raise _journal_error(self.path, exc) from None
            raise
        return claimed

    def flush(self) -> None:
        if not self._staged:
            return
        staged, self._staged = self._staged, []
        committed = False
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._apply(staged)
            self._db.execute("COMMIT")
            committed = True
        except BaseException as exc:
            if not committed:
                self._unstage(staged)
            if isinstance(exc, sqlite3.DatabaseError):
                raise _journal_error(self.path, exc) from None
            raise

    def _unstage(self, staged: list[tuple[str, tuple[Any, ...]]]) -> None:
        """Roll back, keeping the staged answers for the next flush: an interrupted (or busy)
        transaction must not lose what Twilio already told us."""
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")
        self._staged[:0] = staged

    @property
    def staged(self) -> int:
        return len(self._staged)

    def _apply(self, staged: list[tuple[str, tuple[Any, ...]]]) -> None:
        # Runs of the same statement go in one executemany; order between runs is kept.
        i = 0
        while i < len(staged):
            sql = staged[i][0]
            j = i
            while j < len(staged) and staged[j][0] == sql:
                j += 1
            self._db.executemany(sql, [args for _, args in staged[i:j]])
            i = j


_CLAIM_SQL = (
    "INSERT INTO deliveries (campaign, recipient, message_id, message_index, body_hash, segments, "
    "state, attempts, updated_at, first_attempt_at, last_attempt_at, send_at) "
    "VALUES (?, ?, ?, ?, ?, ?, 'attempting', 1, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)


def _new_row(d: Delivery, state: str, fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "campaign": d.campaign,
        "recipient": d.to,
        "message_id": d.message_id,
        "message_index": d.message_index,
        "body_hash": body_hash(d.body),
        "segments": d.segments,
        "state": state,
        "attempts": 0,
        "updated_at": time.time(),
    }
    values.update(fields)
    return values


def _journal_error(path: Path, exc: sqlite3.DatabaseError) -> JournalError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return JournalError(
            f"the journal {path} is locked by another process; wait for it to finish and run "
            "again (nothing was sent twice)"
        )
    return JournalError(
        f"the journal {path} cannot be read ({text}); it is the record of who has been "
        "messaged, so smskit will not guess: restore it from a backup, or move it aside only "
        "if you are sure nothing was sent from it"
    )
