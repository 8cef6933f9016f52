"""The house checks run with the tests, so CI (which runs the README's test command) fails on them.

`ruff` (lint and format) over every Python tree of the repository, and `mypy` over
`duo_tui/` with the settings in pyproject.toml. Each skips, saying why, only when
the tool is not installed (both are in the `test` extra).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TREES = [t for t in ("duo_tui", "tests", "benchmarks") if (ROOT / t).is_dir()]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def _need(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")


def test_ruff_lint_is_clean() -> None:
    _need("ruff")
    done = _run("ruff", "check", "--output-format", "concise", *TREES)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    _need("ruff")
    done = _run("ruff", "format", "--check", *TREES)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_the_package() -> None:
    _need("mypy")
    done = _run("mypy", "duo_tui")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
