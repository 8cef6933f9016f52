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

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from textual.color import Color, ColorParseError
from textual.theme import Theme

if TYPE_CHECKING:  # pragma: no cover
    from textual.app import App

REQUIRED_VARIABLES: tuple[str, ...] = (
    "duo-agree",
    "duo-only-a",
    "duo-only-b",
    "duo-severity-conflict",
    "duo-critical",
    "duo-high",
    "duo-medium",
    "duo-low",
    "duo-info",
    "duo-hunk-accepted",
    "duo-hunk-rejected",
    "duo-stage-done",
    "duo-stage-active",
    "duo-stage-pending",
)
"""Semantic colours every theme file must define."""

OPTIONAL_VARIABLES: tuple[str, ...] = (
    "duo-diff-added",
    "duo-diff-removed",
    "duo-syntax-keyword",
    "duo-syntax-string",
    "duo-syntax-number",
    "duo-syntax-comment",
    "duo-syntax-function",
    "duo-syntax-class",
    "duo-syntax-builtin",
    "duo-syntax-operator",
)
"""Semantic colours a theme may define; missing ones are derived from its palette."""

DUO_VARIABLE_DEFAULTS: dict[str, str] = {
    "duo-agree": "#7fcfae",
    "duo-only-a": "#7aa2f7",
    "duo-only-b": "#c29ae8",
    "duo-severity-conflict": "#f0b46a",
    "duo-critical": "#f7768e",
    "duo-high": "#ff9e64",
    "duo-medium": "#e5c07b",
    "duo-low": "#7dcfff",
    "duo-info": "#8b93a7",
    "duo-hunk-accepted": "#8cc98f",
    "duo-hunk-rejected": "#ee6d85",
    "duo-diff-added": "#8cc98f",
    "duo-diff-removed": "#ee6d85",
    "duo-stage-done": "#8cc98f",
    "duo-stage-active": "#7aa2f7",
    "duo-stage-pending": "#5d6476",
    "duo-syntax-keyword": "#bb9af7",
    "duo-syntax-string": "#a9d18e",
    "duo-syntax-number": "#ff9e64",
    "duo-syntax-comment": "#6a7289",
    "duo-syntax-function": "#7aa2f7",
    "duo-syntax-class": "#e5c07b",
    "duo-syntax-builtin": "#7dcfff",
    "duo-syntax-operator": "#89ddff",
}
"""Fallbacks for every duo variable, so the CSS parses under any theme (even
Textual's built-in ones). Return these from `App.get_theme_variable_defaults`."""

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


def _check_color(value: str) -> str:
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise ValueError(f"{value!r} is not a colour ({exc})") from None
    return value


class ThemeFile(BaseModel):
    """The validated content of one theme file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)
    """Unique name, lower case letters, digits and hyphens (e.g. `duo-dark`)."""
    dark: bool
    """True for a dark background (Textual derives shades from this)."""
    primary: str
    secondary: str
    accent: str
    foreground: str
    background: str
    surface: str
    panel: str
    boost: str
    warning: str
    error: str
    success: str
    luminosity_spread: float = Field(default=0.15, ge=0, le=1)
    """How far Textual's generated shades spread (Textual's default 0.15)."""
    text_alpha: float = Field(default=0.95, ge=0, le=1)
    """Opacity of `$text` (1.0 for full contrast)."""
    variables: dict[str, str] = Field(default_factory=dict)
    """duo-tui's semantic colours plus any Textual theme variable overrides."""

    @field_validator(
        "primary",
        "secondary",
        "accent",
        "foreground",
        "background",
        "surface",
        "panel",
        "boost",
        "warning",
        "error",
        "success",
    )
    @classmethod
    def _colour(cls, value: str) -> str:
        return _check_color(value)

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: dict[str, str]) -> dict[str, str]:
        missing = [name for name in REQUIRED_VARIABLES if name not in value]
        if missing:
            raise ValueError("missing required variables: " + ", ".join(missing))
        for key, colour in value.items():
            if key.startswith("duo-"):
                if key not in REQUIRED_VARIABLES and key not in OPTIONAL_VARIABLES:
                    raise ValueError(f"unknown duo variable {key!r}")
                try:
                    _check_color(colour)
                except ValueError as exc:
                    raise ValueError(f"{key}: {exc}") from None
        return value

    def derived_variables(self) -> dict[str, str]:
        """The variables with every optional duo colour filled in from the palette."""
        fallback = {
            "duo-diff-added": self.success,
            "duo-diff-removed": self.error,
            "duo-syntax-keyword": self.secondary,
            "duo-syntax-string": self.success,
            "duo-syntax-number": self.warning,
            "duo-syntax-comment": self.variables["duo-info"],
            "duo-syntax-function": self.primary,
            "duo-syntax-class": self.accent,
            "duo-syntax-builtin": self.primary,
            "duo-syntax-operator": self.foreground,
        }
        return {**fallback, **self.variables}

    def to_theme(self) -> Theme:
        """The Textual `Theme` this file describes."""
        return Theme(
            name=self.name,
            primary=self.primary,
            secondary=self.secondary,
            accent=self.accent,
            foreground=self.foreground,
            background=self.background,
            surface=self.surface,
            panel=self.panel,
            boost=self.boost,
            warning=self.warning,
            error=self.error,
            success=self.success,
            dark=self.dark,
            luminosity_spread=self.luminosity_spread,
            text_alpha=self.text_alpha,
            variables=self.derived_variables(),
        )


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "file"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


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
    try:
        return ThemeFile.model_validate(data).to_theme()
    except ValidationError as exc:
        raise ValueError(_describe(exc)) from None


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
    import duo_tui

    package = Path(duo_tui.__file__).resolve().parent
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
