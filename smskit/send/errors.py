"""Twilio error codes in words a marketer understands, and the sender's own exceptions."""

from __future__ import annotations

EXPLANATIONS: dict[int, str] = {
    20003: "Twilio did not accept the credentials: check TWILIO_ACCOUNT_SID and the auth token "
    "or API key",
    20404: "Twilio does not know this account or resource: check TWILIO_ACCOUNT_SID and the "
    "Twilio base URL",
    20429: "Twilio asked us to slow down (too many requests); the message was retried later",
    21211: "not a valid phone number: check the number in the audience file",
    21212: "the sender is not a valid number or sender ID",
    21408: "the Twilio account may not send to this country: enable it under Messaging "
    "Geographic Permissions in the Twilio Console",
    21602: "the message has no text",
    21603: "no sender: set 'sender' or 'messaging_service' in the campaign",
    21604: "no recipient number",
    21606: "this sender cannot send SMS from the Twilio account (not owned, or not SMS-capable)",
    21610: "the recipient has unsubscribed (replied STOP): the number is now on the opt-out list "
    "and no campaign will message it again",
    21612: "Twilio cannot reach this number by SMS from this sender (a landline, or no route)",
    21614: "not a mobile number, so it cannot receive SMS",
    21617: "the message is longer than Twilio's 1,600-character limit",
    21701: "the Messaging Service SID is not valid",
    30003: "the phone was unreachable (switched off or out of coverage)",
    30004: "the message was blocked (the recipient may have blocked the sender)",
    30005: "unknown number: it may no longer be in use",
    30006: "a landline or a carrier that cannot receive SMS",
    30007: "the carrier filtered the message (it may look like spam)",
    30008: "the carrier reported an unknown delivery error",
    35114: "the scheduled time is outside Twilio's window (15 minutes to 35 days ahead)",
    35118: "Twilio schedules messages only through a Messaging Service",
}


def explain(code: int | None, fallback: str | None = None) -> str:
    """A plain-language explanation of a Twilio error code."""
    if code is None:
        return fallback or ""
    text = EXPLANATIONS.get(code)
    if text:
        return text
    return f"Twilio error {code}" + (f": {fallback}" if fallback else "")


class SendError(Exception):
    """A problem that stops a send before or while it runs, with a message for the user."""


class JournalError(SendError):
    """The journal cannot be used safely (corrupt, locked, or from another campaign version)."""
