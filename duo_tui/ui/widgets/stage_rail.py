"""`StageRail`: the eight stages of a round, with their state, the task and round, and the mode.

Vertical (at most 18 columns) by default; with `compact = True` it becomes a
single line for narrow terminals. States use glyphs as well as colours:
`○` pending, a spinner while running, `◆` awaiting a decision, `✓` accepted,
`✗` rejected, `!` failed. A stage whose last model call did not end normally
carries a mark after its name: `✂` cut off at the token limit, `⊘` refused,
`?` any other ending (paused, unknown, stalled, too large).
"""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from duo_tui.safe_text import clean_line

STAGES: tuple[str, ...] = ("plan", "align", "execute", "gate", "review", "triage", "fix", "commit")
"""The stages in order (same values as `duo_tui.core.models.Stage`)."""

STATES: tuple[str, ...] = (
    "pending",
    "running",
    "awaiting_decision",
    "accepted",
    "rejected",
    "failed",
)
"""Stage states (same values as `duo_tui.core.models.StageState`)."""

SPINNER = "◐◓◑◒"

STATE_GLYPHS: dict[str, str] = {
    "pending": "○",
    "running": "◐",
    "awaiting_decision": "◆",
    "accepted": "✓",
    "rejected": "✗",
    "failed": "!",
    "skipped": "–",
}

STATE_STYLES: dict[str, str] = {
    "pending": "$duo-stage-pending",
    "running": "bold $duo-stage-active",
    "awaiting_decision": "bold $warning",
    "accepted": "$duo-stage-done",
    "rejected": "bold $error",
    "failed": "bold $error",
    "skipped": "$duo-stage-pending",
}

#: Marks of a stage whose last model call ended abnormally (see `set_ending`).
ENDING_MARKS: dict[str, str] = {
    "max_tokens": "✂",
    "model_context_window_exceeded": "✂",
    "length": "✂",
    "cut_off": "✂",
    "refusal": "⊘",
    "content_filter": "⊘",
    "refused": "⊘",
    # the stream broke before its end: dropped, stalled, failed mid-answer, garbled
    "truncated": "↯",
    "mid_stream": "↯",
    "stall": "↯",
    "timeout": "↯",
    "malformed": "↯",
}

_STATE_ALIASES = {"awaiting": "awaiting_decision", "awaiting-decision": "awaiting_decision"}


def _value(item: object) -> str:
    """Accept enums (`Stage.PLAN`) as well as strings."""
    return str(getattr(item, "value", item))


class StageRail(Widget):
    """Stage states, current task and round, mode and autopilot.

    API: `set_stage(stage, state)`, `set_round(task_id, round)`,
    `set_mode(mode, autopilot)`, `reset()`, `compact` (reactive).
    """

    DEFAULT_CSS = """
    StageRail {
        width: 18;
        height: auto;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    StageRail.-compact {
        width: 1fr;
        height: 1;
        padding: 0 1;
    }
    """

    compact: reactive[bool] = reactive(False, layout=True)
    """One line instead of a column (for narrow terminals)."""

    SPIN_INTERVAL_S: ClassVar[float] = 0.15

    def __init__(
        self,
        *,
        compact: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._states: dict[str, str] = dict.fromkeys(STAGES, "pending")
        self._endings: dict[str, str] = {}  # stage -> how its last call ended, if abnormally
        self._task_id: str | None = None
        self._round: int | None = None
        self._mode = "manual"
        self._autopilot = False
        self._frame = 0
        self._timer: Timer | None = None
        self.set_reactive(StageRail.compact, compact)

    def on_mount(self) -> None:
        self.set_class(self.compact, "-compact")
        self._timer = self.set_interval(self.SPIN_INTERVAL_S, self._spin, pause=True)
        self._update_timer()

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")

    # -- public API ---------------------------------------------------------

    @property
    def states(self) -> dict[str, str]:
        """Stage -> state, in stage order."""
        return dict(self._states)

    def set_stage(self, stage: object, state: object) -> None:
        """Set one stage's state (`Stage`/`StageState` enums or their string values).

        A stage set running puts every later stage back to pending."""
        name, value = _value(stage), _value(state)
        value = _STATE_ALIASES.get(value, value)
        if name not in self._states:
            raise ValueError(f"unknown stage {name!r}; expected one of {', '.join(STAGES)}")
        if value not in STATE_GLYPHS:
            raise ValueError(f"unknown stage state {value!r}; expected one of {', '.join(STATES)}")
        self._states[name] = value
        if value == "running":
            # The stages after a stage that (re)starts run again after it: a new round's
            # gate, a review rerun or a new task's execute leaves none of them "done".
            for later in STAGES[STAGES.index(name) + 1 :]:
                self._states[later] = "pending"
                self._endings.pop(later, None)
        self._update_timer()
        self.refresh(layout=False)

    def set_ending(self, stage: object, ending: str | None) -> None:
        """Record how `stage`'s last model call ended; None (or a normal end) clears the mark."""
        name = _value(stage)
        if name not in self._states:
            return
        if ending:
            self._endings[name] = ending
        else:
            self._endings.pop(name, None)
        self.refresh(layout=False)

    @property
    def endings(self) -> dict[str, str]:
        """Stage -> the abnormal ending of its last model call."""
        return dict(self._endings)

    def reset(self) -> None:
        """Every stage back to pending (a new round or task)."""
        self._states = dict.fromkeys(STAGES, "pending")
        self._endings = {}
        self._update_timer()
        self.refresh()

    def set_round(self, task_id: str | None, round: int | None) -> None:
        """Show the current task and round, e.g. `T2 · round 2`."""
        self._task_id = task_id
        self._round = round
        self.refresh()

    def mirror(self, other: StageRail) -> None:
        """Show what `other` shows (its stages, task, round and mode)."""
        self._states = dict(other._states)
        self._endings = dict(other._endings)
        self._task_id, self._round = other._task_id, other._round
        self._mode, self._autopilot = other._mode, other._autopilot
        self._update_timer()
        self.refresh()

    def set_mode(self, mode: object, autopilot: bool) -> None:
        """Show the session mode (manual / auto / fast) and whether autopilot is on."""
        self._mode = _value(mode)
        self._autopilot = autopilot
        self.refresh()

    # -- rendering ----------------------------------------------------------

    def _glyph(self, state: str) -> str:
        if state == "running":
            return SPINNER[self._frame % len(SPINNER)]
        return STATE_GLYPHS[state]

    def _spin(self) -> None:
        self._frame += 1
        self.refresh()

    def _update_timer(self) -> None:
        if self._timer is None:
            return
        if "running" in self._states.values():
            self._timer.resume()
        else:
            self._timer.pause()

    def _round_text(self) -> str:
        parts = []
        if self._task_id:
            parts.append(clean_line(self._task_id))  # from the plan (model text)
        if self._round is not None:
            parts.append(f"round {self._round}")
        return " · ".join(parts)

    def _mode_content(self) -> Content:
        pilot = (
            ("autopilot on", "bold $success")
            if self._autopilot
            else ("autopilot off", "$text-muted")
        )
        return Content.assemble((self._mode, "bold"), " · ", pilot)

    def render(self) -> Content:
        """The rail as text (a column, or one line when compact)."""
        if self.compact:
            return self._render_compact()
        lines: list[Content] = []
        round_text = self._round_text()
        lines.append(
            Content.styled(
                round_text or "no task", "bold $primary" if round_text else "$text-muted"
            )
        )
        lines.append(Content(""))
        for stage in STAGES:
            state = self._states[stage]
            active = state in ("running", "awaiting_decision")
            line = Content.assemble(
                (self._glyph(state), STATE_STYLES[state]),
                " ",
                (stage, "bold" if active else ("$text-muted" if state == "pending" else "")),
            )
            ending = self._endings.get(stage)
            if ending:
                line = Content.assemble(line, " ", (ENDING_MARKS.get(ending, "?"), "bold $warning"))
            lines.append(line)
        lines.append(Content(""))
        lines.append(Content.styled(self._mode, "bold"))
        lines.append(
            Content.styled("autopilot on", "bold $success")
            if self._autopilot
            else Content.styled("autopilot off", "$text-muted")
        )
        return Content("\n").join(lines)

    def _render_compact(self) -> Content:
        parts: list[Content] = []
        round_text = self._round_text()
        if round_text:
            parts.append(Content.styled(round_text, "bold $primary"))
        width = self.size.width or 80
        long_names = width >= 8 * 10 + 30
        stages = []
        for stage in STAGES:
            state = self._states[stage]
            active = state in ("running", "awaiting_decision")
            label = stage if long_names or active else stage[0].upper()
            stages.append(
                Content.assemble(
                    (self._glyph(state), STATE_STYLES[state]),
                    (label, "bold" if active else "$text-muted"),
                )
            )
        parts.append(Content(" ").join(stages))
        parts.append(self._mode_content())
        return Content("  ").join(parts)
