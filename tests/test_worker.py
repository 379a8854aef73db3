"""The forked worker: results come back, failures are errors, and no child is left behind."""

from __future__ import annotations

import os
import signal

import pytest

from smskit.worker import ForkedConsumer, WorkerError, can_fork

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


class Summer:
    def __init__(self) -> None:
        self.total = 0
        self.items: list[bytes] = []
        self.parent = os.getpid()

    def add(self, n: int, data: bytes) -> None:
        self.total += n
        self.items.append(data)

    def result(self) -> tuple[int, int, bool]:
        return self.total, len(b"".join(self.items)), os.getpid() != self.parent


class Failing(Summer):
    def add(self, n: int, data: bytes) -> None:
        if n == 3:
            raise ValueError("three is not allowed")
        super().add(n, data)


class Dying(Summer):
    def add(self, n: int, data: bytes) -> None:
        os._exit(7)


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True  # reaped: not our child any more
    return False


def test_items_go_to_the_child_and_its_result_comes_back() -> None:
    worker = ForkedConsumer(Summer())
    pid = worker.pid
    for n in range(100):
        worker.add(n, b"x" * 70_000)  # more than a pipe holds: the child reads as we write
    assert worker.result() == (sum(range(100)), 7_000_000, True)
    assert pid is not None and _gone(pid)


def test_an_exception_in_the_child_is_a_worker_error_with_its_message() -> None:
    worker = ForkedConsumer(Failing())
    with pytest.raises(WorkerError, match="ValueError: three is not allowed"):
        for n in range(10):
            worker.add(n, b"")
        worker.result()
    worker.close()
    assert worker.pid is None


def test_a_child_that_dies_is_a_worker_error() -> None:
    worker = ForkedConsumer(Dying())
    with pytest.raises(WorkerError, match="stopped unexpectedly"):
        for n in range(1000):
            worker.add(n, b"y" * 10_000)
        worker.result()
    worker.close()


def test_close_stops_a_running_child_and_reaps_it() -> None:
    worker = ForkedConsumer(Summer())
    pid = worker.pid
    assert pid is not None
    worker.add(1, b"")
    worker.close()
    worker.close()  # again: nothing left to do
    assert _gone(pid)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_child_ignores_ctrl_c_the_parent_decides() -> None:
    worker = ForkedConsumer(Summer())
    assert worker.pid is not None
    worker.add(2, b"a")
    os.kill(worker.pid, signal.SIGINT)
    worker.add(3, b"b")
    assert worker.result()[:2] == (5, 2)


def test_no_fork_beside_other_threads() -> None:
    import threading

    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not can_fork()
    finally:
        stop.set()
        t.join()
