"""Fixtures of the `duo_tui.core.edits` tests: a repository holding the corpus's base files."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import BASE, write_tree


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    write_tree(root, BASE)
    return root
