"""The one place duo-tui touches Textual's (and CPython's) private internals, behind one switch.

Everything here is a speed-up: the app behaves the same without it, only
slower (see README.md in this package for what each one saves and the change
we would propose upstream). The rest of `duo_tui.ui` uses public Textual APIs
only and mixes in the classes exported here:

* `FastApp` (before `App`): frames rendered inside an update batch, the
  driver-level input gate, the starting theme's colour filter;
* `FastScreen` (before `Screen`): the front-to-back compositor, no render inside
  an update batch, no restyle on the first `ScreenResume`;
* `FastScrollView` (before `ScrollView`): a scrollbar that skips invisible
  redraws and growth without a screen-wide layout.

`ENABLED` is decided once, at import: off when `DUO_TUI_STOCK_RENDER` is set to
anything but `0` or empty, or when the installed Textual is not the version
these were verified against (`VERIFIED_TEXTUAL`). Off, the exported classes are
empty and the app runs on stock Textual: stock compositor, no overrides.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

VERIFIED_TEXTUAL = "8.2.8"
"""The Textual release whose internals the speed-ups were written and tested against."""

ENV_VAR = "DUO_TUI_STOCK_RENDER"


def _textual_version() -> str | None:
    """The installed Textual's version (one `stat` when it is the verified one)."""
    import textual

    site = os.path.dirname(os.path.dirname(textual.__file__))
    if os.path.isdir(os.path.join(site, f"textual-{VERIFIED_TEXTUAL}.dist-info")):
        return VERIFIED_TEXTUAL
    try:  # another layout or release: ask properly (slower, only off the fast path)
        from importlib.metadata import version

        return version("textual")
    except Exception:
        return None


def decide(environ: Mapping[str, str] = os.environ) -> tuple[bool, str]:
    """Whether the speed-ups run, and why (or why not)."""
    if environ.get(ENV_VAR, "") not in ("", "0"):
        return False, f"{ENV_VAR} is set: stock Textual rendering"
    found = _textual_version()
    if found != VERIFIED_TEXTUAL:
        return False, (
            f"textual {found or '(unknown)'} is not the verified {VERIFIED_TEXTUAL}: "
            "stock Textual rendering"
        )
    return True, f"textual {VERIFIED_TEXTUAL}: duo-tui's render speed-ups are on"


ENABLED, REASON = decide()
"""The switch (read once, at import) and a sentence saying why it is set so."""

if ENABLED or TYPE_CHECKING:
    from duo_tui.ui.perf.app import FastApp
    from duo_tui.ui.perf.imports import waits_for_imports_of
    from duo_tui.ui.perf.screen import FastScreen
    from duo_tui.ui.perf.scroll import FastScrollView
else:

    class FastApp:
        """Stock path: nothing overridden."""

    class FastScreen:
        """Stock path: nothing overridden."""

    class FastScrollView:
        """Stock path: nothing overridden."""

    waits_for_imports_of = None

__all__ = [
    "ENABLED",
    "REASON",
    "VERIFIED_TEXTUAL",
    "FastApp",
    "FastScreen",
    "FastScrollView",
    "decide",
    "waits_for_imports_of",
]
