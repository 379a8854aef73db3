"""The one module that talks to Twilio, through the official ``twilio`` package.

``twilio`` is imported here and only when a client is made, so ``smskit check`` never pays for
it. Each call's outcome is classified for the engine: accepted, rejected (a permanent error
with Twilio's code), throttled (429 / 20429: safe to retry), unreachable (the connection was
never made: nothing sent), fatal (credentials or account wrong: stop), or unknown (a timeout,
a dropped connection or a 5xx: Twilio may have created the message, so it is looked up before
anything is sent again).

Credentials come from ``TWILIO_ACCOUNT_SID`` with ``TWILIO_AUTH_TOKEN``, or with
``TWILIO_API_KEY`` and ``TWILIO_API_SECRET``; the base URL from ``SMSKIT_TWILIO_BASE_URL`` (the
emulator, for instance). The secret is kept out of reprs, messages and logs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from smskit.send.errors import SendError, explain

BASE_URL_ENV = "SMSKIT_TWILIO_BASE_URL"
LOOKUP_SKEW = timedelta(minutes=5)  # clocks differ; the body and number still have to match

_log = logging.getLogger("smskit.twilio")
_log.setLevel(logging.WARNING)  # twilio-python logs every request at INFO


@dataclass(frozen=True)
class Credentials:
    account_sid: str
    username: str  # the account SID, or an API key SID
    secret: str = field(repr=False)

    def __str__(self) -> str:
        return f"Credentials({self.account_sid}, {self.username}, secret=***)"


def credentials_from_env(env: Mapping[str, str] | None = None) -> Credentials:
    env = os.environ if env is None else env
    sid = env.get("TWILIO_ACCOUNT_SID", "").strip()
    key, key_secret = env.get("TWILIO_API_KEY", "").strip(), env.get("TWILIO_API_SECRET", "")
    token = env.get("TWILIO_AUTH_TOKEN", "")
    if not sid:
        raise SendError(
            "set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and "
            "TWILIO_API_SECRET) to send"
        )
    if key and key_secret:
        return Credentials(sid, key, key_secret)
    if token:
        return Credentials(sid, sid, token)
    raise SendError(
        "TWILIO_ACCOUNT_SID is set but no secret: set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY "
        "and TWILIO_API_SECRET"
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # accepted | rejected | throttled | unreachable | unknown | fatal
    sid: str | None = None
    status: str | None = None
    code: int | None = None
    message: str | None = None
    from_: str | None = None


@dataclass(frozen=True, slots=True)
class Found:
    sid: str
    status: str
    error_code: int | None


def to_utc(when: datetime) -> datetime:
    """twilio-python writes ``send_at`` with a "Z" but does not convert it: we do."""
    if when.tzinfo is None:
        raise ValueError("send_at must carry a UTC offset")
    return when.astimezone(UTC)


def _readable(sock: Any) -> bool:
    import select

    if hasattr(select, "poll"):  # select() fails on descriptors above FD_SETSIZE
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


class NeverConnected(ConnectionError):
    """The TCP (or TLS) connection could not be made: the request never left."""


class _Answer:
    """httptools callbacks: one HTTP response, collected."""

    __slots__ = ("body", "done", "headers")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1")] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.done = True


class _Connection:
    """One keep-alive HTTP/1.1 connection: a request goes out in one write, the answer is
    parsed by httptools (llhttp), chunked or not."""

    def __init__(self, scheme: str, host: str, port: int, timeout: float, tls: Any) -> None:
        self.scheme, self.host, self.port, self.timeout, self.tls = scheme, host, port, timeout, tls
        self.sock: Any = None
        default = 443 if scheme == "https" else 80
        self.host_header = host if port == default else f"{host}:{port}"

    def connect(self) -> None:
        import socket

        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.scheme == "https":
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except OSError as exc:
            raise NeverConnected(str(exc)) from exc
        self.sock = sock

    def close(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()

    def exchange(self, head: bytes, body: bytes) -> tuple[int, str, dict[str, str], bool]:
        """(status, text, headers, keep the connection) for one request."""
        import httptools

        self.sock.sendall(head + body)
        answer = _Answer()
        parser = httptools.HttpResponseParser(answer)
        while not answer.done:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionResetError("the connection was closed before a full answer")
            parser.feed_data(data)
        status = parser.get_status_code()
        text = b"".join(answer.body).decode("utf-8")
        return status, text, answer.headers, parser.should_keep_alive()


def _http_client(timeout: float) -> Any:
    """A twilio ``HttpClient`` on keep-alive connections, one per thread.

    twilio-python's default client goes through requests, which rescans the environment for
    proxies and rebuilds its context on every call: at hundreds of messages a second that
    costs more CPU than everything else in the send. This one keeps each worker thread's
    connection open, writes each request in one piece, parses answers with httptools, never
    retries (a retried POST could send an SMS twice), tells a connection that could not be
    made apart from one that broke after the request left, and verifies TLS against certifi's
    bundle. When the environment names a proxy, twilio's own client is used instead, so that
    proxies keep working.
    """
    import base64
    import ssl
    import threading
    import urllib.request
    from urllib.parse import urlencode, urlsplit

    from twilio.http import HttpClient
    from twilio.http.http_client import TwilioHttpClient
    from twilio.http.response import Response

    if any(urllib.request.getproxies().get(k) for k in ("http", "https", "all")):
        return TwilioHttpClient(timeout=timeout, logger=_log)

    class KeepAliveHttpClient(HttpClient):
        def __init__(self) -> None:
            super().__init__(_log, False, timeout)
            self._local = threading.local()
            self._tls: ssl.SSLContext | None = None
            self._all: list[_Connection] = []
            self._lock = threading.Lock()
            self._auth: dict[tuple[str, str], str] = {}

        def _connection(self, scheme: str, host: str, port: int | None) -> _Connection:
            conns = self._local.__dict__.setdefault("conns", {})
            key = (scheme, host, port)
            conn = conns.get(key)
            # Readable while idle means the server closed it (or sent garbage): drop it now,
            # before a request is written to it.
            if conn is not None and conn.sock is not None and _readable(conn.sock):
                conn.close()
            if conn is None:
                if scheme == "https" and self._tls is None:
                    import certifi

                    self._tls = ssl.create_default_context(cafile=certifi.where())
                conn = _Connection(
                    scheme, host, port or (443 if scheme == "https" else 80), timeout, self._tls
                )
                conns[key] = conn
                with self._lock:
                    self._all.append(conn)
            if conn.sock is None:
                conn.connect()
            return conn

        def request(
            self,
            method: str,
            uri: str,
            params: dict[str, object] | None = None,
            data: dict[str, object] | None = None,
            headers: dict[str, str] | None = None,
            auth: tuple[str, str] | None = None,
            timeout: float | None = None,
            allow_redirects: bool = False,
        ) -> Response:
            parts = urlsplit(uri)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if params:
                path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
            body = urlencode(data, doseq=True).encode() if data else b""
            conn = self._connection(parts.scheme, parts.hostname or "", parts.port)
            lines = [f"{method} {path} HTTP/1.1", f"Host: {conn.host_header}"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            if auth is not None:
                lines.append(f"Authorization: {self._basic(auth)}")
            if body or method in ("POST", "PUT", "PATCH"):
                lines.append(f"Content-Length: {len(body)}")
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
            try:
                status, text, answer_headers, keep = conn.exchange(head, body)
            except BaseException:
                conn.close()  # never reuse a connection in an unknown state
                raise
            if not keep:
                conn.close()
            return Response(status, text, answer_headers)

        def _basic(self, auth: tuple[str, str]) -> str:
            value = self._auth.get(auth)
            if value is None:
                token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
                value = self._auth[auth] = f"Basic {token}"
            return value

        def close(self) -> None:
            with self._lock:
                conns, self._all = self._all, []
            for conn in conns:
                conn.close()

    return KeepAliveHttpClient()


class TwilioAdapter:
    def __init__(
        self,
        credentials: Credentials,
        base_url: str | None = None,
        *,
        timeout: float = 15.0,
    ) -> None:
        from twilio.rest import Client

        self._http = _http_client(timeout)
        self.client = Client(
            credentials.username,
            credentials.secret,
            account_sid=credentials.account_sid,
            http_client=self._http,
        )
        base_url = base_url or os.environ.get(BASE_URL_ENV) or None
        if base_url:
            self.client.api.base_url = base_url.rstrip("/")
        self.base_url = self.client.api.base_url
        self.account_sid = credentials.account_sid

    # -- sending
    def create(
        self,
        to: str,
        body: str,
        *,
        from_: str | None = None,
        messaging_service_sid: str | None = None,
        send_at: datetime | None = None,
        status_callback: str | None = None,
    ) -> Outcome:
        kwargs: dict[str, Any] = {"to": to, "body": body}
        if messaging_service_sid:
            kwargs["messaging_service_sid"] = messaging_service_sid
        else:
            kwargs["from_"] = from_
        if send_at is not None:
            kwargs["schedule_type"] = "fixed"
            kwargs["send_at"] = to_utc(send_at)
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            msg = self.client.messages.create(**kwargs)
        except Exception as exc:  # classified below; anything unforeseen is "unknown"
            return self._failure(exc)
        return Outcome("accepted", sid=msg.sid, status=msg.status, from_=msg.from_)

    def _failure(self, exc: Exception) -> Outcome:
        from twilio.base.exceptions import TwilioRestException

        if isinstance(exc, TwilioRestException):
            status, code = int(exc.status or 0), exc.code
            text = str(exc.msg or "")
            if status == 429 or code == 20429:
                return Outcome("throttled", code=20429, message=text)
            if status >= 500:
                return Outcome("unknown", code=code, message=f"HTTP {status} {text}".strip())
            if status in (401, 403) or code == 20003:
                return Outcome("fatal", code=code or 20003, message=explain(20003))
            if status == 404:
                return Outcome("fatal", code=code or 20404, message=explain(20404))
            return Outcome("rejected", code=code, message=text)
        if _never_connected(exc):
            return Outcome("unreachable", message="could not connect")
        if isinstance(exc, TimeoutError) or "Timeout" in type(exc).__name__:
            return Outcome("unknown", message="no answer in time")
        if isinstance(exc, OSError):
            return Outcome("unknown", message="the connection was dropped before an answer")
        return Outcome("unknown", message=type(exc).__name__)

    # -- looking up
    def find(
        self,
        to: str,
        body: str,
        *,
        since: datetime,
        from_: str | None = None,
        exclude: set[str] | frozenset[str] = frozenset(),
    ) -> Found | None:
        """The message with this recipient and body created since ``since``, if Twilio has it.

        Twilio lists newest first. We filter by To (and From) and walk back to the attempt time
        by ``date_created`` rather than filtering on DateSent: a message still queued or
        scheduled has no ``date_sent`` yet, and a DateSent filter would miss it.
        Raises ``LookupFailed`` when Twilio cannot be asked.
        """
        floor = since - LOOKUP_SKEW
        try:
            page = self.client.messages.page(to=to, from_=from_ if from_ else None, page_size=100)
            while page is not None:
                for msg in page:
                    if msg.date_created is not None and msg.date_created < floor:
                        return None
                    if msg.body == body and msg.sid not in exclude:
                        return Found(msg.sid, msg.status, msg.error_code)
                page = page.next_page()
        except Exception as exc:
            raise LookupFailed(self._failure(exc)) from None
        return None

    def fetch(self, sid: str) -> Found | Outcome:
        """The message's current status, or the failure Outcome."""
        try:
            msg = self.client.messages(sid).fetch()
        except Exception as exc:
            return self._failure(exc)
        return Found(msg.sid, msg.status, msg.error_code)

    def close(self) -> None:
        close = getattr(self._http, "close", None)
        if close is not None:
            close()
        session = getattr(self._http, "session", None)
        if session is not None:
            session.close()


class LookupFailed(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message or outcome.kind)
        self.outcome = outcome


def _never_connected(exc: BaseException) -> bool:
    """True when the TCP connection was never established (so nothing reached Twilio)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        name = type(e).__name__
        if name in (
            "NeverConnected",
            "NewConnectionError",
            "ConnectTimeoutError",
            "ConnectTimeout",
        ):
            return True
        todo.extend([e.__cause__, e.__context__, getattr(e, "reason", None)])
        todo.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
    return False
