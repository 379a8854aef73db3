"""What kind of sender a campaign uses: it decides whether recipients can reply at all."""

from __future__ import annotations

import re
from typing import Literal

SenderKind = Literal["alphanumeric", "number", "short-code"]

_SHORT_CODE = re.compile(r"^[0-9]{3,8}$")


def sender_kind(sender: str) -> SenderKind:
    """Classify a sender: an E.164-looking number, a short code, or an alphanumeric ID."""
    s = sender.strip()
    if s.startswith("+") or (s.isdigit() and len(s) > 8):
        return "number"
    if _SHORT_CODE.match(s):
        return "short-code"
    return "alphanumeric"


def can_receive_replies(sender: str) -> bool:
    return sender_kind(sender) != "alphanumeric"
