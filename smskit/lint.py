"""The check pipeline: files → campaigns → rules → findings (suppressions applied)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from smskit import lazy_re
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


def display_path(path: Path, cwd: str | None = None) -> str:
    """``path`` relative to the working folder ``cwd`` if it lies below it, else as given."""
    here = cwd if cwd is not None else os.getcwd()
    p = os.fspath(path)
    full = os.path.normpath(p if os.path.isabs(p) else os.path.join(here, p))
    # What os.path.relpath would say, without its work (a thousand files a run): the rest of
    # the path below the folder; outside it a relative path would start with "..", so the
    # path stays as given. (On Windows, with its cases and drives, relpath decides.)
    if full.startswith(here) and full[len(here) : len(here) + 1] == os.sep:
        return full[len(here) + 1 :]
    if os.name == "posix" and full != here and here != "/":
        return str(path)
    try:
        rel = os.path.relpath(full, here)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


# (Compiled on first use: only folder walks look for rule packs.)
_PACK_KEY = lazy_re.compile(rb"^(rules|locales|brands):", re.M)
_CAMPAIGN_KEY = lazy_re.compile(rb"^campaign:", re.M)
# A named pipe opened for reading waits for a writer; without one it reads as empty here and
# the loader reports it (CMP003). Windows has no such files and no such flag.
_NONBLOCKING = getattr(os, "O_NONBLOCK", 0)


def _is_rule_pack(path: str) -> bool:
    """A rule pack met in a folder walk (``smskit check .`` at a repo root) is not a campaign."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCKING)
    except OSError:
        return False  # the loader reports it
    try:
        head = os.read(fd, 65536)
    except OSError:
        return False
    finally:
        os.close(fd)
    return bool(_PACK_KEY.search(head)) and not _CAMPAIGN_KEY.search(head)


def _walk(folder: str, found: list[tuple[str, str]]) -> None:
    """Add (path, real path) of the campaign files below ``folder``, as ``os.walk`` orders them.

    Files first, then each sub-folder, all sorted by name; linked folders are not entered. The
    real path of a file that is not a link is its folder's real path and its name, which spares
    resolving every file of a large folder link by link.
    """
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    real_folder = os.path.realpath(folder)
    subfolders = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        name = entry.name
        if is_dir:
            if name not in _SKIP_DIRS and not name.startswith(".") and not entry.is_symlink():
                subfolders.append(entry.path)
        elif (
            name.endswith(CAMPAIGN_SUFFIXES)
            and name not in _CONFIG_FILES
            and not _is_rule_pack(entry.path)
        ):
            real = _real_path(entry.path) if entry.is_symlink() else os.path.join(real_folder, name)
            found.append((entry.path, real))
    for sub in subfolders:
        _walk(sub, found)


def _real_path(path: str) -> str:
    try:
        return os.path.realpath(path)  # what Path.resolve does, without the Path
    except (OSError, RuntimeError, ValueError):  # a symlink loop: the loader reports the file
        return os.path.abspath(path)


def discover(paths: Iterable[str]) -> list[Path]:
    """Campaign files named directly, and ``*.yml``/``*.yaml`` found below named folders."""
    found: list[tuple[str, str]] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            here: list[tuple[str, str]] = []
            _walk(p, here)
            if not here:
                raise UsageError(f"{p}: no campaign files (*.yml, *.yaml) in this folder")
            found.extend(here)
        elif path.exists():
            found.append((p, _real_path(p)))
        elif path.is_symlink():
            raise UsageError(
                f"{p}: a symbolic link to nothing (or a link loop); fix the link or remove it"
            )
        else:
            raise UsageError(f"{p}: no such file or folder")
    # The same file named twice is checked once.
    seen: set[str] = set()
    unique = []
    for f, real in found:
        if real not in seen:
            seen.add(real)
            unique.append(Path(f))
    return unique


class _Collector:
    """Turns rule problems into findings and applies the campaign's suppressions."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.used: set[tuple[int, str, str | None]] = set()

    def add(
        self,
        setting: RuleSetting,
        campaign: Campaign | None,
        display: str,
        p: Problem,
        severity: Severity | None = None,
    ) -> None:
        if campaign is not None and self._suppressed(campaign, setting.rule.code, p.message_id):
            return
        at = p.at or Mark(1, 1, 0)
        self.findings.append(
            Finding(
                code=setting.rule.code,
                name=setting.rule.name,
                severity=severity or setting.severity,
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
    for setting in config.active():
        if setting.rule.scope in ("campaign", "project"):
            run_rule(setting, campaigns, ctx, collector)


def run_rule(
    setting: RuleSetting, campaigns: list[Campaign], ctx: Context, collector: _Collector
) -> None:
    """One rule over the campaigns (per campaign, or all at once for a project rule).

    A rule that raises is a bug in it: the files it could not check get an error finding, and
    the other rules and files still run.
    """
    module = setting.rule.module
    if setting.rule.scope == "project":
        try:
            for c, p in module.check_project(campaigns, setting.options, ctx):
                collector.add(setting, c, c.display, p)
        except Exception as e:
            _rule_failed(setting, campaigns, e, collector)
        return
    for c in campaigns:
        try:
            for p in module.check(c, setting.options, ctx):
                collector.add(setting, c, c.display, p)
        except Exception as e:
            _rule_failed(setting, [c], e, collector)


def _rule_failed(
    setting: RuleSetting, campaigns: list[Campaign], e: Exception, collector: _Collector
) -> None:
    """An error-level finding per campaign the rule could not check: the gate must not pass."""
    if os.environ.get("SMSKIT_DEBUG"):
        raise e
    code = setting.rule.code
    message = (
        f"{code} could not check this file: it stopped with {type(e).__name__}: {e}. "
        "This is a bug in smskit; please report it (SMSKIT_DEBUG=1 shows the traceback). "
        "The other rules ran."
    )
    for c in campaigns:
        collector.add(setting, c, c.display, Problem(message, at=c.root.start), Severity.ERROR)


def check_files(
    files: list[Path], config: Config, texts: dict[str, str] | None = None
) -> CheckResult:
    """Check campaign files together (project rules see all of them).

    ``texts`` maps display paths to content that stands in for the file (``--diff`` passes).
    """
    collector = _Collector()
    settings = config.settings
    campaigns: list[Campaign] = []
    displays = []
    cwd = os.getcwd()
    for path in files:
        display = display_path(path, cwd)
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
