"""The check pipeline: files → campaigns → rules → findings (suppressions applied)."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from smskit.config import Config, RuleSetting
from smskit.findings import Finding, Problem, Severity
from smskit.loader import load
from smskit.model import Campaign, Mark
from smskit.rules import all_rules
from smskit.rules.base import Context

CAMPAIGN_SUFFIXES = (".yml", ".yaml")
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".smskit"}
_CONFIG_FILES = {"smskit.yml", ".smskit.yml"}


class UsageError(Exception):
    """Bad command-line input (missing path, nothing to check): exit status 2."""


@dataclass
class CheckResult:
    findings: list[Finding]
    files: list[str]
    campaigns: list[Campaign] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


_PACK_KEY = re.compile(rb"^(rules|locales|brands):", re.M)
_CAMPAIGN_KEY = re.compile(rb"^campaign:", re.M)


def _is_rule_pack(path: Path) -> bool:
    """A rule pack met in a folder walk (``smskit check .`` at a repo root) is not a campaign."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False  # a pipe or device would block on open; the loader reports it
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError:
        return False  # the loader reports it
    return bool(_PACK_KEY.search(head)) and not _CAMPAIGN_KEY.search(head)


def discover(paths: Iterable[str]) -> list[Path]:
    """Campaign files named directly, and ``*.yml``/``*.yaml`` found below named folders."""
    found: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            here = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
                here.extend(
                    Path(root) / f
                    for f in sorted(files)
                    if f.endswith(CAMPAIGN_SUFFIXES)
                    and f not in _CONFIG_FILES
                    and not _is_rule_pack(Path(root) / f)
                )
            if not here:
                raise UsageError(f"{p}: no campaign files (*.yml, *.yaml) in this folder")
            found.extend(here)
        elif path.exists():
            found.append(path)
        elif path.is_symlink():
            raise UsageError(
                f"{p}: a symbolic link to nothing (or a link loop); fix the link or remove it"
            )
        else:
            raise UsageError(f"{p}: no such file or folder")
    # The same file named twice is checked once.
    seen: set[Path] = set()
    unique = []
    for f in found:
        try:
            key = f.resolve()
        except (OSError, RuntimeError):  # a symlink loop: the loader reports the file
            key = f.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


class _Collector:
    """Turns rule problems into findings and applies the campaign's suppressions."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.findings: list[Finding] = []
        self.used: set[tuple[int, str, str | None]] = set()

    def add(
        self, setting: RuleSetting, campaign: Campaign | None, display: str, p: Problem
    ) -> None:
        if campaign is not None and self._suppressed(campaign, setting.rule.code, p.message_id):
            return
        at = p.at or Mark(1, 1, 0)
        self.findings.append(
            Finding(
                code=setting.rule.code,
                name=setting.rule.name,
                severity=setting.severity,
                message=p.message,
                file=display,
                line=at.line,
                column=at.column,
                end_line=p.end.line if p.end else None,
                end_column=p.end.column if p.end else None,
                fix=p.fix,
                message_id=p.message_id,
                campaign=campaign.slug if campaign else None,
                extra=p.extra,
            )
        )

    def _suppressed(self, campaign: Campaign, code: str, message_id: str | None) -> bool:
        if message_id is not None:
            for msg in campaign.messages:
                if msg.id == message_id and code in msg.suppress:
                    self.used.add((id(campaign), code, message_id))
                    return True
        if code in campaign.suppress:
            self.used.add((id(campaign), code, None))
            return True
        return False


def run_rules(campaigns: list[Campaign], config: Config, collector: _Collector) -> None:
    ctx = Context(locales=config.locales, brands=config.brands, campaigns=campaigns)
    active = config.active()
    for setting in active:
        module = setting.rule.module
        if setting.rule.scope == "campaign":
            for c in campaigns:
                for p in module.check(c, setting.options, ctx):
                    collector.add(setting, c, c.display, p)
        elif setting.rule.scope == "project":
            for c, p in module.check_project(campaigns, setting.options, ctx):
                collector.add(setting, c, c.display, p)


def check_files(
    files: list[Path], config: Config, texts: dict[str, str] | None = None
) -> CheckResult:
    """Check campaign files together (project rules see all of them).

    ``texts`` maps display paths to content that stands in for the file (``--diff`` passes).
    """
    collector = _Collector(config)
    settings = config.settings
    campaigns: list[Campaign] = []
    displays = []
    for path in files:
        display = display_path(path)
        displays.append(display)
        result = load(path, display, (texts or {}).get(display))
        for lp in result.problems:
            s = settings[lp.code]
            if s.enabled and config.selected(s.rule):
                collector.add(s, None, display, Problem(lp.message, at=lp.at))
        if result.campaign is not None:
            campaigns.append(result.campaign)
    _duplicate_slugs(campaigns, config, collector)
    run_rules(campaigns, config, collector)
    _suppression_findings(campaigns, config, collector)
    findings = sorted(collector.findings, key=Finding.sort_key)
    return CheckResult(findings, displays, campaigns)


def _duplicate_slugs(campaigns: list[Campaign], config: Config, collector: _Collector) -> None:
    setting = config.settings["CMP004"]
    if not (setting.enabled and config.selected(setting.rule)):
        return
    first: dict[str, Campaign] = {}
    for c in campaigns:
        if c.slug in first:
            other = first[c.slug]
            collector.add(
                setting,
                c,
                c.display,
                Problem(
                    f"campaign '{c.slug}' is also defined in {other.display}; give each file its "
                    "own slug",
                    at=c.node("campaign").start,
                ),
            )
        else:
            first[c.slug] = c


def _suppression_findings(campaigns: list[Campaign], config: Config, collector: _Collector) -> None:
    rules = all_rules()
    unknown, unused = config.settings["SUP001"], config.settings["SUP002"]
    active = {s.rule.code for s in config.active()}
    for c in campaigns:
        scopes = [(None, c.suppress)] + [(m.id, m.suppress) for m in c.messages]
        for message_id, suppress in scopes:
            for code, sup in suppress.items():
                if code not in rules:
                    if unknown.enabled and config.selected(unknown.rule):
                        collector.add(
                            unknown,
                            None,
                            c.display,
                            Problem(
                                f"suppression of unknown rule {code}; `smskit rules` lists codes",
                                at=sup.node.start,
                                message_id=message_id,
                            ),
                        )
                elif (
                    code in active
                    and (id(c), code, message_id) not in collector.used
                    and unused.enabled
                    and config.selected(unused.rule)
                ):
                    where = f"message '{message_id}'" if message_id else "the campaign"
                    collector.add(
                        unused,
                        None,
                        c.display,
                        Problem(
                            f"suppression of {code} in {where} matched nothing; remove it",
                            at=sup.node.start,
                            message_id=message_id,
                        ),
                    )
