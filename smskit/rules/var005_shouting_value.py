"""VAR005 shouting-value: a value written in capitals, such as "JARI" in a greeting.

Names exported from old systems are often in capitals; "Hei JARI!" reads as shouting, and the
template gives no hint of it. The finding counts the rows whose value is all capitals (at least
three letters, nothing but letters, spaces, hyphens, apostrophes and dots: "JARI",
"ANNA-LIISA"; not "JP" or "ABC123") for a placeholder used as-is. The fix is a render option,
not an edit of the audience: ``placeholders: {first_name: {case: title}}`` sends "Jari"
("anna-liisa" → "Anna-Liisa").

Bad::

    body: "Hei {first_name}!"       # 'JARI' in 2,031 rows

Good::

    body: "Hei {first_name}!"
    placeholders: {first_name: {case: title}}

Options: none.
"""

from __future__ import annotations

from collections.abc import Iterator

from smskit.findings import Problem, Severity
from smskit.model import Campaign
from smskit.rules.base import Context

CODE = "VAR005"
NAME = "shouting-value"
SEVERITY = Severity.WARNING
SCOPE = "audience"


def check(campaign: Campaign, options: object, ctx: Context) -> Iterator[Problem]:
    from smskit.preflight import examples_extra, examples_text, result_for, slot_context
    from smskit.render import title_case

    result = result_for(campaign, ctx)
    for name, stats in result.values.items():
        tally = stats.shout
        if not tally.count:
            continue
        msg, slot, _before, _after = slot_context(result, stats)
        sample = str(tally.extra.get("sample", ""))
        yield Problem(
            f"{{{name}}} is in capitals for {tally.count:,} of {result.rows:,} rows "
            f"({examples_text(tally)}), which reads as shouting; add "
            f"placeholders: {{{name}: {{case: title}}}} to send “{title_case(sample)}”",
            at=msg.mark_at(slot.start),
            end=msg.mark_at(slot.end),
            message_id=msg.id if len(stats.messages) == 1 else None,
            extra={"placeholder": name, "messages": stats.messages, **examples_extra(tally)},
        )
