"""A non-editable install carries everything the app reads at run time."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT), "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{proc.stderr[-2000:]}")
    wheel = next(out.glob("duo_tui-*.whl"))
    unpacked = out / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    return unpacked


def test_wheel_ships_runtime_files(wheel_dir: Path) -> None:
    pkg = wheel_dir / "duo_tui"
    for rel in [
        "themes/duo-dark.toml",
        "themes/duo-light.toml",
        "themes/duo-high-contrast.toml",
        "ui/styles/app.tcss",
        "prompts/plan.md",
        "prompts/review.md",
        "demo/project.py",
        "demo/script.py",
    ]:
        assert (pkg / rel).is_file(), rel


def test_installed_package_finds_its_themes_prompts_and_demo(
    wheel_dir: Path, tmp_path: Path
) -> None:
    code = (
        f"import duo_tui, pathlib; assert str(pathlib.Path(duo_tui.__file__)).startswith({str(wheel_dir)!r}), duo_tui.__file__\n"
        "from duo_tui.ui.themes import load_themes, builtin_theme_dirs\n"
        "themes, problems = load_themes(builtin_theme_dirs())\n"
        "assert {'duo-dark', 'duo-light', 'duo-high-contrast'} <= {t.name for t in themes}, problems\n"
        "from duo_tui.prompts import render\n"
        "assert 'VERDICT' in render('align', plan='p', repo_overview='')\n"
        "from duo_tui.core.reviews import REVIEW_SCHEMA\n"
        "assert REVIEW_SCHEMA['title'] == 'duo review v1'\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(wheel_dir), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
