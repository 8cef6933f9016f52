"""The workbench: stage rail, plan, code, one pane per reviewer, the checkpoint bar.

This screen renders state and sends decisions; the pipeline runs in its own
thread (see `duo_tui.ui.bridge`). Layout adapts: four columns at 170+ columns,
a 2×2 grid from 110, and tabs (one pane at a time) below that.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import Reactive
from textual.screen import Screen
from textual.walk import walk_depth_first
from textual.widget import Widget
from textual.widgets import Static, Tab, Tabs

from duo_tui.core.artifacts import (
    CommitArtifact,
    DiffArtifact,
    GateArtifact,
    PlanArtifact,
    ReviewArtifact,
    RolesArtifact,
    TaskRow,
    TasksArtifact,
    TraceArtifact,
    TriageArtifact,
    TriageGroup,
)
from duo_tui.core.checkpoint_policy import reject_question, rerun_kind, rerun_model
from duo_tui.core.enums import Stage
from duo_tui.core.events import (
    ArtifactReady,
    AwaitingDecision,
    Checkpoint,
    ErrorEvent,
    Event,
    Notice,
    Retrying,
    SessionEnded,
    StageFinished,
    StageStarted,
    StreamFinished,
    StreamReset,
    TextDelta,
    UsageUpdate,
    UserDecision,
)

if TYPE_CHECKING:
    from duo_tui.core.models import Review, Usage
    from duo_tui.ui.screens.task_detail import TaskDetailScreen
    from duo_tui.ui.screens.tasks import TasksScreen
from duo_tui.core.triage_summary import agreement_counts
from duo_tui.safe_text import clean, clean_line
from duo_tui.ui import pane_room
from duo_tui.ui.bridge import EventBridge, ThreadDriver
from duo_tui.ui.keys import KeysChanged, key_display
from duo_tui.ui.match_marks import only_glyph, only_style_var, reviewer_name
from duo_tui.ui.panes import CodePane, Pane, PlanPane, ReviewPane
from duo_tui.ui.perf import FastScreen
from duo_tui.ui.pipeline_thread import PipelineThread
from duo_tui.ui.task_state import OpenTask, SendDecision, TaskListState
from duo_tui.ui.widgets.checkpoint_bar import CheckpointBar
from duo_tui.ui.widgets.finding_list import FindingList, FindingRow
from duo_tui.ui.widgets.quiet_footer import QuietFooter
from duo_tui.ui.widgets.stage_rail import StageRail
from duo_tui.ui.widgets.stream_pane import StreamPane

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


class WorkbenchScreen(FastScreen, Screen[None]):
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
        self._drains = 0
        self._panes_cache: list[StreamPane] | None = None
        self._pane_list: list[Pane] | None = None
        self.start_error = ""  # why the session could not start (shown until quit)
        self._gate_took: float | None = None  # the last gate run's own duration
        self._keys: dict[str, str] = {}  # action -> its key as shown (see `_key`)
        self._task_views: list[TasksScreen | TaskDetailScreen] = []  # open task screens

    # -- composition ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The one-line rail and the pane tabs of the narrow layout are mounted when the
        # layout first turns narrow (`_narrow_widgets`).
        yield Static("", id="status")
        with Horizontal(id="body"):
            with Vertical(id="rail-col"):
                yield StageRail(id="rail")
                yield Static("", id="disagree")
                yield Static("", id="trace")
                yield Static("", id="costs")
            with Vertical(id="panes"):
                plan = PlanPane(id="pane-plan", classes="pane -active")
                plan.border_title = "plan"
                yield plan
                code = CodePane(id="pane-code", classes="pane")
                code.border_title = "code"
                yield code
                for i in range(self.reviewers):
                    rp = ReviewPane(i, id=f"pane-review-{i}", classes="pane")
                    rp.border_title = f"review {'AB'[i] if i < 2 else i + 1}"
                    yield rp
        yield CheckpointBar("", id="checkpoint")
        yield QuietFooter()

    def _narrow_widgets(self) -> Tabs:
        """The narrow layout's rail and pane tabs, mounted the first time it is needed."""
        found = self.query("#pane-tabs")
        if found:
            return found.first(Tabs)
        rail_top = StageRail(compact=True, id="rail-top")
        rail_top.mirror(self.query_one("#rail", StageRail))
        tabs = Tabs(
            Tab("1 plan", id="tab-0"),
            Tab("2 code", id="tab-1"),
            *[
                Tab(f"{i + 3} review {'AB'[i] if i < 2 else i + 1}", id=f"tab-{i + 2}")
                for i in range(self.reviewers)
            ],
            id="pane-tabs",
            active=f"tab-{self.active_pane}",
        )
        tabs.can_focus = False  # 1-4 and the mouse switch tabs
        self.mount(rail_top, tabs, after="#status")
        return tabs

    def _sync_tab(self) -> None:
        """Show the active pane's tab (once the tabs are mounted, if they are new)."""
        tabs = self._narrow_widgets()
        tab_id = f"tab-{self.active_pane}"
        if not tabs.query(Tab):
            self.call_after_refresh(self._sync_tab)  # mounted just now
        elif tabs.active != tab_id and tabs.query(f"#{tab_id}"):
            tabs.active = tab_id

    def _rails(self) -> list[StageRail]:
        return list(self.query(StageRail))

    def on_mount(self) -> None:
        # One clock for the whole screen: events, every pane's text and the spinners
        # change in the same tick, so a busy second costs at most 20 frames.
        self.set_interval(TICK_S, self._drain)
        self._apply_layout(self.app.size.width, self.app.size.height)
        self._render_status()
        self._render_checkpoint()
        self.query_one("#stream-plan", StreamPane).query_one("#stream-body").focus()

    # -- pipeline thread --------------------------------------------------------------

    def start(self, opener: Any) -> None:
        """Open the session with `opener(driver, bridge)` -> Workspace in the pipeline
        thread, then play its pipeline there (see `duo_tui.ui.pipeline_thread`)."""
        if self.pipeline is not None:
            return
        self.pipeline = PipelineThread(
            lambda: opener(self.driver, self.bridge),
            on_opened=self._announce_opened,
            on_error=self._pipeline_error,
        )
        if self._quit_requested:
            self.pipeline.stop()  # quit before the session began to open: it never opens
        self.pipeline.start()

    def _announce_opened(self, ws: Any) -> None:
        """In the pipeline thread: the session is open."""
        self.repo_path = str(ws.repo)
        self.bridge.push(
            _Opened(
                ws.session.id,
                ws.session.branch or "",
                ws.session.mode.value,
                ws.session.autopilot,
                [
                    ws.session.roles.planner,
                    ws.session.roles.executor,
                    *ws.session.roles.effective_reviewers(),
                ],
                list(ws.problems) + list(ws.session.warnings),
            )
        )

    def _pipeline_error(self, exc: BaseException, opening: bool) -> None:
        """In the pipeline thread: never a traceback on screen; say it, keep the session."""
        from duo_tui.errors import DuoError
        from duo_tui.redact import redact

        if opening and isinstance(exc, DuoError):
            self.bridge.push(_StartFailed(redact(str(exc))))
            return
        self.bridge.push(
            ErrorEvent(
                message=redact(f"unexpected error: {exc!r}"),
                what_to_do="The session is saved; `duo-tui resume` continues it.",
            )
        )

    def on_unmount(self) -> None:
        self.stop_pipeline()

    def stop_pipeline(self) -> None:
        """Stop the pipeline thread at whatever point it is (saves the session)."""
        self._quit_requested = True
        if self.pipeline is not None:
            self.pipeline.stop()

    # -- events -----------------------------------------------------------------------

    def _drain(self) -> None:
        for ev in self.bridge.drain():
            try:
                self.handle(ev)
            except Exception as exc:  # a rendering bug must not kill the session
                self.notify(f"display error: {exc}", severity="error")
        # Input first: on the tick right after a key, streamed text waits one tick so
        # the frame that shows the key's effect is not also repainting four panes.
        if time.monotonic() - getattr(self.app, "last_key_at", 0.0) > TICK_S:
            for pane in self._stream_panes():
                pane.tick()
        if self._task_views:
            self._push_task_state()
        self._drains += 1
        if self._drains % 4 == 0:
            self._tick()

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

    def handle(self, ev: Event | _Opened | _StartFailed) -> None:
        if isinstance(ev, _StartFailed):
            # the session never started: say so where the checkpoint would be, for good
            self.start_error = ev.message
            self.notify(ev.message, severity="error", title="cannot start", timeout=24 * 3600)
            self._render_checkpoint()
            return
        if isinstance(ev, _Opened):
            self.session_id, self.branch, self.mode, self.autopilot = (
                ev.session,
                ev.branch,
                ev.mode,
                ev.autopilot,
            )
            self.models = list(dict.fromkeys(ev.models))
            for r in self._rails():
                r.set_mode(self.mode, self.autopilot)
            self._ensure_review_panes(len(ev.models) - 2)
            for i, m in enumerate(ev.models[2 : 2 + self.reviewers]):
                self.query_one(f"#pane-review-{i}", ReviewPane).border_title = Content(
                    f"review {'AB'[i] if i < 2 else i + 1} · {short_model(m)}"
                )
            self._title_role_panes(ev.models[0], ev.models[1])
            for w in ev.warnings:
                self.notify(w, severity="warning", timeout=8)
            self._render_status()
        elif isinstance(ev, TextDelta):
            pane = self.stream_pane(ev.stream)
            if pane is not None:
                pane.append(ev.text)
        elif isinstance(ev, StreamReset):
            pane = self.stream_pane(ev.stream)
            if pane is not None:
                pane.reset(ev.title, ev.model or "")
            if ev.stream == "exec":
                self.query_one(CodePane).show("stream-exec")
            if ev.stream.startswith("review:"):
                i = int(ev.stream.split(":", 1)[1])
                if i < self.reviewers:
                    self.query_one(f"#pane-review-{i}", ReviewPane).remove_class("-parsed")
        elif isinstance(ev, StreamFinished):
            pane = self.stream_pane(ev.stream)
            if pane is not None:
                u = ev.usage
                from duo_tui.core.models import cached_text  # pydantic is loaded by now

                cost = f" · ${u.cost_usd:.4f}" if u.cost_usd is not None else " · cost unknown"
                cached = f" ({cached_text(u)})" if cached_text(u) else ""
                ended = "" if ev.complete or not ev.ending else f" · {ev.ending}"
                pane.finish(
                    ev.complete,
                    f"{_tok(u.input_tokens)}→{_tok(u.output_tokens)} tok{cached}{cost}{ended}",
                    ev.latency_s,
                )
            if self.running:
                # The rail marks a stage whose last call was cut off, refused or ended oddly.
                for r in self._rails():
                    r.set_ending(self.running, None if ev.complete else ev.ending)
        elif isinstance(ev, StageStarted):
            self.running = ev.stage.value
            self.running_since = time.monotonic()
            self.triage_preview = False
            self.checkpoint = None
            for r in self._rails():
                r.set_stage(ev.stage.value, "running")
                if ev.task_id:
                    r.set_round(ev.task_id, ev.round)
            if ev.stage == Stage.REVIEW:
                # a new round's reviews: the last round's disagreement is not this round's
                self.triage_groups = []
                self._review_round = ev.round
                self.query_one("#disagree", Static).update(
                    f"[b]disagreement[/b]\n[dim]round {ev.round}: reviews running[/]"
                )
            self._apply_weights()
            if ev.stage == Stage.GATE:
                self._gate_took = None
                self.query_one(CodePane).gate_stream().reset(f"gate · round {ev.round}", "")
                self.query_one(CodePane).show("stream-gate")
            self._render_checkpoint()
        elif isinstance(ev, StageFinished):
            self.running = None
            for r in self._rails():
                r.set_stage(ev.stage.value, ev.state.value)
            if ev.stage == Stage.GATE:
                # the gate's measured run time, not the time until the human decided
                self.query_one(CodePane).gate_stream().finish(True, ev.summary, self._gate_took)
        elif isinstance(ev, ArtifactReady):
            self._artifact(ev)
        elif isinstance(ev, Retrying):
            pane = self.stream_pane(ev.stream)
            if pane is not None:
                pane.retry_countdown(ev.wait_s, ev.attempt, ev.max_attempts)
            self.notify(
                f"{ev.reason}: retry {ev.attempt}/{ev.max_attempts} in {ev.wait_s:.0f}s",
                severity="warning",
                timeout=min(10, ev.wait_s + 2),
            )
        elif isinstance(ev, ErrorEvent):
            if ev.stream:
                pane = self.stream_pane(ev.stream)
                if pane is not None:
                    pane.show_error(
                        ev.message + (" (partial text kept)" if ev.partial_kept else ""),
                        ev.what_to_do,
                    )
            self.notify(
                ev.message + (f"\n{ev.what_to_do}" if ev.what_to_do else ""),
                severity="error",
                timeout=10,
            )
        elif isinstance(ev, Notice):
            self.notify(ev.message, severity=ev.severity, timeout=6)
        elif isinstance(ev, UsageUpdate):
            self.usage = dict(ev.by_model)
            self.cost, self.cost_known = ev.cost_usd, ev.cost_known
            self._render_status()
            rows = [
                f"{stage:<8}{'$' + format(u.cost_usd, '.2f') if u.cost_usd is not None else '?':>7}"
                for stage, u in ev.by_stage.items()
            ]
            # Prompt-cache tokens are billed at their own rates: say how many there were.
            from duo_tui.core.models import Usage, cached_text

            total = sum(ev.by_model.values(), Usage())
            if cached_text(total):
                rows.append(f"cache   {cached_text(total)}")
            self.query_one("#costs", Static).update("[b]cost by stage[/b]\n" + "\n".join(rows))
        elif isinstance(ev, AwaitingDecision):
            self.checkpoint = ev.checkpoint
            cp = ev.checkpoint
            for r in self._rails():
                r.set_stage(cp.stage.value, cp.state.value)
            if cp.stage == Stage.TRIAGE:
                self.triage_preview = False
                self._set_groups(list(cp.data.groups))
                if self._open_triage_next:
                    # accepted from the preview: the triage opens where the human was
                    self._open_triage_next = False
                    self.action_triage()
            elif cp.stage == Stage.ALIGN and cp.data.align_history:
                # every plan-check round, its objection and the plan's diffs (not just the last)
                pane = self.stream_pane("exec")
                if pane is not None:
                    pane.set_markdown(cp.data.align_history)
                    self.query_one(CodePane).show("stream-exec")
            elif cp.stage == Stage.REVIEW and cp.data.groups:
                # both reviews are in: their matches show now, and t previews the triage
                self.triage_preview = True
                self._new_triage(list(cp.data.groups))
            if cp.stage in (Stage.EXECUTE, Stage.FIX) and cp.state.value != "failed":
                self.action_code_view("diff")  # the change to decide, hunk by hunk
            elif cp.stage in (Stage.PLAN, Stage.ALIGN) and self.layout_mode == "narrow":
                self.action_focus_pane(0)
            elif cp.stage in (Stage.REVIEW, Stage.TRIAGE) and self.layout_mode == "narrow":
                self.action_focus_pane(2)
            self.refresh_bindings()
            if cp.data.tasks is not None:
                self.tasks = list(cp.data.tasks)
            self._apply_weights()
            self._render_checkpoint()
        elif isinstance(ev, SessionEnded):
            self.ended = ev
            self.refresh_bindings()
            self.checkpoint = None
            self.running = None
            self._render_checkpoint()
            if ev.status == "converged":
                self.notify(f"session converged and committed on {self.branch}", timeout=10)
            else:
                self.notify(f"session stopped: {ev.stop_reason}", severity="warning", timeout=12)

    def _artifact(self, ev: ArtifactReady) -> None:
        match ev.data:
            case PlanArtifact(text=text, version=version, source=source):
                self.query_one("#stream-plan", StreamPane).set_markdown(text)
                self.query_one("#pane-plan", Pane).border_title = Content(
                    f"plan v{version} · {clean_line(str(source))}"
                )
            case DiffArtifact(diff=diff):
                from duo_tui.vcs.diff import parse_diff

                self.query_one(CodePane).diff_view().set_files(parse_diff(diff))
                self.query_one(CodePane).show("diff")
            case ReviewArtifact(index=i, review=review):
                self.reviews[i] = review
                if i < self.reviewers:
                    self._fill_review(i, review, {})
            case TriageArtifact(groups=groups):
                self._new_triage(list(groups))
            case RolesArtifact(planner=planner, executor=executor, reviewers=reviewers):
                # after a swap: the plan and code panes name the new planner and executor
                self.models = list(dict.fromkeys([planner, executor, *reviewers]))
                self._title_role_panes(planner, executor)
                # a reviewer rerun with another model: its pane names the new model
                for i, m in enumerate(reviewers[: self.reviewers]):
                    self.query_one(f"#pane-review-{i}", ReviewPane).border_title = Content(
                        f"review {reviewer_name(i)} · {short_model(m)}"
                    )
            case GateArtifact(duration_s=took):
                self._gate_took = took
            case TasksArtifact(tasks=tasks):
                self.tasks = list(tasks)
            case TraceArtifact():
                self._show_trace(ev.data)
            case CommitArtifact(sha=sha, message=message):
                self.notify(f"committed {sha[:8]}: {message.splitlines()[0]}", timeout=8)

    def _title_role_panes(self, planner: str, executor: str) -> None:
        self.query_one("#pane-plan", Pane).border_title = Content(f"plan · {short_model(planner)}")
        self.query_one("#pane-code", Pane).border_title = Content(f"code · {short_model(executor)}")

    def _ensure_review_panes(self, count: int) -> None:
        """Three or more reviewers: one more pane (and tab) per extra reviewer."""
        panes = self.query_one("#panes")
        found = self.query("#pane-tabs")
        tabs = found.first(Tabs) if found else None
        while self.reviewers < count:
            i = self.reviewers
            rp = ReviewPane(i, id=f"pane-review-{i}", classes="pane")
            rp.border_title = f"review {i + 1}"
            panes.mount(rp)
            if tabs is not None:
                tabs.add_tab(Tab(f"{i + 3} review {i + 1}", id=f"tab-{i + 2}"))
            self.reviewers += 1
            self.weights.append(1.0)
        self._apply_weights()

    def _show_trace(self, trace: TraceArtifact) -> None:
        """Plan steps no hunk implements and hunks no step asked for, in the rail."""
        hunks = trace.hunks
        missing = trace.unimplemented_steps
        creep = trace.scope_creep_hunks
        steps = {st for h in hunks for st in h.steps}
        lines = ["[b]trace[/b]", f"{len(hunks)} hunk(s) → {len(steps)} step(s)"]
        lines.append(
            "[$warning]⚠ not done: $missing[/]" if missing else "[$success]✓ every step[/]"
        )
        lines.append(
            f"[$warning]⚠ {len(creep)} unplanned[/]" if creep else "[$success]✓ no scope creep[/]"
        )
        # Step ids come from the plan (model text): a plain-text slot, never markup.
        missing_ids = clean_line(", ".join(str(m) for m in missing))
        self.query_one("#trace", Static).update(
            Content.from_markup("\n".join(lines), missing=missing_ids)
        )

    def _fill_review(
        self, i: int, review: Review, kinds: dict[str, tuple[str, str | None, str | None]]
    ) -> None:
        pane = self.query_one(f"#pane-review-{i}", ReviewPane)
        rows = []
        for f in review.findings:
            key = f"R{i}:{f.id}"
            kind, counterpart, decision = kinds.get(key, ("only", None, None))
            rows.append(
                FindingRow(
                    key=key,
                    finding_id=f.id,
                    severity=f.severity.value,
                    title=f.title,
                    file=f.file,
                    line_start=f.line_start,
                    line_end=f.line_end,
                    kind=kind,  # type: ignore[arg-type]
                    counterpart_key=counterpart,
                    decision=decision,
                    detail=f.detail,
                    suggestion=f.suggestion,
                )
            )
        pane.findings().set_rows(rows)
        verdict = (review.verdict or "").replace("_", " ")
        score = f"{review.score}/10" if review.score else ""
        pane.summary().update(
            clean(
                f"{verdict} {score} · {len(review.findings)} finding(s)\n{review.summary}".strip()
            )
        )
        pane.add_class("-parsed")

    def _new_triage(self, groups: list[TriageGroup]) -> None:
        """A round's triage starts fresh: nothing decided in an earlier round or task
        survives here except what the core carried over (marked in the groups)."""
        self.finding_decisions.clear()
        self.finding_reasons.clear()
        self.finding_chosen.clear()
        self.triage_corrections = []
        self.recurring.clear()
        for g in groups:
            self.finding_decisions[g.key] = g.decision
            if g.carried is not None and g.carried.reason:
                self.finding_reasons[g.key] = g.carried.reason
        self._set_groups(groups)

    def show_decisions(self) -> None:
        """Mark the panes' findings with the decisions as they stand now."""
        self._set_groups(self.triage_groups)

    def _set_groups(self, groups: list[TriageGroup]) -> None:
        self.triage_groups = groups
        for g in groups:
            self.finding_decisions.setdefault(g.key, g.decision)
        kinds: dict[str, tuple[str, str | None, str | None]] = {}
        for g in groups:
            keys = g.member_keys
            for k in keys:
                other = next((o for o in keys if o != k), None)
                kinds[k] = (g.kind, other, self.finding_decisions.get(g.key))
        for i, review in self.reviews.items():
            if i < self.reviewers:
                self._fill_review(i, review, kinds)
        counts = agreement_counts(groups, self.reviewers)
        self.query_one("#disagree", Static).update(
            "[b]disagreement[/b]"
            + (f" [dim]round {self._review_round}[/]" if self._review_round else "")
            + "\n"
            f"[$duo-agree]= {counts.agreed} agreed[/]\n"
            f"[$duo-severity-conflict]≠ {counts.severity} severity[/]\n"
            + "\n".join(
                f"[${only_style_var(i)}]{only_glyph(i)} {n} only {reviewer_name(i)}[/]"
                for i, n in enumerate(counts.only[: self.reviewers])
            )
        )

    # -- status and checkpoint rendering ------------------------------------------------------

    def _render_status(self) -> None:
        cost = f"${self.cost:.2f}" if self.cost_known else f"≥${self.cost:.2f} (some unknown)"
        per_model = "  ".join(
            f"{short_model(m)} {_tok((u.input_tokens or 0) + (u.output_tokens or 0))} tok"
            for m, u in self.usage.items()
        )
        auto = "autopilot ON" if self.autopilot else "manual"
        # A resumed session's id and branch come from its files: plain-text slots.
        values = {
            "sid": clean_line(self.session_id or "starting…"),
            "branch": clean_line(
                self.branch or ("starting…" if self.app.size.width < 110 else "-")
            ),
            "auto": auto,
            "cost": cost,
            "per_model": clean_line(per_model),
        }
        if self.app.size.width < 110:
            self.query_one("#status", Static).update(
                Content.from_markup("[b]duo[/b] $branch [dim]│[/] $auto [dim]│[/] $cost", **values)
            )
            return
        text = "[b]duo-tui[/b]  $sid  [dim]│[/] $branch  [dim]│[/] $auto  [dim]│[/] $cost  [dim]│[/] $per_model"
        self.query_one("#status", Static).update(Content.from_markup(text, **values))

    def _set_bar(self, bar: Static, text: str, **values: str) -> None:
        """Show markup `text`; `values` (model text: summaries, stop reasons) fill its
        `$name` slots as plain text, one line each, with controls made visible."""
        values = {k: clean_line(str(v)) for k, v in values.items()}
        key = "\0".join([text, *values.values()])
        # Re-render (and re-lay-out) the bar only when its text really changed.
        if self._bar_text != key:
            # Same number of lines: same height, so no layout pass is needed.
            layout = self._bar_text.count("\n") != key.count("\n")
            self._bar_text = key
            bar.update(Content.from_markup(text, **values) if values else text, layout=layout)

    def _render_checkpoint(self) -> None:
        bar = self.query_one("#checkpoint", Static)
        bar.remove_class("-awaiting", "-failed", "-done")
        if self.ended is not None:
            e = self.ended
            bar.add_class("-done" if e.status == "converged" else "-failed")
            rep = e.report
            if e.status == "converged":
                self._set_bar(
                    bar,
                    f"[b $success]✓ converged[/] · {rep.get('rounds')} round(s) · commit {str(rep.get('commit') or '')[:10]} on {rep.get('branch')} · ${rep.get('cost_usd') or 0:.2f}\n"
                    "q quit · ctrl+p export, history, theme…",
                )
            else:
                self._set_bar(
                    bar,
                    f"[b $error]■ {'blocked' if e.status == 'blocked' else 'stopped'}[/]: $reason\n"
                    "q quit · ctrl+p export…",
                    reason=str(e.stop_reason),
                )
            return
        cp = self.checkpoint
        if cp is None and self.start_error:
            from rich.markup import escape

            bar.add_class("-failed")
            self._set_bar(
                bar,
                # the error may quote repository text (its .duo/config.toml): no markup,
                # and its control characters made visible
                f"[b $error]✗ the session could not start[/]: {escape(clean(self.start_error))}\n"
                "q quit · fix it and start again (duo-tui --demo needs no keys)",
            )
            return
        if cp is None:
            if self.running:
                spin = SPINNER[self._frame % len(SPINNER)]
                secs = time.monotonic() - self.running_since
                self._set_bar(
                    bar,
                    f"[b]{spin} {self.running}[/b] running · {secs:.0f}s  [dim](keys stay live: "
                    f"{self._pane_keys()} panes, {self._key('maximize_pane')} zoom, "
                    f"{self._key('help')} help)[/]",
                )
            else:
                self._set_bar(bar, "[dim]waiting for the session to start…[/]")
            return
        failed = cp.state.value == "failed"
        bar.add_class("-failed" if failed else "-awaiting")
        where = f" {cp.task_id} round {cp.round}" if cp.task_id else ""
        head = f"[b]{'✗' if failed else '◆'} {cp.stage.value}$where[/b] — $summary"
        keys = []
        for act in cp.actions:
            if act in self.HINTS and not (failed and act == "accept"):
                binding, label = self.HINTS[act]
                keys.append(f"{self._key(binding)} {label}")
        k = self._key
        if cp.stage == Stage.TRIAGE:
            keys.insert(0, f"{k('triage')} decide findings")
        if cp.stage in (Stage.EXECUTE, Stage.FIX):
            keys.insert(0, f"{k('toggle_hunk')} hunk ✓/✗ · {k('toggle_file')} file")
        if "task_ops" in cp.actions:
            sizes = "/".join(k(f"size('{s}')") for s in "SML")
            keys.insert(0, f"{k('tasks')} tasks: edit, split, size {sizes}")
        hint = "  ·  ".join(keys)
        self._set_bar(bar, f"{head}\n[dim]{hint}[/]", where=where, summary=cp.summary)

    def _pane_keys(self) -> str:
        """`1-4` (the keys that show a pane), or each key when they were remapped."""
        keys = [self._key(f"focus_pane({i})") for i in range(4)]
        return "1-4" if keys == ["1", "2", "3", "4"] else "/".join(keys)

    def _tick(self) -> None:
        self._frame += 1
        if self.checkpoint is None and self.running and self.ended is None:
            self._render_checkpoint()

    # -- layout ---------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._apply_layout(event.size.width, event.size.height)

    def _apply_layout(self, width: int, height: int) -> None:
        mode = "wide" if width >= 170 else "grid" if width >= 110 and height >= 30 else "narrow"
        self.layout_mode = mode
        self.set_class(mode == "grid", "-grid")
        self.set_class(mode == "narrow", "-narrow")
        if mode == "narrow":
            self._sync_tab()
        self._apply_weights()

    def _apply_weights(self) -> None:
        panes = self.query_one("#panes")
        # the stage running or waiting for a decision gets the room (duo_tui.ui.pane_room)
        cp = self.checkpoint
        self.room_stage = self.running or (cp.stage.value if cp else self.room_stage)
        if self.layout_mode == "wide":
            cols = self.weights[: 2 + self.reviewers]
            empty = [pane_room.is_empty(p) for p in self._panes()]
            cols = pane_room.column_weights(self.room_stage, cols, empty)
            panes.styles.grid_size_columns = len(cols)
            panes.styles.grid_columns = " ".join(f"{w:.2f}fr" for w in cols)
            panes.styles.grid_rows = "1fr"
        elif self.layout_mode == "grid":
            panes.styles.grid_size_columns = 2 if self.reviewers <= 2 else 3
            panes.styles.grid_columns = f"{self.weights[0]:.2f}fr {self.weights[1]:.2f}fr"
            panes.styles.grid_rows = pane_room.grid_rows(self.room_stage)
        else:
            panes.styles.grid_size_columns = 1
            panes.styles.grid_columns = "1fr"

    def action_resize(self, delta: int) -> None:
        if self.layout_mode == "narrow":
            self.notify("one pane at a time at this width; z zooms", timeout=3)
            return
        if self.maximized is not None:
            self.notify(
                f"the zoomed pane has the whole screen; {self._key('maximize_pane')} un-zooms",
                timeout=3,
            )
            return
        idx = self.active_pane if self.layout_mode == "wide" else self.active_pane % 2
        weight = min(4.0, max(0.4, self.weights[idx] + 0.25 * delta))
        if weight == self.weights[idx]:
            self.notify(
                f"this pane is already as {'wide' if delta > 0 else 'narrow'} as it goes", timeout=3
            )
            return
        self.weights[idx] = weight
        self._apply_weights()

    def action_focus_pane(self, index: int) -> None:
        panes = self._panes()
        if index >= len(panes):
            return
        self._mark_active(index)
        if self.layout_mode == "narrow":  # the tabs are only shown when narrow
            self._sync_tab()
        target = panes[index]
        if self.maximized is not None and self.maximized is not target:
            self.maximize(target, container=False)  # the zoom follows the chosen pane
        # The first focusable widget shown, found without matching CSS against every
        # node below (a rendered Markdown plan is hundreds of them).
        first = next(
            (
                w
                for w in walk_depth_first(target, with_root=False)
                if isinstance(w, Widget)
                and w.focusable
                and w.display
                and w.visible
                and all(a.display for a in w.ancestors_with_self if a is not target)
            ),
            None,
        )
        (first or target).focus()

    def _panes(self) -> list[Pane]:
        # Composed once: the pane grid's own children, not a query over the whole DOM.
        if self._pane_list is None:
            self._pane_list = [w for w in self.query_one("#panes").children if isinstance(w, Pane)]
        return self._pane_list

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        # Only the tab that is still active: messages for earlier ones are stale and
        # would undo a key pressed since (1-4 set the tab, which posts this message).
        if event.tab.id and event.tabs.active == event.tab.id:
            idx = int(event.tab.id.split("-")[1])
            if idx != self.active_pane:
                self.action_focus_pane(idx)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Focus events arrive after the fact: one for a widget that has lost the focus
        # since is stale. When narrow, only 1-4 and the tabs choose the shown pane.
        if event.widget is not self.focused or self.layout_mode == "narrow":
            return
        for i, p in enumerate(self._panes()):
            if event.widget is p or p in event.widget.ancestors:
                if i != self.active_pane:
                    self._mark_active(i)
                break

    def _mark_active(self, index: int) -> None:
        """Make pane `index` the active one (accent border; the one shown when narrow)."""
        self.active_pane = index
        narrow = self.layout_mode == "narrow"
        panes = self._panes()
        for i, pane in enumerate(panes):
            if i == index and not pane.has_class("-active"):
                pane.set_active(True, restyle=narrow)
        # The pane losing the accent is repainted in the next frame: a frame's dirty
        # area is the box around everything that changed, so two panes apart would
        # repaint all the panes between them before the new one shows.
        old = [p for i, p in enumerate(panes) if i != index and p.has_class("-active")]
        if not old:
            return
        if narrow:
            for pane in old:
                pane.set_active(False, restyle=True)
        else:

            def fade() -> None:
                for pane in old:
                    if pane is not self._panes()[self.active_pane]:
                        pane.set_active(False)

            self.call_after_refresh(fade)

    def action_maximize_pane(self) -> None:
        if self.maximized is not None:
            self.minimize()
            return
        panes = self._panes()
        self.maximize(panes[self.active_pane], container=False)

    def action_code_view(self, which: str) -> None:
        self.query_one(CodePane).show(which)
        self.action_focus_pane(1)
        # Focus what is shown (not the first focusable child, which may be hidden).
        target = self.query_one(f"#{which}")
        if isinstance(target, StreamPane):
            target.query_one("#stream-body").focus()
        else:
            target.focus()

    def action_toggle_raw(self) -> None:
        if self.active_pane < 2:
            a, b = self._key("focus_pane(2)"), self._key("focus_pane(3)")
            self.notify(
                f"raw shows a review's own JSON: choose a review pane first ({a} or {b})", timeout=4
            )
            return
        self._panes()[self.active_pane].toggle_class("-raw")

    # -- finding selection links panes ------------------------------------------------------

    @on(FindingList.Selected)
    def _finding_selected(self, event: FindingList.Selected) -> None:
        src = event.finding_list
        for fl in self.query(FindingList):
            if fl is not src:
                fl.highlight_counterpart(event.counterpart_key)
        i = int(event.key.split(":", 1)[0][1:])
        review = self.reviews.get(i)
        f = review.finding(event.key.split(":", 1)[1]) if review else None
        if f is not None and f.file and f.line_start:
            diff = self.query_one(CodePane).diff_view()
            if diff.focus_location(f.file, f.line_start, f.line_end):
                self.query_one(CodePane).show("diff")

    # -- decisions ---------------------------------------------------------------------------

    def send(self, decision: UserDecision) -> None:
        if self.checkpoint is None:
            self.notify(
                "nothing to decide right now: the stage is still running",
                severity="warning",
                timeout=3,
            )
            return
        if self.driver.answer(decision):
            self.decisions_sent.append(decision)
            self.checkpoint = None
            self._render_checkpoint()
            self.refresh_bindings()
            self._push_task_state()

    HINTS: ClassVar[dict[str, tuple[str, str]]] = {
        # a checkpoint's action -> (the binding's action, the hint's words)
        "accept": ("accept", "accept"),
        "reject": ("reject", "reject"),
        "rerun": ("rerun", "rerun"),
        "edit": ("edit", "edit"),
        "swap_roles": ("swap_roles", "swap"),
        "autopilot": ("toggle_autopilot", "autopilot"),
        "choose": ("choose", "choose"),
        "split": ("split_task", "split task"),
        "full_workflow": ("full_workflow", "full workflow"),
        "skip_task": ("failed_task('skip_task')", "skip task"),
        "merge_task": ("failed_task('merge_task')", "merge with previous task"),
        "use_revision": ("use_revision", "use the planner's revision"),
    }
    """The checkpoint bar's hints: each names the key bound now (`_key`)."""

    DECISION_ACTIONS: ClassVar[dict[str, str]] = {
        "accept": "accept",
        "reject": "reject",
        "rerun": "rerun",
        "edit": "edit",
        "edit_external": "edit",
        "choose": "choose",
        "swap_roles": "swap_roles",
        "toggle_autopilot": "autopilot",
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Decision keys leave the footer once the session has ended.

        While a stage runs they stay live and say why nothing happens (a dimmed key
        that does nothing visible would be worse).
        """
        return not (action in self.DECISION_ACTIONS and self.ended is not None)

    def _need_checkpoint(self) -> Checkpoint | None:
        if self.checkpoint is None:
            if self.ended is not None:
                self.notify("the session has ended", timeout=3)
            else:
                self.notify(
                    "nothing to decide yet: wait for the stage to finish",
                    severity="warning",
                    timeout=3,
                )
        return self.checkpoint

    def action_accept(self) -> None:
        cp = self._need_checkpoint()
        if cp is None:
            return
        if cp.state.value == "failed":
            self.notify(
                "a failed or incomplete result cannot be accepted: rerun it (r) or reject it (x)",
                severity="error",
                timeout=6,
            )
            return
        d = UserDecision("accept")
        if cp.stage in (Stage.EXECUTE, Stage.FIX):
            d.rejected_hunks = sorted(self.query_one(CodePane).diff_view().rejected_hunks)
        if cp.stage == Stage.TRIAGE:
            # only what the human chose here; the core labels the rest as preselected
            d.findings = {
                k: v for k, v in self.finding_decisions.items() if k in self.finding_chosen
            }
            d.finding_reasons = {
                k: v for k, v in self.finding_reasons.items() if k in self.finding_chosen
            }
            d.recurring = dict(self.recurring)
            self.recurring = {}
            d.regroup, self.triage_corrections = list(self.triage_corrections), []
        self.send(d)

    def action_reject(self) -> None:
        cp = self._need_checkpoint()
        if cp is None:
            return

        def done(reason: object) -> None:
            if isinstance(reason, str) and reason:
                self.send(UserDecision("reject", reason=reason))

        from duo_tui.ui.screens.dialogs import ReasonDialog

        self.app.push_screen(ReasonDialog(reject_question(cp.stage)), done)

    def action_rerun(self) -> None:
        cp = self._need_checkpoint()
        if cp is None:
            return

        def done(model: object) -> None:
            if isinstance(model, str):
                self.send(UserDecision("rerun", model=model or None))

        kind = rerun_kind(cp.stage)  # the core says how this stage reruns
        if kind == "reviewer":
            from duo_tui.ui.review_rerun_flow import ask_review_rerun

            ask_review_rerun(self, cp, self.models, self.send)
            return
        if kind == "same":
            self.send(UserDecision("rerun"))
            return
        from duo_tui.ui.screens.dialogs import ModelPicker  # dialogs load on first use

        current = rerun_model(cp.stage, self.models)
        self.app.push_screen(
            ModelPicker(f"Rerun {cp.stage.value} with…", self.models, current), done
        )

    def action_edit(self) -> None:
        cp = self._need_checkpoint()
        if cp is None:
            return
        if "edit" not in cp.actions:
            self.notify(
                f"the {cp.stage.value} result is not editable here", severity="warning", timeout=4
            )
            return
        lang = "markdown" if cp.stage in (Stage.PLAN, Stage.ALIGN) else None

        def done(text: object) -> None:
            if isinstance(text, str):
                self.send(UserDecision("edit", text=text))

        from duo_tui.ui.screens.dialogs import EditDialog

        self.app.push_screen(EditDialog(f"Edit the {cp.stage.value}", cp.artifact, lang), done)

    def action_edit_external(self) -> None:
        cp = self._need_checkpoint()
        if cp is None or "edit" not in cp.actions:
            return
        import os
        import subprocess
        import tempfile

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as fh:
            fh.write(cp.artifact)
            path = fh.name
        with self.app.suspend():
            subprocess.run([*editor.split(), path], check=False)
        text = Path(path).read_text(encoding="utf-8")
        Path(path).unlink(missing_ok=True)
        if text != cp.artifact:
            self.send(UserDecision("edit", text=text))

    def action_choose(self) -> None:
        cp = self._need_checkpoint()
        if cp is None:
            return
        alts = cp.data.alternatives
        if len(alts) < 2:
            self.notify("no alternatives yet: rerun (r) first, then choose", timeout=4)
            return

        def done(idx: object) -> None:
            if isinstance(idx, int):
                self.send(UserDecision("choose", choice=idx))

        from duo_tui.ui.screens.dialogs import ChooseDialog

        self.app.push_screen(ChooseDialog([(a.label, a.text) for a in alts]), done)

    def action_swap_roles(self) -> None:
        if self._need_checkpoint() is not None:
            self.send(UserDecision("swap_roles"))

    def action_toggle_autopilot(self) -> None:
        if self._need_checkpoint() is not None:
            self.autopilot = not self.autopilot
            for r in self.query(StageRail):
                r.set_mode(self.mode, self.autopilot)
            self._render_status()
            self.send(UserDecision("autopilot"))

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

    # the triage screen's messages (attributes down, messages up)

    def on_triage_screen_changed(self, _event: Any) -> None:
        self.show_decisions()

    def on_triage_screen_regrouped(self, event: Any) -> None:
        from duo_tui.core.artifacts import triage_groups

        self.triage_corrections.append(event.correction)
        self._set_groups(list(triage_groups(event.groups)))

    def on_triage_screen_located(self, event: Any) -> None:
        self.query_one(CodePane).diff_view().focus_location(
            event.file, event.line_start, event.line_end
        )

    def _key(self, action: str) -> str:
        """The key bound to `action` right now (after `[ui] keys` remaps)."""
        key = self._keys.get(action)
        if key is None:
            from duo_tui.ui.screens.tasks import TasksScreen
            from duo_tui.ui.widgets.diff_view import DiffView

            declared = [*self.BINDINGS, *DiffView.BINDINGS, *TasksScreen.BINDINGS]
            key = self._keys[action] = key_display(self, action, declared)
        return key

    def on_keys_changed(self, _event: KeysChanged) -> None:
        """`[ui] keys` were applied: the hints name the new keys."""
        self._keys.clear()
        self._bar_text = ""
        self._render_checkpoint()

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

    def action_split_task(self) -> None:
        cp = self._need_checkpoint()
        if cp is not None and "split" not in cp.actions:
            self.notify("split is offered when a change outgrows its task's bound", timeout=4)
        elif cp is not None:
            self.send(UserDecision("split"))

    def action_full_workflow(self) -> None:
        cp = self._need_checkpoint()
        if cp is not None and "full_workflow" not in cp.actions:
            self.notify("offered when a fast session's change grows past a few files", timeout=4)
        elif cp is not None:
            self.send(UserDecision("full_workflow"))
            self.mode = "auto" if self.autopilot else "manual"
            for r in self.query(StageRail):
                r.set_mode(self.mode, self.autopilot)

    def action_failed_task(self, action: str) -> None:
        """A task whose edits cannot apply: skip it (K) or merge it with the previous (M)."""
        cp = self._need_checkpoint()
        if cp is not None and action not in cp.actions:
            self.notify("offered when a task's edits cannot be applied", timeout=4)
        elif cp is not None:
            self.send(UserDecision("merge_task" if action == "merge_task" else "skip_task"))

    def action_use_revision(self) -> None:
        """Align: replace your edited plan by the planner's proposed revision (U)."""
        cp = self._need_checkpoint()
        if cp is not None and "use_revision" not in cp.actions:
            self.notify("offered when the planner proposes a revision of your edited plan")
        elif cp is not None:
            self.send(UserDecision("use_revision"))

    def action_copy_pane(self) -> None:
        pane = self._panes()[self.active_pane]
        text = ""
        for sp in pane.query(StreamPane):
            if sp.display:
                text = sp.text
                break
        if isinstance(pane, CodePane) and pane.showing == "diff":
            text = "\n".join(
                "\n".join(h.lines)
                for f in self.query_one(CodePane).diff_view().files
                for h in f.hunks
            )
        if not text:
            self.notify("nothing to copy in this pane", timeout=3)
            return
        text = clean(text)  # what the pane shows, not the model's raw control characters
        self.app.copy_to_clipboard(text)
        import tempfile

        fallback = Path(tempfile.gettempdir()) / f"duo-tui-pane-{self.active_pane + 1}.txt"
        fallback.write_text(text, encoding="utf-8")
        self.notify(f"copied {len(text)} characters (OSC 52); also saved to {fallback}", timeout=5)

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
