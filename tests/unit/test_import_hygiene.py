"""The domain core never imports Textual; the triage command never imports an SDK."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import duo_tui

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(duo_tui.__path__, "duo_tui.")
    if not m.name.startswith("duo_tui.ui") and m.name not in {"duo_tui.__main__"}
)


def _loaded(module: str, probes: list[str]) -> list[str]:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        f"print(','.join(p for p in {probes!r} if p in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [p for p in out.stdout.strip().split(",") if p]


def test_there_are_core_modules_to_check() -> None:
    assert "duo_tui.core.runner" in CORE_MODULES
    assert "duo_tui.store.session_store" in CORE_MODULES
    assert not any(m.startswith("duo_tui.ui") for m in CORE_MODULES)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    assert _loaded(module, ["textual"]) == []


@pytest.mark.parametrize(
    "module",
    [
        "duo_tui.cli",
        "duo_tui.triage_command",
        "duo_tui.core.triage",
        "duo_tui.core.pipeline",
        "duo_tui.providers.registry",
        "duo_tui",
    ],
)
def test_no_sdk_is_imported_eagerly(module: str) -> None:
    assert _loaded(module, ["anthropic", "openai", "litellm", "textual"]) == []


def test_the_ui_app_import_does_not_pull_sdks() -> None:
    assert _loaded("duo_tui.ui.app", ["anthropic", "openai", "litellm"]) == []


def test_first_screen_imports_nothing_heavy() -> None:
    """What the first frame needs (app + workbench) loads no pydantic, SDK, git, lexer registry
    or TextArea: each of those costs tens of milliseconds of start-up."""
    code = (
        "import sys; import duo_tui.ui.app, duo_tui.ui.screens.workbench; "
        "print(','.join(m for m in ('pydantic', 'pydantic_core', 'anthropic', 'openai', 'litellm', "
        "'git', 'httpx', 'pygments.lexers', 'textual.widgets._text_area', 'duo_tui.core.models') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
