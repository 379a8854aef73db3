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

It serves on one asyncio event loop (requests parsed by httptools), so that it costs little
per request and a latency costs a timer, not a sleeping thread. The messages created in one
turn of the loop are committed to the store together, and only then answered: a 201 always
means the message is in the store file.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import json
import os
import random
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httptools

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
    20004: (405, "Method not allowed"),
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


@dataclass(frozen=True)
class Behaviour:
    """How the emulator behaves beyond answering correctly: faults, latency, delivery timing.

    Rates are fractions of requests (errors: a 500 and nothing stored; lost responses: stored,
    then the connection dropped; throttling: 429 with code 20429) or of accepted messages
    (undelivered). ``magic_numbers`` maps numbers to the error code they answer with (None:
    Twilio's test numbers); ``seed`` makes a single-threaded run reproducible; ``clock`` gives
    epoch seconds (tests pass their own to step status changes).
    """

    error_rate: float = 0.0
    lost_response_rate: float = 0.0
    throttle_rate: float = 0.0
    latency_ms: float = 0.0
    undelivered_rate: float = 0.0
    seed: int | None = None
    magic_numbers: Mapping[str, int] | None = None
    sent_after: float = 0.5  # seconds from accepted to "sent"
    delivered_after: float = 1.5  # seconds from accepted to delivered (or undelivered)
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        for name, rate in (
            ("error rate", self.error_rate),
            ("lost response rate", self.lost_response_rate),
            ("throttle rate", self.throttle_rate),
            ("undelivered rate", self.undelivered_rate),
        ):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"the {name} must be between 0 and 1, got {rate}")


class Emulator:
    """The emulator's behaviour, independent of the HTTP plumbing."""

    def __init__(
        self,
        store: MessageStore,
        account_sid: str,
        auth_token: str,
        *,
        api_keys: Mapping[str, str] | None = None,
        behaviour: Behaviour = Behaviour(),
    ) -> None:
        b = behaviour
        self.store = store
        self.clock = b.clock
        self.account_sid = account_sid
        self._credentials = {account_sid: auth_token, **(api_keys or {})}
        self.error_rate = b.error_rate
        self.lost_response_rate = b.lost_response_rate
        self.throttle_rate = b.throttle_rate
        self.latency = b.latency_ms / 1000.0
        self.undelivered_rate = b.undelivered_rate
        self.magic = dict(DEFAULT_MAGIC_NUMBERS if b.magic_numbers is None else b.magic_numbers)
        self.sent_after = b.sent_after
        self.delivered_after = max(b.delivered_after, b.sent_after)
        self._rng = random.Random(b.seed)
        self._rng_lock = threading.Lock()
        self._seeded = b.seed is not None

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
    def create(self, form: Mapping[str, str], now: float, *, commit: bool = True) -> StoredMessage:
        """Validate and store a message; ``commit=False`` leaves it in the store's open
        transaction, for the server to commit with others before it answers."""
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
            commit=commit,
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


_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
_REASONS |= {405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error"}


@dataclass(slots=True)
class _Request:
    method: str
    target: str
    headers: dict[bytes, bytes]
    body: bytes
    keep_alive: bool


class _Connection(asyncio.Protocol):
    """One client connection: HTTP/1.1 keep-alive, its requests answered one at a time.

    Requests are parsed by httptools (llhttp). A create's 201 is written only after the group
    commit that stored it (``_Server.after_commit``), so a message answered is a message stored.
    """

    def __init__(self, server: _Server) -> None:
        self.server = server
        self.emu = server.emulator
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[_Request] = deque()
        self.busy = False
        self._url = b""
        self._headers: dict[bytes, bytes] = {}
        self._body: list[bytes] = []

    # -- asyncio
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(400, "protocol upgrades are not supported")
        except httptools.HttpParserError:
            self._fail(400, "malformed HTTP request")

    # -- httptools callbacks
    def on_message_begin(self) -> None:
        self._url, self._headers, self._body = b"", {}, []

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.lower()] = value

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        self.queue.append(
            _Request(
                self.parser.get_method().decode("ascii", "replace"),
                self._url.decode("latin-1"),
                self._headers,
                b"".join(self._body),
                self.parser.should_keep_alive(),
            )
        )
        self._next()

    # -- answering, one request at a time
    def _next(self) -> None:
        if self.busy or not self.queue or self.transport is None:
            return
        self.busy = True
        req = self.queue.popleft()
        if self.emu.latency:
            asyncio.get_running_loop().call_later(self.emu.latency, self._handle, req)
        else:
            self._handle(req)

    def _handle(self, req: _Request) -> None:
        if self.transport is None:  # the client went away while we waited
            return
        try:
            self._route(req)
        except _ApiError as exc:
            self._error(exc, req)
        except (ValueError, UnicodeDecodeError):
            self._error(_ApiError(20404, path=urlsplit(req.target).path), req)

    def _route(self, req: _Request) -> None:
        emu = self.emu
        auth = req.headers.get(b"authorization")
        if not emu.authorized(auth.decode("latin-1") if auth else None):
            raise _ApiError(20003)
        parts = urlsplit(req.target)
        path = parts.path
        list_match = _LIST.fullmatch(path)
        one_match = None if list_match else _ONE.fullmatch(path)
        account = (list_match or one_match).group(1) if (list_match or one_match) else None
        if account != emu.account_sid:
            raise _ApiError(20404, path=path)
        if req.method not in ("GET", "POST"):
            raise _ApiError(20004)
        if emu.chance(emu.throttle_rate):
            raise _ApiError(20429)
        if emu.chance(emu.error_rate):
            raise _ApiError(20500)
        now = emu.clock()
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if list_match and req.method == "POST":
            form = {
                k: v[-1] for k, v in parse_qs(req.body.decode(), keep_blank_values=True).items()
            }
            msg = emu.create(form, now, commit=False)
            if emu.chance(emu.lost_response_rate):
                self.server.after_commit(self._drop)
            else:
                data = _json_bytes(emu.to_json(msg, now))
                self.server.after_commit(lambda: self._send(201, data, req.keep_alive))
        elif list_match:
            self._json(200, emu.list_page(query, now), req)
        else:
            assert one_match is not None
            sid = one_match.group(2)
            found = emu.store.get(sid)
            if found is None:
                raise _ApiError(20404, path=path)
            if req.method == "POST":
                form = {k: v[-1] for k, v in parse_qs(req.body.decode()).items()}
                if form.get("Status") == "canceled" and found.status_at(now)[0] == "scheduled":
                    found = emu.store.cancel(sid, now) or found
            self._json(200, emu.to_json(found, now), req)

    def _drop(self) -> None:
        """The message is stored; the caller never hears about it."""
        if self.transport is not None:
            self.transport.close()

    def _error(self, exc: _ApiError, req: _Request) -> None:
        extra = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if exc.code == 20003 else None
        self._json(exc.status, error_body(exc.code, exc.status, exc.message), req, extra)

    def _json(
        self, status: int, payload: Any, req: _Request, headers: Mapping[str, str] | None = None
    ) -> None:
        self._send(status, _json_bytes(payload), req.keep_alive, headers)

    def _send(
        self,
        status: int,
        data: bytes,
        keep_alive: bool,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if self.transport is None:
            return
        head = [
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
            "Server: smskit-emulator/1",
            f"Date: {_http_date()}",
            "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(data)}",
        ]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if not keep_alive:
            head.append("Connection: close")
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
        if not keep_alive:
            self.transport.close()
            return
        self.busy = False
        self._next()

    def _fail(self, status: int, message: str) -> None:
        self.queue.clear()
        self._send(status, _json_bytes(error_body(status, status, message)), False)


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload).encode()


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


class _Server:
    """The listening socket's state: open connections and the group commit.

    Every create handled in one turn of the event loop goes into one SQLite transaction,
    committed at the start of the next turn; only then are their answers written.
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.connections: set[_Connection] = set()
        self._waiting: list[Callable[[], None]] = []

    def after_commit(self, answer: Callable[[], None]) -> None:
        if not self._waiting:
            asyncio.get_running_loop().call_soon(self.commit)
        self._waiting.append(answer)

    def commit(self) -> None:
        waiting, self._waiting = self._waiting, []
        self.emulator.store.commit()
        for answer in waiting:
            answer()

    def close_all(self) -> None:
        for conn in list(self.connections):
            if conn.transport is not None:
                conn.transport.abort()


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
        **behaviour: Any,  # the fields of Behaviour
    ) -> None:
        account_sid = account_sid or os.environ.get("TWILIO_ACCOUNT_SID")
        auth_token = auth_token or os.environ.get("TWILIO_AUTH_TOKEN")
        if not account_sid or not auth_token:
            raise ValueError(
                "the emulator needs an account SID and auth token: set TWILIO_ACCOUNT_SID and "
                "TWILIO_AUTH_TOKEN, or pass --account-sid and --auth-token"
            )
        b = Behaviour(**behaviour)
        if api_keys is None:
            key, secret = os.environ.get("TWILIO_API_KEY"), os.environ.get("TWILIO_API_SECRET")
            api_keys = {key: secret} if key and secret else {}
        self.host = host
        self.store = MessageStore(db_path)
        self.emulator = Emulator(
            self.store, account_sid, auth_token, api_keys=api_keys, behaviour=b
        )
        self._requested_port = port
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def account_sid(self) -> str:
        return self.emulator.account_sid

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("the emulator is not running")
        return self._sock.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bind(self) -> socket.socket:
        """Open the listening socket (so that ``port`` and ``url`` are known before serving)."""
        if self._sock is None:
            self._sock = socket.create_server((self.host, self._requested_port), backlog=512)
        return self._sock

    def _serve(self, ready: threading.Event | None = None) -> None:
        """Run the event loop in this thread until ``stop`` (or Ctrl-C in the foreground)."""
        sock = self.bind()
        loop = asyncio.new_event_loop()
        self._loop = loop
        server = _Server(self.emulator)
        self._server = server
        listener = loop.run_until_complete(
            loop.create_server(lambda: _Connection(server), sock=sock)
        )
        if ready is not None:
            ready.set()
        try:
            loop.run_forever()
        finally:
            listener.close()
            server.close_all()
            server.commit()  # what was stored is kept, though nobody hears about it now
            loop.run_until_complete(asyncio.sleep(0))  # let the transports close
            loop.close()

    def start(self) -> EmulatorServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._serve()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            with contextlib.suppress(RuntimeError):  # already closed
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
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
    magic: list[str] | None = None,
    echo: Any = print,
    **behaviour: Any,  # the fields of Behaviour
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
        host, port, db, account_sid, auth_token, magic_numbers=numbers, **behaviour
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
