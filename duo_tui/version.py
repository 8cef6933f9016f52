"""The package version, in a module of its own.

The domain reads it from here, never from the root package: `duo_tui/__init__.py`
reaches the UI through its lazy `DuoApp`, so importing the root from below the UI
would close an import cycle through `duo_tui.ui.app`.
"""

from __future__ import annotations

__version__ = "0.1.0"
