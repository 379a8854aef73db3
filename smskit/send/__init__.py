"""``smskit send``: deliver a checked campaign through Twilio exactly once.

The plan (``plan.Delivery`` items) streams into the engine, which journals every delivery
before its request (``journal``), paces by segments per second (``rate``), and talks to
Twilio only through ``twilio_adapter`` (the one module that imports ``twilio``).
"""

from smskit.send.engine import SendSummary, send_plan
from smskit.send.errors import JournalError, SendError, explain
from smskit.send.plan import Delivery, build_plan, content_hash
from smskit.send.status import StatusReport, StatusRow, fetch_status, status_rows, write_status_csv

__all__ = [
    "Delivery",
    "JournalError",
    "SendError",
    "SendSummary",
    "StatusReport",
    "StatusRow",
    "build_plan",
    "content_hash",
    "explain",
    "fetch_status",
    "send_plan",
    "status_rows",
    "write_status_csv",
]
