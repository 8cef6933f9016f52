"""The workbench's state and the lookups every part of it uses (panes, rails, streams).

The workbench is one screen built in layers, each a module of this package and a
class on the one below: base (state), layout (compose, the pane grid, moving
between panes), status (the status line and the checkpoint bar), findings (the
review panes' findings and the rail's counts), actions (the decision keys),
modals (the screens it opens: triage, tasks, help), events (the core's events
drawn), bridge (the pipeline thread and the 20 Hz drain), and screen (the
`WorkbenchScreen` itself: its CSS and key bindings). A layer calls only the
layers below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from duo_tui.core.artifacts import TaskRow, TriageGroup
from duo_tui.core.events import Checkpoint, SessionEnded, UserDecision
from duo_tui.safe_text import clean_line
from duo_tui.ui.bridge import EventBridge, ThreadDriver
from duo_tui.ui.keys import key_display
from duo_tui.ui.panes import CodePane, Pane
from duo_tui.ui.perf import FastScreen
from duo_tui.ui.pipeline_thread import PipelineThread
from duo_tui.ui.task_state import TaskListState
from duo_tui.ui.widgets.stage_rail import StageRail
from duo_tui.ui.widgets.stream_pane import StreamPane

if TYPE_CHECKING:
    from duo_tui.core.models import Review, Usage
    from duo_tui.ui.screens.task_detail import TaskDetailScreen
    from duo_tui.ui.screens.tasks import TasksScreen

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

KIND_GLYPH = {"agree": "✓", "severity": "≠", "only": "◆"}

TICK_S = 1 / 20
"""The screen's one clock: events drained, streamed text shown, spinners turned (20 Hz)."""


def _tok(n: int | None) -> str:
    if n is None:
        return "?"
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def short_model(model: str) -> str:
    """A model's name without its provider; a resumed session's come from its files, so
    controls are made visible (show it as plain text: `Content`, never markup)."""
    return clean_line(model.split("/", 1)[-1])


class _StartFailed:
    """Internal event: the session could not be opened (the message says why)."""

    def __init__(self, message: str) -> None:
        self.message = message


class _Opened:
    """Internal event: the session is open (ids and roles for the header)."""

    def __init__(
        self,
        session: str,
        branch: str,
        mode: str,
        autopilot: bool,
        models: list[str],
        warnings: list[str],
    ) -> None:
        self.session, self.branch, self.mode, self.autopilot = session, branch, mode, autopilot
        self.models, self.warnings = models, warnings


class WorkbenchBase(FastScreen, Screen[None]):
    """What the workbench knows: the session, the checkpoint, the panes' state."""

    def __init__(self, *, reviewers: int = 2) -> None:
        super().__init__()
        self.reviewers = max(2, reviewers)
        self.bridge = EventBridge()
        self.driver = ThreadDriver()
        self.checkpoint: Checkpoint | None = None
        self.session_id = ""
        self.repo_path = ""
        self.branch = ""
        self.mode = "manual"
        self.autopilot = False
        self.models: list[str] = []
        self.cost = 0.0
        self.cost_known = True
        self.usage: dict[str, Usage] = {}
        self.reviews: dict[int, Review] = {}
        self.triage_groups: list[TriageGroup] = []
        self.finding_decisions: dict[str, str] = {}
        self.finding_reasons: dict[str, str] = {}
        # the findings the human decided here (the rest are the round's preselection)
        self.finding_chosen: set[str] = set()
        self.triage_corrections: list[dict[str, Any]] = []  # splits and joins, sent on accept
        # the review checkpoint's matches, shown before the triage stage (decided there)
        self.triage_preview = False
        self._open_triage_next = False  # accepted from the preview: open the triage next
        self._review_round = 0  # the round whose reviews the rail's counts are about
        self.recurring: dict[str, str] = {}
        self.tasks: list[TaskRow] = []
        self.ended: SessionEnded | None = None
        self.running: str | None = None
        self.running_since = 0.0
        self.weights = [1.0, 1.0, 1.0, 1.0]
        self.room_stage: str | None = None  # the stage whose panes get the room
        self.layout_mode = "wide"
        self.active_pane = 0
        self.pipeline: PipelineThread | None = None
        self._quit_requested = False
        self._frame = 0
        self.decisions_sent: list[UserDecision] = []
        self._bar_text = ""
        self._width = 0  # the terminal's columns at the last resize (0: not yet known)
        self._drains = 0
        self._panes_cache: list[StreamPane] | None = None
        self._pane_list: list[Pane] | None = None
        self.start_error = ""  # why the session could not start (shown until quit)
        self._gate_took: float | None = None  # the last gate run's own duration
        self._gate_passed: bool | None = None  # whether it passed (None: not known yet)
        self._keys: dict[str, str] = {}  # action -> its key as shown (see `_key`)
        self._task_views: list[TasksScreen | TaskDetailScreen] = []  # open task screens

    def _rails(self) -> list[StageRail]:
        return list(self.query(StageRail))

    def _stream_panes(self) -> list[StreamPane]:
        if self._panes_cache is None or len(self._panes_cache) != 2 + self.reviewers + 1:
            self._panes_cache = list(self.query(StreamPane))
        return self._panes_cache

    def stream_pane(self, stream: str) -> StreamPane | None:
        if stream == "plan":
            return self.query_one("#stream-plan", StreamPane)
        if stream == "exec":
            return self.query_one("#stream-exec", StreamPane)
        if stream == "gate":
            return self.query_one(CodePane).gate_stream()
        if stream.startswith("review:"):
            i = int(stream.split(":", 1)[1])
            if i < self.reviewers:
                return self.query_one(f"#stream-review-{i}", StreamPane)
        return None

    def _panes(self) -> list[Pane]:
        # Composed once: the pane grid's own children, not a query over the whole DOM.
        if self._pane_list is None:
            self._pane_list = [w for w in self.query_one("#panes").children if isinstance(w, Pane)]
        return self._pane_list

    def task_state(self) -> TaskListState:
        """What the task screens show (attributes down; see `duo_tui.ui.task_state`)."""
        cp = self.checkpoint
        return TaskListState(
            tasks=tuple(self.tasks),
            offered=frozenset(cp.actions) if cp is not None else frozenset(),
            at_checkpoint=cp is not None,
            size=cp.data.size if cp is not None else None,
            size_why=cp.data.size_why if cp is not None else "",
            repo_path=self.repo_path,
            session_id=self.session_id,
        )

    def _push_task_state(self) -> None:
        """The open task screens show the task list and checkpoint as they are now."""
        stack = self.app.screen_stack
        self._task_views = [v for v in self._task_views if v in stack]
        if self._task_views:
            state = self.task_state()
            for view in self._task_views:
                view.state = state

    def _key(self, action: str) -> str:
        """The key bound to `action` right now (after `[ui] keys` remaps)."""
        key = self._keys.get(action)
        if key is None:
            from duo_tui.ui.screens.tasks import TasksScreen
            from duo_tui.ui.screens.triage import TriageScreen
            from duo_tui.ui.widgets.diff_view import DiffView

            declared = [
                *self.BINDINGS,
                *DiffView.BINDINGS,
                *TasksScreen.BINDINGS,
                *TriageScreen.BINDINGS,
            ]
            key = self._keys[action] = key_display(self, action, declared)
        return key
