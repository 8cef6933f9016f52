"""The task list: open any task; at the plan checkpoint reorder, skip, split, edit, resize.

Every change is a `UserDecision` to the core (task ops, task edits, a size); the
list shown is what the core sends back, so what you see is what will run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static, TextArea

from duo_tui.core.artifacts import TaskRow
from duo_tui.core.events import UserDecision
from duo_tui.safe_text import clean, clean_line
from duo_tui.ui.screens.dialogs import _Dialog
from duo_tui.ui.widgets.quiet_footer import QuietFooter

if TYPE_CHECKING:
    from duo_tui.ui.screens.workbench import WorkbenchScreen

STATE_GLYPH = {
    "pending": "·",
    "running": "▶",
    "committed": "✓",
    "skipped": "–",
    "stopped": "■",
    "replaced": "↷",
}


def at_task_list(wb: WorkbenchScreen, what: str = "task_ops") -> bool:
    cp = wb.checkpoint
    return cp is not None and what in cp.actions


def edit_task(screen: ModalScreen[Any], wb: WorkbenchScreen, row: TaskRow) -> None:
    """Open the edit dialog for a task; the edit goes to the core as `task_edits`."""
    if not at_task_list(wb, "task_edit"):
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
        wb.send(UserDecision("edit", task_edits={row.id: fields}))
        screen.notify(f"{row.id}: {', '.join(sorted(fields))} changed", timeout=4)

    screen.app.push_screen(TaskEditDialog(row), done)


class TaskEditDialog(_Dialog):
    """Edit a task's title, goal, files and completion criteria; ctrl+s saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save task", id="task_edit.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="task_edit.cancel"),
    ]

    DEFAULT_CSS = """
    TaskEditDialog { align: center middle; background: $background 60%; }
    TaskEditDialog .dialog { height: auto; max-height: 95%; max-width: 120; }
    TaskEditDialog .field { color: $text-muted; margin-top: 1; }
    TaskEditDialog #goal { height: 5; }
    TaskEditDialog #criteria { height: 6; }
    """

    def __init__(self, row: TaskRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        r = self.row
        with Vertical(classes="dialog"):
            # The task's fields come from the plan (model text): controls made visible.
            yield Label(f"Edit task {clean_line(r.id)}", classes="title", markup=False)
            yield Label("title", classes="field")
            yield Input(clean_line(r.title), id="title")
            yield Label("goal", classes="field")
            yield TextArea(clean(r.goal), id="goal", soft_wrap=True)
            yield Label("files it may touch (comma-separated)", classes="field")
            yield Input(clean_line(", ".join(r.files)), id="files")
            yield Label("completion criteria (one per line)", classes="field")
            yield TextArea(clean("\n".join(r.criteria)), id="criteria", soft_wrap=True)
            yield Static("tab next field · ctrl+s save · escape cancel", classes="hint")

    def on_mount(self) -> None:
        for area in self.query(TextArea):  # editing usually adds to the end
            area.move_cursor(area.document.end)
        self.query_one("#title", Input).focus()

    def fields(self) -> dict[str, Any]:
        """The fields that differ from the task as shown."""
        r = self.row
        title = self.query_one("#title", Input).value.strip()
        goal = self.query_one("#goal", TextArea).text.strip()
        files = [f.strip() for f in self.query_one("#files", Input).value.split(",") if f.strip()]
        criteria = [
            c.strip() for c in self.query_one("#criteria", TextArea).text.splitlines() if c.strip()
        ]
        out: dict[str, Any] = {}
        if title != r.title.strip():
            out["title"] = title
        if goal != r.goal.strip():
            out["goal"] = goal
        if files != list(r.files):
            out["files"] = files
        if criteria != list(r.criteria):
            out["criteria"] = criteria
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_save(self) -> None:
        self.dismiss(self.fields())


class TasksScreen(ModalScreen[None]):
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
    ]

    def __init__(self, workbench: WorkbenchScreen) -> None:
        super().__init__()
        self.wb = workbench
        self._shown = ""
        self._plan_size: tuple[str | None, str] = (None, "")

    def compose(self) -> ComposeResult:
        with Vertical(id="tasks"):
            yield Label("Tasks — each ends in its own reviewed commit")
            yield Static("", id="tasks-size")
            yield DataTable(cursor_type="row", zebra_stripes=True)
        yield QuietFooter()

    def on_mount(self) -> None:
        self._sync()
        self.set_interval(0.2, self._sync)

    # -- what is shown -----------------------------------------------------------------

    def _signature(self) -> str:
        cp = self.wb.checkpoint
        size = (cp.data.size, cp.data.size_why) if cp is not None else None
        return repr((self.wb.tasks, size, cp is not None))

    def _sync(self) -> None:
        """Show the core's task list again whenever it changed (after an op, a resize)."""
        sig = self._signature()
        if sig != self._shown:
            self._shown = sig
            self.refresh_rows()

    def _read_size(self) -> tuple[str | None, str]:
        cp = self.wb.checkpoint
        if cp is not None and cp.data.size is not None:
            return cp.data.size, cp.data.size_why
        session = self.wb_session()
        if session is not None:
            return session.size, session.size_why
        return self._plan_size

    def wb_session(self) -> Any:
        """The session as its files say (None without a session on disk, e.g. a replay)."""
        if not self.wb.repo_path or not self.wb.session_id:
            return None
        from duo_tui.store.session_store import SessionStore
        from duo_tui.store.task_view import read_session

        try:
            return read_session(SessionStore(self.wb.repo_path, self.wb.session_id))
        except Exception:
            return None

    def refresh_rows(self) -> None:
        t = self.query_one(DataTable)
        keep = self._selected() if t.columns else None
        t.clear(columns=True)  # columns fit the rows shown now (a resize changes them a lot)
        rows = self.wb.tasks
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
        for task in self.wb.tasks:
            state = task.state
            t.add_row(  # plan text (model output): plain text cells, controls visible
                Text(clean_line(task.id)),
                f"{STATE_GLYPH.get(state, ' ')} {state}",
                Text(clean_line(task.title), overflow="fold"),
                Text("\n".join(clean_line(f) for f in task.files), overflow="fold"),
                str(task.round),
                Text(clean_line("⚠ " + task.oversize)) if task.oversize else "",
                key=task.id,
                height=None,  # as many lines as the wrapped title or the files need
            )
        ids = [task.id for task in self.wb.tasks]
        if keep in ids:
            t.move_cursor(row=ids.index(keep))
        self._plan_size = self._read_size()
        size, why = self._plan_size
        line = Text()
        if size:
            line.append(f"size {size}", style="bold")
            if why:
                line.append(f"  ({clean_line(why)})")
        line.append(f"  ·  {len(ids)} task(s)")
        if at_task_list(self.wb):
            line.append("  ·  S M L resize · e edit · p split · K J move · s skip", style="dim")
        else:
            line.append("  ·  enter opens a task; changes only at the plan checkpoint", style="dim")
        self.query_one("#tasks-size", Static).update(line)

    def _selected(self) -> str | None:
        t = self.query_one(DataTable)
        if not self.wb.tasks or t.cursor_row < 0:
            return None
        return self.wb.tasks[min(t.cursor_row, len(self.wb.tasks) - 1)].id

    def _selected_row(self) -> TaskRow | None:
        tid = self._selected()
        return next((r for r in self.wb.tasks if r.id == tid), None)

    # -- actions -----------------------------------------------------------------------

    def _refuse(self) -> bool:
        if at_task_list(self.wb):
            return False
        self.notify(
            "tasks can be changed at the plan checkpoint only", severity="warning", timeout=4
        )
        return True

    def action_op(self, op: str) -> None:
        tid = self._selected()
        if self._refuse() or tid is None:
            return
        self.wb.send(UserDecision("accept", task_ops={tid: op}))

    def action_size(self, size: str) -> None:
        if self._refuse():
            return
        if size == self._plan_size[0]:
            self.notify(f"the plan is sized {size} already", timeout=3)
            return
        self.wb.send(UserDecision("accept", size=size))
        self.notify(f"resizing to {size}: the task list is rebuilt from the plan", timeout=4)

    def action_edit(self) -> None:
        row = self._selected_row()
        if row is not None:
            edit_task(self, self.wb, row)

    def action_open(self) -> None:
        from duo_tui.ui.screens.task_detail import TaskDetailScreen

        tid = self._selected()
        if tid is None:
            self.notify("no tasks yet: they come after the plan is accepted", timeout=4)
            return
        self.app.push_screen(TaskDetailScreen(self.wb, tid))

    def action_accept(self) -> None:
        self.dismiss(None)
        self.wb.action_accept()

    def action_close(self) -> None:
        self.dismiss(None)
