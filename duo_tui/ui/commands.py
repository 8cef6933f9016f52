"""Command palette entries: every workbench action, by name (ctrl+p)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from textual.app import SystemCommand


def duo_commands(app: Any, screen: Any) -> Iterator[SystemCommand]:
    from duo_tui.ui.workbench import WorkbenchScreen

    for name in sorted(app.available_themes):
        if name.startswith("duo-"):
            yield SystemCommand(
                f"Theme: {name}",
                f"switch to the {name} theme",
                lambda n=name: setattr(app, "theme", n),
            )
    yield SystemCommand(
        "History: sessions of this repository", "list sessions; resume one", app.action_history
    )
    if not isinstance(screen, WorkbenchScreen):
        return
    wb = screen
    yield SystemCommand("Accept", "accept this stage's result (a)", wb.action_accept)
    yield SystemCommand(
        "Reject with a reason", "the stage reruns with your reason (x)", wb.action_reject
    )
    yield SystemCommand("Rerun", "rerun with the same model (r)", lambda: wb.action_rerun())
    from duo_tui.core.enums import Stage
    from duo_tui.core.events import UserDecision
    from duo_tui.ui.review_rerun_flow import reviewer_choices

    cp = wb.checkpoint
    slots = reviewer_choices(cp) if cp is not None and cp.stage == Stage.REVIEW else []
    if slots:
        # at review a model belongs to one reviewer: the other review is kept
        for index, name, current in slots:
            for model in wb.models:
                yield SystemCommand(
                    f"Rerun review {name} with model {model}",
                    f"only review {name} ({current}) reruns; the other review is kept",
                    lambda i=index, m=model: wb.send(UserDecision("rerun", target=i, model=m)),
                )
    else:
        for model in wb.models:
            yield SystemCommand(
                f"Rerun with model {model}",
                "rerun this stage with that model",
                lambda m=model: wb.send(UserDecision("rerun", model=m)),
            )
    yield SystemCommand(
        "Edit the artifact", "edit the plan, edits or commit message (e)", wb.action_edit
    )
    yield SystemCommand(
        "Edit in $EDITOR", "edit the artifact in your editor (E)", wb.action_edit_external
    )
    yield SystemCommand("Choose between rerun results", "side by side (c)", wb.action_choose)
    yield SystemCommand(
        "Swap roles",
        "planner and executor trade places for the next round (s)",
        wb.action_swap_roles,
    )
    yield SystemCommand(
        "Toggle autopilot", "let the convergence rule decide (p)", wb.action_toggle_autopilot
    )
    yield SystemCommand("Triage findings", "decide each finding (t)", wb.action_triage)
    yield SystemCommand(
        "Tasks", "open, edit, reorder, skip, split or resize tasks (T)", wb.action_tasks
    )
    yield SystemCommand(
        "Task details: the current task",
        "goal, files, criteria; diff, reviews, triage, commit ([ ] move)",
        lambda: open_current_task(wb),
    )
    yield SystemCommand(
        "Split the oversize task",
        "discard the change, split the task by the bound, run part 1 (S)",
        wb.action_split_task,
    )
    yield SystemCommand(
        "Switch to the full workflow",
        "a fast session grew: discard the change, align the plan, size it (W)",
        wb.action_full_workflow,
    )
    yield SystemCommand(
        "Skip the task that cannot apply",
        "its edits cannot be applied: skip it and go on (K)",
        lambda: wb.action_failed_task("skip_task"),
    )
    yield SystemCommand(
        "Merge the task with the previous one",
        "its edits cannot be applied: one task with both tasks' files (M)",
        lambda: wb.action_failed_task("merge_task"),
    )
    yield SystemCommand(
        "Use the planner's revision",
        "align: replace the plan you edited by the planner's proposed revision (U)",
        wb.action_use_revision,
    )
    yield SystemCommand(
        "Export session as Markdown", "write the session to a .md file", lambda: export(wb, "md")
    )
    yield SystemCommand(
        "Export session as JSON", "write the session to a .json file", lambda: export(wb, "json")
    )
    yield SystemCommand(
        "Apply to my branch (merge)",
        "merge the session branch into your current branch",
        lambda: apply_to_branch(wb, "merge"),
    )
    yield SystemCommand(
        "Apply to my branch (cherry-pick)",
        "replay the session's commits onto your branch",
        lambda: apply_to_branch(wb, "cherry-pick"),
    )
    yield SystemCommand(
        "Undo the last duo commit",
        "remove the session branch's last commit (changes kept)",
        lambda: undo_commit(wb),
    )
    yield SystemCommand("Copy pane", "copy the focused pane (OSC 52) (y)", wb.action_copy_pane)
    yield SystemCommand(
        "Zoom pane", "maximise or restore the focused pane (z)", wb.action_maximize_pane
    )


def open_current_task(wb: Any) -> None:
    if not wb.tasks:
        from duo_tui.ui.task_state import NO_TASKS

        wb.notify(NO_TASKS, timeout=4)
        return
    running = [t for t in wb.tasks if t.state == "running"]
    pending = [t for t in wb.tasks if t.state == "pending"]
    current = (running or pending or wb.tasks[-1:])[0]
    wb.open_task(current.id)


def export(wb: Any, fmt: str) -> None:
    import json
    from pathlib import Path

    from duo_tui.store.atomic import write_atomic
    from duo_tui.store.export import export_json
    from duo_tui.store.markdown_export import export_markdown
    from duo_tui.store.session_store import SessionStore

    if not wb.session_id or not wb.repo_path:
        wb.notify("no session yet", severity="warning")
        return
    store = SessionStore.open(wb.repo_path, wb.session_id)
    text = export_markdown(store) if fmt == "md" else json.dumps(export_json(store), indent=2)
    out = Path(wb.repo_path) / ".duo" / f"{wb.session_id}.{fmt}"
    write_atomic(out, text)
    wb.app.copy_to_clipboard(str(out))
    wb.notify(f"exported to {out}", timeout=6)


def _worktree(wb: Any) -> Any:
    from pathlib import Path

    from duo_tui.vcs.worktree import SessionWorktree

    return SessionWorktree.open(Path(wb.repo_path), wb.branch)


def apply_to_branch(wb: Any, how: str) -> None:
    """After an explicit confirm: bring the session's commits into the user's branch."""
    from duo_tui.ui.screens.dialogs import ConfirmDialog

    if wb.ended is None or not wb.branch:
        wb.notify("finish (or stop) the session first; then apply its commits", severity="warning")
        return

    def confirmed(ok: object) -> None:
        if ok:
            wb.run_worker(lambda: _git_job(wb, "apply", how), thread=True, group="git")

    wb.app.push_screen(
        ConfirmDialog(
            f"Apply {wb.branch} to your branch ({how})?",
            "This changes YOUR checkout: "
            + (
                "a --no-ff merge commit of the session branch."
                if how == "merge"
                else "the session's commits replayed on your current branch."
            )
            + "\nIt refuses if you have conflicting uncommitted changes, and aborts cleanly on a conflict.",
        ),
        confirmed,
    )


def undo_commit(wb: Any) -> None:
    from duo_tui.ui.screens.dialogs import ConfirmDialog

    if wb.ended is None or not wb.branch:
        wb.notify("undo is available once the session has ended", severity="warning")
        return

    def confirmed(ok: object) -> None:
        if ok:
            wb.run_worker(lambda: _git_job(wb, "undo", ""), thread=True, group="git")

    wb.app.push_screen(
        ConfirmDialog(
            "Undo the last duo commit?",
            f"The last commit on {wb.branch} is removed; its changes stay in the session worktree.",
        ),
        confirmed,
    )


def _git_job(wb: Any, what: str, how: str) -> None:
    """Runs in a worker thread: git never blocks the UI."""
    from duo_tui.errors import DuoError

    try:
        wt = _worktree(wb)
        if what == "apply":
            head = wt.apply_to_user_branch(how)
            msg = f"applied {wb.branch} to your branch ({how}); HEAD is now {head[:10]}"
        else:
            sha = wt.undo_last_commit()
            msg = f"removed {sha[:10]} from {wb.branch}; its changes are in the worktree"
    except DuoError as exc:
        wb.app.call_from_thread(wb.notify, str(exc), severity="error", timeout=12)
        return
    wb.app.call_from_thread(wb.notify, msg, timeout=10)
