"""The input gate: background imports give way while the UI answers input.

Real imports of small generated packages, in real threads: a background
import pauses before its next module while the gate is held, goes on at
`release` (or when the hold runs out), never pauses the UI thread, and does
keeps the UI thread waiting for a module lock it holds at most the hold (less
with the lock probe the UI passes: tests/perf_package/test_import_lock_probe.py).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.providers.preload import InputGate, install_gate, uninstall_gate


@pytest.fixture
def modules(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in set(sys.modules) - before:
        sys.modules.pop(name, None)
    uninstall_gate()


def _write(root: Path, name: str, body: str = "") -> None:
    path = root.joinpath(*name.split("."))
    if body.startswith("#pkg"):
        path.mkdir(parents=True, exist_ok=True)
        (path / "__init__.py").write_text(body)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".py").write_text(body)


def _import_in_thread(name: str) -> tuple[threading.Thread, dict[str, float]]:
    done: dict[str, float] = {}

    def run() -> None:
        __import__(name)
        done["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def test_background_import_waits_for_release(modules: Path) -> None:
    _write(modules, "gated_a", "VALUE = 1\n")
    gate = InputGate(max_hold_s=5.0)
    install_gate(gate)
    gate.hold()
    thread, done = _import_in_thread("gated_a")
    time.sleep(0.3)
    assert "at" not in done
    assert getattr(sys.modules.get("gated_a"), "VALUE", None) is None, "ran while held"
    released = time.monotonic()
    gate.release()
    thread.join(5)
    assert done["at"] >= released
    assert sys.modules["gated_a"].VALUE == 1
    assert gate.waits == 1 and gate.waited_s >= 0.25


def test_hold_runs_out_so_imports_always_progress(modules: Path) -> None:
    _write(modules, "gated_b", "VALUE = 2\n")
    gate = InputGate(max_hold_s=0.2)
    install_gate(gate)
    gate.hold()  # never released: a lost frame must not stall imports for good
    start = time.monotonic()
    thread, done = _import_in_thread("gated_b")
    thread.join(5)
    assert 0.1 <= done["at"] - start < 2.0
    assert sys.modules["gated_b"].VALUE == 2


def test_the_ui_thread_is_never_held(modules: Path) -> None:
    _write(modules, "gated_c", "VALUE = 3\n")
    gate = InputGate(max_hold_s=5.0)
    install_gate(gate)  # this (test) thread is the UI thread
    gate.hold()
    start = time.monotonic()
    import gated_c  # type: ignore[import-not-found]

    assert gated_c.VALUE == 3
    assert time.monotonic() - start < 1.0
    assert gate.waits == 0


def test_without_a_lock_probe_a_paused_import_holding_a_lock_goes_on_at_the_time_limit(
    modules: Path,
) -> None:
    # As below (tests/perf_package/test_import_lock_probe.py), with no probe: the UI
    # thread waits for the paused import's module lock, at most the hold (0.3 s).
    _write(modules, "shared2", "#pkg\nfrom shared2 import inner\nREADY = inner.X\n")
    _write(modules, "shared2.inner", "X = 7\n")
    gate = InputGate(max_hold_s=0.3)
    install_gate(gate)
    gate.hold()
    thread, _ = _import_in_thread("shared2")
    deadline = time.monotonic() + 2
    while "shared2" not in sys.modules and time.monotonic() < deadline:
        time.sleep(0.01)
    import shared2  # type: ignore[import-not-found]

    assert shared2.READY == 7
    thread.join(5)
    assert not thread.is_alive()


def test_uninstall_removes_the_finder(modules: Path) -> None:
    gate = InputGate()
    install_gate(gate)
    install_gate(gate)  # again: still one
    assert sum(type(f).__name__ == "_GateFinder" for f in sys.meta_path) == 1
    uninstall_gate()
    assert not any(type(f).__name__ == "_GateFinder" for f in sys.meta_path)


def test_loaders_are_left_as_python_made_them(modules: Path) -> None:
    """The one-shot `exec_module` is gone once the module ran (inspect, resources still work)."""
    _write(modules, "gated_d", "def f():\n    return 4\n")
    gate = InputGate()
    install_gate(gate)
    thread, _ = _import_in_thread("gated_d")
    thread.join(5)
    mod = sys.modules["gated_d"]
    assert "exec_module" not in vars(mod.__loader__)
    import inspect

    assert "return 4" in inspect.getsource(mod.f)
