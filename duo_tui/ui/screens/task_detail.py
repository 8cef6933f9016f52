"""One task, opened from the task list: its goal, files, criteria and state and, once it
has run, its diff, reviews, triage and commit, as the session's files hold them.

`[` and `]` move to the previous and next task. It works at any time (a running
session, a finished one); editing (`e`) only at the plan checkpoint. The task list
comes down as a `TaskListState` (set again whenever it changes); an edit goes up as
a `SendDecision` message to the screen that opened this one.

All of it is model and repository text: cleaned (`visible`) and each field cut
(`shown`: a title to 500 characters, a goal or commit message to 10,000, each
diff line to 500), since a plan or a review may hold a multi-megabyte word.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message_pump import MessagePump
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from duo_tui.core.artifacts import TaskRow
from duo_tui.core.session import Task
from duo_tui.ui.match_marks import only_label
from duo_tui.ui.task_state import STATE_GLYPH, SendDecision, TaskListState, edit_task
from duo_tui.ui.visible import TITLE_CHARS, shown, shown_line, visible

if TYPE_CHECKING:
    from duo_tui.core.events import UserDecision
    from duo_tui.store.task_view import TaskDetail

MAX_DIFF_LINES = 400
SEV_VAR = {
    "critical": "duo-critical",
    "high": "duo-high",
    "medium": "duo-medium",
    "low": "duo-low",
    "info": "duo-info",
}
KIND_TEXT = {"agree": "= agreed", "severity": "≠ severity", "only": "◆ one reviewer"}


def _line(text: str) -> str:
    """A one-line field of the task or its files, cut (`visible` cleans the whole)."""
    return shown(text, TITLE_CHARS)


class TaskDetailScreen(ModalScreen[None]):
    """One task and what its rounds left in the session's files."""

    DEFAULT_CSS = """
    TaskDetailScreen { align: center middle; background: $background 60%; }
    #task-detail {
        width: 95%; height: 90%; border: round $primary; background: $surface; padding: 0 1;
        border-title-color: $primary; border-title-style: bold; border-subtitle-color: $text-muted;
    }
    #task-head { height: auto; }
    #task-body { height: 1fr; scrollbar-size-vertical: 1; }
    #task-body Static { height: auto; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket", "move(-1)", "Previous task", id="task.previous"),
        Binding("right_square_bracket", "move(1)", "Next task", id="task.next"),
        Binding("e", "edit", "Edit task", id="task.edit"),
        Binding("d", "jump_diff", "Diff", id="task.diff"),
        Binding("escape", "close", "Back", id="task.close"),
        Binding("question_mark", "app.help", "Help", id="task.help"),
    ]

    state: reactive[TaskListState] = reactive(TaskListState, init=False, always_update=False)
    """The session's tasks: set by the screen that opened this one whenever they change."""

    def __init__(self, state: TaskListState, task_id: str, reply_to: MessagePump) -> None:
        super().__init__()
        self.set_reactive(TaskDetailScreen.state, state)
        self.reply_to = reply_to  # where an edit is posted
        self.task_id = task_id
        self.detail: TaskDetail | None = None
        self._shown = ""
        self._shown_id = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="task-detail"):
            yield Static("", id="task-head")
            with VerticalScroll(id="task-body"):
                yield Static("", id="task-info")
                yield Static("", id="task-rounds")
                yield Static("", id="task-diff")
        yield Footer()

    def on_mount(self) -> None:
        box = self.query_one("#task-detail", Vertical)
        box.border_subtitle = "[ previous · ] next · d diff · e edit · escape back"
        self.show()

    def watch_state(self) -> None:
        """Show the task again when the core changed it (an edit, a new round, a commit)."""
        if not self.is_mounted:  # on_mount shows it
            return
        sig = repr((self._row(), len(self.state.tasks)))
        if sig != self._shown:
            self.show()

    def send(self, decision: UserDecision) -> None:
        self.reply_to.post_message(SendDecision(decision))

    # -- data ----------------------------------------------------------------------------

    def _ids(self) -> list[str]:
        return self.state.ids()

    def _row(self) -> TaskRow | None:
        return self.state.row(self.task_id)

    def _load(self) -> tuple[Task, TaskDetail | None, str]:
        """The task (fresh from session.json when there is one) and its files."""
        row = self._row()
        fields = asdict(row) if row is not None else {}
        task = Task.model_validate({"title": "", **fields, "id": self.task_id})
        repo, session_id = self.state.repo_path, self.state.session_id
        if not repo or not session_id:
            return task, None, "no session files here (a replay): only the task list is known"
        from duo_tui.store.session_store import SessionStore
        from duo_tui.store.task_view import load_task_detail, read_session

        try:
            store = SessionStore(repo, session_id)
            session = read_session(store)
            if session is not None:
                task = next((t for t in session.tasks if t.id == self.task_id), task)
            return task, load_task_detail(store, task), ""
        except Exception as exc:  # a broken file must not close the screen
            return task, None, f"the session's files could not be read: {exc}"

    # -- rendering -----------------------------------------------------------------------

    def _var(self, name: str) -> str:
        return self.app.theme_variables.get(name, "")

    def show(self) -> None:
        self._shown = repr((self._row(), len(self.state.tasks)))
        task, detail, problem = self._load()
        self.detail = detail
        ids = self._ids()
        pos = ids.index(self.task_id) + 1 if self.task_id in ids else 0
        box = self.query_one("#task-detail", Vertical)
        box.border_title = Content(f"Task {shown_line(self.task_id)} · {pos}/{len(ids)}")
        state = task.state.value
        head = Text()
        head.append(f"{_line(task.id)}  ", style="bold")
        head.append(_line(task.title), style="bold")
        head.append(f"\n{STATE_GLYPH.get(state, ' ')} {state}", style=self._state_style(state))
        if state != "pending":
            head.append(f" · round {task.round}", style="dim")
        if state in ("running", "stopped"):
            head.append(f" · at {task.phase.value}", style="dim")
        if task.commit:
            head.append(f" · commit {_line(task.commit[:10])}", style="dim")
        if task.split_from:
            head.append(f" · a part of {_line(task.split_from)}", style="dim")
        # The task, its reviews, commit and diff are model and repository text.
        self.query_one("#task-head", Static).update(visible(head))
        self.query_one("#task-info", Static).update(visible(self._info(task, problem)))
        self.query_one("#task-rounds", Static).update(visible(self._rounds(task, detail)))
        self.query_one("#task-diff", Static).update(visible(self._diff(detail)))
        if self._shown_id != self.task_id:  # a refresh of the same task keeps the scroll
            self._shown_id = self.task_id
            self.query_one("#task-body", VerticalScroll).scroll_home(animate=False)

    def _state_style(self, state: str) -> str:
        return {
            "committed": "bold " + self._var("success"),
            "running": "bold " + self._var("warning"),
            "stopped": "bold " + self._var("error"),
        }.get(state, "bold")

    def _section(self, out: Text, title: str) -> None:
        if out.plain:
            out.append("\n\n")
        out.append(title, style="bold " + self._var("accent"))

    def _info(self, task: Task, problem: str) -> Text:
        out = Text()
        self._section(out, "Goal")
        out.append("\n" + (shown(task.goal) or "(none given)"))
        self._section(out, "Files it may touch")
        out.append("\n" + ("\n".join(f"  {_line(f)}" for f in task.files) or "  (none named)"))
        self._section(out, "Completion criteria")
        out.append("\n" + ("\n".join(f"  • {shown(c)}" for c in task.criteria) or "  (none named)"))
        if task.steps:
            out.append("\nplan steps: " + shown(", ".join(task.steps)), style="dim")
        if task.est_lines:
            out.append(f"\nabout {task.est_lines} changed lines expected", style="dim")
        if task.oversize:
            out.append(f"\n⚠ {_line(task.oversize)}", style=self._var("warning"))
        if problem:
            out.append(f"\n\n{shown(problem)}", style="dim italic")
        return out

    def _rounds(self, task: Task, detail: TaskDetail | None) -> Text:
        out = Text()
        if detail is None:
            return out
        if not detail.rounds:
            self._section(out, "Rounds")
            out.append("\n  not run yet", style="dim")
        for r in detail.rounds:
            self._section(out, f"Round {r.round}")
            if r.gate:
                style = {"passed": "success", "failed": "error"}.get(r.gate, "")
                out.append("\n  gate ")
                out.append(_line(r.gate), style=self._var(style) if style else "")
            for i, review in enumerate(r.reviews):
                verdict = _line(review.verdict or "").replace("_", " ")
                score = f" {review.score}/10" if review.score else ""
                out.append(f"\n  review {'AB'[i] if i < 2 else i + 1} ", style="bold")
                out.append(
                    f"{_line(review.reviewer)}: {verdict}{score}, {len(review.findings)} finding(s)"
                )
                for f in review.findings:
                    where = f" {_line(f.file)}:{f.line_start}" if f.file and f.line_start else ""
                    out.append("\n    ")
                    out.append(f"{f.severity.value:<8}", style=self._var(SEV_VAR[f.severity.value]))
                    out.append(f" {_line(f.title)}{where}")
            if r.triage:
                out.append("\n  triage", style="bold")
                for g in r.triage:
                    kind = KIND_TEXT.get(g.kind, _line(g.kind))
                    if g.kind == "only" and g.members:
                        # which reviewer, by glyph and letter: never colour alone
                        kind = only_label(g.members[0].reviewer)
                    decision = _line(g.decision).replace("_", "-")
                    sev = _line(g.severity)
                    out.append("\n    ")
                    out.append(f"{decision:<12}", style="bold" if decision == "fix" else "")
                    out.append(f"{sev:<8}", style=self._var(SEV_VAR.get(sev, "")))
                    out.append(f" {_line(g.title)}  ")
                    out.append(kind, style="dim")
            if r.verdict:
                out.append(f"\n  verdict: {_line(r.verdict)}", style="dim")
            if not (r.gate or r.reviews or r.triage):
                out.append("\n  in progress: the change is below", style="dim")
        if detail.commit:
            self._section(out, "Commit")
            out.append(f"\n  {_line(detail.commit[:12])}  ", style=self._var("success"))
            out.append(shown(detail.commit_message or ""))
        return out

    def _diff(self, detail: TaskDetail | None) -> Text:
        out = Text()
        diff = detail.diff if detail is not None else None
        if diff is None:
            return out
        self._section(out, "Diff")
        lines = diff.splitlines()
        if not lines:
            out.append("\n  (empty: every change was declined)", style="dim")
        added, removed = self._var("duo-diff-added"), self._var("duo-diff-removed")
        for whole in lines[:MAX_DIFF_LINES]:
            line = _line(whole)  # a minified file is one line
            out.append("\n")
            if line.startswith(("+++", "---", "diff --git", "index ")):
                out.append(line, style="bold dim")
            elif line.startswith("@@"):
                out.append(line, style=self._var("accent"))
            elif line.startswith("+"):
                out.append(line, style=added)
            elif line.startswith("-"):
                out.append(line, style=removed)
            else:
                out.append(line)
        if len(lines) > MAX_DIFF_LINES:
            out.append(
                f"\n… {len(lines) - MAX_DIFF_LINES} more lines in the session folder", style="dim"
            )
        return out

    # -- actions -------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        ids = self._ids()
        if not ids:
            return
        i = ids.index(self.task_id) if self.task_id in ids else 0
        j = i + step
        if not 0 <= j < len(ids):
            self.notify("first task" if j < 0 else "last task", timeout=2)
            return
        self.task_id = ids[j]
        self.show()

    def action_jump_diff(self) -> None:
        target = self.query_one("#task-diff", Static)
        if not (self.detail and self.detail.diff is not None):
            self.notify("no diff yet: the task has not run", timeout=3)
            return
        self.query_one("#task-body", VerticalScroll).scroll_to_widget(target, top=True)

    def action_edit(self) -> None:
        row = self._row()
        if row is not None:
            edit_task(self, self.state, row, self.send)

    def action_close(self) -> None:
        self.dismiss(None)
