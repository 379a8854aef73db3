"""Human-readable findings, one per line as ``file:line:col: CODE [severity] message``."""

from __future__ import annotations

import re

from smskit.findings import Severity
from smskit.lint import CheckResult

# Control characters from a campaign (a sender "El\x1bisa", a file name) must not reach a
# terminal, a CI log or an XML file as they are: they are shown as \xNN instead.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def visible(text: str) -> str:
    """``text`` with control characters (other than tab and line feed) written as escapes."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(result: CheckResult, *, color: bool = False) -> str:
    def c(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines = []
    for f in result.findings:
        loc = c(_BOLD, f"{visible(f.file)}:{f.line}:{f.column}:")
        sev = c(_COLORS[f.severity], f"[{f.severity.value}]")
        lines.append(f"{loc} {c(_BOLD, f.code)} {sev} {visible(f.message)}")
        if f.fix is not None:
            kind = "fix" if f.fix.safe else "unsafe fix (--unsafe-fixes)"
            lines.append(c(_DIM, f"    {kind}: {visible(f.fix.description)}"))
    lines.append(summary(result))
    return "\n".join(lines)


def summary(result: CheckResult) -> str:
    n = len(result.findings)
    files = len(result.files)
    if n == 0:
        return f"All checks passed: {files} file{'s' if files != 1 else ''}, no findings."
    affected = len({f.file for f in result.findings})
    infos = n - result.errors - result.warnings
    parts = [f"{result.errors} error(s)", f"{result.warnings} warning(s)"]
    if infos:
        parts.append(f"{infos} info")
    safe = sum(1 for f in result.findings if f.fix is not None and f.fix.safe)
    unsafe = sum(1 for f in result.findings if f.fix is not None and not f.fix.safe)
    text = f"Found {n} finding(s) ({', '.join(parts)}) in {affected} of {files} file(s)."
    if safe:
        text += f" {safe} fixable with --fix."
    if unsafe:
        text += f" {unsafe} more with --unsafe-fixes."
    return text
