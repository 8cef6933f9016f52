"""The workbench's status line and checkpoint bar.

The bar says what is running or what waits for a decision, with hints that name
the keys bound now (`duo_tui.ui.keys`). Model text fills plain-text slots only.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.markup import escape
from textual import events
from textual.content import Content
from textual.widgets import Static

from duo_tui.core.enums import Stage
from duo_tui.core.triage_summary import left_unfixed, unfixed_notice
from duo_tui.safe_text import clean, clean_line
from duo_tui.ui.keys import KeysChanged
from duo_tui.ui.workbench.base import SPINNER, _tok, short_model
from duo_tui.ui.workbench.layout import WorkbenchLayout


class WorkbenchStatus(WorkbenchLayout):
    """The status line and the checkpoint bar, drawn from the workbench's state."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        "[b]duo-tui[/b]  $sid  [dim]│[/] $branch  [dim]│[/] $auto  [dim]│[/] $cost  [dim]│[/] $per_model",
        "[b]duo-tui[/b]  $sid  [dim]│[/] $branch  [dim]│[/] $auto  [dim]│[/] $cost",
        "[b]duo[/b] $branch [dim]│[/] $auto [dim]│[/] $cost",
        "[b]duo[/b] $auto [dim]│[/] $cost",
        "$cost",
    )
    """The header's forms, fullest first: the first that fits the width is shown, so
    the cost is always there and nothing is cut mid-word."""

    def _render_status(self, width: int | None = None) -> None:
        """Draw the header for `width` columns (default: the terminal's)."""
        cost = f"${self.cost:.2f}" if self.cost_known else f"≥${self.cost:.2f} (some unknown)"
        per_model = "  ".join(
            f"{short_model(m)} {_tok((u.input_tokens or 0) + (u.output_tokens or 0))} tok"
            for m, u in self.usage.items()
        )
        # A resumed session's id and branch come from its files: plain-text slots.
        values = {
            "sid": clean_line(self.session_id or "starting…"),
            "branch": clean_line(self.branch or "starting…"),
            "auto": "autopilot ON" if self.autopilot else "manual",
            "cost": cost,
            "per_model": clean_line(per_model),
        }
        room = (width if width is not None else self.app.size.width) - 2  # the padding
        # no tokens yet: no empty per-model slot
        texts = self.HEADERS if per_model else self.HEADERS[1:]
        forms = [Content.from_markup(text, **values) for text in texts]
        header = next((c for c in forms if c.cell_length <= room), forms[-1])
        self.query_one("#status", Static).update(header)

    def on_resize(self, event: events.Resize) -> None:
        """A new size: lay the panes out again and choose the header and bar that fit now."""
        super().on_resize(event)
        self._width = event.size.width
        self._render_status(event.size.width)
        self._render_checkpoint()

    def _bar_room(self) -> int:
        """The checkpoint bar's columns for text (the terminal's, less the bar's padding)."""
        return (self._width or self.app.size.width) - 2

    def _fitting(self, forms: list[str], **values: str) -> str:
        """The first markup form whose every line fits the bar (else the last): a line
        that would wrap mid-phrase gives way to a shorter form of the same facts."""
        room = self._bar_room()
        for text in forms:
            lines = Content.from_markup(text, **values).plain.split("\n")
            if all(len(line) <= room for line in lines):
                return text
        return forms[-1]

    def _hint_lines(self, keys: list[str]) -> str:
        """The keys, spaced widely when they fit on one line, closer when that makes them
        fit, else broken between two keys (never inside one) over as many lines as needed."""
        room = self._bar_room()
        for sep in ("  ·  ", " · "):
            if len(sep.join(keys)) <= room:
                return sep.join(keys)
        lines: list[str] = []
        for key in keys:
            if lines and len(lines[-1]) + 3 + len(key) <= room:
                lines[-1] += " · " + key
            else:
                lines.append(key)
        return "\n".join(lines)

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

    def _render_checkpoint(self) -> None:
        bar = self.query_one("#checkpoint", Static)
        bar.remove_class("-awaiting", "-failed", "-done")
        if self.ended is not None:
            e = self.ended
            bar.add_class("-done" if e.status == "converged" else "-failed")
            rep = e.report
            if e.status == "converged":
                commit = str(rep.get("commit") or "")
                done = "[b $success]✓ converged[/]"
                cost = f"${rep.get('cost_usd') or 0:.2f}"
                rounds = f"{rep.get('rounds')} round(s)"
                end = "\nq quit · ctrl+p export, history, theme…"
                # the fullest form that fits: the branch is in the header at any width
                forms = [
                    f"{done} · {rounds} · commit {commit[:10]} on $branch · {cost}{end}",
                    f"{done} · commit {commit[:7]} on $branch · {cost}{end}",
                    f"{done} · {rounds} · commit {commit[:10]} · {cost}{end}",
                    f"{done} · commit {commit[:7]} · {cost}\nq quit · ctrl+p export…",
                ]
                branch = clean_line(str(rep.get("branch") or ""))
                self._set_bar(bar, self._fitting(forms, branch=branch), branch=branch)
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
        if cp.stage in (Stage.EXECUTE, Stage.FIX) and not failed and cp.data.diff:
            # only a change to decide on has hunks (a failed or empty one has none)
            keys.insert(0, f"{k('toggle_hunk')} hunk ✓/✗ · {k('toggle_file')} file")
        if "task_ops" in cp.actions:
            sizes = "/".join(k(f"size('{s}')") for s in "SML")
            keys.insert(0, f"{k('tasks')} tasks: edit, split, size {sizes}")
        hint = self._hint_lines(keys)
        unfixed = self._unfixed_forms() if cp.stage == Stage.TRIAGE and not failed else []
        if unfixed:
            warn = self._fitting([f"[$warning]⚠ {u}[/]" for u in unfixed])
            self._set_bar(bar, f"{head}\n{warn}\n[dim]{hint}[/]", where=where, summary=cp.summary)
            return
        self._set_bar(bar, f"{head}\n[dim]{hint}[/]", where=where, summary=cp.summary)

    def _unfixed_forms(self) -> list[str]:
        """Before the triage's accept: the findings marked fix that it would leave unfixed
        (below the bar, none marked by the human), fullest wording first ([] when none)."""
        cp = self.checkpoint
        if cp is None or cp.data.max_high is None:
            return []
        left = left_unfixed(
            self.triage_groups, self.finding_decisions, self.finding_chosen, cp.data.max_high
        )
        if not left:
            return []
        keys = ", ".join(g.key for g in left)
        t, f = self._key("triage"), self._key("decide('fix')")
        return [
            escape(unfixed_notice(left, f"{t}, then {f}")),
            escape(f"accept commits without fixing {keys} (below the bar): {t}, then {f} to fix"),
            escape(f"{keys} marked fix won't be fixed: {t}, {f} to fix"),
        ]

    def _pane_keys(self) -> str:
        """`1-4` (the keys that show a pane), or each key when they were remapped."""
        keys = [self._key(f"focus_pane({i})") for i in range(4)]
        return "1-4" if keys == ["1", "2", "3", "4"] else "/".join(keys)

    def _tick(self) -> None:
        self._frame += 1
        if self.checkpoint is None and self.running and self.ended is None:
            self._render_checkpoint()

    def on_keys_changed(self, _event: KeysChanged) -> None:
        """`[ui] keys` were applied: the hints name the new keys."""
        self._keys.clear()
        self._bar_text = ""
        self._render_checkpoint()
