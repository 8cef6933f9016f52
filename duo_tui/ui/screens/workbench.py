"""The workbench screen, where it has always been imported from.

It lives in the `duo_tui.ui.workbench` package (one module per job: layout,
status, findings, actions, modals, events, bridge); this module re-exports it.
"""

from __future__ import annotations

from duo_tui.ui.workbench.base import (
    KIND_GLYPH,
    SPINNER,
    TICK_S,
    _Opened,
    _StartFailed,
    short_model,
)
from duo_tui.ui.workbench.screen import WorkbenchScreen

__all__ = [
    "KIND_GLYPH",
    "SPINNER",
    "TICK_S",
    "WorkbenchScreen",
    "_Opened",
    "_StartFailed",
    "short_model",
]
