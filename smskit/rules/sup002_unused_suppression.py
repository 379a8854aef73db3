"""SUP002 unused-suppression: a suppression matched no finding.

Suppressions are reviewed in the pull request; one that no longer matches anything hides the
next real problem of that kind, so remove it.

Bad::

    suppress: {BUR001: "one message only"}   # and BUR001 does not fire

Good::

    # no suppress key

Options: none. Not reported for rules that are disabled or not selected in this run.
"""

from smskit.findings import Severity

CODE = "SUP002"
NAME = "unused-suppression"
SEVERITY = Severity.WARNING
SCOPE = "loader"
