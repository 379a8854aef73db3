"""Shared test helpers: campaign files in a temporary folder, the CLI in a subprocess, checks."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from smskit.config import load_config
from smskit.lint import CheckResult, check_files

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"

# The encoding engine (smskit.encoding) is written on another branch; until it is merged the
# rules that need it are left out of CLI runs and in-process checks.
HAS_ENGINE = importlib.util.find_spec("smskit.encoding") is not None


def _rules_importing(module: str) -> tuple[str, ...]:
    from smskit.rules import all_rules

    return tuple(
        code
        for code, rule in all_rules().items()
        if module in Path(rule.module.__file__).read_text(encoding="utf-8")
    )


ENGINE_RULES = _rules_importing("smskit.encoding")
NO_ENGINE = () if HAS_ENGINE else ("--ignore", ",".join(ENGINE_RULES))

# The rules of the core issue. Tests that expect an exact set of findings select these, so
# that rules added later (sign-offs, dates, …) do not change what they see.
CORE_RULES = tuple(
    code
    for code in (
        *("CMP001", "CMP002", "CMP003", "CMP004", "SUP001", "SUP002"),
        *("ENC003", "ENC004", "LEN001", "LEN002", "SND002"),
    )
    if HAS_ENGINE or code not in ENGINE_RULES
)
CORE = ("--select", ",".join(CORE_RULES))

VALID_CAMPAIGN = """\
# A minimal valid campaign: every required key, nothing any rule objects to.
campaign: {slug}
brand: Elisa
locale: fi-FI
sender: Elisa
messages:
  - id: intro
    body: Hei! Tervetuloa asiakkaaksi.
"""

DEFAULT_FIELDS: dict[str, Any] = {
    "brand": "Elisa",
    "locale": "fi-FI",
    "sender": "Elisa",
    "messages": [{"id": "intro", "body": "Hei! Tervetuloa asiakkaaksi."}],
}


def write_campaign(tmp_path: Path, name: str = "campaign.yml", text: str | None = None, **fields):
    """Write a campaign file and return its path.

    ``text`` is written as it is (``{slug}`` is filled in from the file name); otherwise the
    file is the default valid campaign with ``fields`` replacing or adding top-level keys (a
    field set to ``None`` is left out). Nested folders in ``name`` are created.
    """
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    slug = Path(name).stem.lower().replace("_", "-").replace(".", "-")
    if text is None:
        data = {"campaign": slug, **DEFAULT_FIELDS, **fields}
        data = {k: v for k, v in data.items() if v is not None}
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    elif "{slug}" in text:
        text = text.replace("{slug}", slug)
    path.write_text(text, encoding="utf-8", newline="")
    return path


# Sets an address-space limit in the child itself, then becomes ``python -m smskit``.
# (subprocess's preexec_fn would do it between fork and exec, which can deadlock when the
# test runs CLI processes from several threads.)
_LIMITED = (
    "import os, resource, sys; "
    "n = int(sys.argv[1]); resource.setrlimit(resource.RLIMIT_AS, (n, n)); "
    "os.execv(sys.executable, [sys.executable, '-m', 'smskit', *sys.argv[2:]])"
)


def run_cli(
    *args: str | os.PathLike,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 60,
    memory_limit: int | None = None,
    **popen: Any,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m smskit ARGS`` as a user would; GITHUB_ACTIONS is unset unless given.

    ``memory_limit`` caps the process's address space in bytes; ``popen`` goes to
    ``subprocess.run``.
    """
    full_env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SMSKIT_DEBUG")}
    full_env.update(env or {})
    prefix = ["-m", "smskit"] if memory_limit is None else ["-c", _LIMITED, str(memory_limit)]
    return subprocess.run(
        [sys.executable, *prefix, *map(str, args)],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        **popen,
    )


def check(paths: list[Path | str], cwd: Path, **selection: list[str] | None) -> CheckResult:
    """Check files in-process with the configuration found from ``cwd``.

    ``select``/``ignore`` work as on the command line (``select`` defaults to the core rules);
    without the engine its rules are ignored.
    """
    with contextlib.chdir(cwd):
        config = load_config(cwd=cwd)
        ignore = list(selection.get("ignore") or [])
        if not HAS_ENGINE:
            ignore += ENGINE_RULES
        select = selection.get("select", list(CORE_RULES))
        config = config.with_selection(select, ignore or None)
        return check_files([Path(p) for p in paths], config)


def codes(result: CheckResult) -> list[str]:
    return [f.code for f in result.findings]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (links not followed) with a hash of its bytes and its mode."""
    out = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            rel = str(path.relative_to(folder))
            if path.is_symlink():
                out[rel] = "link->" + os.readlink(path)
                continue
            if not stat.S_ISREG(path.lstat().st_mode):  # a pipe: reading it would block
                out[rel] = f"special:{path.lstat().st_mode:o}"
                continue
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as e:
                digest = f"unreadable:{e.errno}"
            out[rel] = f"{digest}:{path.stat().st_mode:o}"
    return out
