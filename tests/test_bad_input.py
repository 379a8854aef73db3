"""A catalogue of bad input, each through the real CLI in a subprocess.

For every case: the documented exit status (1 for a finding, 2 for a usage or configuration
problem), no traceback, a message that names the file (and line where there is one) and says
what to do, and not one byte changed in the folder.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import NO_ENGINE, VALID_CAMPAIGN, run_cli, snapshot, write_campaign

VALID = VALID_CAMPAIGN.replace("{slug}", "good")
HEAD = "campaign: bad\nbrand: Elisa\nlocale: fi-FI\nsender: Elisa\n"


@dataclass
class Case:
    setup: Callable[[Path], list[str]]  # writes files into the folder, returns CLI arguments
    status: int
    says: tuple[str, ...]  # every one of these appears in the output (stdout + stderr)


def _file(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def write(root: Path) -> Path:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    return write


def campaign(data: bytes | str, *extra: str, name: str = "bad.yml") -> Callable[[Path], list]:
    def setup(root: Path) -> list[str]:
        _file(name, data)(root)
        return ["check", *NO_ENGINE, *extra, name]

    return setup


def with_pack(pack: str | bytes) -> Callable[[Path], list]:
    def setup(root: Path) -> list[str]:
        _file("good.yml", VALID)(root)
        _file("smskit.yml", "packs: [default, ./policy/team.yml]\n")(root)
        _file("policy/team.yml", pack)(root)
        return ["check", *NO_ENGINE, "good.yml"]

    return setup


def with_config(name: str, text: str) -> Callable[[Path], list]:
    def setup(root: Path) -> list[str]:
        _file("good.yml", VALID)(root)
        _file(name, text)(root)
        return ["check", *NO_ENGINE, "good.yml"]

    return setup


def with_args(*args: str) -> Callable[[Path], list]:
    def setup(root: Path) -> list[str]:
        _file("good.yml", VALID)(root)
        return [a.replace("{NO_ENGINE}", ",".join(NO_ENGINE[1:])) for a in args]

    return setup


# A BOM is accepted (YAML allows one); columns on its line are counted without it.
BOM_LINE = (
    "{campaign: bom, brand: Elisa, locale: fi-FI, sender: Elisa, "
    "messages: [{id: a, body: 'Hei\u200b'}]}\n"
)
BOM_AT = f"bad.yml:1:{BOM_LINE.index(chr(0x200B)) + 1}:"


def _nested(depth: int) -> str:
    return HEAD + "messages: " + "[" * depth + "]" * depth + "\n"


def _deep_mapping(depth: int) -> str:
    return HEAD + "messages:\n  - id: a\n    body: " + "{a: " * depth + "x" + "}" * depth + "\n"


def _billion_laughs() -> str:
    lines = [HEAD.rstrip("\n"), 'lol0: &l0 "lol"']
    lines += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 30)]
    lines.append("messages: [{id: a, body: *l29}]")
    return "\n".join(lines) + "\n"


def _symlink_loop(root: Path) -> list[str]:
    os.symlink("loop-b.yml", root / "loop-a.yml")
    os.symlink("loop-a.yml", root / "loop-b.yml")
    return ["check", *NO_ENGINE, "loop-a.yml"]


def _loop_in_folder(root: Path) -> list[str]:
    (root / "campaigns").mkdir()
    (root / "campaigns" / "good.yml").write_text(VALID)
    os.symlink("loop-b.yml", root / "campaigns" / "loop-a.yml")
    os.symlink("loop-a.yml", root / "campaigns" / "loop-b.yml")
    return ["check", *NO_ENGINE, "campaigns"]


def _fifo_in_folder(root: Path) -> list[str]:
    (root / "campaigns").mkdir()
    (root / "campaigns" / "good.yml").write_text(VALID)
    os.mkfifo(root / "campaigns" / "pipe.yml")
    return ["check", *NO_ENGINE, "campaigns"]


def _empty_folder(root: Path) -> list[str]:
    (root / "campaigns" / "drafts").mkdir(parents=True)
    (root / "campaigns" / "notes.txt").write_text("not a campaign\n")
    return ["check", "campaigns"]


def _dir_named_yml(root: Path) -> list[str]:
    (root / "x.yml").mkdir()
    return ["check", "x.yml"]


def _good_and_bad(root: Path) -> list[str]:
    _file("good.yml", VALID)(root)
    _file("bad.yml", HEAD + "messages: [\n")(root)
    return ["check", *NO_ENGINE, "good.yml", "bad.yml"]


CASES: dict[str, Case] = {
    # -- campaign files: a finding with file:line:col, exit 1 ---------------------------
    "broken YAML": Case(
        campaign(HEAD + 'messages:\n  - id: a\n    body: "unclosed\n'),
        1,
        ("bad.yml:8:1:", "CMP001", "not valid YAML"),
    ),
    "bad indentation": Case(
        campaign(HEAD + "messages:\n  - id: a\n   body: x\n"), 1, ("bad.yml:7:", "CMP001")
    ),
    "wrong type": Case(
        campaign(HEAD + "smart_encoding: maybe\nmessages: [{id: a, body: x}]\n"),
        1,
        ("bad.yml:5:17:", "CMP002", "true or false"),
    ),
    "unknown key": Case(
        campaign(HEAD + "mesages: [{id: a, body: x}]\n"),
        1,
        ("bad.yml:5:1:", "CMP002", "did you mean 'messages'"),
    ),
    "duplicate key": Case(
        campaign(HEAD + "sender: Other\nmessages: [{id: a, body: x}]\n"),
        1,
        ("bad.yml:5:1:", "duplicate key 'sender'", "keep one"),
    ),
    "empty file": Case(campaign(b""), 1, ("bad.yml:1:1:", "empty", "campaign")),
    "whitespace-only file": Case(campaign(b"  \n\n   \n"), 1, ("bad.yml:1:1:", "empty")),
    "tab-indented file": Case(
        campaign(b"campaign: x\n\tbrand: Elisa\n"), 1, ("bad.yml:2:1:", "CMP001")
    ),
    "only a document marker": Case(campaign("---\n"), 1, ("bad.yml:", "CMP002", "mapping")),
    "binary file": Case(
        campaign(bytes(range(256)) * 8), 1, ("bad.yml:1:1:", "CMP003", "NUL", "UTF-8")
    ),
    "Latin-1 bytes": Case(
        campaign((HEAD + "messages: [{id: a, body: Käyttäjä}]\n").encode("latin-1")),
        1,
        ("bad.yml:5:27:", "CMP003", "Latin-1", "re-save as UTF-8"),
    ),
    "UTF-16 with BOM": Case(
        campaign(VALID.encode("utf-16")), 1, ("bad.yml:1:1:", "CMP003", "UTF-16", "UTF-8")
    ),
    "UTF-16 without BOM": Case(
        campaign(VALID.encode("utf-16-le")), 1, ("bad.yml:1:1:", "UTF-16", "save it as UTF-8")
    ),
    "UTF-8 BOM, accepted": Case(
        campaign(b"\xef\xbb\xbf" + BOM_LINE.encode()), 1, (BOM_AT, "ENC004", "remove it")
    ),
    "billion laughs": Case(
        campaign(_billion_laughs()),
        1,
        ("bad.yml:5:7:", "CMP002", "anchors and aliases", "write the value out"),
    ),
    "5 MB file": Case(
        campaign(HEAD + "messages: [{id: a, body: '" + "x" * 5_000_000 + "'}]\n"),
        1,
        ("bad.yml:1:1:", "CMP003", "MiB", "1 MiB"),
    ),
    "10,000 nested lists": Case(
        campaign("[" * 10_000 + "]" * 10_000 + "\n"), 1, ("bad.yml:1:65:", "nested", "brackets")
    ),
    "300,000 unclosed brackets": Case(
        campaign("[" * 300_000 + "\n"), 1, ("bad.yml:1:65:", "CMP002", "64 levels")
    ),
    "10,000 nested lists as messages": Case(
        campaign(_nested(10_000)), 1, ("bad.yml:5:", "nested more than 64 levels")
    ),
    "10,000 nested mappings as a body": Case(
        campaign(_deep_mapping(10_000)), 1, ("bad.yml:7:", "nested more than 64 levels")
    ),
    "control characters in values": Case(
        campaign(HEAD.replace("Elisa\n", '"El\\x1b[2Jisa"\n') + "messages: [{id: a, body: x}]\n"),
        1,
        ("bad.yml:4:9:", "SND002", "\\x1b"),
    ),
    "a bad file beside a good one": Case(_good_and_bad, 1, ("bad.yml:6:1:", "of 2 file(s)")),
    "symlink loop inside a folder": Case(
        _loop_in_folder, 1, ("loop-a.yml:1:1:", "CMP003", "symbolic links")
    ),
    "named pipe in a folder": Case(
        _fifo_in_folder, 1, ("campaigns/pipe.yml:1:1:", "CMP003", "not a regular file")
    ),
    # -- command line: one line on stderr, exit 2 -------------------------------------
    "folder with no campaigns": Case(_empty_folder, 2, ("campaigns", "no campaign files")),
    "missing path": Case(with_args("check", "nope.yml"), 2, ("nope.yml", "no such file")),
    "directory named x.yml": Case(_dir_named_yml, 2, ("x.yml", "no campaign files")),
    "symlink loop named": Case(_symlink_loop, 2, ("loop-a.yml", "symbolic link", "fix the link")),
    "bad --format": Case(
        with_args("check", "--format", "xml", "good.yml"), 2, ("'xml'", "text, json, github")
    ),
    "bad --select code": Case(
        with_args("check", "--select", "ENC999", "good.yml"), 2, ("'ENC999'", "smskit rules")
    ),
    "bad --ignore name": Case(
        with_args("check", "--ignore", "no-such-rule", "good.yml"),
        2,
        ("'no-such-rule'", "smskit rules"),
    ),
    "unknown option": Case(with_args("check", "--frmat", "json", "good.yml"), 2, ("--frmat",)),
    "missing --config file": Case(
        with_args("check", "--config", "nope.yml", "good.yml"), 2, ("nope.yml", "not found")
    ),
    "no paths": Case(with_args("check"), 2, ("'paths'", "smskit --help")),
    # -- rule packs and configuration: exit 2 naming the file ----------------------------
    "pack: unknown rule": Case(
        with_pack("rules:\n  ENC999: {severity: error}\n"),
        2,
        ("team.yml", "unknown rule 'ENC999'", "smskit rules"),
    ),
    "pack: unknown option": Case(
        with_pack("rules:\n  LEN001: {budgit: 3}\n"),
        2,
        ("team.yml", "unknown option 'budgit'", "known: budget"),
    ),
    "pack: wrong option type": Case(
        with_pack("rules:\n  LEN001: {budget: three}\n"),
        2,
        ("team.yml", "LEN001", "'budget'", "int"),
    ),
    "pack: bad severity": Case(
        with_pack("rules:\n  ENC004: {severity: fatal}\n"),
        2,
        ("team.yml", "'fatal'", "error, warning or info"),
    ),
    "pack: enabled not a boolean": Case(
        with_pack("rules:\n  ENC004: {enabled: nope}\n"), 2, ("team.yml", "true or false")
    ),
    "pack: not YAML": Case(
        with_pack("rules:\n  ENC004: [severity: error\n"), 2, ("team.yml:3", "not valid YAML")
    ),
    "pack: rules is a list": Case(
        with_pack("rules: [ENC004]\n"), 2, ("team.yml", "'rules' must be a mapping")
    ),
    "pack: a list, not a mapping": Case(
        with_pack("- ENC004\n"), 2, ("team.yml", "must be a mapping")
    ),
    "pack: unknown locale key": Case(
        with_pack("locales:\n  fi: {date_fromat: d.M.yyyy}\n"),
        2,
        ("team.yml", "date_fromat", "known: date_format"),
    ),
    "pack: Latin-1 bytes": Case(
        with_pack("brands:\n  Kesk\xf6: {}\n".encode("latin-1")), 2, ("team.yml", "UTF-8")
    ),
    "config: unknown pack": Case(
        with_config("smskit.yml", "packs: [default, finnish]\n"),
        2,
        ("smskit.yml", "'finnish'", "default, en, fi, sv"),
    ),
    "config: missing pack file": Case(
        with_config("smskit.yml", "packs: [./rules/ours.yml]\n"),
        2,
        ("smskit.yml", "ours.yml", "not found"),
    ),
    "config: unknown key": Case(
        with_config("smskit.yml", "pack: [default]\n"), 2, ("smskit.yml", "'pack'"[1:-1], "packs")
    ),
    "config: packs not a list": Case(
        with_config("smskit.yml", "packs: default\n"), 2, ("smskit.yml", "'packs' must be a list")
    ),
    "config: bad select": Case(
        with_config("smskit.yml", "select: [XYZ1]\n"), 2, ("smskit.yml", "'XYZ1'", "smskit rules")
    ),
    "config: not YAML": Case(
        with_config("smskit.yml", "packs: [default\n"), 2, ("smskit.yml:2", "not valid YAML")
    ),
    "pyproject: not TOML": Case(
        with_config("pyproject.toml", "[tool.smskit]\npacks = [default]\n"),
        2,
        ("pyproject.toml", "[tool.smskit]"),
    ),
    "pyproject: unknown key": Case(
        with_config("pyproject.toml", '[tool.smskit]\nselct = ["ALL"]\n'),
        2,
        ("pyproject.toml", "selct", "allowed: packs, select, ignore"),
    ),
    "pyproject: select not a list": Case(
        with_config("pyproject.toml", '[tool.smskit]\nselect = "ENC"\n'),
        2,
        ("pyproject.toml", "'select' must be a list"),
    ),
}


# An expanded billion-laughs file needs gigabytes: with 768 MiB it would die of MemoryError.
MEMORY_LIMIT = 768 << 20


@dataclass
class Outcome:
    proc: subprocess.CompletedProcess[str]
    before: dict[str, str]
    after: dict[str, str]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every case in its own folder, run side by side (each run is a separate process)."""

    def run(name: str) -> Outcome:
        root = tmp_path_factory.mktemp("bad")
        (root / ".git").mkdir()  # configuration discovery stops here
        args = CASES[name].setup(root)
        before = snapshot(root)
        proc = run_cli(*args, cwd=root, timeout=60, memory_limit=MEMORY_LIMIT)
        return Outcome(proc, before, snapshot(root))

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(CASES, pool.map(run, CASES), strict=True))


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(outcomes: dict[str, Outcome], name: str) -> None:
    case, outcome = CASES[name], outcomes[name]
    proc = outcome.proc
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output
    assert "internal error" not in output, output
    assert proc.returncode == case.status, output
    for words in case.says:
        assert words in output, f"{words!r} not in:\n{output}"
    if case.status == 2:
        # Usage and configuration problems: one line on stderr, nothing else.
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("smskit: error: ")
    else:
        assert proc.stderr == ""
    assert outcome.after == outcome.before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(project: Path) -> None:
    path = write_campaign(project, "locked.yml", text=VALID)
    path.chmod(0)
    try:
        proc = run_cli("check", *NO_ENGINE, "locked.yml", cwd=project)
    finally:
        path.chmod(0o644)
    assert proc.returncode == 1
    assert "locked.yml:1:1:" in proc.stdout and "CMP003" in proc.stdout
    assert "Permission denied" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr


def test_the_catalogue_is_big_enough() -> None:
    assert len(CASES) >= 20
