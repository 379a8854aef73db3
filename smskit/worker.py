"""Work that runs beside the main loop, in a forked child process fed through a pipe.

CPython runs one thread of Python at a time, so a second core helps only from a second process.
The pre-flight of a large audience hands its phone column to one: the child checks numbers
and duplicates while the parent reads the file and checks the messages. A fork inherits the
consumer as built (its caches and lookup tables), so nothing is imported again; items and the
result travel pickled.

Forking is safe only where no other thread may hold a lock the child would need, so
``can_fork`` asks for Linux, a single thread and more than one CPU; callers do the work in
their own process otherwise. The child ignores Ctrl-C (the parent decides), and leaves with
``os._exit`` so that nothing of the parent's (atexit handlers, buffered output) runs twice.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from multiprocessing import Pipe
from typing import Any, Protocol


class Consumer(Protocol):
    def add(self, *item: Any) -> None: ...

    def result(self) -> Any: ...


class WorkerError(RuntimeError):
    """The child failed or died; its work is lost."""


def can_fork() -> bool:
    """True where a forked worker is both safe and useful (Linux, one thread, two CPUs)."""
    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and (os.cpu_count() or 1) > 1
    )


class ForkedConsumer:
    """``consumer.add(*item)`` for each item sent, in a child process; ``result()`` at the end."""

    def __init__(self, consumer: Consumer) -> None:
        parent, child = Pipe()
        # Ctrl-C is held back over the fork: the child must not take one before it ignores it,
        # and one meant for the parent is delivered to it as soon as the mask is lifted.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child, which never returns
                parent.close()
                _serve(consumer, child, held)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        child.close()
        self.pid: int | None = pid
        self._conn = parent

    def add(self, *item: Any) -> None:
        try:
            self._conn.send(item)
        except OSError as e:  # the child is gone: its answer says why
            raise WorkerError(self._why_gone(e)) from None

    def result(self) -> Any:
        try:
            self._conn.send(None)
            status, payload = self._conn.recv()
        except (OSError, EOFError) as e:
            raise WorkerError(self._why_gone(e)) from None
        finally:
            self.close()
        if status != "ok":
            raise WorkerError(payload)
        return payload

    def close(self) -> None:
        """Stop the child if it still runs, and reap it (idempotent)."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        self._conn.close()

    def _why_gone(self, e: BaseException) -> str:
        try:
            if self._conn.poll(1.0):
                status, payload = self._conn.recv()
                if status != "ok":
                    return str(payload)
        except (OSError, EOFError):
            pass
        return f"the worker process stopped unexpectedly ({type(e).__name__})"


def _serve(consumer: Consumer, conn: Any, mask: set) -> None:  # pragma: no cover - the child
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        while (item := conn.recv()) is not None:
            consumer.add(*item)
        conn.send(("ok", consumer.result()))
    except BaseException as e:  # the parent hears of it, whatever it is
        code = 1
        with contextlib.suppress(BaseException):
            conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        os._exit(code)
