"""Validation of theme files (pydantic), kept apart so start-up need not import pydantic.

`validate_theme_fields` checks one parsed TOML document and returns its fields
with defaults filled in, or raises `ValueError` naming every problem.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from textual.color import Color, ColorParseError

from duo_tui.ui.theme_schema import COLOUR_FIELDS, OPTIONAL_VARIABLES, REQUIRED_VARIABLES


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

    @field_validator(*COLOUR_FIELDS)
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


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "file"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def validate_theme_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The validated fields of one theme document; `ValueError` says what is wrong."""
    try:
        return ThemeFile.model_validate(data).model_dump()
    except ValidationError as exc:
        raise ValueError(_describe(exc)) from None
