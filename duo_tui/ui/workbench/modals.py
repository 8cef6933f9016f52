"""The screens the workbench opens: the triage, the task list and detail, the help.

Attributes down, messages up: each is given what it shows and answers with
`dismiss()` or messages handled here (`TriageScreen.Changed`/`Regrouped`/`Located`,
`SendDecision`, `OpenTask`); none holds the workbench's private state.
"""

from __future__ import annotations

from typing import Any

from duo_tui.core.enums import Stage
from duo_tui.ui.panes import CodePane
from duo_tui.ui.task_state import OpenTask, SendDecision
from duo_tui.ui.workbench.actions import WorkbenchActions


class WorkbenchModals(WorkbenchActions):
    """Open the triage, task and help screens; handle what they send back."""

    def action_triage(self) -> None:
        from duo_tui.ui.screens.triage import TriageScreen

        if not self.triage_groups:
            cp = self.checkpoint
            if cp is not None and cp.stage == Stage.REVIEW and cp.state.value != "failed":
                # both reviews are in and agree there is nothing to triage
                self.notify(
                    f"the reviews found nothing to triage: accept them ({self._key('accept')})",
                    timeout=5,
                )
            else:
                self.notify("no triage yet: it comes after the reviews", timeout=4)
            return
        preview = self.triage_preview

        def done(result: str | None) -> None:
            if result != "accept":
                return
            if preview:
                # accepting the reviews; the triage opens as soon as it is ready
                self._open_triage_next = True
            self.action_accept()

        self.app.push_screen(TriageScreen.for_workbench(self, preview=preview), done)

    def on_triage_screen_changed(self, _event: Any) -> None:
        self.show_decisions()

    def on_triage_screen_regrouped(self, event: Any) -> None:
        from duo_tui.core.artifacts import triage_groups

        self.triage_corrections.append(event.correction)
        self._set_groups(list(triage_groups(event.groups)))
        self._render_checkpoint()

    def on_triage_screen_located(self, event: Any) -> None:
        self.query_one(CodePane).diff_view().focus_location(
            event.file, event.line_start, event.line_end
        )

    def action_tasks(self) -> None:
        from duo_tui.ui.screens.tasks import TasksScreen

        screen = TasksScreen(self.task_state(), self)
        self._task_views.append(screen)

        def closed(result: object) -> None:
            if result == "accept":
                self.action_accept()

        self.app.push_screen(screen, closed)

    def open_task(self, task_id: str) -> None:
        """Show one task's detail (from the task list or the command palette)."""
        from duo_tui.ui.screens.task_detail import TaskDetailScreen

        screen = TaskDetailScreen(self.task_state(), task_id, self)
        self._task_views.append(screen)
        self.app.push_screen(screen)

    def on_open_task(self, message: OpenTask) -> None:
        self.open_task(message.task_id)

    def on_send_decision(self, message: SendDecision) -> None:
        """A decision from a task screen (task ops, a size, a task edit)."""
        self.send(message.decision)

    def action_help(self) -> None:
        from duo_tui.ui.screens.dialogs import TaskEditDialog
        from duo_tui.ui.screens.help import HelpScreen
        from duo_tui.ui.screens.task_detail import TaskDetailScreen
        from duo_tui.ui.screens.tasks import TasksScreen
        from duo_tui.ui.screens.triage import TriageScreen

        # the keys of the screens this one opens are help here even when they are closed
        self.app.push_screen(
            HelpScreen(screens=(TriageScreen, TasksScreen, TaskDetailScreen, TaskEditDialog))
        )
