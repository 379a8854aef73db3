"""LEN002 body-over-limit: a message is longer than Twilio accepts.

Twilio refuses a message body over 1,600 characters (error 21617); the send would fail for
every recipient. Split it into messages or shorten it.

Bad::

    body: "<1,700 characters>"

Good::

    body: "<at most 1,600 characters>"

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "LEN002"
NAME = "body-over-limit"
SEVERITY = Severity.ERROR
SCOPE = "campaign"

MAX_BODY_CHARS = 1600


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    for msg in campaign.messages:
        if len(msg.body) > MAX_BODY_CHARS:
            yield Problem(
                f"message '{msg.id}' has {len(msg.body)} characters; Twilio accepts at most "
                f"{MAX_BODY_CHARS}: shorten it or split it into two messages",
                at=msg.body_node.start,
                message_id=msg.id,
            )
