"""The names a theme file defines: its palette and duo-tui's semantic colour variables.

Plain data shared by the loader (`themes.py`, start-up, no pydantic) and the
validator (`theme_files.py`, pydantic), so that neither imports the other's
module for it.
"""

from __future__ import annotations

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


#: The palette every theme file gives: Textual's `Theme` colours of the same names.
COLOUR_FIELDS = (
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
