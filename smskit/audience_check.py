"""`smskit check --audience`: the audience rules (VAR, AUD) on top of a finished check.

``smskit check`` runs these after the campaign rules when a campaign names an audience or
``--audience`` is given. Each campaign's audience is read once (``smskit.preflight``) and every
VAR/AUD rule reads the shared result. Suppressions apply as for any rule; a suppression of an
audience rule that the campaign check alone reported as unused is withdrawn when it matches here.
"""

from __future__ import annotations

from pathlib import Path

from smskit.config import Config
from smskit.findings import Finding
from smskit.lint import CheckResult, _Collector, run_rule
from smskit.rules.base import Context


def add_audience_findings(result: CheckResult, cfg: Config, audience: Path | None) -> None:
    """Run the active audience-scope rules on every campaign of ``result`` and add findings.

    ``audience`` (from ``--audience``) stands in for every campaign's own ``audience:`` key.
    """
    active = [s for s in cfg.active() if s.rule.scope == "audience"]
    if not active or not result.campaigns:
        return
    collector = _Collector()
    ctx = Context(locales=cfg.locales, brands=cfg.brands, campaigns=result.campaigns)
    if audience is not None:
        ctx.cache["audience"] = audience
    for setting in active:
        run_rule(setting, result.campaigns, ctx, collector)
    used_lines = set()
    for campaign in result.campaigns:
        scopes = [(None, campaign.suppress)] + [(m.id, m.suppress) for m in campaign.messages]
        for message_id, suppress in scopes:
            for code, sup in suppress.items():
                if (id(campaign), code, message_id) in collector.used:
                    used_lines.add((campaign.display, sup.node.start.line))
    kept: list[Finding] = [
        f for f in result.findings if not (f.code == "SUP002" and (f.file, f.line) in used_lines)
    ]
    result.findings = sorted(kept + collector.findings, key=Finding.sort_key)
