"""A local Twilio-compatible Messages API on a real socket, with fault injection.

It answers what ``smskit send`` and the official ``twilio`` client use:

- ``POST /2010-04-01/Accounts/{sid}/Messages.json`` creates a message (201, Twilio's JSON);
- ``GET  /2010-04-01/Accounts/{sid}/Messages.json`` lists messages newest first, filtered by
  ``To``, ``From``, ``DateSent``, ``DateSent<``, ``DateSent>``, paged by ``PageSize``, ``Page``
  and ``PageToken`` with ``next_page_uri`` links as twilio-python follows them;
- ``GET  /2010-04-01/Accounts/{sid}/Messages/{MessageSid}.json`` fetches one message;
- ``POST /2010-04-01/Accounts/{sid}/Messages/{MessageSid}.json`` with ``Status=canceled``
  cancels a scheduled message.

Requests must carry HTTP Basic auth with the account SID and auth token, or an API key SID
and secret; anything else gets Twilio's 401 (code 20003). Faults are injected per request from
a seeded random generator: 500 with nothing stored, a stored message whose connection is
dropped without an answer, 429 with code 20429, and a fixed latency.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import os
import random
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from smskit.emulator.store import MessageStore, StoredMessage

API_VERSION = "2010-04-01"

# Twilio's test-credential magic "To" numbers and the error each one answers.
DEFAULT_MAGIC_NUMBERS: dict[str, int] = {
    "+15005550001": 21211,  # invalid number
    "+15005550002": 21612,  # Twilio cannot route to this number
    "+15005550003": 21408,  # no permission for the region
    "+15005550004": 21610,  # unsubscribed (blocked for the account)
    "+15005550009": 21614,  # not a mobile number
}

_ERRORS: dict[int, tuple[int, str]] = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource {path} was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    21211: (400, "Invalid 'To' Phone Number: {to}"),
    21212: (400, "Invalid From Number (caller ID): {from_}"),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21408: (
        400,
        "Permission to send an SMS has not been enabled for the region indicated by the "
        "'To' number: {to}",
    ),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21612: (400, "The 'To' phone number: {to}, is not currently reachable via SMS."),
    21614: (400, "'To' number {to} is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
    21701: (400, "The Messaging Service Sid {service} is invalid."),
    35114: (400, "Scheduling does not support this timestamp."),
    # Twilio silently sends a From-only "scheduled" message at once; the emulator refuses it
    # instead, so that a sender that forgets the Messaging Service is caught in tests.
    35118: (400, "MessagingServiceSid is required to schedule a message."),
}

UNDELIVERED_CODES = (30003, 30005, 30006, 30008)

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_ALPHA_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
_SHORT_CODE = re.compile(r"[0-9]{3,8}")
_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
_LIST = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages\.json")
_ONE = re.compile(r"/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json")

MAX_BODY = 1600
SCHEDULE_MIN = timedelta(minutes=15)
SCHEDULE_MAX = timedelta(days=35)


def rfc2822(ts: float) -> str:
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))


def _parse_when(text: str) -> tuple[float, bool]:
    """(epoch seconds, is a whole day) from ``YYYY-MM-DD`` or an ISO 8601 date-time."""
    text = text.strip()
    if len(text) == 10:
        day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
        return day.timestamp(), True
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp(), False


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text else default
    except ValueError:
        return default


class _ApiError(Exception):
    def __init__(self, code: int, **fmt: Any) -> None:
        status, template = _ERRORS[code]
        super().__init__(template)
        self.code = code
        self.status = status
        self.message = template.format(**fmt) if fmt else template


class Emulator:
    """The emulator's behaviour, independent of the HTTP plumbing."""

    def __init__(
        self,
        store: MessageStore,
        account_sid: str,
        auth_token: str,
        *,
        api_keys: Mapping[str, str] | None = None,
        error_rate: float = 0.0,
        lost_response_rate: float = 0.0,
        throttle_rate: float = 0.0,
        latency_ms: float = 0.0,
        undelivered_rate: float = 0.0,
        seed: int | None = None,
        magic_numbers: Mapping[str, int] | None = None,
        sent_after: float = 0.5,
        delivered_after: float = 1.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.clock = clock  # epoch seconds; tests pass their own to step status changes
        self.account_sid = account_sid
        self._credentials = {account_sid: auth_token, **(api_keys or {})}
        self.error_rate = error_rate
        self.lost_response_rate = lost_response_rate
        self.throttle_rate = throttle_rate
        self.latency = latency_ms / 1000.0
        self.undelivered_rate = undelivered_rate
        self.magic = dict(DEFAULT_MAGIC_NUMBERS if magic_numbers is None else magic_numbers)
        self.sent_after = sent_after
        self.delivered_after = max(delivered_after, sent_after)
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self._seeded = seed is not None

    # -- randomness (one generator, so a seed reproduces a single-threaded run exactly)
    def chance(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < rate

    def _new_sid(self) -> str:
        if not self._seeded:
            return "SM" + uuid.uuid4().hex
        with self._rng_lock:
            return "SM" + f"{self._rng.getrandbits(128):032x}"

    def authorized(self, header: str | None) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        expected = self._credentials.get(user)
        return expected is not None and hmac.compare_digest(expected, password)

    # -- resources
    def create(self, form: Mapping[str, str], now: float) -> StoredMessage:
        to = form.get("To", "").strip()
        from_ = form.get("From", "").strip() or None
        service = form.get("MessagingServiceSid", "").strip() or None
        body = form.get("Body", "")
        if not to:
            raise _ApiError(21604)
        if not _E164.fullmatch(to):
            raise _ApiError(21211, to=to)
        code = self.magic.get(to)
        if code is not None and code < 30000:
            raise _ApiError(code, to=to)
        if service is None and from_ is None:
            raise _ApiError(21603)
        if from_ is not None and not (
            _E164.fullmatch(from_) or _ALPHA_SENDER.fullmatch(from_) or _SHORT_CODE.fullmatch(from_)
        ):
            raise _ApiError(21212, from_=from_)
        if service is not None and not _SERVICE_SID.fullmatch(service):
            raise _ApiError(21701, service=service)
        if not body and not form.get("MediaUrl"):
            raise _ApiError(21602)
        if len(body) > MAX_BODY:
            raise _ApiError(21617)
        start, scheduled = now, False
        if form.get("ScheduleType") or form.get("SendAt"):
            if service is None:
                raise _ApiError(35118)
            if form.get("ScheduleType") != "fixed":
                raise _ApiError(35114)
            try:
                send_at, _ = _parse_when(form.get("SendAt", ""))
            except ValueError:
                raise _ApiError(35114) from None
            ahead = send_at - now
            if not SCHEDULE_MIN.total_seconds() <= ahead <= SCHEDULE_MAX.total_seconds():
                raise _ApiError(35114)
            start, scheduled = send_at, True
        from smskit.encoding import segment_count

        smart = form.get("SmartEncoded", "").lower() == "true"
        fate, fate_code = "delivered", None
        if code is not None:
            fate, fate_code = "undelivered", code
        elif self.chance(self.undelivered_rate):
            with self._rng_lock:
                fate, fate_code = "undelivered", self._rng.choice(UNDELIVERED_CODES)
        return self.store.insert(
            sid=self._new_sid(),
            account_sid=self.account_sid,
            to_number=to,
            from_number=from_,
            messaging_service_sid=service,
            body=body,
            num_segments=segment_count(body, smart_encoding=smart),
            created=now,
            start=start,
            scheduled=int(scheduled),
            sent_ts=start + self.sent_after,
            done_ts=start + self.delivered_after,
            fate=fate,
            fate_code=fate_code,
            canceled_ts=None,
            status_callback=form.get("StatusCallback") or None,
        )

    def to_json(self, m: StoredMessage, now: float) -> dict[str, Any]:
        status, date_sent, date_updated, error_code = m.status_at(now)
        uri = f"/{API_VERSION}/Accounts/{m.account_sid}/Messages/{m.sid}.json"
        return {
            "account_sid": m.account_sid,
            "api_version": API_VERSION,
            "body": m.body,
            "date_created": rfc2822(m.created),
            "date_sent": rfc2822(date_sent) if date_sent is not None else None,
            "date_updated": rfc2822(date_updated),
            "direction": "outbound-api",
            "error_code": error_code,
            "error_message": None,
            "from": m.from_,
            "messaging_service_sid": m.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(m.num_segments),
            "price": None,
            "price_unit": "USD",
            "sid": m.sid,
            "status": status,
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{m.account_sid}/Messages/{m.sid}/Media.json"
            },
            "to": m.to,
            "uri": uri,
        }

    def list_page(self, query: Mapping[str, str], now: float) -> dict[str, Any]:
        size = min(max(_int(query.get("PageSize"), 50), 1), 1000)
        page = max(_int(query.get("Page"), 0), 0)
        sent_from = sent_until = None
        filtered = False
        if "DateSent" in query:
            ts, _ = _parse_when(query["DateSent"])
            day = ts - ts % 86400
            sent_from, sent_until, filtered = day, day + 86400, True
        if "DateSent>" in query:
            sent_from, _ = _parse_when(query["DateSent>"])
            filtered = True
        if "DateSent<" in query:
            until, whole_day = _parse_when(query["DateSent<"])
            # "on or before" a day includes that whole day
            sent_until, filtered = until + (86400 if whole_day else 1e-6), True
        before = None
        token = query.get("PageToken")
        if token:
            before = self.store.id_of(token[2:]) if token.startswith("PA") else None
            if before is None:
                raise _ApiError(20404, path=token)
        rows = self.store.query(
            to=query.get("To"),
            from_=query.get("From"),
            sent_from=sent_from,
            sent_until=sent_until,
            sent_filtered=filtered,
            before_id=before,
            limit=size + 1,
            now=now,
        )
        more = len(rows) > size
        rows = rows[:size]
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json"
        filters = {
            k: v
            for k, v in query.items()
            if k in ("To", "From", "DateSent", "DateSent<", "DateSent>")
        }

        def uri(**extra: Any) -> str:
            return base + "?" + urlencode({**filters, "PageSize": size, **extra})

        return {
            "messages": [self.to_json(m, now) for m in rows],
            "end": page * size + max(len(rows) - 1, 0),
            "first_page_uri": uri(Page=0),
            "next_page_uri": uri(Page=page + 1, PageToken="PA" + rows[-1].sid) if more else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": None,
            "start": page * size,
            "uri": uri(Page=page, **({"PageToken": token} if token else {})),
        }


def error_body(code: int, status: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the sender reuses its connections
    disable_nagle_algorithm = True
    server_version = "smskit-emulator/1"
    timeout = 60  # idle keep-alive connections are closed after this
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is noise; the store is the record

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        emu = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if len(raw) < length:  # the client went away mid-request: nothing happened
            self.close_connection = True
            return
        if emu.latency:
            time.sleep(emu.latency)
        if not emu.authorized(self.headers.get("Authorization")):
            self._error(_ApiError(20003), {"WWW-Authenticate": 'Basic realm="Twilio API"'})
            return
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        list_match = _LIST.fullmatch(path)
        one_match = None if list_match else _ONE.fullmatch(path)
        account = (list_match or one_match).group(1) if (list_match or one_match) else None
        if account != emu.account_sid:
            self._error(_ApiError(20404, path=path))
            return
        if emu.chance(emu.throttle_rate):
            self._error(_ApiError(20429))
            return
        if emu.chance(emu.error_rate):
            self._error(_ApiError(20500))
            return
        now = emu.clock()
        try:
            if list_match and method == "POST":
                form = {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
                msg = emu.create(form, now)
                if emu.chance(emu.lost_response_rate):
                    self._drop()
                    return
                self._json(201, emu.to_json(msg, now))
            elif list_match:
                self._json(200, emu.list_page(query, now))
            else:
                assert one_match is not None
                sid = one_match.group(2)
                found = emu.store.get(sid)
                if found is None:
                    raise _ApiError(20404, path=path)
                if method == "POST":
                    form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
                    if form.get("Status") == "canceled" and found.status_at(now)[0] == "scheduled":
                        found = emu.store.cancel(sid, now) or found
                self._json(200, emu.to_json(found, now))
        except _ApiError as exc:
            self._error(exc)
        except (ValueError, UnicodeDecodeError):
            self._error(_ApiError(20404, path=path))

    def _drop(self) -> None:
        """The message is stored; the caller never hears about it."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _error(self, exc: _ApiError, headers: Mapping[str, str] | None = None) -> None:
        self._json(exc.status, error_body(exc.code, exc.status, exc.message), headers)

    def _json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    emulator: Emulator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that disconnects (or is killed) mid-request is routine here, not an error.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def track(self, conn: socket.socket, opened: bool) -> None:
        with self._open_lock:
            (self._open.add if opened else self._open.discard)(conn)

    def close_all(self) -> None:
        with self._open_lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class EmulatorServer:
    """The emulator on a real socket, in a background thread.

    ``port=0`` picks a free port; ``url`` is the base URL to give the twilio client.
    Usable as a context manager: ``with EmulatorServer(...) as emu: emu.url``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: str | Path | None = None,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        api_keys: Mapping[str, str] | None = None,
        error_rate: float = 0.0,
        lost_response_rate: float = 0.0,
        throttle_rate: float = 0.0,
        latency_ms: float = 0.0,
        undelivered_rate: float = 0.0,
        seed: int | None = None,
        magic_numbers: Mapping[str, int] | None = None,
        sent_after: float = 0.5,
        delivered_after: float = 1.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        account_sid = account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
        auth_token = auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
        if not account_sid or not auth_token:
            raise ValueError(
                "the emulator needs an account SID and auth token: set TWILIO_ACCOUNT_SID and "
                "TWILIO_AUTH_TOKEN, or pass --account-sid and --auth-token"
            )
        for name, rate in (
            ("error rate", error_rate),
            ("lost response rate", lost_response_rate),
            ("throttle rate", throttle_rate),
            ("undelivered rate", undelivered_rate),
        ):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"the {name} must be between 0 and 1, got {rate}")
        if api_keys is None:
            key, secret = os.environ.get("TWILIO_API_KEY"), os.environ.get("TWILIO_API_SECRET")
            api_keys = {key: secret} if key and secret else {}
        self.host = host
        self.store = MessageStore(db_path)
        self.emulator = Emulator(
            self.store,
            account_sid,
            auth_token,
            api_keys=api_keys,
            error_rate=error_rate,
            lost_response_rate=lost_response_rate,
            throttle_rate=throttle_rate,
            latency_ms=latency_ms,
            undelivered_rate=undelivered_rate,
            seed=seed,
            magic_numbers=magic_numbers,
            sent_after=sent_after,
            delivered_after=delivered_after,
            clock=clock,
        )
        self._requested_port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def account_sid(self) -> str:
        return self.emulator.account_sid

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the emulator is not running")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bind(self) -> _HTTPServer:
        if self._httpd is None:
            httpd = _HTTPServer((self.host, self._requested_port), _Handler)
            httpd.emulator = self.emulator
            self._httpd = httpd
        return self._httpd

    def start(self) -> EmulatorServer:
        httpd = self.bind()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        httpd = self.bind()
        try:
            httpd.serve_forever(poll_interval=0.1)
        finally:
            httpd.server_close()
            httpd.close_all()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.close_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.store.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run(
    host: str = "127.0.0.1",
    port: int = 8765,
    db: str | Path = ".smskit/emulator.sqlite",
    account_sid: str | None = None,
    auth_token: str | None = None,
    *,
    error_rate: float = 0.0,
    lost_response_rate: float = 0.0,
    throttle_rate: float = 0.0,
    latency_ms: float = 0.0,
    undelivered_rate: float = 0.0,
    seed: int | None = None,
    magic: list[str] | None = None,
    sent_after: float = 0.5,
    delivered_after: float = 1.5,
    echo: Any = print,
) -> None:
    """Run the emulator in the foreground until Ctrl-C (``smskit emulator``).

    ``magic`` holds extra ``NUMBER=CODE`` pairs on top of Twilio's test numbers, e.g.
    ``+358401234567=21610`` (unsubscribed) or ``+358401234568=30003`` (accepted, then undelivered).
    """
    numbers = dict(DEFAULT_MAGIC_NUMBERS)
    for pair in magic or []:
        number, sep, code = pair.partition("=")
        if not sep or not code.strip().isdigit() or not _E164.fullmatch(number.strip()):
            raise ValueError(f"--magic takes NUMBER=CODE such as +15005550004=21610, got {pair!r}")
        numbers[number.strip()] = int(code)
    server = EmulatorServer(
        host,
        port,
        db,
        account_sid,
        auth_token,
        error_rate=error_rate,
        lost_response_rate=lost_response_rate,
        throttle_rate=throttle_rate,
        latency_ms=latency_ms,
        undelivered_rate=undelivered_rate,
        seed=seed,
        magic_numbers=numbers,
        sent_after=sent_after,
        delivered_after=delivered_after,
    )
    try:
        server.bind()
    except OSError as exc:
        server.store.close()
        raise ValueError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    echo(
        f"smskit emulator on {server.url} (account {server.account_sid}, store {db}); "
        f"set SMSKIT_TWILIO_BASE_URL={server.url} to send to it. Ctrl-C stops it."
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.store.close()
