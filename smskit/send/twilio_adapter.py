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

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
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


def _http_clients(timeout: float) -> tuple[Any, Any]:
    """twilio ``HttpClient``s (blocking, and async for the sends) on keep-alive connections.

    twilio-python's default client goes through requests, which rescans the environment for
    proxies and rebuilds its context on every call: at hundreds of messages a second that
    costs more CPU than everything else in the send. These keep their connections open, never
    retry (a retried POST could send an SMS twice), tell a connection that could not be made
    apart from one that broke after the request left, and verify TLS against certifi's bundle
    (see ``smskit.send.http``). When the environment names a proxy, twilio's own client is used
    instead, so that proxies keep working, and there is no async client (None).
    """
    import urllib.request

    from twilio.http import AsyncHttpClient, HttpClient
    from twilio.http.http_client import TwilioHttpClient
    from twilio.http.response import Response

    from smskit.send.http import AsyncPool, Connection, Request, basic_auth, tls_context

    if any(urllib.request.getproxies().get(k) for k in ("http", "https", "all")):
        return TwilioHttpClient(timeout=timeout, logger=_log), None

    auth_headers: dict[tuple[str, str], str] = {}

    def authorization(auth: tuple[str, str] | None) -> str | None:
        if auth is None:
            return None
        value = auth_headers.get(auth)
        if value is None:
            value = auth_headers[auth] = basic_auth(*auth)
        return value

    class KeepAliveHttpClient(HttpClient):
        """One connection per thread and host."""

        def __init__(self) -> None:
            super().__init__(_log, False, timeout)
            self._local = threading.local()
            self._tls: Any = None
            self._all: list[Connection] = []
            self._lock = threading.Lock()

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
            req = Request(method, uri, params, data, headers, authorization(auth))
            conns = self._local.__dict__.setdefault("conns", {})
            conn = conns.get(req.key)
            if conn is None:
                if req.scheme == "https" and self._tls is None:
                    self._tls = tls_context()
                conn = conns[req.key] = Connection(req.key, timeout_s, self._tls)
                with self._lock:
                    self._all.append(conn)
            status, text, answer_headers = conn.exchange(req)
            return Response(status, text, answer_headers)

        def close(self) -> None:
            with self._lock:
                conns, self._all = self._all, []
            for conn in conns:
                conn.close()

    class AsyncKeepAliveHttpClient(AsyncHttpClient):
        """All connections on one event loop (the adapter's sending thread)."""

        def __init__(self) -> None:
            super().__init__(_log, True, timeout)
            self.pool: AsyncPool | None = None

        async def request(
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
            req = Request(method, uri, params, data, headers, authorization(auth))
            if self.pool is None:
                self.pool = AsyncPool(timeout_s, tls_context() if req.scheme == "https" else None)
            status, text, answer_headers = await self.pool.exchange(req)
            return Response(status, text, answer_headers)

        def close(self) -> None:
            if self.pool is not None:
                self.pool.close()

    timeout_s = timeout
    return KeepAliveHttpClient(), AsyncKeepAliveHttpClient()


class TwilioAdapter:
    def __init__(
        self,
        credentials: Credentials,
        base_url: str | None = None,
        *,
        timeout: float = 15.0,
    ) -> None:
        from twilio.rest import Client

        self._http, self._async_http = _http_clients(timeout)
        base_url = base_url or os.environ.get(BASE_URL_ENV) or None

        def client(http: Any) -> Any:
            made = Client(
                credentials.username,
                credentials.secret,
                account_sid=credentials.account_sid,
                http_client=http,
            )
            if base_url:
                made.api.base_url = base_url.rstrip("/")
            return made

        self.client = client(self._http)
        self._async_client = client(self._async_http) if self._async_http else None
        self.base_url = self.client.api.base_url
        self.account_sid = credentials.account_sid
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        if self._async_client is None:  # behind a proxy: the engine uses threads and create()
            self.create_many: Any = None

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
        kwargs = _create_kwargs(to, body, from_, messaging_service_sid, send_at, status_callback)
        try:
            msg = self.client.messages.create(**kwargs)
        except Exception as exc:  # classified below; anything unforeseen is "unknown"
            return self._failure(exc)
        return Outcome("accepted", sid=msg.sid, status=msg.status)

    def create_many(
        self, requests: list[tuple[Any, dict[str, Any]]], done: Callable[[Any, Outcome], None]
    ) -> None:
        """Start ``create(**kwargs)`` for each (key, kwargs) and return at once.

        The requests run concurrently on the adapter's own event-loop thread; ``done(key,
        outcome)`` is called from that thread as each one is answered (always, whatever
        happens).
        """
        loop = self._event_loop()
        loop.call_soon_threadsafe(self._start, requests, done)

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            # A daemon: a second Ctrl-C must be able to end the process with requests in flight
            # (their rows stay "attempting" and are looked up by the next run).
            thread = threading.Thread(target=loop.run_forever, name="smskit-send-loop", daemon=True)
            thread.start()
            self._loop, self._loop_thread = loop, thread
        return self._loop

    def _start(
        self, requests: list[tuple[Any, dict[str, Any]]], done: Callable[[Any, Outcome], None]
    ) -> None:
        for key, kwargs in requests:
            task = asyncio.ensure_future(self._create_async(key, kwargs, done))
            self._tasks.add(task)  # the loop keeps only weak references to its tasks
            task.add_done_callback(self._tasks.discard)

    async def _create_async(
        self, key: Any, kwargs: dict[str, Any], done: Callable[[Any, Outcome], None]
    ) -> None:
        assert self._async_client is not None
        try:
            args = _create_kwargs(**kwargs)
            msg = await self._async_client.messages.create_async(**args)
            outcome = Outcome("accepted", sid=msg.sid, status=msg.status)
        except Exception as exc:  # classified; anything unforeseen is "unknown"
            outcome = self._failure(exc)
        except BaseException as exc:  # cancelled at close: the request may have left
            outcome = Outcome("unknown", message=type(exc).__name__)
            done(key, outcome)
            raise
        done(key, outcome)

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
        loop, thread = self._loop, self._loop_thread
        if loop is not None and thread is not None:
            self._loop = self._loop_thread = None
            assert self._async_http is not None

            def shut() -> None:
                self._async_http.close()
                loop.stop()

            loop.call_soon_threadsafe(shut)
            thread.join(timeout=5)
            if not thread.is_alive():
                loop.close()


@contextlib.contextmanager
def adapter_for(
    adapter: Any = None, credentials: Credentials | None = None, base_url: str | None = None
) -> Iterator[Any]:
    """``adapter`` as given (the caller closes it), or a TwilioAdapter made here and closed on
    the way out, with ``credentials`` (default: from the environment)."""
    if adapter is not None:
        yield adapter
        return
    owned = TwilioAdapter(credentials or credentials_from_env(), base_url)
    try:
        yield owned
    finally:
        owned.close()


def _create_kwargs(
    to: str,
    body: str,
    from_: str | None = None,
    messaging_service_sid: str | None = None,
    send_at: datetime | None = None,
    status_callback: str | None = None,
) -> dict[str, Any]:
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
    return kwargs


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
