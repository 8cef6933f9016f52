"""`QuietFooter`: Textual's `Footer` that rebuilds only when the keys it shows change,
and never shows a key cut in half.

The stock footer recomposes (unmounts and mounts a widget per key) on every
focus change, because the screen's bindings signal fires then. Moving between
panes does not change which keys are shown, so that rebuild was pure cost: it
was the largest part of a pane switch while four models stream.

On a narrow terminal the stock footer clipped whatever did not fit ("? He" at
80 columns, and "q Quit" was gone). Here the keys that do not fit are left out
whole, the least general first (the focused widget's before the screen's, the
screen's before "? Help" and "q Quit", which always stay), and below
`COMPACT_BELOW` columns the keys are packed closer. A screen whose main keys come
after its minor ones names the minor ones (`spare`): they are left out before any
other, so at 80 columns the triage keeps fix, dismiss and accept-risk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

COMPACT_BELOW = 110
"""Terminal widths below this get the compact footer (one space less per key)."""

KEEP_ACTIONS = frozenset({"help", "quit", "app.help", "app.quit"})
"""Keys that are never left out: how to get help and how to leave."""


@runtime_checkable
class FooterKey(Protocol):
    """A key the footer shows, as its widget offers it. (Textual's own class, in a private
    module, is not named here: see `duo_tui/ui/perf/` for where private names may go.)"""

    key_display: str
    description: str
    action: str

    def has_class(self, *class_names: str) -> bool: ...


def _key_width(key: FooterKey, compact: bool) -> int:
    """Cells one key takes (its padding and margins as the footer's CSS lays them out)."""
    text = cell_len(key.key_display) + (cell_len(key.description) + 1 if key.description else 0)
    if key.has_class("-command-palette"):
        return text + (2 if not compact else 1)  # the left border, and the right padding
    return text + 2  # padding around the key, or the compact margin


def fit_keys(
    keys: list[FooterKey], width: int, compact: bool, spare: Sequence[str] = ()
) -> list[FooterKey]:
    """The keys to show in `width` cells: whole ones, dropping the keys whose actions are
    in `spare` first (in its order), then the leftmost optional keys (the footer lists
    the focused widget's keys first, the app's last)."""
    shown = list(keys)
    optional = [
        k for k in keys if not k.has_class("-command-palette") and k.action not in KEEP_ACTIONS
    ]
    rank = {action: i for i, action in enumerate(spare)}
    optional.sort(key=lambda k: rank.get(k.action, len(rank)))  # stable: then left to right
    while sum(_key_width(k, compact) for k in shown) > width and optional:
        shown.remove(optional.pop(0))
    return shown


class QuietFooter(Footer):
    """A `Footer` that skips the rebuild when the shown keys, labels and states are unchanged."""

    _shown: tuple[object, ...] | None = None
    _width: int = 0
    _bindings_seen: bool = False

    def __init__(self, *, spare: Sequence[str] = ()) -> None:
        """`spare`: the actions to leave out first when the keys do not fit."""
        super().__init__()
        self.spare = tuple(spare)

    def _signature(self, screen: Screen[object]) -> tuple[object, ...]:
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.action == "app.command_palette"
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_seen = True  # the footer has keys to lay out from now on
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            signature = self._signature(screen)
            if signature == self._shown:
                return
            self._shown = signature
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        width = self.app.size.width
        self._width = width
        self.compact = width < COMPACT_BELOW
        widgets: list[Widget] = list(super().compose())
        keys: list[FooterKey] = [w for w in widgets if isinstance(w, FooterKey)]
        if len(keys) != len(widgets):  # key groups: shown as Textual lays them out
            yield from widgets
            return
        yield from _in_order(fit_keys(keys, width, self.compact, self.spare), widgets)

    def on_resize(self, event: events.Resize) -> None:
        if self.app.size.width != self._width and self._bindings_seen:
            self.refresh(recompose=True)


def _in_order(shown: list[FooterKey], widgets: list[Widget]) -> Iterable[Widget]:
    chosen = set(map(id, shown))
    return (w for w in widgets if id(w) in chosen)
