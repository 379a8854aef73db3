"""Helpers for rule tests: campaign files in tmp_path, checked by the real loader and runner."""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path

from smskit.config import load_config
from smskit.findings import Finding
from smskit.fixer import fixed_source
from smskit.lint import CheckResult, check_files
from smskit.loader import load

HAS_ENGINE = importlib.util.find_spec("smskit.encoding") is not None


def campaign_yaml(
    slug: str,
    bodies: list[str] | dict[str, str],
    *,
    brand: str = "Elisa",
    locale: str = "fi-FI",
    sender: str = "Elisa",
    purpose: str | None = None,
    interval: str | None = None,
) -> str:
    """A campaign file: a comment, the header keys, one double-quoted body per message."""
    items = (
        bodies.items()
        if isinstance(bodies, dict)
        else [(f"m{i}", b) for i, b in enumerate(bodies, 1)]
    )
    lines = [f"# {slug}: a comment that fixes must keep", f"campaign: {slug}", f"brand: {brand}"]
    lines += [f"locale: {locale}", f'sender: "{sender}"']
    if purpose:
        lines.append(f"purpose: {purpose}")
    if interval:
        lines.append(f"interval: {interval}")
    lines.append("messages:")
    for mid, body in items:
        escaped = body.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        lines += [f"  - id: {mid}", f'    body: "{escaped}"']
    return "\n".join(lines) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(folder: Path, paths: list[Path], select: list[str] | None = None) -> CheckResult:
    """Check ``paths`` with the configuration found from ``folder`` (a repository root)."""
    (folder / ".git").mkdir(exist_ok=True)
    with contextlib.chdir(folder):
        config = load_config(cwd=folder)
        if select:
            config = config.with_selection(select, None)
        return check_files(paths, config)


def only(result: CheckResult, code: str) -> list[Finding]:
    return [f for f in result.findings if f.code == code]


def apply_fixes(result: CheckResult, findings: list[Finding]) -> dict[Path, str]:
    """Apply the findings' fixes with the real fixer; return each fixed file's new text."""
    out = {}
    for campaign in result.campaigns:
        fixes = [f.fix for f in findings if f.file == campaign.display and f.fix is not None]
        if fixes:
            out[campaign.path] = fixed_source(campaign, fixes)
    return out


def bodies(path: Path, text: str | None = None) -> list[str]:
    """The message bodies of a campaign file (or of ``text`` standing in for it)."""
    result = load(path, str(path), text)
    assert result.campaign is not None, result.problems
    return [m.body for m in result.campaign.messages]
