"""Fixtures shared by the test files."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A temporary repository root: the ``.git`` folder stops configuration discovery here."""
    (tmp_path / ".git").mkdir()
    return tmp_path
