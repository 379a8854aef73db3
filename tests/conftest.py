"""Fixtures shared by the test files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI gates a pull request: there the properties run a fixed series of examples (the same on
# every run, no example database), so a failure is reproducible and not a matter of luck.
# Elsewhere they explore anew each run and remember what failed.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A temporary repository root: the ``.git`` folder stops configuration discovery here."""
    (tmp_path / ".git").mkdir()
    return tmp_path


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """smskit's disk cache (smskit.cache) goes to a temporary folder, never the user's ~/.cache.

    Set in the environment, so that the CLI run in subprocesses uses it too.
    """
    before = os.environ.get("SMSKIT_CACHE_DIR")
    os.environ["SMSKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("smskit-cache"))
    yield
    if before is None:
        del os.environ["SMSKIT_CACHE_DIR"]
    else:
        os.environ["SMSKIT_CACHE_DIR"] = before
