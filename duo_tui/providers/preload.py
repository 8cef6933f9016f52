"""Import the provider SDKs in the background without making the UI wait for them.

Importing anthropic and openai runs about 4,000 modules, 2-3 s of Python that
holds the GIL. Done in a worker thread after the first frame, it still halves
the UI thread's share of the interpreter while it runs: keys pressed then took
up to 100 ms to show. An `InputGate` lets background imports step aside: the
UI calls `hold()` when input arrives and `release()` once the frame answering
it is written; between two modules, any other thread that imports waits for
the release (at most `max_hold_s`, so imports always progress). The gate sees
imports through a `sys.meta_path` finder placed first (see `_GateFinder`).

No Textual here: the UI only calls `hold`/`release`.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from importlib.machinery import (
    ExtensionFileLoader,
    ModuleSpec,
    SourceFileLoader,
    SourcelessFileLoader,
)
from types import ModuleType
from typing import TYPE_CHECKING

from duo_tui.providers.import_hook import spec_from_later_finders

if TYPE_CHECKING:
    # importlib.abc pulls in importlib.resources: not before the first frame.
    from importlib.abc import Loader


class InputGate:
    """Background imports wait while the UI thread is answering input."""

    def __init__(
        self, max_hold_s: float = 0.1, blocks_others: Callable[[int], bool] | None = None
    ) -> None:
        self.max_hold_s = max_hold_s
        self.blocks_others = blocks_others
        """Optional probe: whether another thread waits for a module lock this thread
        holds (then a paused import goes on at once). The UI passes one that reads
        CPython's private lock table (`duo_tui.ui.perf.imports`); without it a paused
        import holding such a lock goes on when `max_hold_s` runs out."""
        self.ui_thread = threading.get_ident()
        """Imports on this thread are never held (it is the one being waited for)."""
        self._open = threading.Event()
        self._open.set()
        self._held_at = 0.0
        self.waits = 0
        """How many times a background import waited (for tests and benchmarks)."""
        self.waited_s = 0.0

    @property
    def held(self) -> bool:
        return not self._open.is_set()

    def hold(self) -> None:
        """Input arrived (any thread): background imports pause until `release`."""
        self._held_at = time.monotonic()
        self._open.clear()

    def release(self) -> None:
        """The UI has answered: background imports go on."""
        self._open.set()

    def wait_turn(self) -> None:
        """Called by an importing thread between modules: wait while the gate is held."""
        if self._open.is_set() or threading.get_ident() == self.ui_thread:
            return
        left = self._held_at + self.max_hold_s - time.monotonic()
        if left <= 0:
            return
        start = time.monotonic()
        me = threading.get_ident()
        # Wait in short slices: this thread may hold the import lock of a module the
        # UI thread now needs (both import `html`, say); then the UI is waiting for
        # *us*, and pausing on would only stall it until the hold runs out.
        while not self._open.wait(min(left, _SLICE_S)):
            left = self._held_at + self.max_hold_s - time.monotonic()
            if left <= 0 or (self.blocks_others is not None and self.blocks_others(me)):
                break
        self.waits += 1
        self.waited_s += time.monotonic() - start


_SLICE_S = 0.002


_GATED_LOADERS = (SourceFileLoader, SourcelessFileLoader, ExtensionFileLoader)
"""Loaders made for one module each, so giving one a gated `exec_module` touches nothing else."""


class _GateFinder:
    """A `sys.meta_path` finder, first in line: finds modules through the finders after it, and has
    background threads wait for their turn before each module runs.

    The wait cannot happen in `find_spec` itself: Python calls it holding the global
    import lock, so every import in the UI thread would wait too. Instead the
    module's own loader gets a one-shot `exec_module` that waits, then runs the
    module as usual (the loader and the spec are the ones Python would have used).
    """

    def __init__(self, gate: InputGate) -> None:
        self.gate = gate

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if threading.get_ident() == self.gate.ui_thread:
            return None
        spec = spec_from_later_finders(self, fullname, path, target)
        loader = None if spec is None else spec.loader
        if isinstance(loader, _GATED_LOADERS) and "exec_module" not in vars(loader):
            loader.exec_module = _gated_exec(loader, self.gate)  # type: ignore[method-assign, assignment]
        return spec


def _gated_exec(loader: Loader, gate: InputGate) -> Callable[[ModuleType], None]:
    run = type(loader).exec_module

    def exec_module(module: ModuleType) -> None:
        vars(loader).pop("exec_module", None)  # one use: the class's method from now on
        gate.wait_turn()
        run(loader, module)

    return exec_module


def install_gate(gate: InputGate) -> None:
    """Put the gate in front of the import system (again: replaces an earlier one)."""
    uninstall_gate()
    gate.ui_thread = threading.get_ident()
    sys.meta_path.insert(0, _GateFinder(gate))


def uninstall_gate() -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _GateFinder)]


def preload_in_background(models: Iterable[str]) -> threading.Thread:
    """Import the SDKs the models need in a daemon thread (started); returns the thread."""
    from duo_tui.providers.registry import preload_sdks

    wanted = list(models)

    def run() -> None:
        # The import allocates millions of objects that live for good. With the
        # collector on, the UI thread paid for them: a young collection every few
        # milliseconds and 10-20 ms middle ones, in whichever thread allocated next.
        # Off while importing, then everything imported is moved out of its reach.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            preload_sdks(wanted)
        except Exception:  # a failed preload only means the first call imports (and says why)
            pass
        finally:
            if was_enabled:
                gc.freeze()
                gc.enable()

    thread = threading.Thread(target=run, name="duo-preload-sdks", daemon=True)
    thread.start()
    return thread
