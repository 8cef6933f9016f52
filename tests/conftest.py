"""Shared test set-up: git works without a global identity; user config and cache are isolated.

Tests marked ``perf`` assert wall-clock limits, which a loaded CI machine breaks
for no fault of the code: they are skipped, with their reason in the summary,
unless ``DUO_TUI_PERF=1``. The behaviour they time is tested unmarked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_PERF_SKIP = "wall-clock limit (perf marker): set DUO_TUI_PERF=1 to run"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("DUO_TUI_PERF") == "1":
        return
    skip = pytest.mark.skip(reason=_PERF_SKIP)
    for item in items:
        if item.get_closest_marker("perf") is not None:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = [
        r for r in terminalreporter.stats.get("skipped", []) if _PERF_SKIP in str(r.longrepr)
    ]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} perf test(s) skipped: {_PERF_SKIP}")


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = duo test\n\temail = test@duo-tui.invalid\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("DUO_TUI_CONFIG_DIR", str(home / "duo-config"))
    # the judge's and eval's caches: a test never reads another's (or the developer's)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    from duo_tui.service import create_demo_repo

    return create_demo_repo(tmp_path / "demo")
