"""`HelpScreen`: every key binding that applies right now, grouped by where it comes from.

The bindings are read from the screen underneath the help screen (its
`active_bindings`: the focused widget and its ancestors, the screen, the app)
plus the app's and that screen's own `BINDINGS`, so hidden bindings are listed
too. Nothing is hard-coded: a new binding with a description shows up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


@dataclass(frozen=True)
class HelpEntry:
    """One line of help: the key as shown, what it does, and whether it works right now."""

    key: str
    description: str
    enabled: bool = True


@dataclass(frozen=True)
class HelpGroup:
    """Bindings that come from one place (a widget, a screen, the application)."""

    title: str
    entries: tuple[HelpEntry, ...]


def _describe(binding: Binding) -> str:
    return binding.description or binding.tooltip or binding.action.replace("_", " ")


def _node_title(node: DOMNode, screen: Screen[object]) -> str:
    from textual.app import App

    if isinstance(node, App):
        return "Application"
    if node is screen:
        name = FRIENDLY.get(screen.__class__.__name__, screen.__class__.__name__)
        return f"Screen: {screen.title or name}"
    label = FRIENDLY.get(node.__class__.__name__, node.__class__.__name__)
    return f"{label} #{node.id}" if node.id else label


FRIENDLY = {
    "WorkbenchScreen": "workbench",
    "TriageScreen": "triage",
    "DiffView": "diff (code pane)",
    "FindingList": "findings (review panes)",
    "StreamPane": "model output panes",
    "TasksScreen": "task list (T)",
    "TaskDetailScreen": "one task (enter in the task list)",
    "TaskEditDialog": "editing a task (e in the task list)",
}


def _widget_groups(screen: Screen[object], shown: set[str]) -> list[HelpGroup]:
    """Keys of the workbench's own widgets and screens, even when not focused right now."""
    from duo_tui.ui.widgets.diff_view import DiffView
    from duo_tui.ui.widgets.finding_list import FindingList
    from duo_tui.ui.widgets.stream_pane import StreamPane

    classes: list[type] = [DiffView, FindingList, StreamPane]
    if screen.__class__.__name__ == "WorkbenchScreen":
        from duo_tui.ui.screens.task_detail import TaskDetailScreen
        from duo_tui.ui.screens.tasks import TaskEditDialog, TasksScreen
        from duo_tui.ui.screens.triage import TriageScreen

        classes += [TriageScreen, TasksScreen, TaskDetailScreen, TaskEditDialog]
    out = []
    for cls in classes:
        title = FRIENDLY.get(cls.__name__, cls.__name__)
        if title in shown:
            continue
        entries = [
            HelpEntry(screen.app.get_key_display(b), _describe(b), True)
            for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", []))
            if not b.system
        ]
        if entries:
            out.append(HelpGroup(title, _merge(entries)))
    return out


def _class_bindings(node: DOMNode) -> list[Binding]:
    """The `BINDINGS` declared on `node`'s class and its bases, most derived first."""
    out: list[Binding] = []
    for cls in type(node).__mro__:
        declared = cls.__dict__.get("BINDINGS")
        if declared:
            out.extend(Binding.make_bindings(declared))
    return out


def collect_bindings(screen: Screen[object]) -> list[HelpGroup]:
    """The bindings reachable from `screen`, grouped by the node that defines them.

    Order: the focused widget's chain first (most specific), then the screen,
    then the app. Keys shadowed by a more specific binding are left out.
    """
    app = screen.app
    groups: dict[int, tuple[str, list[HelpEntry]]] = {}
    order: list[int] = []
    seen: set[str] = set()

    def add(node: DOMNode, binding: Binding, enabled: bool) -> None:
        if binding.system:
            return
        key_display = app.get_key_display(binding)
        marker = f"{id(node)}:{binding.key}"
        if marker in seen:
            return
        seen.add(marker)
        if id(node) not in groups:
            groups[id(node)] = (_node_title(node, screen), [])
            order.append(id(node))
        groups[id(node)][1].append(HelpEntry(key_display, _describe(binding), enabled))

    for _key, active in screen.active_bindings.items():
        add(active.node, active.binding, active.enabled)
    # Bindings of the screen and the app that are shadowed right now are help too.
    for node in (screen, app):
        for binding in _class_bindings(node):
            add(node, binding, True)

    def rank(node_id: int) -> int:
        title = groups[node_id][0]
        if title == "Application":
            return 2
        if title.startswith("Screen:"):
            return 1
        return 0

    result = [
        HelpGroup(groups[node_id][0], _merge(groups[node_id][1]))
        for node_id in sorted(order, key=rank)
        if not groups[node_id][0].startswith("Tabs")  # the narrow-layout tab bar: 1-4 do it
    ]
    shown = {g.title for g in result}
    app_groups = [g for g in result if g.title == "Application"]
    rest = [g for g in result if g.title != "Application"]
    return rest + _widget_groups(screen, shown) + app_groups


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

    def __init__(self, source: Screen[object] | None = None) -> None:
        """`source` is the screen whose bindings are listed (default: the one below)."""
        super().__init__()
        self._source = source
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
        self.groups = collect_bindings(source)
        body = self.query_one("#help-body", VerticalScroll)
        body.mount_all(
            Static(self._group_content(group), classes="help-group") for group in self.groups
        )

    @staticmethod
    def _group_content(group: HelpGroup) -> Content:
        width = max((len(entry.key) for entry in group.entries), default=4)
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
