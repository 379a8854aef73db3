"""VAR001 placeholder-undefined: a placeholder that nothing can fill.

A placeholder such as ``{first_name}`` is filled from the audience column of that name, or from
``defaults:`` when the value is empty. A placeholder with no such column and no default would
go out as nothing ("Hei !") to every recipient; a misspelt one (``{firstname}``) too. Braces
that are not a placeholder (``{user.name}``, ``{ name }``, a lone ``{``) are reported here as
well: a body is data, not code, so only ``{column_name}`` is filled, and ``{{``/``}}`` write a
literal brace. Needs only the audience's header, never its rows.

Bad::

    body: "Hei {etunimi}!"          # the audience has a first_name column

Good::

    body: "Hei {first_name}!"
    defaults: {first_name: "asiakas"}

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "VAR001"
NAME = "placeholder-undefined"
SEVERITY = Severity.ERROR
SCOPE = "audience"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import result_for

    result = result_for(campaign, ctx)
    for msg, text, start, end, why in result.undefined:
        yield Problem(
            f"{text} in message '{msg.id}': {why}",
            at=msg.mark_at(start),
            end=msg.mark_at(end),
            message_id=msg.id,
            extra={"placeholder": text},
        )
