"""SUP001 unknown-suppression: a suppression names a rule code that does not exist.

A typo in a suppression silently suppresses nothing; smskit says so instead.

Bad::

    suppress: {ENC033: "brand name is spelled this way"}

Good::

    suppress: {ENC003: "brand name is spelled this way"}

Options: none.
"""

from smskit.findings import Severity

CODE = "SUP001"
NAME = "unknown-suppression"
SEVERITY = Severity.ERROR
SCOPE = "loader"
