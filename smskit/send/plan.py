"""What to send: a stream of deliveries, one per campaign message and recipient.

A plan is any iterable of ``Delivery``. The engine never materialises it, so a plan for a
million recipients costs the memory of a few thousand. The contract: the deliveries of one
recipient come together and in message order (``build_plan`` yields them that way).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Delivery:
    campaign: str
    message_id: str
    message_index: int
    to: str
    body: str
    segments: int
    not_before: datetime | None = None  # timezone-aware; None means "as soon as possible"


def build_plan(
    campaign: str,
    messages: Sequence[tuple[str, str]],
    recipients: Iterable[str],
    *,
    send_at: datetime | None = None,
    interval: timedelta | None = None,
    smart_encoding: bool = False,
    render: Callable[[str, str], str] | None = None,
) -> Iterator[Delivery]:
    """Deliveries for ``messages`` (id, body) to every recipient, recipient by recipient.

    ``render(body, recipient)`` personalises a body; without it every recipient gets the same
    text and segments are counted once per message.
    """
    from smskit.encoding import segment_count

    if send_at is not None and send_at.tzinfo is None:
        raise ValueError("send_at must carry a UTC offset")
    fixed = [segment_count(body, smart_encoding=smart_encoding) for _, body in messages]
    for to in recipients:
        for index, (message_id, body) in enumerate(messages):
            text = render(body, to) if render else body
            segments = (
                segment_count(text, smart_encoding=smart_encoding) if render else fixed[index]
            )
            not_before = None
            if send_at is not None:
                not_before = send_at + (interval or timedelta(0)) * index
            yield Delivery(campaign, message_id, index, to, text, segments, not_before)


def content_hash(*parts: str | bytes) -> str:
    """A stable hash of a campaign's content (its file, its audience...), for the journal."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()
