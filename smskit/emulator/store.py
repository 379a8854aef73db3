"""The emulator's message store: one SQLite file (WAL) that outlives any sender process.

A message's status is not updated by a background job; it is derived from the clock when
the message is read: ``scheduled`` until its send time, then ``queued`` (``accepted`` through a
Messaging Service), ``sent`` and finally its fate, ``delivered`` or ``undelivered``. The fate is
decided when the message is created, so a status never goes backwards.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    sid TEXT NOT NULL UNIQUE,
    account_sid TEXT NOT NULL,
    to_number TEXT NOT NULL,
    from_number TEXT,
    messaging_service_sid TEXT,
    body TEXT NOT NULL,
    num_segments INTEGER NOT NULL,
    created REAL NOT NULL,
    start REAL NOT NULL,
    scheduled INTEGER NOT NULL DEFAULT 0,
    sent_ts REAL NOT NULL,
    done_ts REAL NOT NULL,
    fate TEXT NOT NULL,
    fate_code INTEGER,
    canceled_ts REAL,
    status_callback TEXT
);
CREATE INDEX IF NOT EXISTS messages_to ON messages (to_number);
CREATE INDEX IF NOT EXISTS messages_sent ON messages (sent_ts);
"""

_COLUMNS = (
    "id, sid, account_sid, to_number, from_number, messaging_service_sid, body, num_segments, "
    "created, start, scheduled, sent_ts, done_ts, fate, fate_code, canceled_ts, status_callback"
)


_INSERT_COLUMNS = [c.strip() for c in _COLUMNS.split(",")][1:]
_INSERT = (
    f"INSERT INTO messages ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"
)


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: int
    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    num_segments: int
    created: float
    start: float
    scheduled: bool
    sent_ts: float
    done_ts: float
    fate: str
    fate_code: int | None
    canceled_ts: float | None
    status_callback: str | None

    def status_at(self, now: float) -> tuple[str, float | None, float, int | None]:
        """(status, date_sent, date_updated, error_code) as seen at time ``now``."""
        if self.canceled_ts is not None:
            return "canceled", None, self.canceled_ts, None
        if self.scheduled and now < self.start:
            return "scheduled", None, self.created, None
        if now < self.sent_ts:
            first = "accepted" if self.messaging_service_sid else "queued"
            return first, None, self.start, None
        if now < self.done_ts:
            return "sent", self.sent_ts, self.sent_ts, None
        return self.fate, self.sent_ts, self.done_ts, self.fate_code


class MessageStore:
    """Thread-safe access to the emulator's SQLite file (one connection behind a lock)."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = str(path) if path else ":memory:"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives the death of any process (the emulator's own included);
        # only an OS crash could lose the last commits, which a development emulator can afford.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("COMMIT")
            self._db.close()

    def insert(self, *, commit: bool = True, **fields: Any) -> StoredMessage:
        """Store a message; ``commit=False`` leaves it in an open transaction for ``commit``."""
        values = [fields.get(c) for c in _INSERT_COLUMNS]
        with self._lock:
            if not self._db.in_transaction:
                self._db.execute("BEGIN")
            rowid = self._db.execute(_INSERT, values).lastrowid
            if commit:
                self._db.execute("COMMIT")
        assert rowid is not None
        return _row(rowid, *values)

    def commit(self) -> None:
        """Commit the messages inserted with ``commit=False``."""
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("COMMIT")

    def get(self, sid: str) -> StoredMessage | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM messages WHERE sid = ?", (sid,)
            ).fetchone()
        return _row(*row) if row else None

    def cancel(self, sid: str, now: float) -> StoredMessage | None:
        with self._lock:
            self._db.execute(
                "UPDATE messages SET canceled_ts = ? WHERE sid = ? AND canceled_ts IS NULL",
                (now, sid),
            )
        return self.get(sid)

    def query(
        self,
        *,
        to: str | None = None,
        from_: str | None = None,
        sent_from: float | None = None,
        sent_until: float | None = None,
        sent_filtered: bool = False,
        before_id: int | None = None,
        limit: int = 50,
        now: float | None = None,
    ) -> list[StoredMessage]:
        """Messages newest first. Any DateSent filter only matches messages already sent."""
        where, args = [], []
        if to is not None:
            where.append("to_number = ?")
            args.append(to)
        if from_ is not None:
            where.append("from_number = ?")
            args.append(from_)
        if sent_filtered:
            where.append("sent_ts <= ? AND canceled_ts IS NULL")
            args.append(time.time() if now is None else now)
        if sent_from is not None:
            where.append("sent_ts >= ?")
            args.append(sent_from)
        if sent_until is not None:
            where.append("sent_ts < ?")
            args.append(sent_until)
        if before_id is not None:
            where.append("id < ?")
            args.append(before_id)
        sql = f"SELECT {_COLUMNS} FROM messages"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [_row(*r) for r in rows]

    def id_of(self, sid: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM messages WHERE sid = ?", (sid,)).fetchone()
        return row[0] if row else None

    def all(self) -> Iterator[StoredMessage]:
        """Every stored message, oldest first (for tests and reports)."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM messages ORDER BY id").fetchall()
        return (_row(*r) for r in rows)

    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM messages").fetchone()[0]


def _row(*values: Any) -> StoredMessage:
    v = list(values)
    v[10] = bool(v[10])
    return StoredMessage(*v)
