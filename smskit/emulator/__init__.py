"""A local Twilio-compatible Messages API for development, demos and tests.

``EmulatorServer`` runs it in a background thread (tests use it on port 0); ``run`` serves it
in the foreground for ``smskit emulator``. Its SQLite store outlives any sender process.
"""

from smskit.emulator.server import DEFAULT_MAGIC_NUMBERS, EmulatorServer, run

__all__ = ["DEFAULT_MAGIC_NUMBERS", "EmulatorServer", "run"]
