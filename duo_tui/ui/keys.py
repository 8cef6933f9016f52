"""The keys as they are bound now: hints built from the live bindings, after `[ui] keys`.

A hint such as "a accept" must show the key the human really has: `[ui] keys`
remaps bindings by id (`App.set_keymap`). `key_display` asks the screen's active
bindings first and falls back to the declared bindings with the app's keymap
applied (a widget's binding is only active while it has the focus). The app posts
`KeysChanged` to its screens when the keymap changes so hints already shown are
redrawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen


class KeysChanged(Message):
    """The app's keymap changed: hints that name keys are drawn again."""


def keymap_of(app: Any) -> Mapping[str, str]:
    """The binding id -> keys overrides the app applied (`DuoApp.keymap_overrides`)."""
    overrides = getattr(app, "keymap_overrides", None)
    return overrides if isinstance(overrides, Mapping) else {}


def key_display(screen: Screen[Any], action: str, declared: Iterable[BindingType] = ()) -> str:
    """The key bound to `action` right now, as the footer shows it (`action` if unbound)."""
    app = screen.app
    for active in screen.active_bindings.values():
        if active.binding.action == action:
            return app.get_key_display(active.binding)
    overrides = keymap_of(app)
    for b in declared:
        if isinstance(b, Binding) and b.action == action:
            keys = (overrides.get(b.id) if b.id else None) or b.key
            return app.get_key_display(Binding(keys.split(",")[0].strip(), action))
    return action
