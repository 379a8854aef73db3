"""Every output format from one set of findings, and the exit statuses."""

from __future__ import annotations

import json
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from smskit.rules import all_rules
from tests.helpers import CORE, SARIF_SCHEMA, run_cli, write_campaign

ZWSP, NBSP = "\u200b", "\u00a0"
ODD_NAME = "we,ird:name.yml"
ODD_ID = "50%,off:\nnow"

FILES = {
    # ENC004 twice (two safe fixes in one file), both errors.
    "a.yml": (
        "campaign: a  # keep this comment\n"
        "brand: Elisa\nlocale: fi-FI\nsender: Elisa\n"
        "messages:\n"
        f"  - id: one\n    body: 'Hei{ZWSP} kaikki'\n"
        f"  - id: two\n    body: Tarjous{NBSP}alkaa\n"
    ),
    # A suppression that matches nothing: a warning, with %, comma, colon and a line break
    # in the message (through the message id) and in the file name.
    ODD_NAME: (
        "campaign: odd\nbrand: Elisa\nlocale: fi-FI\nsender: Elisa\n"
        "messages:\n"
        f"  - id: {json.dumps(ODD_ID)}\n    body: Hei\n"
        "    suppress: {ENC004: 'pasted from the web shop'}\n"
    ),
    # SND002, made info-level by the project's pack.
    "info.yml": (
        "campaign: info\nbrand: Elisa\nlocale: fi-FI\nsender: Elisa-Oyj\n"
        "messages:\n  - id: a\n    body: Hei\n"
    ),
    "broken.yml": "campaign: broken\nbrand: [Elisa\n",
    "clean.yml": (
        "campaign: clean\nbrand: Elisa\nlocale: fi-FI\nsender: Elisa\n"
        "messages:\n  - id: a\n    body: Hei\n"
    ),
}
FORMATS = ("json", "sarif", "junit", "github", "text")


def make_project(root: Path) -> Path:
    (root / ".git").mkdir(exist_ok=True)
    (root / "smskit.yml").write_text("packs: [default, fi, ./team.yml]\n")
    (root / "team.yml").write_text("rules:\n  SND002: {severity: info}\n")
    for name, text in FILES.items():
        write_campaign(root, f"campaigns/{name}", text=text)
    return root


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The CLI on the same project in every format (and a few variants), side by side."""
    root = make_project(tmp_path_factory.mktemp("outputs"))
    fixed = tmp_path_factory.mktemp("fixed")
    shutil.copytree(root, fixed, dirs_exist_ok=True)
    variants = {f: ("check", *CORE, "--format", f, "campaigns") for f in FORMATS}
    variants["fix"] = ("check", *CORE, "--fix", "campaigns")
    variants["gha"] = ("check", *CORE, "campaigns")
    variants["color"] = ("check", *CORE, "--color", "campaigns/a.yml")

    def run(name: str):
        env = {"GITHUB_ACTIONS": "true"} if name == "gha" else None
        return run_cli(*variants[name], cwd=fixed if name == "fix" else root, env=env)

    with ThreadPoolExecutor(max_workers=3) as pool:
        procs = dict(zip(variants, pool.map(run, variants), strict=True))
    return {"root": root, "fixed": fixed, **procs}


def key(code, file, line, column, severity) -> tuple:
    return (code, Path(file).as_posix(), int(line), int(column), severity)


@pytest.fixture(scope="module")
def expected(runs) -> set[tuple]:
    report = json.loads(runs["json"].stdout)
    return {
        key(f["code"], f["file"], f["line"], f["column"], f["severity"]) for f in report["findings"]
    }


def test_json_findings_carry_every_documented_field(runs) -> None:
    proc = runs["json"]
    assert proc.returncode == 1 and proc.stderr == ""
    report = json.loads(proc.stdout)
    findings = report["findings"]
    for f in findings:
        for field in ("code", "name", "severity", "message", "file", "line", "column"):
            assert f[field] not in (None, ""), (field, f)
        assert all_rules()[f["code"]].name == f["name"]
        assert isinstance(f["line"], int) and isinstance(f["column"], int)
    got = {(Path(f["file"]).name, f["code"], f["severity"]) for f in findings}
    assert got == {
        ("a.yml", "ENC004", "error"),
        (ODD_NAME, "SUP002", "warning"),
        ("info.yml", "SND002", "info"),
        ("broken.yml", "CMP001", "error"),
    }
    assert sum(f["code"] == "ENC004" for f in findings) == 2
    zwsp = next(f for f in findings if f["code"] == "ENC004" and "U+200B" in f["message"])
    # The zero-width space is the 4th character after the opening quote on line 7.
    assert (zwsp["line"], zwsp["column"]) == (7, 15)
    assert zwsp["fix"]["applicability"] == "safe"
    assert zwsp["fix"]["edits"] == [{"start": 3, "end": 4, "text": ""}]
    broken = next(f for f in findings if f["code"] == "CMP001")
    assert broken["line"] == 3
    assert report["summary"] == {"files": 5, "findings": 5, "errors": 3, "warnings": 1}


def test_sarif_validates_and_carries_rules_results_and_fixes(runs, expected) -> None:
    proc = runs["sarif"]
    assert proc.returncode == 1
    sarif = json.loads(proc.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(sarif, schema, cls=jsonschema.Draft4Validator)
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(all_rules())
    for r in rules:
        rule = all_rules()[r["id"]]
        assert r["name"] == rule.name
        assert r["help"]["text"] == rule.doc and rule.doc.startswith(f"{rule.code} {rule.name}:")
    levels = {"error": "error", "warning": "warning", "note": "info"}
    got = set()
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        loc = res["locations"][0]["physicalLocation"]
        region = loc["region"]
        got.add(
            key(
                res["ruleId"],
                loc["artifactLocation"]["uri"],
                region["startLine"],
                region["startColumn"],
                levels[res["level"]],
            )
        )
    assert got == expected
    assert {a["location"]["uri"] for a in run["artifacts"]} == {
        f"campaigns/{name}" for name in FILES
    }


def _apply_replacements(text: str, replacements: list[dict]) -> str:
    for rep in sorted(replacements, key=lambda r: r["deletedRegion"]["charOffset"], reverse=True):
        region = rep["deletedRegion"]
        start, length = region["charOffset"], region["charLength"]
        # The region's line and column must describe the same place as its offset.
        assert text.count("\n", 0, start) + 1 == region["startLine"]
        assert start - text.rfind("\n", 0, start) == region["startColumn"]
        text = text[:start] + rep["insertedContent"]["text"] + text[start + length :]
    return text


def test_sarif_fixes_give_the_same_file_as_fix(runs) -> None:
    assert runs["fix"].returncode == 1  # broken.yml is still broken
    assert "Fixed 2 finding(s)." in runs["fix"].stderr
    sarif = json.loads(runs["sarif"].stdout)
    uri = "campaigns/a.yml"
    replacements = [
        rep
        for res in sarif["runs"][0]["results"]
        for fix in res.get("fixes", [])
        for change in fix["artifactChanges"]
        if change["artifactLocation"]["uri"] == uri
        for rep in change["replacements"]
    ]
    assert len(replacements) == 2
    original = (runs["root"] / uri).read_text(encoding="utf-8")
    after_fix = (runs["fixed"] / uri).read_text(encoding="utf-8")
    assert after_fix != original
    assert _apply_replacements(original, replacements) == after_fix
    # Each fix alone is also a valid edit of the original file.
    for rep in replacements:
        assert _apply_replacements(original, [rep]) != original


def test_junit_counts(runs) -> None:
    proc = runs["junit"]
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout)
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {f"campaigns/{name}" for name in FILES}
    assert root.get("tests") == "6"  # 5 findings + 1 passing case for the clean file
    assert root.get("failures") == "4"  # info is not a failure
    assert suites["campaigns/a.yml"].get("failures") == "2"
    assert suites["campaigns/clean.yml"].get("failures") == "0"
    clean_cases = suites["campaigns/clean.yml"].findall("testcase")
    assert len(clean_cases) == 1 and clean_cases[0].find("failure") is None
    info = suites["campaigns/info.yml"].findall("testcase")
    assert len(info) == 1 and info[0].find("failure") is None
    assert "Elisa-Oyj" in info[0].find("system-out").text
    for suite in suites.values():
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
    failure = suites["campaigns/broken.yml"].find("testcase/failure")
    assert failure.get("type") == "error" and "not valid YAML" in failure.get("message")


def _unescape_data(text: str) -> str:
    # GitHub's workflow-command escaping, undone (documented in actions/toolkit's command.ts).
    return text.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def _unescape_prop(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


ANNOTATION = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def test_github_annotations_escape_and_round_trip(runs, expected) -> None:
    proc = runs["github"]
    assert proc.returncode == 1
    messages = {
        (f["code"], f["line"]): f["message"] for f in json.loads(runs["json"].stdout)["findings"]
    }
    lines = proc.stdout.splitlines()
    annotations = [ANNOTATION.match(line) for line in lines if line.startswith("::")]
    assert len(annotations) == len(expected) and all(annotations)
    levels = {"error": "error", "warning": "warning", "notice": "info"}
    got = set()
    for m in annotations:
        props = dict(p.split("=", 1) for p in m.group(2).split(","))
        # A raw comma or colon in a property would cut it short: the split above proves none.
        assert set(props) >= {"file", "line", "col", "title"}
        code = _unescape_prop(props["title"]).split()[0]
        got.add(
            key(
                code, _unescape_prop(props["file"]), props["line"], props["col"], levels[m.group(1)]
            )
        )
        assert _unescape_data(m.group(3)) == messages[(code, int(props["line"]))]
    assert got == expected
    odd = next(m for m in annotations if "SUP002" in m.group(2))
    assert "file=campaigns/we%2Cird%3Aname.yml" in odd.group(2)
    assert "50%25,off:%0Anow" in odd.group(3)
    assert lines[-1].startswith("Found 5 finding(s)")


def test_github_is_the_default_under_github_actions(runs) -> None:
    assert runs["gha"].stdout == runs["github"].stdout
    assert runs["gha"].returncode == 1


def test_text_format(runs, expected) -> None:
    proc = runs["text"]
    assert proc.returncode == 1
    assert "\033[" not in proc.stdout  # not a terminal: no colour
    pattern = re.compile(r"^(.+):(\d+):(\d+): ([A-Z]{3}\d{3}) \[(error|warning|info)\] (.+)$")
    found = [pattern.match(line) for line in proc.stdout.splitlines()]
    got = {key(m[4], m[1], m[2], m[3], m[5]) for m in found if m}
    assert got == expected
    assert "    fix: remove it" in proc.stdout
    assert proc.stdout.rstrip().endswith(
        "Found 5 finding(s) (3 error(s), 1 warning(s), 1 info) in 4 of 5 file(s). "
        "2 fixable with --fix."
    )


def test_color_on_request(runs) -> None:
    out = runs["color"].stdout
    assert "\033[31m[error]\033[0m" in out and "\033[1mENC004\033[0m" in out


@pytest.mark.parametrize(
    ("files", "strict", "status"),
    [
        (["clean.yml"], False, 0),
        (["clean.yml"], True, 0),
        ([ODD_NAME], False, 0),  # a warning alone passes...
        ([ODD_NAME], True, 1),  # ...unless --strict
        (["info.yml"], True, 0),  # info never fails the check
        (["a.yml"], False, 1),
    ],
)
def test_exit_status(runs, files: list[str], strict: bool, status: int) -> None:
    args = [
        "check",
        *CORE,
        *(["--strict"] if strict else []),
        *(f"campaigns/{f}" for f in files),
    ]
    proc = run_cli(*args, cwd=runs["root"])
    assert proc.returncode == status, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "body",
    [
        "    body: Hei\u00a0\n      toinen\n",  # in place would fold the space away: re-rendered
        '    body: "Hei\\u200b \\u00e4"\n',  # an escape: re-rendered
        "    body: >\n      Hei\u200b\n      toinen\n",  # folded block, in place
    ],
)
def test_sarif_fix_is_what_fix_writes_also_when_the_scalar_is_re_rendered(
    project: Path, body: str
) -> None:
    from smskit.fixer import fixed_source
    from smskit.report import render
    from tests.helpers import check

    text = "campaign: r\nbrand: Elisa\nlocale: fi-FI\nsender: Elisa\nmessages:\n  - id: a\n" + body
    path = write_campaign(project, "r.yml", text=text)
    result = check([path], project, select=["ENC004"])
    assert len(result.findings) == 1
    sarif = json.loads(render(result, "sarif"))
    (res,) = sarif["runs"][0]["results"]
    replacements = res["fixes"][0]["artifactChanges"][0]["replacements"]
    want = fixed_source(result.campaigns[0], [result.findings[0].fix])
    assert _apply_replacements(text, replacements) == want
