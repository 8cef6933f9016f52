"""Theme files: the shipped ones load, bad files are reported and skipped, user themes win."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color

from duo_tui.ui import themes
from duo_tui.ui.theme_schema import REQUIRED_VARIABLES
from duo_tui.ui.themes import (
    ThemeProblem,
    builtin_theme_dirs,
    duo_variable_defaults,
    load_themes,
    register_themes,
    theme_dirs,
)
from duo_tui.ui.widgets import DiffView, FindingList, StageRail, StreamPane

SHIPPED = {"duo-dark", "duo-light", "duo-high-contrast"}

GOOD = """
name = "my-theme"
dark = true
primary = "#112233"
secondary = "#223344"
accent = "#ffaa00"
foreground = "#eeeeee"
background = "#000000"
surface = "#111111"
panel = "#222222"
boost = "#ffffff0a"
warning = "#ffaa00"
error = "#ff0000"
success = "#00ff00"

[variables]
""" + "\n".join(f'{name} = "#808080"' for name in REQUIRED_VARIABLES)


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_themes_load_without_problems() -> None:
    loaded, problems = load_themes(builtin_theme_dirs())
    assert problems == []
    assert {theme.name for theme in loaded} == SHIPPED
    for theme in loaded:
        for name in REQUIRED_VARIABLES:
            Color.parse(theme.variables[name])
        # optional duo colours are always filled in (explicitly or derived)
        assert "duo-syntax-keyword" in theme.variables
        assert "duo-diff-added" in theme.variables


def test_builtin_dir_is_the_checkout_themes_folder() -> None:
    dirs = builtin_theme_dirs()
    assert len(dirs) == 1
    assert (dirs[0] / "duo-dark.toml").is_file()


def test_bad_files_are_reported_and_skipped(tmp_path: Path) -> None:
    _write(tmp_path, "good.toml", GOOD)
    bad_colour = _write(tmp_path, "bad-colour.toml", GOOD.replace('"#112233"', '"not-a-colour"'))
    missing = _write(
        tmp_path,
        "missing.toml",
        GOOD.replace('duo-agree = "#808080"', "").replace("my-theme", "m2"),
    )
    bad_toml = _write(tmp_path, "broken.toml", "name = [unclosed")
    typo = _write(
        tmp_path, "typo.toml", GOOD.replace("primary =", "primray =").replace("my-", "t-")
    )
    _write(tmp_path, "ignored.txt", "not a theme")

    loaded, problems = load_themes([tmp_path, tmp_path / "does-not-exist"])

    assert [theme.name for theme in loaded] == ["my-theme"]
    by_file = {problem.path: problem.message for problem in problems}
    assert set(by_file) == {bad_colour, missing, bad_toml, typo}
    assert "primary" in by_file[bad_colour] and "not-a-colour" in by_file[bad_colour]
    assert "duo-agree" in by_file[missing]
    assert "TOML" in by_file[bad_toml]
    assert "primray" in by_file[typo]
    assert all(isinstance(problem, ThemeProblem) for problem in problems)
    assert str(problems[0]).startswith(str(problems[0].path))


def test_bad_duo_variable_value_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.toml", GOOD.replace('duo-high = "#808080"', 'duo-high = "blurple"'))
    _, problems = load_themes([tmp_path])
    assert [p.path for p in problems] == [path]
    assert "duo-high" in problems[0].message


def test_user_dir_themes_are_loaded_and_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("duo_tui.config.user_config_dir", lambda: tmp_path)
    override = GOOD.replace("my-theme", "duo-dark").replace('"#112233"', '"#abcdef"')
    _write(tmp_path / "themes", "mine.toml", override)
    assert theme_dirs()[-1] == tmp_path / "themes"

    loaded, problems = load_themes(theme_dirs())

    assert problems == []
    dark = next(theme for theme in loaded if theme.name == "duo-dark")
    assert dark.primary == "#abcdef"
    assert {theme.name for theme in loaded} == SHIPPED


class _ThemedApp(App[None]):
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return duo_variable_defaults()

    def compose(self) -> ComposeResult:
        yield StageRail()
        yield StreamPane()
        yield DiffView()
        yield FindingList()


async def test_register_themes_and_switch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("duo_tui.config.user_config_dir", lambda: tmp_path)
    _write(tmp_path / "themes", "broken.toml", "this is = = not toml")
    app = _ThemedApp()
    async with app.run_test() as pilot:
        problems = register_themes(app)
        assert [p.path.name for p in problems] == ["broken.toml"]
        assert set(app.available_themes) >= SHIPPED
        for name in sorted(SHIPPED):
            app.theme = name
            await pilot.pause()
            assert app.theme_variables["duo-agree"] == app.get_theme(name).variables["duo-agree"]  # type: ignore[union-attr]


async def test_widgets_parse_under_a_builtin_textual_theme() -> None:
    """With the defaults hook, the widgets' CSS works under Textual's own themes too."""
    app = _ThemedApp()
    async with app.run_test() as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        assert app.theme_variables["duo-critical"] == themes.DUO_VARIABLE_DEFAULTS["duo-critical"]


def test_fast_builtin_theme_matches_the_validated_file() -> None:
    """The start-up path (no validation) gives exactly the theme the validator gives."""
    for directory in builtin_theme_dirs():
        for path in directory.glob("*.toml"):
            fast = themes.builtin_theme(path.stem)
            checked = themes.load_theme_file(path)
            assert fast is not None
            assert fast.to_color_system().generate() == checked.to_color_system().generate()
            assert fast.variables == checked.variables
    assert themes.builtin_theme("no-such-theme") is None
