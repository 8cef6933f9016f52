"""No one's local paths in what the demo shows or the README's screenshots
(issue 19, item 17): the streaming screenshot showed a virtual environment's
absolute path in the gate command."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from duo_tui.service import demo_config

ROOT = Path(__file__).resolve().parents[2]

# an absolute path into a home, a checkout or a virtual environment
LOCAL_PATH = re.compile(r"(/(home|root|Users|work)/|\.venv|/venv/|bin/python)")


def test_the_demo_gate_names_the_interpreter_on_path_by_its_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    (command,) = demo_config().gate.commands
    assert command.split()[0] in ("python", "python3"), command
    assert "/" not in command.split()[0]
    assert command.endswith("-m unittest discover -s tests -q")


def test_the_demo_gate_keeps_the_full_path_when_path_has_another_python(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `python` on PATH is some other interpreter: the gate must still run this one
    other = tmp_path / "python"
    other.write_text("#!/bin/sh\nexit 3\n")
    other.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    (command,) = demo_config().gate.commands
    assert command.split()[0] == sys.executable


@pytest.mark.parametrize("svg", sorted((ROOT / "screenshots").glob("*.svg")), ids=lambda p: p.name)
def test_the_screenshots_show_no_local_path(svg: Path) -> None:
    text = svg.read_text(encoding="utf-8").replace("&#160;", " ")
    found = LOCAL_PATH.search(text)
    assert found is None, f"{svg.name}: {text[max(0, found.start() - 60) : found.end() + 60]!r}"
