"""The workbench: stage rail, plan, code, one pane per reviewer, the checkpoint bar.

This screen renders state and sends decisions; the pipeline runs in its own
thread (see `duo_tui.ui.bridge`). Layout adapts: four columns at 170+ columns,
a 2×2 grid from 110, and tabs (one pane at a time) below that. The parts live in
the modules of this package (see `duo_tui.ui.workbench.base`).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.reactive import Reactive
from textual.widget import Widget

from duo_tui.ui.widgets.stream_pane import StreamPane
from duo_tui.ui.workbench.base import TICK_S
from duo_tui.ui.workbench.bridge import WorkbenchBridge


class WorkbenchScreen(WorkbenchBridge):
    """Where a session is watched and decided."""

    DEFAULT_CSS = """
    WorkbenchScreen { layout: vertical; background: $background; }
    #status { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    #body { height: 1fr; }
    #rail-col { width: 20; height: 1fr; background: $panel; }
    #rail-col StageRail { width: 1fr; }
    #disagree { height: auto; padding: 1 1 0 1; color: $text-muted; }
    #trace { height: auto; padding: 1 1 0 1; color: $text-muted; }
    #costs { height: auto; padding: 1 1 0 1; color: $text-muted; }
    #pane-tabs { display: none; height: 2; }
    #panes { layout: grid; grid-size: 4 1; grid-gutter: 0 0; height: 1fr; }
    WorkbenchScreen.-grid #panes { grid-size: 2 2; }
    WorkbenchScreen.-narrow #panes { grid-size: 1 1; }
    WorkbenchScreen.-narrow #pane-tabs { display: block; }
    WorkbenchScreen.-narrow #rail-col { display: none; }
    WorkbenchScreen.-narrow #rail-top { display: block; }
    #rail-top { display: none; height: 1; }
    WorkbenchScreen.-narrow .pane { display: none; }
    WorkbenchScreen.-narrow .pane.-active { display: block; }
    #checkpoint { height: auto; min-height: 3; max-height: 7; border-top: solid $primary; background: $panel; padding: 0 1; }
    #checkpoint.-awaiting { border-top: solid $warning; }
    #checkpoint.-failed { border-top: solid $error; }
    #checkpoint.-done { border-top: solid $success; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept", id="accept", tooltip="Accept this stage's result"),
        Binding(
            "x",
            "reject",
            "Reject",
            id="reject",
            tooltip="Reject with a reason; the stage reruns with it",
        ),
        Binding("r", "rerun", "Rerun", id="rerun", tooltip="Rerun with the same or another model"),
        Binding(
            "e",
            "edit",
            "Edit",
            id="edit",
            tooltip="Edit the artifact (plan, edits, commit message)",
        ),
        Binding("E", "edit_external", "Edit in $EDITOR", id="edit_external", show=False),
        Binding("t", "triage", "Triage", id="triage", tooltip="Decide each finding"),
        Binding(
            "c", "choose", "Choose", id="choose", show=False, tooltip="Pick between rerun results"
        ),
        Binding("s", "swap_roles", "Swap roles", id="swap_roles", show=False),
        Binding("p", "toggle_autopilot", "Autopilot", id="toggle_autopilot", show=False),
        Binding("z", "maximize_pane", "Zoom", id="maximize", show=False),
        Binding("1", "focus_pane(0)", "Plan", id="pane1", show=False),
        Binding("2", "focus_pane(1)", "Code", id="pane2", show=False),
        Binding("3", "focus_pane(2)", "Review A", id="pane3", show=False),
        Binding("4", "focus_pane(3)", "Review B", id="pane4", show=False),
        Binding("less_than_sign", "resize(-1)", "Narrower", id="narrower", show=False),
        Binding("greater_than_sign", "resize(1)", "Wider", id="wider", show=False),
        Binding("o", "code_view('stream-exec')", "Executor", id="show_exec", show=False),
        Binding("d", "code_view('diff')", "Diff", id="show_diff", show=False),
        Binding("g", "code_view('stream-gate')", "Gate log", id="show_gate", show=False),
        Binding("v", "toggle_raw", "Raw review", id="toggle_raw", show=False),
        Binding(
            "y",
            "copy_pane",
            "Copy",
            id="copy",
            show=False,
            tooltip="Copy the focused pane (OSC 52)",
        ),
        Binding(
            "T", "tasks", "Tasks", id="tasks", show=False, tooltip="Reorder, skip or split tasks"
        ),
        Binding("S", "split_task", "Split task", id="split_task", show=False),
        Binding("W", "full_workflow", "Full workflow", id="full_workflow", show=False),
        Binding("K", "failed_task('skip_task')", "Skip task", id="skip_task", show=False),
        Binding("M", "failed_task('merge_task')", "Merge task", id="merge_task", show=False),
        Binding("U", "use_revision", "Use revision", id="use_revision", show=False),
        Binding("question_mark", "help", "Help", id="help"),
    ]

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """As `Screen.focused`, without repainting the whole screen on every focus change:
    the widgets whose style depends on focus repaint themselves. With four panes
    streaming, that full repaint was most of what a pane switch cost."""

    def on_mount(self) -> None:
        # One clock for the whole screen: events, every pane's text and the spinners
        # change in the same tick, so a busy second costs at most 20 frames.
        self.set_interval(TICK_S, self._drain)
        self._apply_layout(self.app.size.width, self.app.size.height)
        self._render_status()
        self._render_checkpoint()
        self.query_one("#stream-plan", StreamPane).query_one("#stream-body").focus()
