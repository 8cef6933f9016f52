"""Which help group a key binding belongs to: what the user is doing, not which widget has it.

The help screen (`duo_tui.ui.screens.help`) collects the bindings that apply; this
module sorts each one into an activity (deciding a stage, the findings, the change,
the tasks, the eval report, looking around, anywhere) by its action, or by the widget or screen that
declares it. No widget id or class name ever reaches the screen: a binding nobody
placed here lands in "Other keys" under its own description.
"""

from __future__ import annotations

DECIDE = "Decide this stage"
FINDINGS = "Findings and triage (t opens the triage screen)"
CHANGE = "The change, hunk by hunk (d shows the diff)"
TASKS = "Tasks (T opens the task list)"
EVAL = "The eval report"
LOOK = "Look around"
ANYWHERE = "Anywhere"
OTHER = "Other keys"

ON_TRIAGE = "On the triage screen (t)"
ON_TASKS = "On the task list (T)"
ON_TASK = "On one task (⏎ on the task list)"
ON_TASK_EDIT = "Editing a task (e)"

ORDER = (
    DECIDE,
    FINDINGS,
    ON_TRIAGE,
    CHANGE,
    TASKS,
    ON_TASKS,
    ON_TASK,
    ON_TASK_EDIT,
    EVAL,
    LOOK,
    ANYWHERE,
    OTHER,
)
"""The groups, in the order the help screen shows them."""

BY_OPENED_SCREEN: dict[str, str] = {
    "TriageScreen": ON_TRIAGE,
    "TasksScreen": ON_TASKS,
    "TaskDetailScreen": ON_TASK,
    "TaskEditDialog": ON_TASK_EDIT,
}
"""The keys of a screen the workbench opens, listed in its help before that screen is
open: a group of their own, so the triage's `j` (join) is not read as the findings
list's `j` (down), nor the task list's `K` (move up) as the workbench's `K` (skip)."""

BY_ACTION: dict[str, str] = {
    "accept": DECIDE,
    "reject": DECIDE,
    "rerun": DECIDE,
    "edit": DECIDE,
    "edit_external": DECIDE,
    "choose": DECIDE,
    "swap_roles": DECIDE,
    "toggle_autopilot": DECIDE,
    "use_revision": DECIDE,
    "triage": FINDINGS,
    "toggle_raw": FINDINGS,
    "code_view": CHANGE,
    "tasks": TASKS,
    "split_task": TASKS,
    "full_workflow": TASKS,
    "failed_task": TASKS,
    "focus_pane": LOOK,
    "maximize_pane": LOOK,
    "resize": LOOK,
    "copy_pane": LOOK,
    "focus_next": LOOK,
    "focus_previous": LOOK,
    "cursor_up": LOOK,
    "cursor_down": LOOK,
    "cursor_left": LOOK,
    "cursor_right": LOOK,
    "select_cursor": LOOK,
    "help": ANYWHERE,
    "dismiss_help": ANYWHERE,
    "quit": ANYWHERE,
    "command_palette": ANYWHERE,
    "history": ANYWHERE,
    "next_theme": ANYWHERE,
    "copy_text": ANYWHERE,
}
"""Actions (the name before any arguments) and their group."""

BY_OWNER: dict[str, str] = {
    "DiffView": CHANGE,
    "FindingList": FINDINGS,
    "StreamPane": LOOK,
    "TriageScreen": FINDINGS,
    "TasksScreen": TASKS,
    "TaskDetailScreen": TASKS,
    "TaskEditDialog": TASKS,
    "EvalScreen": EVAL,
    "EvalDetailScreen": EVAL,
}
"""Widgets and screens whose own keys all belong to one activity."""

GENERIC = frozenset(
    {"help", "dismiss_help", "quit", "command_palette", "copy_text", "focus_next", "focus_previous"}
)
"""Actions every screen has (Textual's own among them): grouped by action, whoever declares them."""

SCROLL_ACTIONS = frozenset(
    {
        "scroll_up",
        "scroll_down",
        "scroll_left",
        "scroll_right",
        "scroll_home",
        "scroll_end",
        "page_up",
        "page_down",
        "page_left",
        "page_right",
    }
)
"""Scrolling keys: one line of help ("scroll"), not ten."""

SCROLL_DESCRIPTION = "Scroll the pane"


def action_name(action: str) -> str:
    """`focus_pane(0)` -> `focus_pane`; `app.quit` -> `quit`."""
    return action.split("(", 1)[0].rsplit(".", 1)[-1]


def group_of(action: str, owners: list[str], is_app: bool) -> str:
    """The group of a binding with `action`, declared by a node whose class and base
    classes are named `owners` (most derived first); `is_app` for the application's own."""
    name = action_name(action)
    if name in SCROLL_ACTIONS:
        return LOOK
    if name in GENERIC:
        return BY_ACTION[name]
    for owner in owners:
        if owner in BY_OWNER:
            return BY_OWNER[owner]
    if name in BY_ACTION:
        return BY_ACTION[name]
    return ANYWHERE if is_app else OTHER
