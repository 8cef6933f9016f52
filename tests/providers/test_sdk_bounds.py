"""The provider SDKs are bounded below their next major version, and what is installed fits.

A new major version of anthropic, openai or litellm may rename the wire types
the providers read; pip must not pick one up unseen. The installed versions
are the ones the test suite runs against, so they must satisfy the bounds.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("anthropic", "openai", "litellm")


def _requirements() -> dict[str, Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = (Requirement(line) for line in data["project"]["dependencies"])
    return {req.name: req for req in reqs}


@pytest.mark.parametrize("name", SDKS)
def test_each_sdk_is_bounded_below_its_next_major(name: str) -> None:
    spec = _requirements()[name].specifier
    uppers = [Version(s.version) for s in spec if s.operator == "<"]
    lowers = [Version(s.version) for s in spec if s.operator == ">="]
    assert uppers and lowers, f"{name} needs both bounds, got {spec}"
    assert uppers[0].release[1:] in ((), (0,), (0, 0)), f"{name}: bound at a major: {spec}"
    installed = Version(version(name))
    assert uppers[0].major == installed.major + 1, f"{name} {installed}: next major is the bound"


@pytest.mark.parametrize("name", SDKS)
def test_the_range_starts_in_the_tested_major(name: str) -> None:
    """pip may install anything from the floor up: the floor must be in the major (and not
    far below the version) the suite runs against, or the range holds untested versions."""
    spec = _requirements()[name].specifier
    floor = next(Version(s.version) for s in spec if s.operator == ">=")
    installed = Version(version(name))
    assert floor.major == installed.major, f"{name}: floor {floor}, tested {installed}"
    assert floor <= installed
    assert installed.minor - floor.minor < 50, f"{name}: floor {floor} far below {installed}"


@pytest.mark.parametrize("name", SDKS)
def test_the_installed_sdk_satisfies_the_bounds(name: str) -> None:
    installed = version(name)
    assert _requirements()[name].specifier.contains(installed, prereleases=True), (
        f"{name} {installed} is outside {_requirements()[name].specifier}"
    )
