"""A checked campaign and its audience as a stream of deliveries for the sender.

This is where the pipeline's last arrow points: only a campaign whose check found no error
reaches here (``smskit send`` checks first), and the plan streams, so a million recipients cost
the memory of one row at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from smskit.model import Campaign
from smskit.preflight import audience_paths
from smskit.send.plan import Delivery


def campaign_hash(campaign: Campaign, audience: Path | None) -> str:
    """What the journal pins: the campaign file and the audience and opt-out files it sends to.

    Resuming after any of them changed is refused, so nobody gets a message twice in two
    versions.
    """
    h = hashlib.sha256(campaign.source.encode("utf-8"))
    for path in audience_paths(campaign, audience):
        h.update(b"\0")
        if path is not None:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
    return h.hexdigest()


def deliveries(campaign: Campaign, audience: Path | None = None) -> Iterator[Delivery]:
    """Every recipient's rendered messages, recipient by recipient, in message order.

    Invalid, duplicate and opted-out numbers are skipped (the check reported them).
    """
    from smskit.encoding import segment_count
    from smskit.preflight import send_plan as recipients

    step = campaign.interval or timedelta(0)
    due = [
        campaign.send_at + step * i if campaign.send_at is not None else None
        for i in range(len(campaign.messages))
    ]
    counts: dict[str, int] = {}
    for recipient, bodies in recipients(campaign, audience=audience):
        for i, (message, body) in enumerate(zip(campaign.messages, bodies, strict=True)):
            segments = counts.get(body)
            if segments is None:
                segments = segment_count(body, smart_encoding=campaign.smart_encoding)
                if len(counts) < 4096:  # bodies without placeholders repeat: count once
                    counts[body] = segments
            yield Delivery(campaign.slug, message.id, i, recipient.e164, body, segments, due[i])
