"""Sending a plan exactly once: pacing, ordering, retries and recovery of unknown outcomes.

One coordinator thread owns the journal and decides; the adapter's event-loop thread (or, for
adapters without one, a pool of worker threads) only makes requests. Per recipient, messages go
strictly in order: the next one is decided only when the previous one's outcome is known (and
``interval`` after it went out). Across recipients, as many requests are in flight as the rate
needs at 200 ms of API latency.

Exactly once: the row is committed as ``attempting`` before the request leaves (claims go in
groups, one synchronous commit for many requests; a claim whose request never left is sent
back to ``pending`` by any orderly stop). Answers update the rows in batches. Ctrl-C stops new
requests and waits for those in flight, so that every answer is recorded (see ``interrupt``).
No answer (timeout, dropped connection, 5xx) never leads straight to a resend: the
message is looked up in Twilio's list first (same number, same body, created since the
attempt) and only sent again when Twilio does not have it. A 429 is retried with backoff and
jitter. Permanent errors are recorded with a plain-language explanation; 21610 puts the number
on the journal's opt-out list for every campaign.
"""

from __future__ import annotations

import heapq
import itertools
import math
import queue
import random
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from smskit.send.errors import JournalError, SendError, explain
from smskit.send.interrupt import sigint_as_request
from smskit.send.journal import (
    ACCEPTED,
    DEFAULT_PATH,
    FINAL,
    UNRESOLVED,
    Journal,
    Row,
    body_hash,
)
from smskit.send.plan import Delivery
from smskit.send.progress import Reporter, make_reporter
from smskit.send.rate import Pacer, default_rate

SCHEDULE_MIN = timedelta(minutes=15)
SCHEDULE_MAX = timedelta(days=35)
SCHEDULE_MARGIN = timedelta(minutes=2)  # the request must reach Twilio inside the window
DEFAULT_PRICE_PER_SEGMENT = 0.0083  # USD, a rough US figure; pass the real one for other routes


@dataclass(slots=True)
class SendOptions:
    campaign_hash: str
    sender: str | None = None
    messaging_service: str | None = None
    rate: float | None = None  # segments per second; None: the sender's default; 0: no limit
    interval: timedelta | None = None
    concurrency: int | None = None
    status_callback: str | None = None
    max_wait: timedelta = timedelta(minutes=15)  # longer waits are left for a later run
    lookup_grace: float = 3.0  # seconds between an unknown outcome and its lookup
    max_lookups: int = 8
    max_throttle_retries: int = 10
    backoff_base: float = 0.25
    backoff_cap: float = 30.0
    max_unreachable: int = 10  # consecutive failures to connect before the run stops
    max_active: int = 50_000  # recipients in progress at once (bounds memory)
    price_per_segment: float = DEFAULT_PRICE_PER_SEGMENT
    currency: str = "USD"


@dataclass
class SendSummary:
    """What a run did (``this_run``) and where the campaign stands (``counts``)."""

    campaign: str
    dry_run: bool = False
    interrupted: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    this_run: dict[str, int] = field(default_factory=dict)
    failures: dict[int, int] = field(default_factory=dict)
    segments: int = 0
    estimated_cost: float = 0.0
    currency: str = "USD"
    elapsed: float = 0.0
    next_due: datetime | None = None
    rate: float | None = None

    @property
    def complete(self) -> bool:
        """Nothing is left to send, wait for, or resolve."""
        open_states = ("attempting", "unknown", "pending", "waiting")
        if self.dry_run or self.interrupted:
            return False
        return not any(self.counts.get(s) for s in open_states)

    def table(self) -> list[tuple[str, int, str]]:
        """(state, count, meaning) rows for a summary table."""
        meaning = {
            "sent": "accepted by Twilio",
            "scheduled": "accepted by Twilio, to go out at the scheduled time",
            "failed": "refused by Twilio (see the status table for why)",
            "opted_out": "not sent: the number is on the opt-out list",
            "waiting": "not due yet: run the same command again after it is due",
            "pending": "not sent yet (throttled or held back): run the same command again",
            "unknown": "outcome not yet confirmed: run the same command again to resolve",
            "attempting": "interrupted mid-request: the next run looks it up before resending",
        }
        return [(s, n, meaning.get(s, "")) for s, n in sorted(self.counts.items()) if n]


@dataclass(slots=True)
class _Chain:
    """One recipient's deliveries, sent strictly one after the other."""

    to: str
    items: list[Delivery]
    rows: dict[str, Row]
    opted_out: bool = False
    pos: int = 0
    prev_time: float | None = None  # when the previous message goes out (epoch seconds)


@dataclass(slots=True, eq=False)
class _Task:
    chain: _Chain
    d: Delivery
    kind: str = "send"  # send | lookup
    new: bool = True  # no journal row yet
    send_at: float | None = None  # schedule through Twilio at this time
    first_attempt: float | None = None
    tries: int = 0
    lookups: int = 0


_seq = itertools.count()


class _Abort(Exception):
    pass


class Engine:
    def __init__(
        self,
        plan: Iterable[Delivery],
        journal: Journal,
        adapter: Any,
        options: SendOptions,
        reporter: Reporter,
        campaign_key: str,
    ) -> None:
        self.plan = plan
        self.journal = journal
        self.adapter = adapter
        self.o = options
        self.reporter = reporter
        self.key = campaign_key
        rate = options.rate
        if rate is None:
            rate = default_rate(options.sender, options.messaging_service)
        self.pacer = Pacer(rate or None)
        # Adapters that can make many requests at once (on an event loop) get them in groups;
        # others get one worker thread per request in flight.
        self.create_many = getattr(adapter, "create_many", None)
        self.concurrency = options.concurrency or _concurrency_for(
            rate or None, threads=self.create_many is None
        )
        self.ready: deque[_Task] = deque()
        self.timers: list[tuple[float, int, _Task]] = []
        # (task, answer) from the workers; None only wakes the coordinator up (after Ctrl-C)
        self.results: queue.SimpleQueue[tuple[_Task, Any] | None] = queue.SimpleQueue()
        self.inflight = 0
        self.active = 0
        self.stats: Counter[str] = Counter()
        self.failures: Counter[int] = Counter()
        self.stopping = False
        self.interrupted = False  # Ctrl-C: finish what is in flight, record it, return
        self.fatal: str | None = None
        self.unreachable_streak = 0
        self.opted_out_now: set[str] = set()
        self.check_opt_outs = journal.has_opt_outs()
        self.resume = journal.has_rows(campaign_key)
        self.rng = random.Random()
        self.lookups_ready: deque[_Task] = deque()
        # Claimed in the journal ("attempting"), request not made yet; a kill leaves them for
        # the next run to look up, and any stop sends them back to "pending".
        self.claimed: deque[_Task] = deque()  # claimed in groups of up to claim_ahead
        self.claim_ahead = min(self.concurrency, 32)
        if self.pacer.rate:  # no further ahead than the rate sends in a quarter second
            self.claim_ahead = max(1, min(self.concurrency, math.ceil(self.pacer.rate / 4)))

    # -- the coordinator loop
    def run(self) -> None:
        """Send until the plan is done, a fatal error stops it, or Ctrl-C (``interrupted``)."""
        with sigint_as_request(self._interrupt):
            self._run()

    def _interrupt(self) -> None:
        # Runs in a signal handler: only set a flag and wake the loop (SimpleQueue.put is
        # reentrant); the loop itself stops at a point where no answer can be lost.
        self.interrupted = True
        self.results.put(None)

    def _run(self) -> None:
        groups = _group_by_recipient(self.plan, self.key)
        exhausted = False
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="smskit-send")
        last_flush = last_report = time.monotonic()
        hard_stop = False
        try:
            while True:
                if self.interrupted and not self.stopping:
                    self.stopping = True
                    if self.inflight:
                        self.reporter.note(
                            f"stopping: waiting for the {self.inflight} requests in flight to be "
                            "answered (Ctrl-C again stops at once; the next run looks those up)"
                        )
                low_water = self.concurrency * 2
                if (
                    not exhausted
                    and not self.stopping
                    and self.active < self.o.max_active
                    and len(self.ready) < low_water
                ):
                    batch = list(itertools.islice(groups, 256))
                    if batch:
                        self._admit(batch)
                    else:
                        exhausted = True
                now = time.time()
                while self.timers and self.timers[0][0] <= now:
                    task = heapq.heappop(self.timers)[2]
                    (self.ready if task.kind == "send" else self.lookups_ready).append(task)
                if self.stopping:
                    self._release_claims()
                else:
                    self._dispatch(pool)
                self._drain(block=0.0)
                mono = time.monotonic()
                if self.journal.staged > 500 or (self.journal.staged and mono - last_flush > 0.2):
                    self.journal.flush()
                    last_flush = mono
                if mono - last_report > 0.2:
                    self.reporter.update(self.stats)
                    last_report = mono
                if self.fatal and self.inflight == 0:
                    raise _Abort
                if self.inflight == 0 and (self.stopping or (exhausted and self.active == 0)):
                    break
                self._drain(block=self._wait_time(exhausted))
        except KeyboardInterrupt:
            # A second Ctrl-C: the user will not wait. Claimed rows whose request never left go
            # back to "pending"; answers that come in while the workers finish (the process
            # cannot exit before they do) are still recorded; the rest stay "attempting".
            hard_stop = self.stopping = self.interrupted = True
            self._release_claims()
            self._finish_inflight(timeout=10.0)
            raise
        except _Abort:
            pass
        finally:
            self._release_claims()
            pool.shutdown(wait=not hard_stop, cancel_futures=True)
            self.journal.flush()
            self.reporter.update(self.stats)
        if self.fatal:
            raise SendError(self.fatal)

    def _wait_time(self, exhausted: bool) -> float:
        """How long the loop may sleep waiting for an answer before it has other work."""
        wait = 0.2
        if self.inflight < self.concurrency and not self.stopping:
            if self.lookups_ready:
                wait = 0.0
            elif self.claimed or self.ready:
                wait = min(wait, self.pacer.wait_time())
        if self.timers:
            wait = min(wait, max(0.0, self.timers[0][0] - time.time()))
        if (
            not exhausted
            and not self.stopping  # nothing more is admitted: sleep until an answer comes
            and len(self.ready) < self.concurrency
            and self.active < self.o.max_active
        ):
            wait = 0.0
        return wait

    def _finish_inflight(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while self.inflight and time.monotonic() < end:
            self._drain(block=0.1)

    # -- admission: read recipients from the plan and decide each one's first step
    def _admit(self, batch: list[tuple[str, list[Delivery]]]) -> None:
        numbers = [to for to, _ in batch]
        rows = self.journal.rows_for(self.key, numbers) if self.resume else {}
        opted = self.journal.opted_out(numbers) if self.check_opt_outs else set()
        for to, items in batch:
            chain = _Chain(
                to,
                items,
                {
                    d.message_id: rows[(to, d.message_id)]
                    for d in items
                    if (to, d.message_id) in rows
                },
                opted_out=to in opted or to in self.opted_out_now,
            )
            self.active += 1
            self._advance(chain)

    def _advance(self, chain: _Chain) -> None:
        """Decide the chain's next step; finishes the chain when nothing is left to do."""
        while chain.pos < len(chain.items):
            d = chain.items[chain.pos]
            row = chain.rows.get(d.message_id)
            if row is not None and row.body_hash != body_hash(d.body):
                raise JournalError(
                    f"message '{d.message_id}' for {d.to} reads differently from what the journal "
                    f"recorded for campaign '{self.key}' (did the audience data change?); "
                    "refusing to resume a send with changed content"
                )
            if chain.opted_out or d.to in self.opted_out_now:
                chain.opted_out = True
            step = _row_step(row, chain.opted_out)
            if step == "look_up":
                assert row is not None
                if self.stopping:
                    break
                self._later(
                    _Task(
                        chain,
                        d,
                        kind="lookup",
                        new=False,
                        send_at=row.send_at,
                        first_attempt=row.first_attempt_at,
                    ),
                    (row.last_attempt_at or 0.0) + self.o.lookup_grace,
                )
                return
            if step == "opt_out":
                self.journal.stage_new(d, "opted_out", error_code=21610)
                self.stats["opted_out"] += 1
                chain.pos += 1
                continue
            if step == "already":
                assert row is not None
                if row.state in ACCEPTED:
                    chain.prev_time = _goes_out(row)
                self.stats["already"] += 1
                chain.pos += 1
                continue
            if self.stopping:
                break
            self._decide(chain, d, new=row is None)
            return
        self.active -= 1

    def _decide(self, chain: _Chain, d: Delivery, new: bool) -> None:
        after = chain.prev_time if chain.pos > 0 else None
        when, due = _timing(d, after, self.o, time.time())
        task = _Task(chain, d, new=new)
        if when == "send":
            self.ready.append(task)
            return
        assert due is not None
        if when == "schedule":
            task.send_at = due
            self.ready.append(task)
            return
        if when == "hold":
            self._later(task, due)
            return
        # Not due within this run: record it, and everything after it, for a later run.
        for j in range(chain.pos, len(chain.items)):
            later = chain.items[j]
            not_before = due + (j - chain.pos) * (
                self.o.interval.total_seconds() if self.o.interval else 0.0
            )
            self.journal.stage_new(later, "waiting", not_before=not_before)
            self.stats["waiting"] += 1
        self.active -= 1

    def _later(self, task: _Task, when: float) -> None:
        heapq.heappush(self.timers, (when, next(_seq), task))

    # -- dispatch: claim rows in the journal, then hand the requests to the pool
    def _dispatch(self, pool: ThreadPoolExecutor) -> None:
        free = self.concurrency - self.inflight
        if free <= 0:
            return
        if self.lookups_ready:
            self.journal.flush()  # the SIDs we know must be visible to the exclusion below
            while self.lookups_ready and free > 0:
                task = self.lookups_ready.popleft()
                exclude = self.journal.sids_for(task.d.to)
                self.inflight += 1
                free -= 1
                pool.submit(self._lookup_worker, task, exclude)
        # Claims go in groups, ahead of the free slots: one synchronous journal commit then
        # covers a group of requests instead of each one paying for its own.
        if self.ready and len(self.claimed) < free:
            group: list[_Task] = []
            while self.ready and len(self.claimed) + len(group) < self.claim_ahead:
                group.append(self.ready.popleft())
            self._claim(group)
        batch: list[tuple[_Task, dict[str, Any]]] = []
        while self.claimed and free > 0:
            task = self.claimed[0]
            if self.pacer.wait_time() > 0:
                break
            self.pacer.take(task.d.segments)
            # Out of ``claimed`` before it is handed over: a (second) Ctrl-C between the two
            # leaves the row "attempting" (looked up later), never wrongly "pending".
            self.claimed.popleft()
            self.inflight += 1
            free -= 1
            if self.create_many is None:
                pool.submit(self._send_worker, task)
            else:
                batch.append((task, self._create_args(task)))
        if batch:
            assert self.create_many is not None
            self.create_many(batch, self._answered)

    def _claim(self, tasks: list[_Task]) -> None:
        now = time.time()
        new = [t for t in tasks if t.new]
        again = [t for t in tasks if not t.new]
        claimed = self.journal.claim(
            [(t.d, t.send_at) for t in new], [(t.d, t.send_at) for t in again], now
        )
        for task, ok in zip(new + again, claimed, strict=True):
            if ok:
                task.new = False
                task.first_attempt = task.first_attempt or now
                self.claimed.append(task)
            else:
                # Another delivery of the plan already holds this row: never send twice.
                self.stats["duplicate"] += 1
                task.chain.pos += 1
                self._advance(task.chain)

    def _release_claims(self) -> None:
        """Stopping: claimed rows whose request never left go back to "pending"."""
        while self.claimed:
            task = self.claimed.popleft()
            self._stage(task, state="pending", error_message="stopped before sending")
            self.stats["pending"] += 1

    def _create_args(self, task: _Task) -> dict[str, Any]:
        return {
            "to": task.d.to,
            "body": task.d.body,
            "from_": self.o.sender,
            "messaging_service_sid": self.o.messaging_service,
            "send_at": (
                None if task.send_at is None else datetime.fromtimestamp(task.send_at, UTC)
            ),
            "status_callback": self.o.status_callback,
        }

    def _answered(self, task: _Task, outcome: Any) -> None:
        self.results.put((task, outcome))  # called from the adapter's thread

    def _send_worker(self, task: _Task) -> None:
        try:
            outcome = self.adapter.create(**self._create_args(task))
        except BaseException as exc:  # a worker must always answer
            from smskit.send.twilio_adapter import Outcome

            outcome = Outcome("unknown", message=type(exc).__name__)
        self.results.put((task, outcome))

    def _lookup_worker(self, task: _Task, exclude: set[str]) -> None:
        from smskit.send.twilio_adapter import LookupFailed, Outcome

        since = datetime.fromtimestamp(task.first_attempt or time.time(), UTC)
        try:
            result: Any = self.adapter.find(
                task.d.to,
                task.d.body,
                since=since,
                from_=None if self.o.messaging_service else self.o.sender,
                exclude=exclude,
            )
        except LookupFailed as exc:
            result = exc.outcome
        except BaseException as exc:
            result = Outcome("unknown", message=type(exc).__name__)
        self.results.put((task, result))

    # -- answers
    def _drain(self, block: float) -> None:
        try:
            item = self.results.get(timeout=block) if block > 0 else self.results.get_nowait()
        except queue.Empty:
            return
        while True:
            if item is not None:
                self.inflight -= 1
                task, result = item
                if task.kind == "send":
                    self._on_send(task, result)
                else:
                    self._on_lookup(task, result)
            try:
                item = self.results.get_nowait()
            except queue.Empty:
                return

    def _on_send(self, task: _Task, out: Any) -> None:
        d, chain = task.d, task.chain
        now = time.time()
        if out.kind != "unreachable":
            self.unreachable_streak = 0
        if out.kind == "accepted":
            state = "scheduled" if task.send_at is not None else "sent"
            self._record_accepted(
                task, state, out.sid, out.status, goes_out=task.send_at or now, send_at=task.send_at
            )
        elif out.kind == "rejected":
            self._stage(task, state="failed", error_code=out.code, error_message=out.message)
            self.stats["failed"] += 1
            self.failures[out.code or 0] += 1
            if out.code == 21610:
                self.journal.add_opt_out(d.to, 21610, self.key)
                self.opted_out_now.add(d.to)
                chain.opted_out = True
            chain.pos += 1
            self._advance(chain)
        elif out.kind in ("throttled", "unreachable"):
            self._stage(task, state="pending", error_code=out.code, error_message=out.message)
            if out.kind == "unreachable":
                self.unreachable_streak += 1
                if self.unreachable_streak >= self.o.max_unreachable:
                    self._stop(
                        f"cannot reach Twilio at {self.adapter.base_url} ({out.message}); "
                        "nothing more was sent: check the network or the base URL and run again"
                    )
            task.tries += 1
            self.stats["retries"] += 1
            if task.tries > self.o.max_throttle_retries or self.stopping:
                self.stats["pending"] += 1
                self.active -= 1  # left for the next run
                return
            delay = self._backoff(task.tries)
            if out.kind == "unreachable":
                delay = min(delay, 2.0)  # a short outage should not stall the run for long
            self._later(task, now + delay)
        elif out.kind == "fatal":
            self._stage(task, state="pending", error_code=out.code, error_message=out.message)
            self._stop(out.message or explain(out.code))
            self.active -= 1
        else:  # unknown: maybe sent. Look it up before anything else happens to this recipient.
            self._stage(task, state="unknown", error_message=out.message)
            self.stats["unknown_outcomes"] += 1
            task.kind = "lookup"
            self._later(task, now + self.o.lookup_grace)

    def _on_lookup(self, task: _Task, result: Any) -> None:
        d, chain = task.d, task.chain
        from smskit.send.twilio_adapter import Found

        if isinstance(result, Found):
            state = "scheduled" if result.status == "scheduled" else "sent"
            self.stats["recovered"] += 1
            self._record_accepted(
                task,
                state,
                result.sid,
                result.status,
                goes_out=task.send_at or task.first_attempt or time.time(),
            )
        elif result is None:
            # Twilio does not have it: it is safe to send again.
            self._stage(task, state="pending", error_message="not found after an unknown outcome")
            self.stats["resent"] += 1
            task.kind = "send"
            task.new = False
            if self.stopping:
                self.active -= 1
            elif chain.opted_out:
                chain.rows.pop(d.message_id, None)
                self._advance(chain)
            else:  # decided afresh: a time to schedule for may have passed since the claim
                self._decide(chain, d, new=False)
        else:
            if result.kind == "fatal":
                self._stop(result.message or explain(result.code))
            task.lookups += 1
            if task.lookups >= self.o.max_lookups or self.stopping:
                self.stats["unknown"] += 1
                self.active -= 1  # stays "unknown" in the journal; the next run resolves it
                return
            self._later(task, time.time() + self._backoff(task.lookups))

    def _record_accepted(
        self, task: _Task, state: str, sid: str, status: str | None, goes_out: float, **more: Any
    ) -> None:
        """Twilio has the message (``state``: sent or scheduled): record it, then decide the
        recipient's next message, ``interval`` after ``goes_out``."""
        self._stage(
            task,
            state=state,
            sid=sid,
            twilio_status=status,
            accepted_at=time.time(),
            error_code=None,
            error_message=None,
            **more,
        )
        self.stats[state] += 1
        self.stats["segments"] += task.d.segments
        task.chain.prev_time = goes_out
        task.chain.pos += 1
        self._advance(task.chain)

    def _stage(self, task: _Task, **fields: Any) -> None:
        self.journal.stage(self.key, task.d.to, task.d.message_id, **fields)

    def _stop(self, message: str) -> None:
        self.fatal = self.fatal or message
        self.stopping = True

    def _backoff(self, tries: int) -> float:
        ceiling = min(self.o.backoff_cap, self.o.backoff_base * 2 ** min(tries - 1, 16))
        return self.rng.uniform(ceiling / 2, ceiling)  # jitter: retries do not come in waves


def _row_step(row: Row | None, opted_out: bool) -> str | None:
    """What the journal decides for a delivery before its timing: "look_up" (an outcome nobody
    saw), "opt_out" (the number is on the list and nothing was sent), "already" (settled by an
    earlier run), or None: it is to be sent (see ``_timing``). The engine and the dry run
    both decide by it."""
    if row is not None and row.state in UNRESOLVED:
        return "look_up"
    if opted_out:
        return "opt_out" if row is None or row.state in ("pending", "waiting") else "already"
    if row is not None and row.state in FINAL:
        return "already"
    return None


def _timing(
    d: Delivery, after: float | None, o: SendOptions, now: float
) -> tuple[str, float | None]:
    """When a delivery goes, with the time it is due: "send" now, "schedule" it with Twilio,
    "hold" it in this run, or "wait" for a later run. ``after``: when the recipient's previous
    message went out (None for the first message)."""
    due = d.not_before.timestamp() if d.not_before is not None else None
    if after is not None and o.interval:
        due = max(due or 0.0, after + o.interval.total_seconds())
    if due is None or due <= now + 0.005:
        return "send", None
    ahead = timedelta(seconds=due - now)
    if (
        o.messaging_service
        and SCHEDULE_MIN + SCHEDULE_MARGIN <= ahead <= SCHEDULE_MAX - SCHEDULE_MARGIN
    ):
        return "schedule", due
    if ahead <= o.max_wait:
        return "hold", due
    return "wait", due


def _goes_out(row: Row) -> float | None:
    """When an accepted message goes (or went) out, as far as the journal knows."""
    return row.send_at or row.accepted_at or row.last_attempt_at


def _concurrency_for(rate: float | None, threads: bool = False) -> int:
    """Enough requests in flight to hold ``rate`` at 200 ms latency, with room to spare.

    Unthrottled: 64 on an event loop (well under Twilio's 100 concurrent requests per
    account), enough that answers are being read while the next requests are being served;
    16 when each request needs a thread of its own.
    """
    if rate is None:
        return 16 if threads else 64
    return max(4, min(64, math.ceil(rate * 0.2 * 2) + 2))


def _group_by_recipient(
    plan: Iterable[Delivery], campaign: str | None = None
) -> Iterator[tuple[str, list[Delivery]]]:
    group: list[Delivery] = []
    for d in plan:
        if campaign is not None and d.campaign != campaign:
            raise SendError(f"the plan mixes campaigns ('{d.campaign}' in a send of '{campaign}')")
        if group and d.to != group[0].to:
            yield group[0].to, group
            group = []
        if group and d.message_index <= group[-1].message_index:
            raise SendError(
                f"the plan lists message '{d.message_id}' for {d.to} out of order; "
                "each recipient's messages must come together and in order"
            )
        group.append(d)
    if group:
        yield group[0].to, group


# -- the functions the CLI calls


def send_plan(
    plan: Iterable[Delivery],
    *,
    campaign: str,
    campaign_hash: str,
    journal_path: str | Path = DEFAULT_PATH,
    sender: str | None = None,
    messaging_service: str | None = None,
    rate: float | None = None,
    interval: timedelta | None = None,
    yes: bool = False,
    dry_run: bool = False,
    test_to: list[str] | None = None,
    base_url: str | None = None,
    progress: bool | None = None,
    total: int | None = None,
    concurrency: int | None = None,
    status_callback: str | None = None,
    price_per_segment: float = DEFAULT_PRICE_PER_SEGMENT,
    lookup_grace: float = 3.0,
    max_wait: timedelta = timedelta(minutes=15),
    adapter: Any = None,
    credentials: Any = None,
) -> SendSummary:
    """Send every delivery of ``plan`` exactly once, resuming whatever the journal holds.

    ``yes`` must be True to send (the CLI asks first, or the user passed --yes); ``dry_run``
    contacts nobody and counts what a send would do. ``test_to`` sends the first recipient's
    messages to these numbers instead, journaled apart as ``<campaign>:test:<hash>``.
    ``rate`` is in segments per second (None: Twilio's default for the sender, 0: no limit).
    """
    options = SendOptions(
        campaign_hash=campaign_hash,
        sender=sender,
        messaging_service=messaging_service,
        rate=rate,
        interval=interval,
        concurrency=concurrency,
        status_callback=status_callback,
        lookup_grace=lookup_grace,
        max_wait=max_wait,
        price_per_segment=price_per_segment,
    )
    key = campaign
    if test_to:
        key = f"{campaign}:test:{campaign_hash[:12]}"
        plan = _test_plan(plan, key, test_to)
        total = None
    if dry_run:
        return _dry_run(plan, key, journal_path, options)
    if not yes:
        raise SendError("not sending without confirmation: pass --yes (or answer the prompt)")
    if not sender and not messaging_service:
        raise SendError("no sender: set 'sender' or 'messaging_service' in the campaign")
    started = time.monotonic()
    with Journal(journal_path) as journal:
        journal.begin_campaign(
            key,
            campaign_hash,
            sender=sender,
            messaging_service=messaging_service,
            test=bool(test_to),
        )
        journal.flush()
        from smskit.send.twilio_adapter import adapter_for

        reporter = make_reporter(progress, total)
        interrupted = False
        with adapter_for(adapter, credentials, base_url) as client:
            engine = Engine(plan, journal, client, options, reporter, key)
            try:
                reporter.start()
                engine.run()
                interrupted = engine.interrupted
            except KeyboardInterrupt:  # a second Ctrl-C, or one before the engine took over
                interrupted = True
            finally:
                reporter.finish()
        summary = _summary(journal, key, options, engine, time.monotonic() - started)
        summary.interrupted = interrupted
    return summary


def _summary(
    journal: Journal, key: str, o: SendOptions, engine: Engine | None, elapsed: float
) -> SendSummary:
    counts = journal.counts(key)
    segments = journal.segments(key)
    due = journal.next_due(key)
    stats = dict(engine.stats) if engine else {}
    accepted = stats.get("sent", 0) + stats.get("scheduled", 0)
    return SendSummary(
        campaign=key,
        counts=counts,
        this_run=stats,
        failures=dict(engine.failures) if engine else {},
        segments=segments,
        estimated_cost=round(segments * o.price_per_segment, 4),
        currency=o.currency,
        elapsed=elapsed,
        next_due=datetime.fromtimestamp(due, UTC) if due else None,
        rate=accepted / elapsed if elapsed > 0 else None,
    )


def _test_plan(plan: Iterable[Delivery], key: str, numbers: list[str]) -> Iterator[Delivery]:
    _, first = next(_group_by_recipient(plan), (None, []))
    for number in numbers:
        for d in first:
            yield Delivery(
                key, d.message_id, d.message_index, number, d.body, d.segments, d.not_before
            )


def _dry_run(
    plan: Iterable[Delivery], key: str, journal_path: str | Path, o: SendOptions
) -> SendSummary:
    """Count what a send would do, reading the journal if there is one; contact nobody."""
    journal = Journal(journal_path, readonly=True) if Path(journal_path).exists() else None
    stats: Counter[str] = Counter()
    started = time.monotonic()
    recipients = 0
    try:
        if journal is not None:
            journal.check_content(key, o.campaign_hash)
        # As the engine admits recipients: in batches, asking the journal only what it holds.
        resume = journal is not None and journal.has_rows(key)
        check_opt_outs = journal is not None and journal.has_opt_outs()
        groups = _group_by_recipient(plan, key)
        now = time.time()
        while batch := list(itertools.islice(groups, 256)):
            numbers = [to for to, _ in batch]
            rows = journal.rows_for(key, numbers) if journal and resume else {}
            opted = journal.opted_out(numbers) if journal and check_opt_outs else set()
            for to, items in batch:
                recipients += 1
                _dry_run_chain(items, rows, to in opted, o, now, stats)
    finally:
        if journal is not None:
            journal.close()
    stats["recipients"] = recipients
    return SendSummary(
        campaign=key,
        dry_run=True,
        counts={},
        this_run=dict(stats),
        segments=stats["segments"],
        estimated_cost=round(stats["segments"] * o.price_per_segment, 4),
        currency=o.currency,
        elapsed=time.monotonic() - started,
    )


def _dry_run_chain(
    items: list[Delivery],
    rows: dict[tuple[str, str], Row],
    opted_out: bool,
    o: SendOptions,
    now: float,
    stats: Counter[str],
) -> None:
    """Count what the engine would do with one recipient's deliveries, deciding as it does."""
    prev: float | None = None
    for pos, d in enumerate(items):
        row = rows.get((d.to, d.message_id))
        step = _row_step(row, opted_out)
        if row is not None and step == "look_up":
            # The engine waits for the lookup; counted as if Twilio has it (the usual answer).
            stats["to_look_up"] += 1
            prev = row.send_at or row.first_attempt_at or now
            continue
        if step == "opt_out":
            stats["opted_out"] += 1
            continue
        if row is not None and step == "already":
            stats["already"] += 1
            if row.state in ACCEPTED:
                prev = _goes_out(row)
            continue
        when, due = _timing(d, prev if pos > 0 else None, o, now)
        if when == "wait":  # this one and every later one wait for a later run
            stats["waiting"] += len(items) - pos
            return
        stats["to_schedule" if when == "schedule" else "to_send"] += 1  # held ones go this run
        stats["segments"] += d.segments
        prev = due or now


__all__ = ["Engine", "SendOptions", "SendSummary", "send_plan"]
