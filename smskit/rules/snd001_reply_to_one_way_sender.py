"""SND001 reply-to-one-way-sender: the message asks for a reply the sender cannot receive.

A sender shown as a name ("Elisa", an alphanumeric sender ID) is one-way: the phone has no
number to reply to, or the reply goes nowhere. A message that says "vastaa tähän viestiin",
"svara JA" or "reply YES" then leaves the customer stuck, and a "reply STOP" opt-out does not
work at all. Send such campaigns from a number or a short code, or give a link or a phone
number instead.

The reply phrases are locale data (``reply_phrases`` in ``rules/fi.yml`` etc.), matched as
whole words; ``reply_exceptions`` lists phrases that contain a reply word but do not ask for a
reply ("älä vastaa", "do not reply"). Asking to text a given number ("tekstaa STOP numeroon
16400") is not a reply and is fine.

Bad::

    sender: Elisa
    ...
      body: "Haluatko uuden laskun paperisena? Vastaa KYLLÄ."

Good::

    sender: "+358401234567"
    ...
      body: "Haluatko uuden laskun paperisena? Vastaa KYLLÄ."

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.phrases import NUMBER, reply_matcher, sentence_around
from smskit.rules.base import Context
from smskit.sender import can_receive_replies

CODE = "SND001"
NAME = "reply-to-one-way-sender"
SEVERITY = Severity.ERROR
SCOPE = "campaign"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    if can_receive_replies(campaign.sender):
        return
    matcher = reply_matcher(ctx, campaign.language)
    for msg in campaign.messages:
        # "Tekstaa STOP numeroon 16400" sends to a number, not back to the sender: fine.
        asks = (
            m
            for m in matcher.finditer(msg.body)
            if not NUMBER.search(sentence_around(msg.body, m.start(), m.end()))
        )
        m = next(asks, None)
        if m is None:
            continue
        yield Problem(
            f"message '{msg.id}' asks the recipient to reply ('{m.group()}') but the sender "
            f"'{campaign.sender}' is a name, which cannot receive replies: send from a number "
            "or short code, or give a link or phone number instead",
            at=msg.mark_at(m.start()),
            end=msg.mark_at(m.end()),
            message_id=msg.id,
            extra={"phrase": m.group(), "sender": campaign.sender},
        )
