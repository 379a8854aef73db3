"""Findings as one JSON object: ``{"version", "summary", "findings": [...]}``."""

from __future__ import annotations

import json

from smskit import __version__
from smskit.lint import CheckResult


def render(result: CheckResult) -> str:
    return json.dumps(
        {
            "version": 1,
            "tool": {"name": "smskit", "version": __version__},
            "summary": {
                "files": len(result.files),
                "findings": len(result.findings),
                "errors": result.errors,
                "warnings": result.warnings,
            },
            "findings": [f.to_dict() for f in result.findings],
        },
        ensure_ascii=False,
        indent=2,
    )
