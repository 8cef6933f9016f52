"""The task list at the plan checkpoint: reorder, skip, split, resize; then accept."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label

from duo_tui.core.events import UserDecision

if TYPE_CHECKING:
    from duo_tui.ui.screens.workbench import WorkbenchScreen


class TasksScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    TasksScreen { align: center middle; background: $background 60%; }
    #tasks { width: 95%; height: 80%; border: round $primary; background: $surface; padding: 0 1; }
    #tasks Label { text-style: bold; color: $primary; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("K", "op('up')", "Move up", id="tasks.up"),
        Binding("J", "op('down')", "Move down", id="tasks.down"),
        Binding("s", "op('skip')", "Skip", id="tasks.skip"),
        Binding("u", "op('unskip')", "Unskip", id="tasks.unskip"),
        Binding("p", "op('split')", "Split", id="tasks.split"),
        Binding("a", "accept", "Accept tasks", id="tasks.accept"),
        Binding("escape", "close", "Close", id="tasks.close"),
    ]

    def __init__(self, workbench: WorkbenchScreen) -> None:
        super().__init__()
        self.wb = workbench

    def compose(self) -> ComposeResult:
        with Vertical(id="tasks"):
            yield Label("Tasks — each ends in its own reviewed commit")
            yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        t = self.query_one(DataTable)
        t.add_columns("id", "state", "title", "files", "round", "flag")
        self.refresh_rows()

    def refresh_rows(self) -> None:
        t = self.query_one(DataTable)
        t.clear()
        for task in self.wb.tasks:
            t.add_row(
                task["id"],
                task["state"],
                task["title"],
                ", ".join(task.get("files", [])),
                str(task.get("round", 1)),
                "⚠ " + task["oversize"] if task.get("oversize") else "",
                key=task["id"],
            )

    def _selected(self) -> str | None:
        t = self.query_one(DataTable)
        if not self.wb.tasks or t.cursor_row < 0:
            return None
        return str(self.wb.tasks[min(t.cursor_row, len(self.wb.tasks) - 1)]["id"])

    def action_op(self, op: str) -> None:
        cp = self.wb.checkpoint
        tid = self._selected()
        if cp is None or "task_ops" not in cp.actions or tid is None:
            self.notify(
                "tasks can be changed at the plan checkpoint only", severity="warning", timeout=4
            )
            return
        self.wb.send(UserDecision("accept", task_ops={tid: op}))
        self.set_timer(0.3, self.refresh_rows)

    def action_accept(self) -> None:
        self.dismiss(None)
        self.wb.action_accept()

    def action_close(self) -> None:
        self.dismiss(None)
