"""JUnit XML: a test suite per file, a failing test case per error or warning."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from smskit.findings import Finding, Severity
from smskit.lint import CheckResult
from smskit.report.text import visible


def render(result: CheckResult) -> str:
    per_file: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        per_file[f.file].append(f)
    root = ET.Element("testsuites", name="smskit")
    total = failures = 0
    for path in result.files:
        findings = per_file.get(path, [])
        file = visible(path)
        suite = ET.SubElement(root, "testsuite", name=file)
        n_fail = 0
        if not findings:
            ET.SubElement(suite, "testcase", classname=file, name="smskit check")
        for f in findings:
            case = ET.SubElement(
                suite, "testcase", classname=file, name=f"{f.code} {f.name} at {f.line}:{f.column}"
            )
            if f.severity is Severity.INFO:
                ET.SubElement(case, "system-out").text = visible(f.message)
                continue
            n_fail += 1
            # XML cannot hold most control characters at all, even escaped.
            message = visible(f.message)
            failure = ET.SubElement(case, "failure", message=message, type=f.severity.value)
            failure.text = f"{file}:{f.line}:{f.column}: {f.code} {message}"
        cases = max(len(findings), 1)
        suite.set("tests", str(cases))
        suite.set("failures", str(n_fail))
        suite.set("errors", "0")
        total += cases
        failures += n_fail
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
