"""The Textual UI: app, screens, widgets and styles on top of the headless core.

Textual redraws the screen at most `TEXTUAL_FPS` times a second (60 by
default), so a key pressed just after a frame waits up to 17 ms for the next
one. duo-tui only draws when something changed (its own clock ticks at 20 Hz),
so a higher cap costs nothing while idle and halves that wait. Set before
Textual is imported; a value the user set wins.
"""

import gc
import os

os.environ.setdefault("TEXTUAL_FPS", "120")

_gc_held = False


def hold_gc_until_first_frame() -> None:
    """Collect no garbage until the app's first frame (the CLI calls this before Textual loads).

    Start-up allocates hundreds of thousands of long-lived objects (Textual, the
    CSS, the widgets) and almost no cyclic garbage, yet the default thresholds
    ran about 150 collections before the first frame, 45-60 ms of it. `DuoApp`
    lets the collector go again right after its first frame (`tune_gc`), when it
    also freezes what start-up built.
    """
    global _gc_held
    if gc.isenabled():
        gc.disable()
        _gc_held = True


def release_gc() -> None:
    """Undo `hold_gc_until_first_frame` (a no-op if it did not disable the collector)."""
    global _gc_held
    if _gc_held:
        _gc_held = False
        gc.enable()
