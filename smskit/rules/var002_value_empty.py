"""VAR002 value-empty: a placeholder's value is empty for some recipients, with no default.

An empty first name turns "Hei {first_name}!" into "Hei !" for those recipients. The finding
counts them across the whole audience and names the first rows. Fill the column, or give the
placeholder a fallback with ``defaults:`` (used exactly as written).

Bad::

    body: "Hei {first_name}!"       # 1,204 rows have no first name

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

CODE = "VAR002"
NAME = "value-empty"
SEVERITY = Severity.ERROR
SCOPE = "audience"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import examples_extra, examples_text, result_for, slot_context

    result = result_for(campaign, ctx)
    for name, stats in result.values.items():
        tally = stats.empty
        if not tally.count:
            continue
        msg, slot, before, after = slot_context(result, stats)
        yield Problem(
            f"{{{name}}} is empty for {tally.count:,} of {result.rows:,} rows "
            f"({examples_text(tally)}): they would get “{before}{after}”; fill the column or "
            f'set defaults: {{{name}: "…"}}',
            at=msg.mark_at(slot.start),
            end=msg.mark_at(slot.end),
            message_id=msg.id if len(stats.messages) == 1 else None,
            extra={"placeholder": name, "messages": stats.messages, **examples_extra(tally)},
        )
