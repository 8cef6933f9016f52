"""Themes as data files: load, validate and register them with the app.

A theme is a TOML file holding the fields of a Textual `Theme` plus a
`[variables]` table of duo-tui's own semantic colours (`duo-agree`,
`duo-critical`, ...) that the widgets' CSS refers to. The shipped themes live
in `themes/` at the top of the repository (`duo_tui/themes/` in an installed
wheel); a user adds more in `<user config dir>/themes/`.

A bad file never stops the app: `load_themes` reports it as a `ThemeProblem`
(which file, what is wrong) and goes on with the rest.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.theme import Theme

from duo_tui.ui.theme_schema import COLOUR_FIELDS, DUO_VARIABLE_DEFAULTS

if TYPE_CHECKING:  # pragma: no cover
    from textual.app import App

DEFAULT_THEME = "duo-dark"
"""The theme the app starts with."""

THEME_SUFFIX = ".toml"


def duo_variable_defaults() -> dict[str, str]:
    """A fresh copy of `DUO_VARIABLE_DEFAULTS` (for `App.get_theme_variable_defaults`)."""
    return dict(DUO_VARIABLE_DEFAULTS)


@dataclass(frozen=True)
class ThemeProblem:
    """A theme file that could not be loaded: which file, and what is wrong with it."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def theme_from_fields(fields: dict[str, Any]) -> Theme:
    """The Textual `Theme` for a theme file's (validated) fields.

    Optional duo colours a file does not define are derived from its palette.
    """
    variables = dict(fields.get("variables", {}))
    fallback = {
        "duo-diff-added": fields["success"],
        "duo-diff-removed": fields["error"],
        "duo-syntax-keyword": fields["secondary"],
        "duo-syntax-string": fields["success"],
        "duo-syntax-number": fields["warning"],
        "duo-syntax-comment": variables.get("duo-info", DUO_VARIABLE_DEFAULTS["duo-info"]),
        "duo-syntax-function": fields["primary"],
        "duo-syntax-class": fields["accent"],
        "duo-syntax-builtin": fields["primary"],
        "duo-syntax-operator": fields["foreground"],
    }
    return Theme(
        name=fields["name"],
        **{colour: fields[colour] for colour in COLOUR_FIELDS},
        dark=fields["dark"],
        luminosity_spread=fields.get("luminosity_spread", 0.15),
        text_alpha=fields.get("text_alpha", 0.95),
        variables={**fallback, **variables},
    )


def builtin_theme(name: str) -> Theme | None:
    """A shipped theme, read without validation; None if there is no such file.

    Cheap enough for before the first frame (no pydantic): the shipped files are
    validated by the test suite, and by `register_themes` right after start-up.
    """
    for directory in builtin_theme_dirs():
        path = directory / f"{name}{THEME_SUFFIX}"
        if path.is_file():
            try:
                return theme_from_fields(tomllib.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError):
                return None
    return None


def load_theme_file(path: Path) -> Theme:
    """Read and validate one theme file.

    Raises:
        ValueError: naming what is wrong (unreadable, bad TOML, bad or missing keys).
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ValueError("the file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML ({exc})") from None
    from duo_tui.ui.theme_files import validate_theme_fields

    return theme_from_fields(validate_theme_fields(data))


def load_themes(dirs: list[Path]) -> tuple[list[Theme], list[ThemeProblem]]:
    """Load every `*.toml` theme in `dirs`, in order; bad files are reported and skipped.

    A directory that does not exist is ignored. When two files define the same
    name, the later one (e.g. the user's) wins.
    """
    by_name: dict[str, Theme] = {}
    problems: list[ThemeProblem] = []
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob(f"*{THEME_SUFFIX}")):
            try:
                theme = load_theme_file(path)
            except ValueError as exc:
                problems.append(ThemeProblem(path, str(exc)))
                continue
            by_name.pop(theme.name, None)
            by_name[theme.name] = theme
    return list(by_name.values()), problems


def builtin_theme_dirs() -> list[Path]:
    """Where the shipped themes are: inside the installed package, or the checkout's `themes/`."""
    package = Path(__file__).resolve().parents[1]
    candidates = [package / "themes", package.parent / "themes"]
    return [path for path in candidates if path.is_dir()][:1]


def user_theme_dir() -> Path:
    """The user's theme directory (it need not exist)."""
    from duo_tui.config import user_config_dir

    return user_config_dir() / "themes"


def theme_dirs() -> list[Path]:
    """Built-in theme directories followed by the user's (later ones win on a name clash)."""
    return [*builtin_theme_dirs(), user_theme_dir()]


def register_themes(app: App[Any], dirs: list[Path] | None = None) -> list[ThemeProblem]:
    """Load the themes (default: `theme_dirs()`) and register each with `app`.

    Returns the problems, for the caller to show (e.g. with `app.notify`).
    """
    themes, problems = load_themes(theme_dirs() if dirs is None else dirs)
    for theme in themes:
        app.register_theme(theme)
    return problems


def theme_names(dirs: list[Path] | None = None) -> list[str]:
    """Every theme `--theme` accepts: the shipped and the user's (duo's, first), then
    Textual's own. Names are read from the files, so a bad file is simply not listed."""
    from textual.theme import BUILTIN_THEMES

    themes, _problems = load_themes(theme_dirs() if dirs is None else dirs)
    ours = [theme.name for theme in themes]
    return ours + [name for name in BUILTIN_THEMES if name not in ours]


def check_theme_name(name: str | None) -> None:
    """Refuse an unknown `--theme` before any screen opens, listing the themes there are."""
    if name is None:
        return
    names = theme_names()
    if name in names:
        return
    from duo_tui.errors import ConfigError
    from duo_tui.safe_text import clean_line

    raise ConfigError(
        f"unknown theme {clean_line(name)!r}. The themes: {', '.join(names)}. "
        f"Your own: a TOML file in {user_theme_dir()} (see themes/ in the repository)."
    )
