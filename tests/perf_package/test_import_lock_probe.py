"""`duo_tui.ui.perf.imports`: the gate lets a paused import go at once when the UI waits for its lock."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from duo_tui.providers.preload import InputGate, install_gate
from duo_tui.ui.perf.imports import waits_for_imports_of
from tests.providers.test_preload_gate import _import_in_thread, _write, modules

__all__ = ["modules"]  # the fixture


def test_ui_thread_waiting_for_a_lock_the_paused_import_holds_is_not_stalled(modules: Path) -> None:
    # The background thread imports `shared`, whose body imports `shared.inner`: it
    # pauses before `inner` holding `shared`'s module lock. The UI thread then imports
    # `shared` too and must not wait for the whole hold (5 s).
    _write(modules, "shared", "#pkg\nfrom shared import inner\nREADY = inner.X\n")
    _write(modules, "shared.inner", "X = 7\n")
    gate = InputGate(max_hold_s=5.0, blocks_others=waits_for_imports_of)
    install_gate(gate)
    gate.hold()
    thread, _ = _import_in_thread("shared")
    deadline = time.monotonic() + 2
    while "shared" not in sys.modules and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # paused before `shared.inner`, holding `shared`
    start = time.monotonic()
    import shared  # type: ignore[import-not-found]

    assert shared.READY == 7
    assert time.monotonic() - start < 1.0
    thread.join(5)
