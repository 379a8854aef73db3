"""Ctrl-C while sending: the first one asks the sender to stop, the second one stops it at once.

Python turns SIGINT into a ``KeyboardInterrupt`` raised wherever the main thread happens to be:
inside a journal transaction (rolling back the answers it was about to record), or between
taking a worker's answer off the queue and recording it (dropping that answer). Either leaves a
request that Twilio accepted recorded as ``attempting``. So while the coordinator runs, the
first SIGINT only sets a flag that the coordinator reads at a safe point; it then stops
dispatching, waits for every request in flight, records each answer and returns. A second
SIGINT raises ``KeyboardInterrupt`` as usual, for a user who will not wait; whatever was in
flight then stays ``attempting`` and the next run looks it up before sending anything again.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def sigint_as_request(on_first: Callable[[], None]) -> Iterator[None]:
    """Within the block, the first SIGINT calls ``on_first``; later ones raise KeyboardInterrupt.

    Outside the main thread Python delivers no SIGINT, and the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seen = 0

    def handler(signum: int, frame: Any) -> None:
        nonlocal seen
        seen += 1
        if seen > 1:
            raise KeyboardInterrupt
        on_first()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        # None: a handler installed outside Python, which cannot be put back from here
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


__all__ = ["sigint_as_request"]
