"""The core's events, drawn: stages, streamed text, artifacts, checkpoints, the end.

`handle` takes one event of `duo_tui.core.events` (or the bridge's own `_Opened`
and `_StartFailed`); artifacts are dispatched on their type (`core.artifacts`).
"""

from __future__ import annotations

import time

from textual.content import Content
from textual.widgets import Static

from duo_tui.core.artifacts import (
    CommitArtifact,
    DiffArtifact,
    GateArtifact,
    PlanArtifact,
    ReviewArtifact,
    RolesArtifact,
    TasksArtifact,
    TraceArtifact,
    TriageArtifact,
)
from duo_tui.core.enums import Stage
from duo_tui.core.events import (
    ArtifactReady,
    AwaitingDecision,
    ErrorEvent,
    Event,
    Notice,
    Recovered,
    Retrying,
    SessionEnded,
    StageFinished,
    StageStarted,
    StreamFinished,
    StreamReset,
    StreamsRestored,
    TextDelta,
    UsageUpdate,
)
from duo_tui.safe_text import clean_line
from duo_tui.ui.match_marks import reviewer_name
from duo_tui.ui.panes import CodePane, Pane, ReviewPane
from duo_tui.ui.widgets.stream_pane import StreamPane
from duo_tui.ui.workbench.base import _Opened, _StartFailed, _tok, short_model
from duo_tui.ui.workbench.modals import WorkbenchModals


class WorkbenchEvents(WorkbenchModals):
    """Draw each event of the core (and the bridge's own) on the workbench."""

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
                    f"[b]disagreement[/b]\n[dim]round {ev.round}:\nreviews running[/]"
                )
            self._apply_weights()
            if ev.stage == Stage.GATE:
                self._gate_took = None
                self._gate_passed = None
                self.query_one(CodePane).gate_stream().reset(f"gate · round {ev.round}", "")
                self.query_one(CodePane).show("stream-gate")
            self._render_checkpoint()
        elif isinstance(ev, StageFinished):
            self.running = None
            for r in self._rails():
                r.set_stage(ev.stage.value, ev.state.value)
            if ev.stage == Stage.GATE:
                # the gate's measured run time, not the time until the human decided
                # and whether it passed, in the badge (the summary may not fit a narrow pane)
                self.query_one(CodePane).gate_stream().finish(
                    True, ev.summary, self._gate_took, failed=self._gate_passed is False
                )
        elif isinstance(ev, ArtifactReady):
            self._artifact(ev)
        elif isinstance(ev, Retrying):
            # One notice, updated in place: the pane's header counts down to the next
            # attempt and says why the last failed; a toast only on a call's first retry.
            pane = self.stream_pane(ev.stream)
            if pane is not None:
                pane.retry_countdown(ev.wait_s, ev.attempt, ev.max_attempts, ev.reason)
            if pane is None or ev.attempt <= 2:
                self.notify(
                    f"{ev.reason}: attempt {ev.attempt}/{ev.max_attempts} in {ev.wait_s:.0f}s"
                    + ("" if pane is None else "; the pane's header counts down the rest"),
                    severity="warning",
                    timeout=min(10, ev.wait_s + 2),
                )
        elif isinstance(ev, Recovered):
            # the retries worked: the pane's notice and a toast say so (a retry made a toast)
            pane = self.stream_pane(ev.stream)
            if pane is not None:
                pane.recovered(ev.attempt, ev.max_attempts)
            who = clean_line(pane.title) if pane is not None and pane.title else ev.stream
            self.notify(
                f"recovered: {who} answered on attempt {ev.attempt}/{ev.max_attempts}", timeout=6
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
        elif isinstance(ev, StreamsRestored):
            # a resumed session's output, redrawn from its files: finished, not waiting
            for stream in ev.streams:
                restored = self.stream_pane(stream)
                if restored is not None:
                    restored.mark_restored()
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
            # Prompt-cache tokens are billed at their own rates: say how many there were,
            # a count per line so that nothing wraps in the narrow rail column.
            from duo_tui.core.models import Usage, cache_counts

            counts = cache_counts(sum(ev.by_model.values(), Usage()))
            if counts:
                rows.append("cache tokens")
                rows += [f" {what:<7}{count:>7}" for what, count in counts]
            self.query_one("#costs", Static).update("[b]cost by stage[/b]\n" + "\n".join(rows))
        elif isinstance(ev, AwaitingDecision):
            self.checkpoint = ev.checkpoint
            cp = ev.checkpoint
            for r in self._rails():
                r.set_stage(cp.stage.value, cp.state.value)
            if cp.stage == Stage.TRIAGE:
                self.triage_preview = False
                # shown again (after a swap, a refused action...) it carries the matcher's
                # groups: the human's splits and joins made here still stand
                self._set_groups(self._corrected(list(cp.data.groups)))
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
            case GateArtifact(duration_s=took, passed=passed):
                self._gate_took = took
                self._gate_passed = passed
            case TasksArtifact(tasks=tasks):
                self.tasks = list(tasks)
            case TraceArtifact():
                self._show_trace(ev.data)
            case CommitArtifact(sha=sha, message=message):
                self.notify(f"committed {sha[:8]}: {message.splitlines()[0]}", timeout=8)
