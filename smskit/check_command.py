"""What `smskit check` does once its command line is read: check, fix, report, exit status.

Shared by the Typer command in :mod:`smskit.cli` and by the console script's fast path
(:mod:`smskit.console`), which runs a plain check without loading Typer. Nothing here imports
Typer or the CLI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from smskit.gc_pause import collector_paused

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def error(message: str) -> None:
    """A usage or configuration problem, as one line on stderr."""
    sys.stderr.write(f"smskit: error: {message}\n")


def internal_error(e: Exception) -> NoReturn:
    """A bug: one line on stderr and status 3 (the traceback with SMSKIT_DEBUG=1)."""
    if os.environ.get("SMSKIT_DEBUG"):
        raise e
    sys.stderr.write(
        f"smskit: internal error: {type(e).__name__}: {e} "
        "(this is a bug in smskit; rerun with SMSKIT_DEBUG=1 for details)\n"
    )
    sys.exit(3)


def split_codes(values: list[str] | None) -> list[str] | None:
    """--select/--ignore values, each possibly a comma-separated list."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@contextmanager
def command_outcomes(*interrupts: type[BaseException]) -> Iterator[None]:
    """How a command ends when it does not return: Ctrl-C (or ``interrupts``) is one line and
    status 130, a closed output pipe status 1, anything else an internal error (status 3)."""
    try:
        yield
    except (KeyboardInterrupt, *interrupts):
        sys.stderr.write("smskit: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_FINDINGS)
    except Exception as e:
        internal_error(e)


@collector_paused()
def run_check(
    paths: list[str],
    format: str | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    strict: bool = False,
    fix: bool = False,
    unsafe_fixes: bool = False,
    diff: bool = False,
    audience: Path | None = None,
    config: Path | None = None,
    color: bool | None = None,
) -> int:
    """Check campaign files against the rules, print the findings; the exit status."""
    from smskit.config import ConfigError, load_config
    from smskit.lint import UsageError, check_files, discover
    from smskit.report import FORMATS, render

    fmt = format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if fmt not in FORMATS:
        error(f"unknown --format '{fmt}'; use one of: {', '.join(FORMATS)}")
        return EXIT_USAGE
    try:
        cfg = load_config(config).with_selection(split_codes(select), split_codes(ignore))
        files = discover(paths)
    except (ConfigError, UsageError) as e:
        error(str(e))
        return EXIT_USAGE
    result = check_files(files, cfg)
    if audience is not None or any(c.audience for c in result.campaigns):
        from smskit.audience_check import add_audience_findings

        try:
            add_audience_findings(result, cfg, audience)
        except (ConfigError, UsageError) as e:
            error(str(e))
            return EXIT_USAGE
    if fix or diff or unsafe_fixes:
        from smskit.autofix import run_fixes

        result, changed, failures = run_fixes(
            result, files, cfg, unsafe=unsafe_fixes, write=not diff
        )
        for line in failures:
            sys.stderr.write(line + "\n")
        if diff:
            sys.stdout.write(changed)
            return EXIT_FINDINGS if changed else EXIT_OK
        if changed:
            sys.stderr.write(changed + "\n")
    print(render(result, fmt, color=use_color(color)))
    failing = result.errors + (result.warnings if strict else 0)
    return EXIT_FINDINGS if failing else EXIT_OK
