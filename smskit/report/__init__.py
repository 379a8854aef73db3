"""Output formats: each turns the same CheckResult into text for a person or a machine."""

from __future__ import annotations

from collections.abc import Callable

from smskit.lint import CheckResult

FORMATS = ("text", "json", "github", "sarif", "junit")


def render(result: CheckResult, fmt: str, *, color: bool = False) -> str:
    renderer: Callable[..., str]
    if fmt == "text":
        from smskit.report.text import render as renderer

        return renderer(result, color=color)
    if fmt == "json":
        from smskit.report.json_format import render as renderer
    elif fmt == "github":
        from smskit.report.github import render as renderer
    elif fmt == "sarif":
        from smskit.report.sarif import render as renderer
    elif fmt == "junit":
        from smskit.report.junit import render as renderer
    else:
        raise ValueError(fmt)
    return renderer(result)
