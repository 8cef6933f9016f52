"""Fixtures for the lifecycle tests: the real program, ended every way a user ends it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lifecycle.ptyrun import PtyProgram


@pytest.fixture
def programs() -> Iterator[list[PtyProgram]]:
    """Programs a test started; whatever is left of them is killed afterwards."""
    started: list[PtyProgram] = []
    yield started
    for p in started:
        p.kill()


def demo(programs: list[PtyProgram], tmp: Path, **env: str) -> PtyProgram:
    """`duo-tui --demo --repo TMP/demo` on a fresh pty."""
    p = PtyProgram(["--demo", "--repo", str(tmp / "demo")], cwd=tmp, env=env)
    programs.append(p)
    return p
