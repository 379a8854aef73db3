"""A local Twilio-compatible Messages API for development, demos and tests.

``EmulatorServer`` runs it in a background thread (tests use it on port 0); ``run`` serves it
in the foreground for ``smskit emulator``; both take the fields of ``Behaviour`` (faults,
latency, delivery timing) as keywords. Its SQLite store outlives any sender process.
"""

from smskit.emulator.server import DEFAULT_MAGIC_NUMBERS, Behaviour, EmulatorServer, run

__all__ = ["DEFAULT_MAGIC_NUMBERS", "Behaviour", "EmulatorServer", "run"]
