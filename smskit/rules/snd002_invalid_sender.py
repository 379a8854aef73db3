"""SND002 invalid-sender: the sender cannot be used as written.

An alphanumeric sender ID may have at most 11 characters from A–Z, a–z, 0–9 and space, must
contain a letter, and must not start or end with a space or hold two spaces in a row; the
network rejects or rewrites anything else, so the message arrives from a number the
customer does not recognise. A phone number must be in E.164 form (``+358401234567``) and be a
possible number; a short code is 3–8 digits.

Bad::

    sender: "Elisa Oyj Asiakaspalvelu"   # 24 characters
    sender: "Elisa-Oyj"                  # hyphen
    sender: "0401234567"                 # national format

Good::

    sender: "Elisa"
    sender: "+358401234567"

Options: none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context
from smskit.sender import sender_kind

CODE = "SND002"
NAME = "invalid-sender"
SEVERITY = Severity.ERROR
SCOPE = "campaign"

_ALNUM = re.compile(r"^[A-Za-z0-9 ]+$")


def problems(sender: str) -> list[str]:
    """Everything wrong with a sender, each as a sentence saying what to do."""
    kind = sender_kind(sender)
    if kind == "short-code":
        return []
    if kind == "number":
        return _number_problems(sender)
    out = []
    if len(sender) > 11:
        out.append(f"alphanumeric sender '{sender}' has {len(sender)} characters; the limit is 11")
    bad = sorted({c for c in sender if not _ALNUM.match(c)})
    if bad:
        out.append(
            f"alphanumeric sender '{sender}' contains {', '.join(repr(c) for c in bad)}; "
            "use only A–Z, a–z, 0–9 and space"
        )
    if not any(c.isalpha() for c in sender):
        out.append(f"sender '{sender}' has no letter; an alphanumeric sender needs one")
    if sender != sender.strip():
        out.append(f"sender '{sender}' starts or ends with a space; remove it")
    if "  " in sender:
        out.append(f"sender '{sender}' has two spaces in a row; use one")
    return out


def _number_problems(sender: str) -> list[str]:
    import phonenumbers  # only numbers need it

    if not sender.startswith("+"):
        return [f"sender number '{sender}' is not in E.164 form; write it as +<country code>…"]
    if not re.fullmatch(r"\+[0-9]{6,15}", sender):
        return [f"sender number '{sender}' must be '+' and 6–15 digits, no spaces (E.164)"]
    try:
        number = phonenumbers.parse(sender, None)
    except phonenumbers.NumberParseException:
        return [f"sender number '{sender}' is not a phone number"]
    if not phonenumbers.is_possible_number(number):
        return [f"sender number '{sender}' is not a possible number for its country"]
    return []


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    node = campaign.node("sender")
    for text in problems(campaign.sender):
        yield Problem(text, at=node.start, end=node.end)
