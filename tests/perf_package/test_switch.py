"""The render switch: `DUO_TUI_STOCK_RENDER=1` or another Textual version means stock Textual.

The switch is read once, at import, so the stock path is checked in a fresh
interpreter. The Pilot suite's core flows on that path: tests/pilot/test_stock_render.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from duo_tui.ui import perf

ROOT = Path(__file__).resolve().parents[2]

_PROBE = r"""
import json
from textual.app import App
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.widget import Widget
from duo_tui.ui import perf
from duo_tui.ui.app import DuoApp
from duo_tui.ui.screens.workbench import WorkbenchScreen
from duo_tui.ui.widgets.stream_log import StreamLog


def overrides(cls, *bases):
    # Private names (`_x`, not dunder) defined by our classes and also by Textual's.
    textual = set()
    for base in bases:
        for klass in base.__mro__:
            textual.update(n for n in vars(klass) if n.startswith("_") and not n.startswith("__"))
    # Textual itself stores some per subclass (`_css_type_names`...): not overrides.
    textual -= set(vars(type("Plain", (bases[0],), {})))
    ours = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("duo_tui"):
            # (`_default_<name>` is where a `Reactive` declared here keeps its default.)
            ours.update(n for n in vars(klass) if n in textual and not n.startswith("_default_"))
            ours.update(n for n in ("vertical_scrollbar",) if n in vars(klass))
    return sorted(ours)


screen = WorkbenchScreen()
print(json.dumps({
    "enabled": perf.ENABLED,
    "reason": perf.REASON,
    "app": overrides(DuoApp, App),
    "screen": overrides(WorkbenchScreen, Screen),
    "log": overrides(StreamLog, ScrollView, Widget),
    "compositor": type(screen._compositor).__module__,
}))
"""


def _probe(**env: str) -> dict[str, object]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=full, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_stock_render_set_means_no_private_override_and_textual_s_compositor() -> None:
    stock = _probe(DUO_TUI_STOCK_RENDER="1")
    assert stock["enabled"] is False
    assert "DUO_TUI_STOCK_RENDER" in str(stock["reason"])
    assert stock["app"] == [] and stock["screen"] == [] and stock["log"] == []
    assert stock["compositor"] == "textual._compositor"


@pytest.mark.skipif(not perf.ENABLED, reason=f"render speed-ups off ({perf.REASON})")
def test_by_default_the_speed_ups_are_on_with_the_verified_textual() -> None:
    fast = _probe(DUO_TUI_STOCK_RENDER="0")
    assert fast["enabled"] is True
    assert "_display" in fast["app"]  # type: ignore[operator]
    assert {"_compositor_refresh", "_on_screen_resume"} <= set(fast["screen"])  # type: ignore[arg-type]
    assert "vertical_scrollbar" in fast["log"]  # type: ignore[operator]
    assert fast["compositor"] == "duo_tui.ui.perf.compositor"


def test_the_switch_reads_the_env_var_and_the_textual_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(perf, "_textual_version", lambda: perf.VERIFIED_TEXTUAL)
    assert perf.decide({})[0] is True
    assert perf.decide({"DUO_TUI_STOCK_RENDER": "0"})[0] is True
    assert perf.decide({"DUO_TUI_STOCK_RENDER": "1"})[0] is False
    assert perf.decide({"DUO_TUI_STOCK_RENDER": "yes"})[0] is False
    monkeypatch.setattr(perf, "_textual_version", lambda: "9.0.0")
    on, why = perf.decide({})
    assert on is False and "textual 9.0.0" in why and perf.VERIFIED_TEXTUAL in why
    monkeypatch.setattr(perf, "_textual_version", lambda: None)
    assert perf.decide({})[0] is False


def test_no_module_outside_the_perf_package_names_a_private_textual_module() -> None:
    ui = ROOT / "duo_tui"
    offenders = [
        str(path.relative_to(ROOT))
        for path in ui.rglob("*.py")
        if "perf" not in path.relative_to(ui).parts
        and ("textual._" in path.read_text() or "_bootstrap" in path.read_text())
    ]
    assert offenders == []
