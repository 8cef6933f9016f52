"""Whether a thread's imports block another thread: read from CPython's import-lock table.

`duo_tui.providers.preload.InputGate` makes background imports wait while the
UI answers a key. If the waiting thread holds the lock of a module the UI
thread now needs (both import `html`, say), the UI waits for *it*; this probe
lets the gate see that and let it go at once. It reads
`importlib._bootstrap._module_locks` (private, the same on 3.11-3.13); without
it (the stock path, or another shape) the gate falls back to its time limit.
The app hands it to the gate (providers never import the UI).
"""

from __future__ import annotations


def waits_for_imports_of(thread_id: int) -> bool:
    """Whether another thread is blocked on a module lock held by `thread_id`."""
    try:
        from importlib import _bootstrap

        refs = list(_bootstrap._module_locks.values())  # type: ignore[attr-defined]
    except Exception:
        return False
    for ref in refs:
        lock = ref() if callable(ref) else ref
        if getattr(lock, "owner", None) == thread_id and getattr(lock, "waiters", None):
            return True
    return False
