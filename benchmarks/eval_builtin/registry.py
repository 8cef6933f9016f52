"""The cases of the built-in eval suite, as `cases_*.py` declare them with `case(...)`.

A case is its files before and after the change; in the after text a trailing
`#!K1` (or `//!K1`) marks a line of known issue K1. `build.py` turns each into a
case folder of `duo_tui/eval/builtin/`.
"""

from __future__ import annotations

from typing import NamedTuple


class Case(NamedTuple):
    """One case as declared: its text, and the known issues by key (K1, K2, ...)."""

    title: str
    description: str
    language: str
    before: dict[str, str]
    after: dict[str, str]
    issues: dict[str, tuple[str, str, str]]
    """Key -> (severity, category, description)."""


CASES: dict[str, Case] = {}


def case(
    cid: str,
    title: str,
    description: str,
    language: str,
    before: dict[str, str],
    after: dict[str, str],
    issues: dict[str, tuple[str, str, str]],
) -> None:
    """Declare case `cid` (its folder name in the suite)."""
    if cid in CASES:
        raise ValueError(f"case {cid!r} is declared twice")
    CASES[cid] = Case(title, description, language, before, after, issues)
