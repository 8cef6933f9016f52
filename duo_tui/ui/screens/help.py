"""`HelpScreen`: every key binding that applies, grouped by what the user is doing.

The bindings are read from the screen underneath the help screen (its
`active_bindings`: the focused widget and its ancestors, the screen, the app)
plus the app's and that screen's own `BINDINGS`, so hidden bindings are listed
too. Nothing is hard-coded: a new binding with a description shows up here, in
the group `duo_tui.ui.help_groups` gives it (deciding a stage, the findings, the
change, the tasks, looking around, anywhere); no widget id is ever shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from duo_tui.ui.help_groups import (
    BY_OPENED_SCREEN,
    GENERIC,
    ORDER,
    SCROLL_ACTIONS,
    SCROLL_DESCRIPTION,
    action_name,
    group_of,
)


@dataclass(frozen=True)
class HelpEntry:
    """One line of help: the key as shown, what it does, and whether it works right now."""

    key: str
    description: str
    enabled: bool = True


@dataclass(frozen=True)
class HelpGroup:
    """Bindings for one thing the user does (deciding a stage, the findings, ...)."""

    title: str
    entries: tuple[HelpEntry, ...]


def _describe(binding: Binding) -> str:
    return binding.description or binding.tooltip or binding.action.replace("_", " ")


def _owners(node: DOMNode | type) -> list[str]:
    """The class names of `node` (or of the class itself) and its bases, most derived first."""
    cls = node if isinstance(node, type) else type(node)
    return [c.__name__ for c in cls.__mro__]


def _extra_owners(screen: Screen[object], screens: Sequence[type] = ()) -> list[type]:
    """The workbench's own widgets that `screen` holds, and the screens the opener names
    (`screens`): their keys are help even when not focused or not open. A screen without
    those widgets (the triage, the task list, the eval report) gets none of their keys:
    its own `j` joins, where the findings list's `j` moves down."""
    from duo_tui.ui.widgets.diff_view import DiffView
    from duo_tui.ui.widgets.finding_list import FindingList
    from duo_tui.ui.widgets.stream_pane import StreamPane

    held = [cls for cls in (DiffView, FindingList, StreamPane) if screen.query(cls)]
    return [*held, *screens]


def _class_bindings(node: DOMNode | type) -> list[Binding]:
    """The `BINDINGS` declared on `node`'s class (or the class) and its bases, most derived first."""
    out: list[Binding] = []
    for cls in (node if isinstance(node, type) else type(node)).__mro__:
        declared = cls.__dict__.get("BINDINGS")
        if declared:
            out.extend(Binding.make_bindings(declared))
    return out


def collect_bindings(screen: Screen[object], screens: Sequence[type] = ()) -> list[HelpGroup]:
    """The bindings reachable from `screen`, grouped by what the user is doing.

    Sources: the keys that apply right now (the focused widget's chain, the screen,
    the app), the screen's and the app's keys that are shadowed right now, and the
    keys of the workbench's widgets and of the `screens` the opener names (those it
    opens: they need not be open). A key declared
    twice by one kind of widget or screen is listed once; the groups are those of
    `duo_tui.ui.help_groups`, in its order, and never name a widget.
    """
    from textual.app import App

    app = screen.app
    entries: dict[str, list[HelpEntry]] = {title: [] for title in ORDER}
    seen: set[tuple[str, str]] = set()

    def add(node: DOMNode | type, binding: Binding, enabled: bool, on: str | None = None) -> None:
        owners = _owners(node)
        if on is not None and action_name(binding.action) in GENERIC:
            return  # "? Help" of a screen not open yet: listed once, under "Anywhere"
        if binding.system or "Tabs" in owners:  # the narrow layout's tab bar: 1-4 do it
            return
        marker = (owners[0], binding.key)
        if marker in seen:
            return
        seen.add(marker)
        is_app = isinstance(node, App) or (isinstance(node, type) and issubclass(node, App))
        group = on or group_of(binding.action, owners, is_app)
        scroll = action_name(binding.action) in SCROLL_ACTIONS
        description = SCROLL_DESCRIPTION if scroll else _describe(binding)
        entries[group].append(HelpEntry(app.get_key_display(binding), description, enabled))

    for active in screen.active_bindings.values():
        add(active.node, active.binding, active.enabled)
    # Bindings of the screen and the app that are shadowed right now are help too.
    for node in (screen, app):
        for binding in _class_bindings(node):
            add(node, binding, True)
    for cls in _extra_owners(screen, screens):
        for binding in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])):
            add(cls, binding, True, BY_OPENED_SCREEN.get(cls.__name__) if cls in screens else None)
    groups = []
    for title in ORDER:
        merged = [
            HelpEntry(SCROLL_KEYS, e.description, e.enabled)
            if e.description == SCROLL_DESCRIPTION
            else e
            for e in _merge(entries[title])
        ]
        if merged:
            groups.append(HelpGroup(title, tuple(merged)))
    return groups


SCROLL_KEYS = "arrows pgup pgdn home end"
"""How the scrolling keys are shown: on one line."""


def _merge(entries: list[HelpEntry]) -> tuple[HelpEntry, ...]:
    """One line per action: keys that do the same thing are listed together (`↓ j`)."""
    merged: dict[str, HelpEntry] = {}
    for entry in entries:
        same = merged.get(entry.description)
        if same is None:
            merged[entry.description] = entry
        else:
            merged[entry.description] = HelpEntry(
                f"{same.key} {entry.key}", entry.description, same.enabled or entry.enabled
            )
    return tuple(merged.values())


class HelpScreen(ModalScreen[None]):
    """A modal listing the key bindings of the app and the screen below (escape, ? or q closes)."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    HelpScreen > #help-dialog {
        width: 72;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        background: $surface;
        border: round $primary;
        border-title-color: $primary;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        padding: 0 1;
    }
    HelpScreen #help-body {
        height: auto;
        max-height: 100%;
        scrollbar-size-vertical: 1;
    }
    HelpScreen .help-group {
        height: auto;
        margin: 0 0 1 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss_help", "Close help", id="help.close"),
    ]

    def __init__(
        self, source: Screen[object] | None = None, *, screens: Sequence[type] = ()
    ) -> None:
        """`source` is the screen whose bindings are listed (default: the one below);
        `screens` are the classes of the screens it opens, whose keys are listed too
        (passed in: the help screen imports no other screen)."""
        super().__init__()
        self._source = source
        self._screens = tuple(screens)
        self.groups: list[HelpGroup] = []
        """The bindings shown (filled in when the screen is mounted)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield VerticalScroll(id="help-body")

    def on_mount(self) -> None:
        dialog = self.query_one("#help-dialog", Vertical)
        dialog.border_title = "Keys"
        dialog.border_subtitle = "escape / ? / q to close"
        source = self._source
        if source is None:
            stack = self.app.screen_stack
            source = stack[-2] if len(stack) > 1 and stack[-1] is self else stack[-1]
        self.groups = collect_bindings(source, self._screens)
        body = self.query_one("#help-body", VerticalScroll)
        body.mount_all(
            Static(self._group_content(group), classes="help-group") for group in self.groups
        )

    @staticmethod
    def _group_content(group: HelpGroup) -> Content:
        # the one long "arrows pgup pgdn home end" line does not push every other key right
        width = max((len(e.key) for e in group.entries if e.key != SCROLL_KEYS), default=4)
        width = min(max(width, 6), 18)
        lines = [Content.styled(group.title, "bold $accent")]
        for entry in group.entries:
            lines.append(
                Content.assemble(
                    (
                        f"  {entry.key.ljust(width)}  ",
                        "bold $primary" if entry.enabled else "$text-disabled",
                    ),
                    (entry.description, "" if entry.enabled else "$text-disabled"),
                )
            )
        return Content("\n").join(lines)

    def action_dismiss_help(self) -> None:
        """Close the help screen."""
        self.dismiss(None)
