"""The triage screen: every finding, grouped by agreement, decided with the keyboard.

Groups are shown as agreed (✓), severity conflict (≠), only A (◀ only A), only B
(▶ only B): glyph, word and colour, never colour alone (`duo_tui.ui.match_marks`). Selecting a group shows both reviewers'
words side by side and where in the code it points, and the judge model's verdict
with its one-line reason when one settled it (⚖). Keys: f fix, d dismiss,
k accept-risk (a reason is required), l defer, R recurring (adds a rule to
`.ai/constitution.md` after you confirm), s split a pair, j join two unpaired
findings (mark one, then press j on the other). A split or join (✎) is the
human's correction: it goes to the core with the accepted triage, which logs it.
Opened in a session past its triage checkpoint, the screen is read-only and says so.

In a session the screen talks to the workbench with messages (`Changed`,
`Regrouped`, `Located`) and its result (`dismiss("accept")`); standalone it
keeps its corrections itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from duo_tui.core.models import Review, TriageResult
from duo_tui.core.triage_corrections import CorrectionError, join_groups, split_group
from duo_tui.core.triage_summary import recurring_rule
from duo_tui.safe_text import clean_line
from duo_tui.ui.screens.dialogs import ConfirmDialog, ReasonDialog
from duo_tui.ui.triage_detail import DECISION_LABEL, detail_sides
from duo_tui.ui.triage_head import head_markup, unfixed_markup
from duo_tui.ui.triage_table import (
    NARROW_BELOW,
    column_widths,
    kind_cell,
    sev_cell,
    title_text,
    where_cell,
)
from duo_tui.ui.widgets.quiet_footer import QuietFooter

if TYPE_CHECKING:
    from textual.message import Message

    from duo_tui.core.artifacts import TriageGroup
    from duo_tui.core.events import Checkpoint


class TriageHost(Protocol):
    """What the triage screen reads of the screen that opened it, and posts its messages to
    (the workbench; typed by what it offers, so this screen imports no other screen)."""

    triage_groups: list[TriageGroup]
    reviews: dict[int, Review]
    finding_decisions: dict[str, str]
    finding_reasons: dict[str, str]
    recurring: dict[str, str]
    finding_chosen: set[str]
    repo_path: str
    session_id: str
    checkpoint: Checkpoint | None

    def post_message(self, message: Message) -> bool: ...


class TriageScreen(Screen[str | None]):
    """Decide each finding: fix, dismiss, accept-risk (with a reason) or defer.

    Dismissed with ``"accept"`` when the human accepts the triage in a session.
    """

    class Changed(Message):
        """The decisions changed: the workbench redraws its findings and counts."""

        def __init__(self, groups: list[dict[str, Any]]) -> None:
            super().__init__()
            self.groups = groups

    class Regrouped(Message):
        """The human split or joined findings: `correction` goes with the accepted triage."""

        def __init__(self, groups: list[dict[str, Any]], correction: dict[str, Any]) -> None:
            super().__init__()
            self.groups = groups
            self.correction = correction

    class Located(Message):
        """The selected finding points at this place: the workbench shows it in the diff."""

        def __init__(self, file: str, line_start: int, line_end: int | None) -> None:
            super().__init__()
            self.file = file
            self.line_start = line_start
            self.line_end = line_end

    class Left(Message):
        """Standalone: the human left the screen. The app ends the program and says
        `said` (where the decisions went, or that they were not kept) once it is gone."""

        def __init__(self, said: str) -> None:
            super().__init__()
            self.said = said

    DEFAULT_CSS = """
    TriageScreen { layout: vertical; }
    #triage-head { height: auto; padding: 0 1; background: $panel; }
    #triage-body { height: 1fr; }
    #groups { height: 1fr; width: 3fr; }
    #detail { width: 2fr; border-left: solid $panel-lighten-2; padding: 0 1; }
    TriageScreen.-narrow #triage-body { layout: vertical; }
    TriageScreen.-narrow #groups { width: 1fr; height: 1fr; }
    TriageScreen.-narrow #detail { width: 1fr; height: 1fr; border-left: none; border-top: solid $panel-lighten-2; }
    #detail .side { height: auto; margin-bottom: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "split", "Split pair", id="triage.split"),
        Binding("j", "join", "Join", id="triage.join"),
        Binding("f", "decide('fix')", "Fix", id="triage.fix"),
        Binding("d", "decide('dismiss')", "Dismiss", id="triage.dismiss"),
        Binding("k", "decide('accept_risk')", "Accept risk", id="triage.accept_risk"),
        Binding("l", "decide('defer')", "Defer", id="triage.defer"),
        Binding("R", "recurring", "Recurring", id="triage.recurring"),
        Binding("m", "export('md')", "Export md", id="triage.export_md", show=False),
        Binding("S", "export('sarif')", "Export SARIF", id="triage.export_sarif", show=False),
        Binding("a", "accept_triage", "Accept triage", id="triage.accept"),
        Binding("escape", "back", "Back", id="triage.back"),
        Binding("question_mark", "app.help", "Help", id="triage.help"),
    ]

    def __init__(
        self,
        groups: list[dict[str, Any]],
        reviews: dict[int, Review],
        decisions: dict[str, str],
        reasons: dict[str, str],
        recurring: dict[str, str],
        workbench: TriageHost | None = None,
        chosen: set[str] | None = None,
        preview: bool = False,
    ) -> None:
        super().__init__()
        # at the review checkpoint: how the reviews match, before the triage stage runs
        self.preview = preview
        self.out: Path | None = None  # standalone: where the decisions are saved (--out)
        self.groups = groups
        self.reviews = reviews
        self.decisions = decisions
        self.reasons = reasons
        self.recurring = recurring
        self.workbench = workbench
        # the keys decided on this screen (the rest keep the round's preselection)
        self.chosen = chosen if chosen is not None else set()
        self.corrections: list[dict[str, Any]] = []  # the splits and joins made here
        self.join_mark: str | None = None  # the first finding of a join, waiting for its mate
        self._shown_widths = (0, 0)  # the finding and where columns as filled

    @classmethod
    def for_workbench(cls, wb: TriageHost, preview: bool = False) -> TriageScreen:
        return cls(
            [g.as_row() for g in wb.triage_groups],
            wb.reviews,
            wb.finding_decisions,
            wb.finding_reasons,
            wb.recurring,
            wb,
            wb.finding_chosen,
            preview,
        )

    @classmethod
    def standalone(
        cls, a: Review, b: Review, out: Path | None = None, result: TriageResult | None = None
    ) -> TriageScreen:
        """`duo-tui triage A B`: `result` is their match when a judge settled it."""
        from duo_tui.core.convergence import auto_decision, group_table, merge_reviews

        merged = merge_reviews([a, b], result=result)
        decisions = {m.key: auto_decision(m).value for m in merged}
        screen = cls(group_table(merged, decisions), {0: a, 1: b}, decisions, {}, {})
        screen.out = out
        return screen

    def compose(self) -> ComposeResult:
        yield Static("", id="triage-head")
        with Horizontal(id="triage-body"):
            yield DataTable(id="groups", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="detail"):
                yield Static("", id="detail-a", classes="side")
                yield Static("", id="detail-b", classes="side")
        # what a narrow footer leaves out first: the decisions and "accept" stay in view
        yield QuietFooter(spare=("split", "join", "recurring", "back", "decide('defer')"))

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self._fill()
        self._head()
        table.focus()
        self.set_class(self.app.size.width < NARROW_BELOW, "-narrow")

    def on_resize(self) -> None:
        self.set_class(self.app.size.width < NARROW_BELOW, "-narrow")
        if self.is_mounted and self._widths() != self._shown_widths:
            self._fill()  # the finding and where columns take what the others leave

    def _var(self, name: str) -> str:
        return self.app.theme_variables.get(name, "")

    def _widths(self) -> tuple[int, int]:
        cells = [
            c
            for g in self.groups
            for c in (self._kind_cell(g), sev_cell(g, self._var), self._decision_cell(g["key"]))
        ]
        return column_widths(self.app.size.width, self.groups, cells)

    def _kind_cell(self, g: dict[str, Any]) -> Text:
        return kind_cell(g, self._var, self.join_mark)

    def _decision_cell(self, key: str) -> Text:
        d = self.decisions.get(key, "pending")
        label = DECISION_LABEL.get(d, d)
        if key in self.recurring:
            label += " ↻"
        if key not in self.chosen and self._carried(key):
            label += " (carried)"
        style = {
            "fix": "bold " + self._var("duo-critical"),
            "dismiss": "dim",
            "accept_risk": self._var("warning"),
        }.get(d, "")
        return Text(label, style=style)

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self._shown_widths = title_w, where_w = self._widths()
        table.add_column("kind")
        table.add_column("severity")
        table.add_column("decision")
        table.add_column("finding", width=title_w)
        table.add_column("where", width=where_w)
        for g in self.groups:
            table.add_row(  # review text: plain, controls visible; a long title ends in …
                self._kind_cell(g),
                sev_cell(g, self._var),
                self._decision_cell(g["key"]),
                Text(title_text(g), no_wrap=True, overflow="ellipsis"),
                Text(where_cell(g, where_w), no_wrap=True),
                key=g["key"],
            )
        if self.groups:
            table.move_cursor(row=min(row, len(self.groups) - 1))
            self._show(self.groups[table.cursor_row])

    def _head(self) -> None:
        mode = "" if self.workbench else "standalone · m: Markdown · S: SARIF"
        if self.join_mark is not None:
            mode = escape(
                f"joining {self.join_mark}: press {self._key('join')} on a finding of the "
                "other reviewer (escape cancels)"
            )
        title = "triage"
        cp = self.workbench.checkpoint if self.workbench is not None else None
        if self._round_over():
            mode = "read-only: these decisions were taken"
        if self.preview:
            title = "triage preview"
            note = cp.data.preview_note if cp is not None else ""  # whose matches these are
            mode = escape(
                (f"{clean_line(note)} · " if note else "")
                + f"the reviews are in: accept them ({self._key('accept_triage')}) to decide"
            )
        head = head_markup(self.groups, self.decisions, title, mode)
        limit = cp.data.max_high if cp is not None else None
        if limit is not None and not self.preview and not self._round_over():
            # before the accept: the findings marked fix that it would leave unfixed
            fix = self._key("decide('fix')")
            head += unfixed_markup(self.groups, self.decisions, self.chosen, limit, fix)
        self.query_one("#triage-head", Static).update(head)

    def _carried(self, key: str) -> dict[str, Any] | None:
        """The earlier round's decision this finding started from, if it recurs."""
        g = next((g for g in self.groups if g["key"] == key), None)
        carried = g.get("carried") if g else None
        return carried if isinstance(carried, dict) else None

    def _current(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self.groups or table.cursor_row < 0:
            return None
        return self.groups[min(table.cursor_row, len(self.groups) - 1)]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        g = self._current()
        if g is not None:
            self._show(g)

    def _show(self, g: dict[str, Any]) -> None:
        carried = self._carried(g["key"]) if g["key"] not in self.chosen else None
        sides = detail_sides(g, self.reviews, carried)
        for i in (0, 1):
            text = sides[i] or f"[dim]{'AB'[i]} did not report this.[/]"
            self.query_one(f"#detail-{'ab'[i]}", Static).update(text)
        if self.workbench is not None:
            f = g["members"][0]["finding"]
            if f.get("file") and f.get("line_start"):
                self.workbench.post_message(
                    self.Located(str(f["file"]), int(f["line_start"]), f.get("line_end"))
                )

    def _key(self, action: str) -> str:
        """The key bound to `action` on this screen now (after `[ui] keys` remaps)."""
        for active in self.active_bindings.values():
            if active.binding.action == action:
                return self.app.get_key_display(active.binding)
        return action

    def _round_over(self) -> bool:
        """In a session, past its triage checkpoint (or before it, outside the preview)."""
        if self.workbench is None or self.preview:
            return False
        cp = self.workbench.checkpoint
        return cp is None or cp.stage.value != "triage"

    def _cannot_decide(self) -> bool:
        """In a session findings are decided at the triage checkpoint only: in the preview
        nothing is decided yet, and once the triage is accepted (the fix, a later round, the
        session's end) its decisions are history. Say so instead of changing a row that
        nothing reads any more."""
        if self.preview:
            self.notify(
                "a preview of how the reviews match: accept the reviews "
                f"({self._key('accept_triage')}) and decide each finding in the triage",
                timeout=5,
            )
            return True
        if not self._round_over():
            return False
        self.notify(
            "this triage is no longer open: its decisions were taken (read-only now)",
            severity="warning",
            timeout=5,
        )
        return True

    def _decidable(self) -> dict[str, Any] | None:
        """The highlighted group, when findings may be decided now (else None, having said
        why: see `_cannot_decide`)."""
        return None if self._cannot_decide() else self._current()

    def action_decide(self, decision: str) -> None:
        g = self._decidable()
        if g is None:
            return
        key = g["key"]
        if decision == "accept_risk":

            def done(reason: object) -> None:
                if isinstance(reason, str) and reason:
                    self.reasons[key] = reason
                    self._set(key, decision)

            self.app.push_screen(ReasonDialog("Accept the risk: why is it acceptable?"), done)
            return
        self._set(key, decision)

    def _set(self, key: str, decision: str) -> None:
        self.decisions[key] = decision
        self.chosen.add(key)
        if decision != "accept_risk":
            # a reason belongs to an accept-risk decision only
            self.reasons.pop(key, None)
        table = self.query_one(DataTable)
        # the column widens to the longest label ("△ accept-risk (carried)"): none is cut
        table.update_cell(
            key, table.ordered_columns[2].key, self._decision_cell(key), update_width=True
        )
        if self._widths() != self._shown_widths:
            self._fill()  # the finding and where columns give the wider label its room
        self._head()
        if self.workbench is not None:
            self.workbench.post_message(self.Changed(self.groups))
        if table.cursor_row < len(self.groups) - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_recurring(self) -> None:
        g = self._decidable()
        if g is None:
            return
        key = g["key"]
        f = g["members"][0]["finding"]
        rule = recurring_rule(str(f["title"]), str(f.get("suggestion") or ""))

        def confirmed(ok: object) -> None:
            if ok:
                self.recurring[key] = rule
                self._set(key, self.decisions.get(key, "fix"))
                self.notify(
                    "rule will be added to .ai/constitution.md when you accept the triage",
                    timeout=5,
                )

        self.app.push_screen(
            ConfirmDialog(
                "Mark as a recurring mistake?",
                f"This rule will be appended to .ai/constitution.md and put into every later prompt:\n\n- {rule}",
            ),
            confirmed,
        )

    def action_accept_triage(self) -> None:
        if self.workbench is None:
            if self.out is not None:
                saved = self._save_decisions()
                if saved is not None:
                    self.notify(f"decisions saved to {saved}", timeout=6)
            else:
                md, sarif = self._key("export('md')"), self._key("export('sarif')")
                self.notify(
                    "standalone triage: start it with --out FILE to save the decisions; "
                    f"export with {md} (Markdown) or {sarif} (SARIF)",
                    timeout=6,
                )
            return
        # the workbench accepts (the reviews, in the preview; else this triage)
        self.dismiss("accept")

    # -- the human's corrections ----------------------------------------------------------

    def action_split(self) -> None:
        """Split the selected pair (or group) into one only-finding per reviewer."""
        g = self._decidable()
        if g is None:
            return
        try:
            groups, correction = split_group(self.groups, g["key"])
        except CorrectionError as exc:
            self.notify(str(exc), severity="warning", timeout=4)
            return
        key = g["key"]
        for new in correction["new_keys"]:
            # each half starts from the pair's decision (and its reason, for accept-risk)
            self.decisions[new] = self.decisions.get(key, g.get("decision", "defer"))
            if key in self.chosen:
                self.chosen.add(new)
            if key in self.reasons:
                self.reasons[new] = self.reasons[key]
        self._regrouped(groups, correction, f"split {key}: each finding stands alone now")

    def action_join(self) -> None:
        """Mark an unpaired finding; on a second one of the other reviewer, join the two."""
        g = self._decidable()
        if g is None:
            return
        if len(g["members"]) != 1:
            self.notify(
                f"{g['key']} is already paired: join two unpaired findings "
                f"(split it first with {self._key('split')})",
                severity="warning",
                timeout=5,
            )
            return
        mark = self.join_mark
        if mark is None or mark == g["key"] or all(x["key"] != mark for x in self.groups):
            self.join_mark = None if mark == g["key"] else g["key"]
            self._fill()
            self._head()
            return
        try:
            groups, correction = join_groups(self.groups, mark, g["key"])
        except CorrectionError as exc:
            self.notify(str(exc), severity="warning", timeout=4)
            return
        self.join_mark = None
        removed = correction["removed"]
        for table in (self.decisions, self.reasons, self.recurring):
            table.pop(removed, None)
        self.chosen.discard(removed)
        self._regrouped(groups, correction, f"joined {mark} and {g['key']} as one problem")

    def _regrouped(
        self, groups: list[dict[str, Any]], correction: dict[str, Any], said: str
    ) -> None:
        self.groups = groups
        self.corrections.append(correction)
        self._fill()
        self._head()
        if self.workbench is not None:
            self.workbench.post_message(self.Regrouped(groups, correction))
        self.notify(said, timeout=4)

    def action_back(self) -> None:
        if self.join_mark is not None:  # escape first cancels a join half made
            self.join_mark = None
            self._fill()
            self._head()
            return
        if self.workbench is None:
            said = ""
            if self.out is not None:
                saved = self._save_decisions()
                if saved is None:
                    return  # the error is on screen; nothing is lost by staying
                said = f"duo-tui triage: decisions saved to {saved}"
            elif self.chosen:
                said = (
                    f"duo-tui triage: your {len(self.chosen)} decision(s) were not saved; "
                    "run it with --out FILE to keep them"
                )
            self.post_message(self.Left(said))  # up to the app, which ends the program
        else:
            self.dismiss(None)

    def _save_decisions(self) -> Path | None:
        """Standalone: write the decisions to `--out` (None, with the error shown, on failure)."""
        from duo_tui.store.triage_files import decisions_document, write_decisions

        assert self.out is not None
        names = (self.reviews[0].reviewer, self.reviews[1].reviewer)
        doc = decisions_document(self.groups, self.decisions, self.reasons, names)
        try:
            return write_decisions(self.out, doc)
        except OSError as exc:
            self.notify(
                f"could not save the decisions to {self.out}: {exc.strerror or exc}",
                severity="error",
                timeout=10,
            )
            return None

    def _export_path(self, fmt: str) -> Path:
        """Next to the session in a session; beside `--out` (or here) when standalone."""
        from duo_tui.store.triage_files import export_name, session_export_dir

        wb = self.workbench
        if wb is not None and wb.repo_path and wb.session_id:
            cp = wb.checkpoint
            name = export_name(fmt, cp.task_id if cp else None, cp.round if cp else None)
            return session_export_dir(wb.repo_path, wb.session_id) / name
        base = self.out.parent if self.out is not None else Path.cwd()
        return base / export_name(fmt)

    def action_export(self, fmt: str) -> None:
        from duo_tui.store.triage_files import write_export

        if 0 not in self.reviews or 1 not in self.reviews:
            self.notify("an export needs two reviews", severity="warning", timeout=4)
            return
        path = self._export_path(fmt)
        a, b, groups, decisions = self.reviews[0], self.reviews[1], self.groups, self.decisions
        snapshot = (list(groups), dict(decisions))

        def export() -> None:  # matching the reviews again is work: never on the UI thread
            try:
                out = write_export(path, fmt, a, b, *snapshot)
            except OSError as exc:
                self.app.call_from_thread(
                    self.notify,
                    f"could not write {path}: {exc.strerror or exc}",
                    severity="error",
                    timeout=10,
                )
                return
            self.app.call_from_thread(self.notify, f"wrote {out}", timeout=8)

        self.run_worker(export, thread=True, group="triage-export", exit_on_error=False)
