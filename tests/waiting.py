"""Waiting for a condition with a deadline, instead of sleeping a fixed time and hoping."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], timeout: float = 20.0, every: float = 0.02) -> None:
    """Return as soon as ``condition()`` is true; fail the test if it is not within ``timeout``.

    The deadline only bounds a hung run: a loaded machine just takes longer to get there.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout:g} s: {condition}")
        time.sleep(every)
