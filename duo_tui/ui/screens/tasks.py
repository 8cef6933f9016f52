"""The task list: open any task; at the plan checkpoint reorder, skip, split, edit, resize.

Every change is a `UserDecision` to the core (task ops, task edits, a size),
posted up as a `SendDecision` message; the list shown is the `TaskListState` the
workbench sets (attributes down) from what the core sends back, so what you see
is what will run. Opening a task posts `OpenTask`; `a` dismisses with "accept".
Plan text is untrusted: each cell cleaned and cut (`shown_line`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message_pump import MessagePump
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from duo_tui.core.artifacts import TaskRow
from duo_tui.core.events import UserDecision
from duo_tui.ui.task_state import (
    NO_TASKS,
    STATE_GLYPH,
    OpenTask,
    SendDecision,
    TaskListState,
    edit_task,
)
from duo_tui.ui.visible import shown_line
from duo_tui.ui.widgets.quiet_footer import QuietFooter


class TasksScreen(ModalScreen[str | None]):
    """The session's tasks; at the plan checkpoint, changes to them (each one a decision)."""

    DEFAULT_CSS = """
    TasksScreen { align: center middle; background: $background 60%; }
    #tasks { width: 95%; height: 80%; border: round $primary; background: $surface; padding: 0 1; }
    #tasks Label { text-style: bold; color: $primary; }
    #tasks-size { height: auto; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open task", id="tasks.open", priority=True),
        Binding("e", "edit", "Edit", id="tasks.edit"),
        Binding("K", "op('up')", "Move up", id="tasks.up"),
        Binding("J", "op('down')", "Move down", id="tasks.down"),
        Binding("s", "op('skip')", "Skip", id="tasks.skip"),
        Binding("u", "op('unskip')", "Unskip", id="tasks.unskip"),
        Binding("p", "op('split')", "Split", id="tasks.split"),
        Binding("S", "size('S')", "Resize to S", id="tasks.size_s", show=False),
        Binding("M", "size('M')", "Resize to M", id="tasks.size_m", show=False),
        Binding("L", "size('L')", "Resize to L", id="tasks.size_l", show=False),
        Binding("a", "accept", "Accept tasks", id="tasks.accept"),
        Binding("escape", "close", "Close", id="tasks.close"),
        Binding("question_mark", "app.help", "Help", id="tasks.help"),
    ]

    state: reactive[TaskListState] = reactive(TaskListState, init=False, always_update=False)
    """What is shown: set by the screen that opened this one whenever it changes."""

    def __init__(self, state: TaskListState, reply_to: MessagePump) -> None:
        super().__init__()
        self.set_reactive(TasksScreen.state, state)
        self.reply_to = reply_to  # where decisions and "open this task" are posted
        self._shown = ""
        self._plan_size: tuple[str | None, str] = (None, "")

    def compose(self) -> ComposeResult:
        with Vertical(id="tasks"):
            yield Label("Tasks — each ends in its own reviewed commit")
            yield Static("", id="tasks-size")
            yield DataTable(cursor_type="row", zebra_stripes=True)
        # at 80 columns the minor keys give way (moving as a pair); the guide above names them
        yield QuietFooter(spare=("op('unskip')", "op('up')", "op('down')", "close"))

    def on_mount(self) -> None:
        self._sync()

    def watch_state(self) -> None:
        if self.is_mounted:  # else on_mount shows it
            self._sync()

    def send(self, decision: UserDecision) -> None:
        """Up to the screen that opened this one, for the open checkpoint."""
        self.reply_to.post_message(SendDecision(decision))

    # -- what is shown -----------------------------------------------------------------

    def _signature(self) -> str:
        st = self.state
        return repr((st.tasks, (st.size, st.size_why) if st.at_checkpoint else None, st.offered))

    def _sync(self) -> None:
        """Show the core's task list again whenever it changed (after an op, a resize)."""
        sig = self._signature()
        if sig != self._shown:
            self._shown = sig
            self.refresh_rows()

    def _read_size(self) -> tuple[str | None, str]:
        if self.state.size is not None:
            return self.state.size, self.state.size_why
        session = self.session_on_disk()
        if session is not None:
            return session.size, session.size_why
        return self._plan_size

    def session_on_disk(self) -> Any:
        """The session as its files say (None without a session on disk, e.g. a replay)."""
        if not self.state.repo_path or not self.state.session_id:
            return None
        from duo_tui.store.session_store import SessionStore
        from duo_tui.store.task_view import read_session

        try:
            return read_session(SessionStore(self.state.repo_path, self.state.session_id))
        except Exception:
            return None

    def refresh_rows(self) -> None:
        t = self.query_one(DataTable)
        keep = self._selected() if t.columns else None
        t.clear(columns=True)  # columns fit the rows shown now (a resize changes them a lot)
        rows = self.state.tasks
        # Titles wrap at word boundaries and files go one per line (never cut mid-word),
        # in columns sized so the round and the oversize flag stay in view.
        # 0.95 of the screen, less the border, padding, the id, state, round and flag
        # columns and every column's padding: what the title and the files share.
        budget = max(24, int(self.app.size.width * 0.95) - 36)
        files = [len(f) for r in rows for f in r.files]
        files_w = min(56, budget - 16, max([5, *files]))  # a path does not wrap well
        title_w = min(44, budget - files_w, max([5, *(len(r.title) for r in rows)]))
        t.add_column("id")
        t.add_column("state")
        t.add_column("title", width=title_w)
        t.add_column("files", width=files_w)
        t.add_column("round")
        t.add_column("flag")
        for task in self.state.tasks:
            state = task.state
            t.add_row(  # plan text (model output): plain text cells, controls visible
                Text(shown_line(task.id)),
                f"{STATE_GLYPH.get(state, ' ')} {state}",
                Text(shown_line(task.title), overflow="fold"),
                Text("\n".join(shown_line(f) for f in task.files), overflow="fold"),
                str(task.round),
                Text(shown_line("⚠ " + task.oversize)) if task.oversize else "",
                key=task.id,
                height=None,  # as many lines as the wrapped title or the files need
            )
        ids = [task.id for task in self.state.tasks]
        if keep in ids:
            t.move_cursor(row=ids.index(keep))
        self._plan_size = self._read_size()
        size, why = self._plan_size
        line = Text()
        if size:
            line.append(f"size {size}", style="bold")
            if why:
                line.append(f"  ({shown_line(why)})")
        line.append(f"{'  ·  ' if size else ''}{len(ids)} task(s)")
        if not ids:
            line.append(f"  ·  {NO_TASKS}", style="dim")
        elif self.state.allows("task_ops"):
            # on a line of its own: the guide never wraps inside "S M L resize"
            line.append("\nS M L resize · e edit · p split · K J move · s skip", style="dim")
        else:
            line.append("  ·  enter opens a task; changes only at the plan checkpoint", style="dim")
        self.query_one("#tasks-size", Static).update(line)

    def _selected(self) -> str | None:
        t = self.query_one(DataTable)
        if not self.state.tasks or t.cursor_row < 0:
            return None
        return self.state.tasks[min(t.cursor_row, len(self.state.tasks) - 1)].id

    def _selected_row(self) -> TaskRow | None:
        tid = self._selected()
        return next((r for r in self.state.tasks if r.id == tid), None)

    # -- actions -----------------------------------------------------------------------

    def _refuse(self) -> bool:
        if self.state.allows("task_ops"):
            return False
        self.notify(
            "tasks can be changed at the plan checkpoint only", severity="warning", timeout=4
        )
        return True

    def action_op(self, op: str) -> None:
        tid = self._selected()
        if self._refuse() or tid is None:
            return
        self.send(UserDecision("accept", task_ops={tid: op}))

    def action_size(self, size: str) -> None:
        if self._refuse():
            return
        if size == self._plan_size[0]:
            self.notify(f"the plan is sized {size} already", timeout=3)
            return
        self.send(UserDecision("accept", size=size))
        self.notify(f"resizing to {size}: the task list is rebuilt from the plan", timeout=4)

    def action_edit(self) -> None:
        row = self._selected_row()
        if row is None:
            self.notify(NO_TASKS, timeout=4)
            return
        edit_task(self, self.state, row, self.send)

    def action_open(self) -> None:
        tid = self._selected()
        if tid is None:
            self.notify(NO_TASKS, timeout=4)
            return
        self.reply_to.post_message(OpenTask(tid))

    def action_accept(self) -> None:
        self.dismiss("accept")  # the opener accepts the checkpoint

    def action_close(self) -> None:
        self.dismiss(None)
