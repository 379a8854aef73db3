"""Progress while sending: a rich progress bar on a terminal, plain periodic lines in CI."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import IO, Protocol


class Reporter(Protocol):
    def start(self) -> None: ...
    def update(self, stats: Mapping[str, int]) -> None: ...
    def note(self, text: str) -> None: ...
    def finish(self) -> None: ...


def _done(stats: Mapping[str, int]) -> int:
    keys = ("sent", "scheduled", "failed", "opted_out", "waiting", "already", "duplicate")
    return sum(stats.get(k, 0) for k in keys)


class Silent:
    def start(self) -> None:
        pass

    def update(self, stats: Mapping[str, int]) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def finish(self) -> None:
        pass


class PlainLines:
    """One line every ``every`` seconds, for logs where a bar would be noise."""

    def __init__(self, total: int | None, stream: IO[str], every: float = 10.0) -> None:
        self.total, self.stream, self.every = total, stream, every
        self._start = self._last = 0.0
        self._stats: Mapping[str, int] = {}

    def start(self) -> None:
        self._start = self._last = time.monotonic()

    def update(self, stats: Mapping[str, int]) -> None:
        self._stats = dict(stats)
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._line()

    def note(self, text: str) -> None:
        print(f"send: {text}", file=self.stream, flush=True)

    def finish(self) -> None:
        self._line()

    def _line(self) -> None:
        s, elapsed = self._stats, max(time.monotonic() - self._start, 1e-9)
        accepted = s.get("sent", 0) + s.get("scheduled", 0)
        done = _done(s)
        parts = [
            f"sent {s.get('sent', 0)}",
            f"scheduled {s.get('scheduled', 0)}",
            f"failed {s.get('failed', 0)}",
            f"{accepted / elapsed:.1f} msg/s",
        ]
        if self.total:
            parts.insert(0, f"{done}/{self.total}")
            rate = done / elapsed
            if rate > 0 and done < self.total:
                parts.append(f"~{(self.total - done) / rate:.0f}s left")
        print("send: " + ", ".join(parts), file=self.stream, flush=True)


class RichBar:
    def __init__(self, total: int | None, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("sending"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=False,
        )
        self._task = self._progress.add_task("send", total=total, detail="")
        self._start = 0.0

    def start(self) -> None:
        self._start = time.monotonic()
        self._progress.start()

    def update(self, stats: Mapping[str, int]) -> None:
        elapsed = max(time.monotonic() - self._start, 1e-9)
        accepted = stats.get("sent", 0) + stats.get("scheduled", 0)
        detail = (
            f"sent {stats.get('sent', 0)}  failed {stats.get('failed', 0)}  "
            f"{accepted / elapsed:.1f} msg/s"
        )
        self._progress.update(self._task, completed=_done(stats), detail=detail)

    def note(self, text: str) -> None:
        self._progress.console.print(text)

    def finish(self) -> None:
        self._progress.stop()


def make_reporter(
    progress: bool | None, total: int | None, stream: IO[str] | None = None
) -> Reporter:
    """``progress``: None chooses by the terminal, False is silent, True always reports."""
    stream = stream or sys.stderr
    if progress is False:
        return Silent()
    if stream.isatty():
        return RichBar(total, stream)
    return PlainLines(total, stream)
