"""AUD003 audience-encoding: the audience file is not UTF-8 text, and is refused.

Excel's plain "CSV" format writes Windows-1252 (Latin-1): "Mäkinen" arrives as "M?kinen" or
"MÃ¤kinen", and a name spelt wrong in a greeting is worse than no greeting. A file in
Windows-1252, one with mojibake (UTF-8 that was read as Windows-1252 and saved again:
"MÃ¤kinen"), a file with NUL bytes (a workbook, not a CSV) or broken UTF-16 is refused as a
whole, naming the line, the word and how to export UTF-8: in Excel, File → Save As →
"CSV UTF-8 (Comma delimited) (*.csv)". UTF-8 with or without a BOM and UTF-16 with a BOM are
read as they are.

Bad::

    an audience saved from Excel as "CSV (Comma delimited)"

Good::

    the same saved as "CSV UTF-8 (Comma delimited)"

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "AUD003"
NAME = "audience-encoding"
SEVERITY = Severity.ERROR
SCOPE = "audience"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import refused_problem, result_for

    problem = refused_problem(campaign, result_for(campaign, ctx), CODE)
    if problem is not None:
        yield problem
