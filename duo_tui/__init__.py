"""duo-tui: a terminal workbench for dual-model adversarial coding.

`from duo_tui import DuoApp` gives the Textual application. The import is lazy
so that the domain core (and `duo-tui run`/`triage`) never pulls in Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from duo_tui.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from duo_tui.ui.app import DuoApp

__all__ = ["DuoApp", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "DuoApp":
        from duo_tui.ui.app import DuoApp

        return DuoApp
    raise AttributeError(f"module 'duo_tui' has no attribute {name!r}")
