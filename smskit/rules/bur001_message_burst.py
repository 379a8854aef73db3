"""BUR001 message-burst: one recipient gets several messages of a campaign within minutes.

Messages sent one after another are not guaranteed to arrive in order: the reminder can come
before the offer it reminds of. Each one also makes the phone buzz again, which feels like
spam. When messages reach a recipient closer together than the burst window (10 minutes by
default; the gap between messages is the campaign's ``interval``, none means all at once),
send one message instead. The finding gives the segment count of the merged text, so you can
see what one message would cost.

Bad::

    interval: 30s
    messages:
      - {id: offer, body: "Kesätarjous: Netflix 9,90 €/kk. Terveisin Elisa"}
      - {id: reminder, body: "Tarjous voimassa 30.6. asti. Terveisin Elisa"}

Good::

    messages:
      - id: offer
        body: "Kesätarjous: Netflix 9,90 €/kk, voimassa 30.6. asti. Terveisin Elisa"

Options:

- ``window`` (duration, default ``10m``): messages closer together than this count as a
  burst (``30s``, ``10m``, ``2h``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "BUR001"
NAME = "message-burst"
SEVERITY = Severity.WARNING
SCOPE = "campaign"


@dataclass(frozen=True)
class Options:
    window: timedelta = timedelta(minutes=10)


def check(campaign: Campaign, options: Options, ctx: Context) -> Iterator[Problem]:
    messages = campaign.messages
    gap = campaign.interval or timedelta(0)
    if len(messages) < 2 or gap >= options.window:
        return
    # The messages that reach a recipient within one window of the first.
    count = len(messages) if not gap else min(len(messages), -(-options.window // gap))
    burst = messages[:count]
    from smskit.encoding import segment_count

    merged = "\n".join(m.body.strip() for m in burst)
    merged_segments = segment_count(merged, campaign.smart_encoding)
    separate = sum(segment_count(m.body, campaign.smart_encoding) for m in burst)
    span = gap * (count - 1)
    ids = _and([f"'{m.id}'" for m in burst])
    if campaign.interval is None:
        when = "at the same moment (the campaign sets no interval)"
    elif not gap:
        when = "at the same moment (interval 0 seconds)"
    else:
        when = f"within {_duration(span)} (interval {_duration(gap)})"
    second = burst[1]
    yield Problem(
        f"messages {ids} reach each recipient {when}: separate messages can arrive out of "
        "order and make the phone buzz each time; send one message instead (merged: "
        f"{_segments(merged_segments)}, now {_segments(separate)} in {count} messages)",
        at=second.node.start,
        message_id=second.id,
        extra={
            "messages": [m.id for m in burst],
            "merged_segments": merged_segments,
            "separate_segments": separate,
        },
    )


def _segments(n: int) -> str:
    return f"{n} segment{'s' if n != 1 else ''}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _duration(td: timedelta) -> str:
    seconds = int(td.total_seconds())
    parts = []
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(f"{n} {unit}{'s' if n != 1 else ''}")
    return " ".join(parts) or "0 seconds"
