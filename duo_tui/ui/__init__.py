"""The Textual UI: app, screens, widgets and styles on top of the headless core.

Textual redraws the screen at most `TEXTUAL_FPS` times a second (60 by
default), so a key pressed just after a frame waits up to 17 ms for the next
one. duo-tui only draws when something changed (its own clock ticks at 20 Hz),
so a higher cap costs nothing while idle and halves that wait. Set before
Textual is imported; a value the user set wins.
"""

import os

os.environ.setdefault("TEXTUAL_FPS", "120")
