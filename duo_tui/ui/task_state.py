"""What the task screens are given and what they send back: attributes down, messages up.

The workbench hands the task list (`screens/tasks.py`) and a task's detail
(`screens/task_detail.py`) a `TaskListState`, and sets it again whenever the
core sends a new task list or the checkpoint changes; the screens only render
it. Their decisions go up as `SendDecision` messages and "open this task" as
`OpenTask`, posted to the screen that opened them: they never hold or call the
workbench, and neither imports the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.message import Message
from textual.screen import Screen

from duo_tui.core.artifacts import TaskRow
from duo_tui.core.events import UserDecision

NO_TASKS = "no tasks yet: the plan becomes tasks once it is agreed"
"""What an empty task list says, and what opening or editing a task says then."""

STATE_GLYPH = {
    "pending": "·",
    "running": "▶",
    "committed": "✓",
    "skipped": "–",
    "stopped": "■",
    "replaced": "↷",
}


@dataclass(frozen=True)
class TaskListState:
    """The session's tasks and what may be done with them right now."""

    tasks: tuple[TaskRow, ...] = ()
    offered: frozenset[str] = frozenset()
    """The open checkpoint's actions (`task_ops`, `task_edit`, `size` at the plan
    checkpoint's task list); empty while a stage runs."""
    at_checkpoint: bool = False
    size: str | None = None  # the plan checkpoint's size (None: ask the session's files)
    size_why: str = ""
    repo_path: str = ""  # where the session's files are ("" in a replay)
    session_id: str = ""

    def allows(self, what: str = "task_ops") -> bool:
        """Whether the open checkpoint offers `what` (task ops, a task edit)."""
        return what in self.offered

    def ids(self) -> list[str]:
        return [t.id for t in self.tasks]

    def row(self, task_id: str) -> TaskRow | None:
        return next((t for t in self.tasks if t.id == task_id), None)


class SendDecision(Message):
    """A task screen's decision (task ops, a size, a task edit) for the open checkpoint."""

    def __init__(self, decision: UserDecision) -> None:
        super().__init__()
        self.decision = decision


class OpenTask(Message):
    """Open the detail of `task_id` (from the task list)."""

    def __init__(self, task_id: str) -> None:
        super().__init__()
        self.task_id = task_id


def edit_task(
    screen: Screen[Any], state: TaskListState, row: TaskRow, send: Callable[[UserDecision], None]
) -> None:
    """Open the edit dialog for a task; the edit goes to the core as `task_edits`."""
    if not state.allows("task_edit"):
        screen.notify(
            "tasks can be edited at the plan checkpoint only (before coding starts)",
            severity="warning",
            timeout=4,
        )
        return
    if row.state != "pending":
        screen.notify(f"{row.id} is {row.state}: only pending tasks can be edited")
        return

    def done(fields: object) -> None:
        if not isinstance(fields, dict):
            return
        if not fields:
            screen.notify("nothing changed", timeout=3)
            return
        send(UserDecision("edit", task_edits={row.id: fields}))
        screen.notify(f"{row.id}: {', '.join(sorted(fields))} changed", timeout=4)

    from duo_tui.ui.screens.dialogs import TaskEditDialog

    screen.app.push_screen(TaskEditDialog(row), done)
