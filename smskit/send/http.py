"""Keep-alive HTTP/1.1 connections for the sender: blocking ones, and ones on an event loop.

Twilio's client only needs "send this request, give me status, text and headers"; the
adapter wraps these in twilio's ``HttpClient`` classes. A request goes out in one write (a
separate write for the body would meet Nagle's algorithm and delayed ACKs); answers are parsed
by httptools (llhttp), chunked or not. Nothing here ever retries: a retried POST could send an
SMS twice. A connection that could not be made raises ``NeverConnected`` (nothing was sent);
anything that goes wrong after the request left is an ``OSError`` or ``TimeoutError`` whose
outcome is unknown.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import socket
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus, urlencode, urlsplit

import httptools

Answer = tuple[int, str, dict[str, str]]  # status, text, headers


class NeverConnected(ConnectionError):
    """The TCP (or TLS) connection could not be made: the request never left."""


def basic_auth(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()


class Request:
    """One request, ready to write: where it goes and its bytes."""

    __slots__ = ("data", "host", "port", "scheme")

    def __init__(
        self,
        method: str,
        uri: str,
        params: Mapping[str, object] | None,
        data: Mapping[str, object] | None,
        headers: Mapping[str, str] | None,
        authorization: str | None,
    ) -> None:
        parts = urlsplit(uri)
        self.scheme = parts.scheme
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if params:
            path += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
        body = _form(data).encode() if data else b""
        default = 443 if self.scheme == "https" else 80
        host = self.host if self.port == default else f"{self.host}:{self.port}"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if authorization:
            lines.append(f"Authorization: {authorization}")
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}")
        self.data = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


@functools.lru_cache(maxsize=1024)
def _quote(text: str) -> str:
    return quote_plus(text, safe="")


def _form(data: Mapping[str, object]) -> str:
    """``urlencode(data, doseq=True)``, remembering recent quotings: every recipient of a
    campaign gets the same body, and quoting it is the costliest part of the request."""
    parts = []
    for key, value in data.items():
        if not isinstance(value, str):
            return urlencode(data, doseq=True)
        parts.append(f"{_quote(key)}={_quote(value)}")
    return "&".join(parts)


class _Parsed:
    """httptools callbacks: one HTTP response, collected."""

    __slots__ = ("body", "done", "headers", "keep_alive", "parser")

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.done = self.keep_alive = False
        self.parser = httptools.HttpResponseParser(self)

    def feed(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1")] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.done = True
        self.keep_alive = self.parser.should_keep_alive()  # reset once the parser moves on

    def answer(self) -> Answer:
        return self.parser.get_status_code(), b"".join(self.body).decode("utf-8"), self.headers


def _readable(sock: Any) -> bool:
    import select

    if hasattr(select, "poll"):  # select() fails on descriptors above FD_SETSIZE
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


class Connection:
    """One blocking keep-alive connection (used by one thread at a time)."""

    def __init__(self, key: tuple[str, str, int], timeout: float, tls: ssl.SSLContext | None):
        self.scheme, self.host, self.port = key
        self.timeout, self.tls = timeout, tls
        self.sock: Any = None

    def exchange(self, request: Request) -> Answer:
        # Readable while idle means the server closed it (or sent garbage): drop it now,
        # before a request is written to it.
        if self.sock is not None and _readable(self.sock):
            self.close()
        if self.sock is None:
            self._connect()
        try:
            self.sock.sendall(request.data)
            parsed = _Parsed()
            while not parsed.done:
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionResetError("the connection was closed before a full answer")
                parsed.feed(data)
        except BaseException:
            self.close()  # never reuse a connection in an unknown state
            raise
        if not parsed.keep_alive:
            self.close()
        return parsed.answer()

    def _connect(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.scheme == "https":
                assert self.tls is not None
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except OSError as exc:
            raise NeverConnected(str(exc)) from exc
        self.sock = sock

    def close(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()


class _AsyncConnection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parsed: _Parsed | None = None
        self.waiter: asyncio.Future[_Parsed] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        parsed, waiter = self.parsed, self.waiter
        if parsed is None or waiter is None or waiter.done():
            self._abort()  # an answer nobody asked for: the connection cannot be trusted
            return
        try:
            parsed.feed(data)
        except httptools.HttpParserError as exc:
            waiter.set_exception(ConnectionError(f"unreadable answer: {exc}"))
            self._abort()
            return
        if parsed.done:
            waiter.set_result(parsed)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(
                ConnectionResetError("the connection was closed before a full answer")
            )

    def _abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class AsyncPool:
    """Keep-alive connections on the running event loop, as many as requests in flight.

    Unlike blocking sockets in many threads, one loop thread makes any number of requests
    without the threads taking turns on the GIL for every read and write.
    """

    def __init__(self, timeout: float, tls: ssl.SSLContext | None) -> None:
        self.timeout, self.tls = timeout, tls
        self._idle: dict[tuple[str, str, int], list[_AsyncConnection]] = {}
        self._all: set[_AsyncConnection] = set()

    async def exchange(self, request: Request) -> Answer:
        conn = await self._connection(request)
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[_Parsed] = loop.create_future()
        conn.parsed, conn.waiter = _Parsed(), waiter
        timer = loop.call_later(self.timeout, _expire, conn)
        assert conn.transport is not None
        try:
            conn.transport.write(request.data)
            parsed = await waiter
        except BaseException:
            self._drop(conn)  # never reuse a connection in an unknown state
            raise
        finally:
            timer.cancel()
            conn.parsed = conn.waiter = None
        if parsed.keep_alive and not conn.closed:
            self._idle.setdefault(request.key, []).append(conn)
        else:
            self._drop(conn)
        return parsed.answer()

    def _drop(self, conn: _AsyncConnection) -> None:
        conn._abort()
        self._all.discard(conn)

    async def _connection(self, request: Request) -> _AsyncConnection:
        idle = self._idle.get(request.key)
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn
            self._all.discard(conn)  # the server closed it while it was idle
        loop = asyncio.get_running_loop()
        https = request.scheme == "https"
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    _AsyncConnection,
                    request.host,
                    request.port,
                    ssl=self.tls if https else None,
                    server_hostname=request.host if https else None,
                ),
                self.timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise NeverConnected(str(exc) or type(exc).__name__) from exc
        self._all.add(conn)
        return conn

    def close(self) -> None:
        for conn in self._all:
            conn._abort()
        self._all.clear()
        self._idle.clear()


def _expire(conn: _AsyncConnection) -> None:
    if conn.waiter is not None and not conn.waiter.done():
        conn.waiter.set_exception(TimeoutError("no answer in time"))
    conn._abort()


def tls_context() -> ssl.SSLContext:
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


__all__ = [
    "Answer",
    "AsyncPool",
    "Connection",
    "NeverConnected",
    "Request",
    "basic_auth",
    "tls_context",
]
