"""Sending rate: segments per second, paced exactly, with Twilio's defaults per sender type."""

from __future__ import annotations

import re
import time

# Twilio's default throughput in message segments per second.
SHORT_CODE_RATE = 100.0
TOLL_FREE_RATE = 3.0
US_LONG_CODE_RATE = 1.0
ALPHANUMERIC_RATE = 10.0
INTERNATIONAL_LONG_CODE_RATE = 10.0
MESSAGING_SERVICE_RATE = 10.0

_TOLL_FREE = re.compile(r"\+1(800|833|844|855|866|877|888)[0-9]{7}")


def default_rate(sender: str | None, messaging_service: str | None = None) -> float:
    """The rate Twilio allows a sender by default (a Messaging Service's pool is unknown)."""
    if messaging_service:
        return MESSAGING_SERVICE_RATE
    from smskit.sender import sender_kind

    sender = (sender or "").strip()
    kind = sender_kind(sender) if sender else "alphanumeric"
    if kind == "short-code":
        return SHORT_CODE_RATE
    if kind == "alphanumeric":
        return ALPHANUMERIC_RATE
    if _TOLL_FREE.fullmatch(sender):
        return TOLL_FREE_RATE
    if sender.startswith("+1"):
        return US_LONG_CODE_RATE
    return INTERNATIONAL_LONG_CODE_RATE


class Pacer:
    """Spaces sends so that segments per second never exceed ``rate`` (None: no limit).

    Each send of n segments occupies n/rate seconds of the schedule; a send may start when
    the schedule has caught up with the clock. A sender that wakes up late may catch up on at
    most ``catch_up`` seconds of schedule, so oversleeping does not lower the rate, while an
    idle sender never banks a burst: the rate measured over any minute is the configured one.
    """

    def __init__(self, rate: float | None, clock=time.monotonic, catch_up: float = 0.25) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("the rate must be a positive number of segments per second")
        self.rate = rate
        self.catch_up = catch_up
        self._clock = clock
        self._next = clock()

    def wait_time(self) -> float:
        """Seconds until the next send may start (0 when it may start now)."""
        if self.rate is None:
            return 0.0
        return max(0.0, self._next - self._clock())

    def take(self, segments: int) -> None:
        if self.rate is None:
            return
        now = self._clock()
        # Lateness up to catch_up is made good; an idle pacer does not bank more than that.
        self._next = max(self._next, now - self.catch_up) + max(segments, 1) / self.rate
