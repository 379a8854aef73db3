"""SARIF 2.1.0, for code scanning: rule metadata, results with regions, and fixes."""

from __future__ import annotations

import json
from pathlib import Path

from smskit import __version__
from smskit.findings import Severity
from smskit.fixer import file_edits_for
from smskit.lint import CheckResult
from smskit.rules import all_rules

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _region_of(source: str, offset: int, length: int) -> dict:
    line = source.count("\n", 0, offset) + 1
    col = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return {"charOffset": offset, "charLength": length, "startLine": line, "startColumn": col}


def render(result: CheckResult) -> str:
    rules = list(all_rules().values())
    index = {r.code: i for i, r in enumerate(rules)}
    by_file = {c.display: c for c in result.campaigns}
    results = []
    for f in result.findings:
        region = {"startLine": f.line, "startColumn": f.column}
        if f.end_line:
            region["endLine"] = f.end_line
            if f.end_column:
                region["endColumn"] = f.end_column
        uri = Path(f.file).as_posix()
        res = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}
            ],
        }
        campaign = by_file.get(f.file)
        if f.fix is not None and campaign is not None:
            edits = file_edits_for(campaign.source, campaign.root, f.fix)
            res["fixes"] = [
                {
                    "description": {
                        "text": f.fix.description + ("" if f.fix.safe else " (unsafe)")
                    },
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": uri},
                            "replacements": [
                                {
                                    "deletedRegion": _region_of(
                                        campaign.source, e.offset, e.length
                                    ),
                                    "insertedContent": {"text": e.text},
                                }
                                for e in edits
                            ],
                        }
                    ],
                }
            ]
        results.append(res)
    driver = {
        "name": "smskit",
        "version": __version__,
        "informationUri": "https://github.com/smskit/smskit",
        "rules": [
            {
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary or r.name},
                "fullDescription": {"text": r.doc},
                "help": {"text": r.doc},
                "defaultConfiguration": {"level": _LEVEL[r.severity]},
            }
            for r in rules
        ],
    }
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
                "artifacts": [{"location": {"uri": Path(p).as_posix()}} for p in result.files],
            }
        ],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2)
