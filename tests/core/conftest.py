"""Fixtures for the core behaviour tests: a demo repository and git that works anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from duo_tui.service import create_demo_repo


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No global/system git config; a fixed identity so commits work on any machine."""
    home = tmp_path_factory.mktemp("gitglobal")
    cfg = home / "gitconfig"
    cfg.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Author")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "author@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Author")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "author@example.com")
    # The user's own config directory must not change the tests' configuration.
    monkeypatch.setenv("DUO_TUI_CONFIG_DIR", str(home / "duo-config"))


@pytest.fixture
def demo_repo(tmp_path: Path) -> Path:
    """A fresh git repository holding the demo project (one commit on main)."""
    return create_demo_repo(tmp_path / "repo")


@pytest.fixture(autouse=True)
def fast_redaction(monkeypatch: pytest.MonkeyPatch, isolated_git: None) -> None:
    """Compute the secret values once per test instead of once per redacted string.

    `redact()` rescans os.environ for every string it sees, and a session save
    redacts thousands of strings: that alone is most of a demo run's time. The
    environment does not change inside a test (after `isolated_git`), so the
    values, and therefore what gets redacted, are the same.
    """
    import duo_tui.redact as redact_mod

    values = redact_mod.secret_values()
    monkeypatch.setattr(redact_mod, "secret_values", lambda: list(values))
