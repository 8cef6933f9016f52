"""The workbench screen, built in layers: one module per job (see `base`).

`WorkbenchScreen` is the screen; `duo_tui.ui.screens.workbench` re-exports it.
"""

from __future__ import annotations

from duo_tui.ui.workbench.screen import WorkbenchScreen

__all__ = ["WorkbenchScreen"]
