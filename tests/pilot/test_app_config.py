"""Keys can be remapped and themes switched from the configuration and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pilot._helpers import wait_for
from tests.snapshot.replay import replay_app


@pytest.fixture
def user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cfg"
    d.mkdir()
    monkeypatch.setenv("DUO_TUI_CONFIG_DIR", str(d))
    return d / "config.toml"


async def test_remapped_accept_key_and_config_theme(user_config: Path) -> None:
    user_config.write_text('[ui]\ntheme = "duo-light"\nkeys = { accept = "f5" }\n')
    app = replay_app([])
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.theme == "duo-light", what="the configured theme")
        bindings = {
            b.binding.id: b.binding.key for b in app.screen.active_bindings.values() if b.binding.id
        }
        assert bindings.get("accept") == "f5"


async def test_theme_flag_wins_and_bad_theme_is_reported(user_config: Path) -> None:
    themes = user_config.parent / "themes"
    themes.mkdir()
    (themes / "broken.toml").write_text("name = 'broken'\nprimary = 'not-a-colour'\n")
    app = replay_app([], theme_name="duo-high-contrast")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot,
            lambda: any("broken.toml" in p for p in app.theme_problems),
            what="the user's theme files to be read",
        )
        assert app.theme == "duo-high-contrast"
        await pilot.press("ctrl+t")
        assert app.theme != "duo-high-contrast"
