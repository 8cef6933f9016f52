"""The workbench's panes: plan, code (executor output / diff / gate), reviews, status."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Vertical
from textual.geometry import Region
from textual.widgets import ContentSwitcher, Static

from duo_tui.ui.deferred import after_first_frame
from duo_tui.ui.match_marks import reviewer_name
from duo_tui.ui.widgets.diff_view import DiffView
from duo_tui.ui.widgets.finding_list import FindingList
from duo_tui.ui.widgets.stream_pane import StreamPane

NO_CHANGE_YET = "no change yet: the diff appears once the executor's edits are applied"
"""What the diff view says before there is a change to show (at the plan stage, say)."""

SIDES_QUIET_S = 0.05
"""A pane's border sides follow its top and bottom lines once keys pause this long."""


class Pane(Vertical):
    """A titled, focusable region of the workbench."""

    ALLOW_MAXIMIZE = True  # `z` zooms the whole pane, not just its focused child

    DEFAULT_CSS = """
    Pane {
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        border-title-style: bold;
        height: 1fr;
        width: 1fr;
        background: $surface;
    }
    """

    _EDGES = ("border_top", "border_right", "border_bottom", "border_left")
    _sides_pending = False

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._paint_border())
        self._paint_border()

    def set_active(self, active: bool, *, restyle: bool = False) -> None:
        """Show this pane as the active one (accent border and title) or not.

        Only the border is repainted: a class change restyles and repaints the whole
        pane with everything in it, which made each pane switch cost a frame's worth
        of work while four streams run. `restyle` also re-applies the CSS (needed
        when narrow, where `-active` decides which pane is shown).
        """
        self.set_class(active, "-active", update=restyle)
        self._paint_border()

    def _paint_border(self) -> None:
        # The accent is an inline style over the CSS border; inactive panes use the CSS.
        inline = self.styles.inline
        if self.has_class("-active"):
            accent = Color.parse(self.app.theme_variables.get("accent", "#ffa62b"))
            for edge in self._EDGES:
                inline.set_rule(edge, ("round", accent))
            inline.set_rule("border_title_color", accent)
        else:
            for edge in self._EDGES:
                inline.clear_rule(edge)
            inline.clear_rule("border_title_color")
        if not self.is_mounted or not self.size:
            self.refresh()
            return
        # Dirty regions are relative to the content area: reach out to the border.
        # The top and bottom lines (with the title) are repainted in this frame, the
        # sides a moment later: a side is every line of the pane, and re-rendering
        # them all tripled the cost of the frame that answers a pane-switch key.
        left, top = self.content_offset
        width, height = self.outer_size
        self.refresh(Region(-left, -top, width, 1), Region(-left, height - 1 - top, width, 1))
        if not self._sides_pending:
            self._sides_pending = True
            self.set_timer(SIDES_QUIET_S, self._paint_sides)

    def _paint_sides(self) -> None:
        # Input first: while keys keep coming (switching through panes), the sides
        # wait until the keys pause, so no key's frame also repaints a pane's height.
        quiet_for = time.monotonic() - getattr(self.app, "last_key_at", 0.0)
        if quiet_for < SIDES_QUIET_S:
            self.set_timer(SIDES_QUIET_S - quiet_for, self._paint_sides)
            return
        self._sides_pending = False
        if not self.is_mounted or not self.size:
            return
        left, top = self.content_offset
        width, height = self.outer_size
        self.refresh(
            Region(-left, -top, 1, height),
            Region(width - 1 - left, -top, 1, height),
        )


class PlanPane(Pane):
    def compose(self) -> ComposeResult:
        yield StreamPane("plan", "", id="stream-plan", auto_flush=False)


class CodePane(Pane):
    """The executor's stream, the diff with hunk decisions, and the gate log.

    The diff and gate views start hidden: they are mounted after the first frame
    (see `duo_tui.ui.deferred`), or by `diff_view` / `gate_stream` if needed sooner.
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="code-tabs", markup=True)
        with ContentSwitcher(initial="stream-exec", id="code-switch"):
            yield StreamPane("executor", "", id="stream-exec", auto_flush=False)

    def on_mount(self) -> None:
        self.show("stream-exec")
        after_first_frame(self, self._mount_hidden_views)

    def _mount_hidden_views(self) -> None:
        switch = self.query_one(ContentSwitcher)
        if switch.query("#diff"):
            return
        diff = DiffView(id="diff", empty_text=NO_CHANGE_YET)
        gate = StreamPane("gate", "", id="stream-gate", auto_flush=False)
        for view in (diff, gate):
            view.display = False  # as ContentSwitcher does for the views it does not show
        switch.mount(diff, gate)

    def diff_view(self) -> DiffView:
        """The diff with hunk decisions (mounted now if it was not yet)."""
        self._mount_hidden_views()
        return self.query_one("#diff", DiffView)

    def gate_stream(self) -> StreamPane:
        """The gate log (mounted now if it was not yet)."""
        self._mount_hidden_views()
        return self.query_one("#stream-gate", StreamPane)

    def show(self, which: str) -> None:
        if which != "stream-exec":
            self._mount_hidden_views()
        self.query_one(ContentSwitcher).current = which
        self._render_tabs()

    def on_resize(self) -> None:
        if self.query("#code-switch"):
            self._render_tabs()

    def _render_tabs(self) -> None:
        """The view tabs, on one line: shorter names when the pane is narrow (never split)."""
        which = self.query_one(ContentSwitcher).current
        wide = self.size.width >= 34 or not self.size.width
        names = {
            "stream-exec": "o executor" if wide else "o exec",
            "diff": "d diff",
            "stream-gate": "g gate",
        }
        parts = []
        for key, label in names.items():
            if key == which:
                parts.append(f"[reverse] {label} [/]")
            else:
                parts.append(f"[dim] {label} [/]")
        self.query_one("#code-tabs", Static).update(" ".join(parts) if wide else "".join(parts))

    @property
    def showing(self) -> str:
        return str(self.query_one(ContentSwitcher).current)


class ReviewPane(Pane):
    """One reviewer: the raw stream while it writes, then its findings."""

    DEFAULT_CSS = """
    ReviewPane FindingList { display: none; }
    ReviewPane.-parsed FindingList { display: block; }
    ReviewPane.-parsed StreamPane { display: none; }
    ReviewPane.-parsed.-raw FindingList { display: none; }
    ReviewPane.-parsed.-raw StreamPane { display: block; }
    ReviewPane #review-summary { height: auto; max-height: 4; padding: 0 1; color: $text-muted; display: none; }
    ReviewPane.-parsed #review-summary { display: block; }
    """

    def __init__(self, index: int, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.index = index

    def compose(self) -> ComposeResult:
        # The summary and the findings show once the review is parsed: mounted after
        # the first frame (see `duo_tui.ui.deferred`), or by `findings` if sooner.
        yield StreamPane(
            # named as the pane's border names the reviewer ("review 2" read as a round)
            f"review {reviewer_name(self.index)}",
            "",
            id=f"stream-review-{self.index}",
            auto_flush=False,
        )

    def on_mount(self) -> None:
        after_first_frame(self, self._mount_parsed_views)

    def _mount_parsed_views(self) -> None:
        if self.query("#review-summary"):
            return
        self.mount(
            Static("", id="review-summary", markup=False),
            FindingList(
                side="a" if self.index == 0 else "b",
                reviewer=self.index,
                id=f"findings-{self.index}",
            ),
            before=self.query_one(StreamPane),
        )

    def findings(self) -> FindingList:
        """The parsed review's findings (mounted now if they were not yet)."""
        self._mount_parsed_views()
        return self.query_one(FindingList)

    def summary(self) -> Static:
        """The parsed review's verdict line (mounted now if it was not yet)."""
        self._mount_parsed_views()
        return self.query_one("#review-summary", Static)
