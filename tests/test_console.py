"""The console script's fast path for `smskit check` reads every command line as Typer does."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.main import get_command

from smskit import cli, console
from tests.helpers import VALID_CAMPAIGN, run_cli, write_campaign


def _typer_check() -> Any:
    """The click command Typer builds for `smskit check` (click is Typer's own copy)."""
    return get_command(cli._app_for(["check"])).commands["check"]


def _typer_reading(args: list[str]) -> dict | None:
    """What the Typer command passes to run_check for ``args``; None if click refuses them."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # --help prints
            ctx = _typer_check().make_context("check", list(args))
    except Exception as e:  # click's usage errors and its exit after --help carry exit_code
        if not hasattr(e, "exit_code"):
            raise
        return None
    params = dict(ctx.params)
    params["paths"] = list(params["paths"])
    for name in ("select", "ignore"):
        params[name] = list(params[name]) or None
    for name in ("audience", "config"):
        params[name] = Path(params[name]) if params[name] is not None else None
    return params


def test_the_fast_parser_knows_exactly_the_options_typer_declares():
    declared_values, declared_flags = set(), set()
    for param in _typer_check().params:
        if param.param_type_name == "option":
            names = {*param.opts, *param.secondary_opts} - {"-f"}
            (declared_flags if param.is_flag else declared_values).update(names)
    assert declared_values == set(console.VALUE_OPTIONS)
    assert declared_flags == set(console.FLAGS)


_TOKENS = st.sampled_from(
    [
        "a.yml", "dir/", "-", "--", "-5.yml", "x=y.yml",
        "--format", "--format=json", "-f", "-fjson", "-f=json", "json", "",
        "--select", "--select=ENC", "ENC003,LEN", "--ignore", "--ignore=BUR001",
        "--strict", "--no-strict", "--strict=1", "--fix", "--unsafe-fixes", "--diff",
        "--color", "--no-color", "--audience", "--config", "--config=c.yml", "c.yml",
        "--help", "-h", "--form", "--unknown", "-x",
    ]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_TOKENS, max_size=8))
def test_the_fast_parser_reads_what_typer_reads_or_leaves_it_to_typer(args):
    fast = console.parse_check(args)
    if fast is not None:  # a reading of its own: the very one Typer would make
        assert fast == _typer_reading(args), args


_UNITS = st.one_of(
    st.sampled_from(["a.yml", "campaigns/", "x y.yml", "ä.yml", "-", "=.yml"]).map(lambda p: [p]),
    st.tuples(
        st.sampled_from(["--format", "--select", "--ignore", "--audience", "--config", "-f"]),
        st.sampled_from(["json", "ENC003,LEN", "x.csv", "", "a=b"]),
        st.booleans(),
    ).map(lambda t: [f"{t[0]}={t[1]}"] if t[2] and t[0] != "-f" else [t[0], t[1]]),
    st.sampled_from(console.FLAGS).map(lambda f: [f]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_UNITS, min_size=1, max_size=8).map(lambda units: [a for u in units for a in u]))
def test_well_formed_command_lines_are_read_here_as_typer_reads_them(args):
    typer = _typer_reading(args)
    if typer is not None:
        assert console.parse_check(args) == typer, args


@pytest.mark.parametrize(
    "args",
    [
        ["a.yml"],
        ["a.yml", "b.yml", "--format", "json", "--strict"],
        ["--select", "ENC003", "a.yml", "--select=LEN001", "--ignore", "BUR001", "b/"],
        ["-fjson", "--no-color", "--fix", "--unsafe-fixes", "--diff", "a.yml"],
        ["--config", "smskit.yml", "--audience", "people.csv", "a.yml", "-"],
    ],
)
def test_plain_command_lines_take_the_fast_path(args):
    assert console.parse_check(args) is not None
    assert console.parse_check(args) == _typer_reading(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["a.yml", "--bogus"],
        ["-f=json", "a.yml"],
        ["a.yml", "--format"],
        ["--", "a.yml"],
    ],
)
def test_anything_else_is_left_to_typer(args):
    assert console.parse_check(args) is None


def test_a_plain_check_does_not_load_typer(project):
    path = write_campaign(project, "spring.yml", text=VALID_CAMPAIGN)
    code = (
        "import sys\n"
        "from smskit.console import main\n"
        f"sys.argv = ['smskit', 'check', {str(path)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    print('exit', e.code, 'typer' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project)
    assert out.stdout.splitlines()[-1] == "exit 0 False", out.stdout + out.stderr


def test_help_and_mistakes_still_come_from_typer(project):
    helped = run_cli("check", "--help", cwd=project)
    assert helped.returncode == 0 and "Usage: smskit check [OPTIONS]" in helped.stdout
    wrong = run_cli("check", "a.yml", "--strickt", cwd=project)
    assert wrong.returncode == 2
    assert "No such option: --strickt" in wrong.stderr and "smskit --help" in wrong.stderr


def test_both_paths_give_the_same_output(project):
    path = write_campaign(project, "spring.yml", text=VALID_CAMPAIGN)
    bad = write_campaign(project, "bad.yml", text="campaign: [unclosed\n")
    args = ["check", str(path), str(bad), "--format", "json"]
    fast = run_cli(*args, cwd=project)
    code = f"from smskit.cli import main; main({args!r})"
    slow = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )
    assert fast.returncode == 1 and '"CMP001"' in fast.stdout


@pytest.mark.parametrize("enabled", [True, False])
def test_run_check_leaves_the_collector_as_it_found_it(project, enabled):
    import gc

    from smskit.check_command import run_check

    path = write_campaign(project, "spring.yml", text=VALID_CAMPAIGN)
    (gc.enable if enabled else gc.disable)()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            assert run_check([str(path)]) == 0
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
