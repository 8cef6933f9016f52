"""The layers hold: `lint-imports` keeps the import-linter contracts in pyproject.toml.

The domain (core, providers, vcs, store and every other non-UI module) never
imports `duo_tui.ui` or Textual; the render speed-ups in `duo_tui.ui.perf` import
no screen, widget or app (see ARCHITECTURE.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

UI_SIDE = {"ui", "cli", "__main__", "__init__"}
"""Top-level modules allowed to reach the UI: the UI, the CLI that launches it, the root."""


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_lint_imports_keeps_every_contract() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    run = subprocess.run(
        [exe, "--no-cache"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_every_top_level_module_but_the_ui_side_is_under_the_domain_contract() -> None:
    """A module added at the top level is checked too (or this names it)."""
    domain = next(c for c in _contracts() if "duo_tui.ui" in c["forbidden_modules"])  # type: ignore[operator]
    covered = {str(m).removeprefix("duo_tui.") for m in domain["source_modules"]}  # type: ignore[attr-defined]
    package = ROOT / "duo_tui"
    top = {p.stem for p in package.glob("*.py")} | {
        p.name for p in package.iterdir() if (p / "__init__.py").is_file()
    }
    assert sorted(top - UI_SIDE - covered) == []
    assert {"textual", "duo_tui.ui"} <= set(domain["forbidden_modules"])  # type: ignore[arg-type]


def test_every_screen_is_under_the_screens_contract() -> None:
    """A new screen module is kept apart from the others too (or this names it)."""
    screens = next(c for c in _contracts() if str(c["name"]).startswith("Screens do not import"))
    covered = {str(m).removeprefix("duo_tui.ui.screens.") for m in screens["source_modules"]}  # type: ignore[attr-defined]
    on_disk = {p.stem for p in (ROOT / "duo_tui" / "ui" / "screens").glob("*.py")}
    # the shared base and the screen that opens the others
    assert sorted(on_disk - covered - {"__init__", "dialogs", "workbench"}) == []
    assert covered <= {
        str(m).removeprefix("duo_tui.ui.screens.") for m in screens["forbidden_modules"]
    }  # type: ignore[attr-defined]
    # screens reach each other through the app (the help is opened with `app.help`, the
    # eval detail by a message the app handles): no import between two screens is let by
    assert screens.get("ignore_imports", []) == []


def test_every_workbench_module_is_a_layer() -> None:
    """A new module of the workbench package takes its place in the layers (or this names it)."""
    layers = next(c for c in _contracts() if c["type"] == "layers")
    named = {str(m).removeprefix("duo_tui.ui.workbench.") for m in layers["layers"]}  # type: ignore[attr-defined]
    on_disk = {p.stem for p in (ROOT / "duo_tui" / "ui" / "workbench").glob("*.py")}
    assert sorted(on_disk - named - {"__init__"}) == []
