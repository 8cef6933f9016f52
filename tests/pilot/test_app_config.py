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


async def test_checkpoint_hints_name_the_remapped_keys(user_config: Path, tmp_path: Path) -> None:
    from duo_tui.ui.app import DuoApp

    from ._helpers import at_checkpoint, press_decision, wait_for

    user_config.write_text(
        '[ui]\nkeys = { accept = "f5", reject = "f6", rerun = "f7", maximize = "f9" }\n'
    )
    app = DuoApp(demo=True, repo=tmp_path / "demo", pace=0)
    async with app.run_test(size=(160, 48)) as pilot:
        wb = await at_checkpoint(pilot, app)
        await wait_for(pilot, lambda: "f5 accept" in wb._bar_text, timeout=10, what="f5 accept")
        bar = wb._bar_text
        assert "f6 reject" in bar and "f7 rerun" in bar and "e edit" in bar
        assert "a accept" not in bar and "x reject" not in bar
        # the key the hint names is the key that decides
        await press_decision(pilot, wb, "f5")
        assert wb.decisions_sent[-1].action == "accept"
        # the running bar's zoom key is the remapped one too
        assert wb._key("maximize_pane") == "f9"
