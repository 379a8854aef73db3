"""JUnit XML: a test suite per file, a failing test case per error or warning."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from smskit.findings import Finding, Severity
from smskit.lint import CheckResult


def render(result: CheckResult) -> str:
    per_file: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        per_file[f.file].append(f)
    root = ET.Element("testsuites", name="smskit")
    total = failures = 0
    for file in result.files:
        findings = per_file.get(file, [])
        suite = ET.SubElement(root, "testsuite", name=file)
        n_fail = 0
        if not findings:
            ET.SubElement(suite, "testcase", classname=file, name="smskit check")
        for f in findings:
            case = ET.SubElement(
                suite, "testcase", classname=file, name=f"{f.code} {f.name} at {f.line}:{f.column}"
            )
            if f.severity is Severity.INFO:
                ET.SubElement(case, "system-out").text = f.message
                continue
            n_fail += 1
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity.value)
            failure.text = f"{f.file}:{f.line}:{f.column}: {f.code} {f.message}"
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
