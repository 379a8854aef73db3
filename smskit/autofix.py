"""``check --fix`` / ``--diff``: apply eligible fixes, re-check, repeat until nothing changes."""

from __future__ import annotations

import difflib
from pathlib import Path

from smskit.config import Config
from smskit.fixer import FixFailed, eligible, fixed_source, write_atomic
from smskit.lint import CheckResult, check_files

MAX_PASSES = 5


def run_fixes(
    result: CheckResult, files: list[Path], config: Config, *, unsafe: bool, write: bool
) -> tuple[CheckResult, str, list[str]]:
    """The result after fixing; a unified diff (``write=False``) or a summary; and a line for
    each file whose fixes could not be applied (in either mode: a diff must not hide them).

    With ``write=False`` nothing touches the disk: passes run on in-memory text.
    """
    originals: dict[str, str] = {c.display: c.source for c in result.campaigns}
    current = dict(originals)
    fixed_count, failures = 0, []
    for _ in range(MAX_PASSES):
        todo = eligible(result.findings, unsafe)
        if not todo:
            break
        changed_any = False
        for campaign in result.campaigns:
            fixes = [f.fix for f in todo if f.file == campaign.display and f.fix is not None]
            if not fixes:
                continue
            try:
                new = fixed_source(campaign, fixes)
            except FixFailed as e:
                failures.append(f"{campaign.display}: could not apply fixes: {e}")
                continue
            if new != campaign.source:
                current[campaign.display] = new
                fixed_count += len(fixes)
                changed_any = True
                if write:
                    write_atomic(campaign.path, new)
        if not changed_any:
            break
        result = _recheck(files, config, current, write)
    if not write:
        diff = []
        for display, text in current.items():
            if text != originals[display]:
                diff.extend(
                    difflib.unified_diff(
                        originals[display].splitlines(keepends=True),
                        text.splitlines(keepends=True),
                        f"a/{display}",
                        f"b/{display}",
                    )
                )
        return result, "".join(diff), failures
    return result, f"Fixed {fixed_count} finding(s)." if fixed_count else "", failures


def _recheck(files: list[Path], config: Config, texts: dict[str, str], wrote: bool) -> CheckResult:
    return check_files(files, config, None if wrote else texts)
