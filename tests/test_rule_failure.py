"""A rule with a bug: the check goes on with the other rules and files, and does not pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smskit.check_command import EXIT_FINDINGS, run_check
from smskit.findings import Severity
from smskit.rules import all_rules
from tests.helpers import check, write_campaign


def _break(monkeypatch: pytest.MonkeyPatch, code: str, entry: str) -> None:
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(all_rules()[code].module, entry, broken)


@pytest.fixture
def two_files(project: Path) -> list[Path]:
    return [
        write_campaign(project, "a.yml", sender="Elisa Oyj ja kumppanit"),  # SND002 finds it
        write_campaign(project, "b.yml"),
    ]


def test_a_failing_campaign_rule_is_an_error_finding_per_file(
    project: Path, two_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _break(monkeypatch, "ENC003", "check")
    result = check(two_files, project)
    failed = [f for f in result.findings if f.code == "ENC003"]
    assert [f.file for f in failed] == ["a.yml", "b.yml"]
    for f in failed:
        assert f.severity is Severity.ERROR
        assert "could not check this file" in f.message
        assert "ZeroDivisionError: division by zero" in f.message
        assert (f.line, f.column) == (1, 1)  # the campaign as a whole
    # the rules after it still ran
    assert any(f.code == "SND002" and f.file == "a.yml" for f in result.findings)


def test_a_failing_project_rule_reports_every_campaign(
    project: Path, two_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _break(monkeypatch, "SIG001", "check_project")
    result = check(two_files, project, select=["SIG001", "SND002"])
    failed = [f for f in result.findings if f.code == "SIG001"]
    assert sorted(f.file for f in failed) == ["a.yml", "b.yml"]
    assert all(f.severity is Severity.ERROR for f in failed)
    assert any(f.code == "SND002" for f in result.findings)


def test_the_gate_fails_with_findings_not_a_crash(
    project: Path,
    two_files: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _break(monkeypatch, "ENC003", "check")
    monkeypatch.chdir(project)
    status = run_check([str(p) for p in two_files], format="json", select=["ENC003", "SND002"])
    out, err = capsys.readouterr()
    assert status == EXIT_FINDINGS
    assert "Traceback" not in out + err
    codes = sorted(f["code"] for f in json.loads(out)["findings"])
    assert codes == ["ENC003", "ENC003", "SND002"]


def test_smskit_debug_shows_the_real_exception(
    project: Path, two_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _break(monkeypatch, "ENC003", "check")
    monkeypatch.setenv("SMSKIT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        check(two_files, project)


def test_a_failing_audience_rule_is_an_error_finding_too(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smskit.audience_check import add_audience_findings
    from smskit.config import load_config
    from smskit.lint import check_files

    (project / "audience.csv").write_text(
        "phone;first_name\r\n+358401000001;\r\nnot a number;Anna\r\n", encoding="utf-8"
    )
    path = write_campaign(project, "a.yml", audience="audience.csv")
    _break(monkeypatch, "VAR002", "check")
    monkeypatch.chdir(project)
    config = load_config(cwd=project).with_selection(["VAR002", "AUD001"], None)
    result = check_files([path], config)
    add_audience_findings(result, config, None)
    [failed] = [f for f in result.findings if f.code == "VAR002"]
    assert failed.severity is Severity.ERROR and "could not check this file" in failed.message
    assert any(f.code == "AUD001" for f in result.findings)  # the other audience rules ran
