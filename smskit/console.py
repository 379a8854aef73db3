"""The `smskit` console script (and ``python -m smskit``).

Typer, with the click it carries, takes about 50 ms to import and to build a command — a
quarter of checking one campaign file, run in every pre-commit hook and CI step. So a plain
``smskit check`` is read here with argparse and run straight away; everything else (another
command, ``--help``, anything this parser does not take exactly as click would) goes to the
Typer application in :mod:`smskit.cli`, which stays the one definition of the command line:
its help, its errors. ``tests/test_console.py`` holds the two parsers to the same options and
the same readings.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from pathlib import Path
from typing import Any

# `smskit check`'s options as smskit.cli declares them: the value-taking ones and the flags.
VALUE_OPTIONS = ("--format", "--select", "--ignore", "--audience", "--config")
FLAGS = ("--strict", "--no-strict", "--fix", "--unsafe-fixes", "--diff", "--color", "--no-color")


def main(argv: list[str] | None = None) -> None:
    # At exit the interpreter runs a last full garbage collection over every object still
    # alive: all the modules and, after a check, every campaign's node tree (a tenth of the
    # time a check of 1,000 files takes). Nothing then needs collecting, so freeze it all
    # first. (atexit handlers run before that collection; an in-process caller keeps its
    # collector until its own exit.)
    atexit.register(gc.freeze)
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["check"]:
        options = parse_check(args[1:])
        if options is not None:
            _run_check(options)
    from smskit.cli import main as typer_main

    typer_main(args)


def _run_check(options: dict[str, Any]) -> None:
    # The same outcomes as smskit.cli.main gives a check run through Typer.
    from smskit.check_command import command_outcomes, run_check

    # The collector is off during the check (see run_check), and afterwards everything the
    # check made is frozen before it is switched on again: its first pass would otherwise
    # walk all of it, just before the process ends.
    gc.disable()
    try:
        with command_outcomes():
            status = run_check(**options)
    finally:
        gc.freeze()
        gc.enable()
    sys.exit(status)


class _NotPlain(Exception):
    """The command line is not one this parser reads exactly as click would."""


def parse_check(args: list[str]) -> dict[str, Any] | None:
    """``run_check``'s arguments from ``smskit check ARGS``, or None to let Typer read them."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> Any:  # instead of printing usage and exiting
            raise _NotPlain(message)

    # Where argparse reads differently from click, leave the reading to click: a word that
    # looks like an option but is none ("-5.yml" is a path to argparse), "-f=json" (click
    # reads the value "=json"), "--" (argparse drops it after the first one as well).
    for i, arg in enumerate(args):
        if arg == "--":
            return None
        if arg.startswith("-") and arg != "-":
            name = arg.split("=", 1)[0]
            short_format = arg[:2] == "-f" and arg[2:3] != "="  # "-f json", "-fjson"
            if not (name in VALUE_OPTIONS or name in FLAGS or short_format):
                return None
            if name in FLAGS and "=" in arg:
                return None
            if name in VALUE_OPTIONS and "=" not in arg and i + 1 == len(args):
                return None

    # A fixed width: argparse's own formatter asks shutil for the terminal's, and importing
    # shutil (with bz2 and lzma) costs a few milliseconds of a start-up that prints no help.
    parser = Parser(
        prog="smskit check",
        add_help=False,
        allow_abbrev=False,
        formatter_class=lambda prog: argparse.HelpFormatter(prog, width=100),
    )
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--format", "-f")
    parser.add_argument("--select", action="append")
    parser.add_argument("--ignore", action="append")
    parser.add_argument("--strict", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--fix", action="store_true")
    parser.add_argument("--unsafe-fixes", action="store_true")
    parser.add_argument("--diff", action="store_true")
    parser.add_argument("--audience", type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--color", action=argparse.BooleanOptionalAction, default=None)
    try:
        options = vars(parser.parse_intermixed_args(args))
    except _NotPlain:
        return None
    for path in (options["audience"], options["config"]):
        # click refuses a path that exists but cannot be read, with its own message.
        if path is not None and os.path.exists(path) and not os.access(path, os.R_OK):
            return None
    return options
