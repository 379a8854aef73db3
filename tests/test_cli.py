"""The commands besides check: rules, explain, schema; and what the check path imports."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

from smskit.loader import load
from smskit.rules import RULE_MODULES, all_rules
from smskit.schema import json_schema
from tests.helpers import NO_ENGINE, REPO, VALID_CAMPAIGN, run_cli, write_campaign

RULES = all_rules()


def test_rules_lists_every_registered_rule() -> None:
    proc = run_cli("rules")
    assert proc.returncode == 0 and proc.stderr == ""
    rows = [line.split() for line in proc.stdout.splitlines()]
    assert [r[0] for r in rows] == list(RULES)
    for code, name, severity, *summary in rows:
        rule = RULES[code]
        assert (name, severity) == (rule.name, rule.severity.value)
        assert " ".join(summary) == rule.summary


def test_explain_prints_the_docstring() -> None:
    proc = run_cli("explain", "ENC004")
    assert proc.returncode == 0
    doc = RULES["ENC004"].module.__doc__.strip()
    assert proc.stdout.startswith(doc + "\n")
    assert proc.stdout.endswith("Default severity: error\n")
    # By name as well as by code; lower case codes too.
    assert run_cli("explain", "invisible-or-control-character").stdout == proc.stdout
    assert run_cli("explain", "enc004").stdout == proc.stdout


def test_explain_shows_option_defaults() -> None:
    out = run_cli("explain", "LEN001").stdout
    assert out.startswith(RULES["LEN001"].module.__doc__.strip())
    assert "Defaults: budget=2" in out


def test_explain_unknown_rule() -> None:
    proc = run_cli("explain", "NOPE")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "smskit: error: unknown rule 'NOPE'; `smskit rules` lists them\n"


# -- structure that keeps future rules documented and registered -----------------------------


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_is_documented(code: str) -> None:
    rule = RULES[code]
    doc = rule.module.__doc__
    assert doc, f"{code} has no module docstring"
    first = doc.strip().splitlines()[0]
    assert first.startswith(f"{code} {rule.name}: ") and len(first) > len(code) + 20
    assert re.fullmatch(r"[A-Z]{3}[0-9]{3}", code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    # A Bad and a Good example, each an indented literal block (``Bad::``, ``Good (…)::``).
    for word in ("Bad", "Good"):
        assert re.search(rf"^{word}\b[^\n]*::\n\n    \S", doc, re.M), f"{code}: no {word} example"
    assert "Options" in doc
    for option in rule.option_fields():
        assert f"``{option}``" in doc, f"{code} does not document option {option}"
    assert rule.scope in ("loader", "campaign", "project", "audience")
    if rule.scope == "campaign":
        assert callable(rule.module.check)
    if rule.scope == "project":
        assert callable(rule.module.check_project)


def test_rule_names_and_module_names_are_unique_and_match() -> None:
    names = [r.name for r in RULES.values()]
    assert len(set(names)) == len(names)
    assert len(RULES) == len(RULE_MODULES)
    for module_name, rule in zip(RULE_MODULES, RULES.values(), strict=True):
        assert module_name.startswith(rule.code.lower() + "_")


def test_every_rule_has_an_entry_in_the_default_pack(project: Path) -> None:
    pack = yaml.safe_load((REPO / "rules" / "default.yml").read_text(encoding="utf-8"))
    assert set(pack["rules"]) == set(RULES)
    # The default pack states the defaults; it does not change them.
    from smskit.config import load_config

    settings = load_config(cwd=project).settings
    for code, rule in RULES.items():
        assert settings[code].severity is rule.severity, code
        assert settings[code].options == rule.default_options(), code
        assert settings[code].enabled, code


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_no_module_imports_the_cli_and_only_the_adapter_imports_twilio() -> None:
    for path in sorted((REPO / "smskit").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        imports = _imports(path)
        if rel not in ("smskit/cli.py", "smskit/__main__.py"):
            assert "smskit.cli" not in imports, rel
        if rel != "smskit/send/twilio_adapter.py":
            assert not any(i == "twilio" or i.startswith("twilio.") for i in imports), rel


# -- schema ---------------------------------------------------------------------------------


def _as_json(value):
    # YAML has dates and times; JSON Schema sees them as the strings an editor would.
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def schema() -> dict:
    proc = run_cli("schema")
    assert proc.returncode == 0
    printed = json.loads(proc.stdout)
    assert printed == json_schema()
    jsonschema.Draft7Validator.check_schema(printed)
    return printed


def validator(schema: dict) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def test_schema_validates_the_example_campaigns(schema: dict) -> None:
    examples = sorted((REPO / "campaigns" / "examples").glob("*.y*ml"))
    if not examples:
        pytest.skip("no campaigns/examples yet")
    for path in examples:
        data = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = [e.message for e in validator(schema).iter_errors(data)]
        assert errors == [], path.name
        assert load(path).problems == [], path.name  # and the loader agrees


FULL = VALID_CAMPAIGN + textwrap.dedent(
    """\
    purpose: marketing
    messaging_service: MG0123456789abcdef0123456789abcdef
    smart_encoding: true
    send_at: 2017-05-29T10:02:00+03:00
    interval: 30s
    suppress: {SND002: "the operator registered this sender"}
    audience: audience.csv
    defaults: {first_name: asiakas, bonus: 10}
    opt_out: opt-out.txt
    placeholders: {first_name: {case: title}}
    """
)


@pytest.mark.parametrize(
    "text",
    [
        VALID_CAMPAIGN,
        FULL,
        VALID_CAMPAIGN.replace("sender: Elisa", "sender: +358401234567"),
        VALID_CAMPAIGN.replace("sender: Elisa", "sender: 12345"),
        VALID_CAMPAIGN + "interval: 45\n",
    ],
)
def test_schema_accepts_what_the_loader_accepts(tmp_path: Path, schema: dict, text: str) -> None:
    path = write_campaign(tmp_path, "ok.yml", text=text)
    assert load(path).problems == []
    data = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert [e.message for e in validator(schema).iter_errors(data)] == []


@pytest.mark.parametrize(
    "change",
    [
        ("brand: Elisa", "brand: Elisa\nbrnad: Elisa"),  # unknown key
        ("brand: Elisa\n", ""),  # missing required key
        ("campaign: {slug}", "campaign: Spring Sale"),  # bad slug
        ("locale: fi-FI", "locale: fi_FI"),
        ("messages:\n  - id: intro\n", "messages:\n  - id: intro\n    color: red\n"),
        ("locale: fi-FI", "locale: fi-FI\npurpose: promo"),
        ("locale: fi-FI", "locale: fi-FI\nsmart_encoding: 'yes'"),
        ("locale: fi-FI", "locale: fi-FI\ninterval: 1.5h"),
        ("locale: fi-FI", "locale: fi-FI\nsuppress: {enc003: x}"),
        ("locale: fi-FI", "locale: fi-FI\nsuppress: {ENC003: ''}"),
        ("body: Hei! Tervetuloa asiakkaaksi.", "body: ''"),
    ],
)
def test_schema_rejects_what_the_loader_rejects(tmp_path: Path, schema: dict, change) -> None:
    text = VALID_CAMPAIGN.replace(*change)
    assert text != VALID_CAMPAIGN
    path = write_campaign(tmp_path, "bad.yml", text=text)
    assert load(path).campaign is None
    data = _as_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert list(validator(schema).iter_errors(data)), change


# -- entry points and imports ---------------------------------------------------------------


def test_python_dash_m_smskit(tmp_path: Path) -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    for command in ("check", "rules", "explain", "schema", "segments"):
        assert command in proc.stdout
    proc = run_cli()
    assert proc.returncode == 2 and "check" in proc.stdout  # no command: the help, status 2


CHECK_WITHOUT_TWILIO = """\
import sys
from smskit.cli import main
try:
    main(["check", *sys.argv[1:]])
except SystemExit as e:
    status = e.code
sending = sorted(
    m for m in sys.modules if m.split(".")[0] == "twilio" or m.startswith(("smskit.send.",))
)
assert "twilio" not in sys.modules and "smskit.send" not in sys.modules, sending
assert not sending, sending
print("status", status)
"""


def test_check_does_not_import_twilio(project: Path) -> None:
    write_campaign(project, "a.yml")
    write_campaign(
        project, "b.yml", sender="+358401234567", messages=[{"id": "a", "body": "Hei\u200b"}]
    )
    proc = subprocess.run(
        [sys.executable, "-c", CHECK_WITHOUT_TWILIO, *NO_ENGINE, "a.yml", "b.yml"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("status 1")  # b.yml has an ENC004 error
