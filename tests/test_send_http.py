"""The sender's HTTP connections against real sockets: framing, keep-alive, failures.

The emulator answers with Content-Length on kept-alive connections; Twilio (or a proxy in
front of it) may answer chunked, close after an answer, or close an idle connection. A small
scripted server here answers each request with the bytes a test gives it.
"""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from smskit.send.http import AsyncPool, Connection, NeverConnected, Request

CHUNKED = (
    b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
    b'7\r\n{"sid":\r\n8\r\n "SM1"}\n\r\n0\r\n\r\n'
)
CLOSING = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
KEPT = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"


class Scripted:
    """Accepts connections; answers the n-th request with answers[n] (None: close at once)."""

    def __init__(self, answers: list[bytes | None]) -> None:
        self.answers = list(answers)
        self.connections = 0
        self.requests: list[bytes] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/x"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.answers:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                while self.answers:
                    data = conn.recv(65536)
                    if not data:
                        break
                    self.requests.append(data)
                    answer = self.answers.pop(0)
                    if answer is None:
                        break
                    conn.sendall(answer)
                    if b"Connection: close" in answer:
                        break

    def close(self) -> None:
        self.sock.close()


def request(url: str, body: dict | None = None) -> Request:
    return Request("POST", url, None, body or {"To": "+358401111111", "Body": "Hei äö"}, {}, None)


def test_one_write_per_request_with_the_form_body():
    server = Scripted([KEPT])
    conn = Connection(("http", "127.0.0.1", server.port), 5.0, None)
    assert conn.exchange(request(server.url)) == (200, "{}", {"Content-Length": "2"})
    head, _, body = server.requests[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /x HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"Content-Length: %d" % len(body) in head
    assert body == b"To=%2B358401111111&Body=Hei+%C3%A4%C3%B6"
    conn.close()
    server.close()


def test_chunked_answers_and_closing_servers():
    server = Scripted([CHUNKED, CLOSING, KEPT])
    conn = Connection(("http", "127.0.0.1", server.port), 5.0, None)
    status, text, _ = conn.exchange(request(server.url))
    assert (status, text) == (201, '{"sid": "SM1"}\n')
    assert conn.exchange(request(server.url))[0] == 200  # the server closes after this one
    assert conn.sock is None
    assert conn.exchange(request(server.url))[0] == 200  # so a new connection is made
    assert server.connections == 2
    conn.close()
    server.close()


def test_a_connection_dropped_after_the_request_is_an_unknown_outcome_not_never_connected():
    server = Scripted([None])
    conn = Connection(("http", "127.0.0.1", server.port), 5.0, None)
    with pytest.raises(OSError) as info:
        conn.exchange(request(server.url))
    assert not isinstance(info.value, NeverConnected)  # the request did leave
    server.close()


def test_refused_connection_is_never_connected():
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    conn = Connection(("http", "127.0.0.1", port), 5.0, None)
    with pytest.raises(NeverConnected):
        conn.exchange(request(f"http://127.0.0.1:{port}/x"))


def test_silence_is_a_timeout():
    listener = socket.create_server(("127.0.0.1", 0))  # accepts (in the backlog), never answers
    port = listener.getsockname()[1]
    conn = Connection(("http", "127.0.0.1", port), 0.3, None)
    with pytest.raises(TimeoutError):
        conn.exchange(request(f"http://127.0.0.1:{port}/x"))
    listener.close()


def test_async_pool_reuses_kept_connections_and_reconnects_after_close():
    server = Scripted([KEPT, CHUNKED, CLOSING, KEPT])

    async def run() -> list[tuple[int, str]]:
        pool = AsyncPool(5.0, None)
        out = []
        for _ in range(4):
            status, text, _ = await pool.exchange(request(server.url))
            out.append((status, text))
        pool.close()
        return out

    assert asyncio.run(run()) == [(200, "{}"), (201, '{"sid": "SM1"}\n'), (200, "{}"), (200, "{}")]
    assert server.connections == 2
    server.close()


def test_async_pool_failures():
    dropping = Scripted([None])
    silent = socket.create_server(("127.0.0.1", 0))
    free = socket.create_server(("127.0.0.1", 0))
    refused_port = free.getsockname()[1]
    free.close()

    async def run() -> None:
        pool = AsyncPool(0.3, None)
        with pytest.raises(OSError) as info:
            await pool.exchange(request(dropping.url))
        assert not isinstance(info.value, NeverConnected)
        with pytest.raises(TimeoutError):
            await pool.exchange(request(f"http://127.0.0.1:{silent.getsockname()[1]}/x"))
        with pytest.raises(NeverConnected):
            await pool.exchange(request(f"http://127.0.0.1:{refused_port}/x"))
        pool.close()

    asyncio.run(run())
    dropping.close()
    silent.close()
