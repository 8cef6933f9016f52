"""The workbench's layout: composition, the pane grid and moving between panes.

Four columns at 170+ columns, a 2×2 grid from 110, and tabs (one pane at a time)
below that; the stage that runs or waits gets the room (`duo_tui.ui.pane_room`).
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.walk import walk_depth_first
from textual.widget import Widget
from textual.widgets import Static, Tab, Tabs

from duo_tui.ui import pane_room
from duo_tui.ui.panes import CodePane, Pane, PlanPane, ReviewPane
from duo_tui.ui.widgets.checkpoint_bar import CheckpointBar
from duo_tui.ui.widgets.quiet_footer import QuietFooter
from duo_tui.ui.widgets.stage_rail import StageRail
from duo_tui.ui.widgets.stream_pane import StreamPane
from duo_tui.ui.workbench.base import WorkbenchBase, short_model


class WorkbenchLayout(WorkbenchBase):
    """Compose the panes, lay them out for the terminal's size, move between them."""

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
