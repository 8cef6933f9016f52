"""The workbench's decision keys: each builds a `UserDecision` for the open checkpoint.

What a decision means per stage is the core's (`duo_tui.core.checkpoint_policy`);
the dialogs that ask for a reason, a model or an edit load on first use.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import SuspendNotSupported
from textual.binding import Binding

from duo_tui.core.checkpoint_policy import reject_question, rerun_kind, rerun_model
from duo_tui.core.enums import Stage
from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.safe_text import clean, clean_line
from duo_tui.ui.keys import keymap_of
from duo_tui.ui.panes import CodePane
from duo_tui.ui.widgets.stage_rail import StageRail
from duo_tui.ui.widgets.stream_pane import StreamPane
from duo_tui.ui.workbench.findings import WorkbenchFindings


class WorkbenchActions(WorkbenchFindings):
    """Accept, reject, rerun, edit, choose and the other decisions; copy a pane."""

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

    def on_key(self, event: events.Key) -> None:
        """A decision key pressed after the session ended says so (its binding is off)."""
        if self.ended is None or event.key not in self._decision_keys():
            return
        event.stop()
        status = self.ended.status
        self.notify(
            f"the session has ended ({clean_line(str(status))}): nothing is left to decide; "
            f"{self._key('help')} lists what still works",
            timeout=4,
        )

    def _decision_keys(self) -> set[str]:
        """The keys bound to decision actions now, after `[ui] keys` remaps."""
        overrides = keymap_of(self.app)
        keys: set[str] = set()
        for b in type(self).BINDINGS:
            if isinstance(b, Binding) and b.action in self.DECISION_ACTIONS:
                bound = (overrides.get(b.id) if b.id else None) or b.key
                keys.update(k.strip() for k in bound.split(","))
        return keys

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

    def _editable_checkpoint(self) -> Checkpoint | None:
        """The open checkpoint if its result can be edited; else a toast saying why, and None."""
        cp = self._need_checkpoint()
        if cp is not None and "edit" not in cp.actions:
            self.notify(
                f"the {cp.stage.value} result is not editable here", severity="warning", timeout=4
            )
            return None
        return cp

    def action_edit(self) -> None:
        cp = self._editable_checkpoint()
        if cp is None:
            return
        lang = "markdown" if cp.stage in (Stage.PLAN, Stage.ALIGN) else None

        def done(text: object) -> None:
            if isinstance(text, str):
                self.send(UserDecision("edit", text=text))

        from duo_tui.ui.screens.dialogs import EditDialog

        self.app.push_screen(EditDialog(f"Edit the {cp.stage.value}", cp.artifact, lang), done)

    def action_edit_external(self) -> None:
        cp = self._editable_checkpoint()
        if cp is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        try:
            argv = shlex.split(editor)
        except ValueError:
            argv = []
        if not argv or shutil.which(argv[0]) is None:
            self.notify(
                f"no editor {clean_line(argv[0] if argv else editor)!r} on this machine: set "
                f"$VISUAL or $EDITOR, or press {self._key('edit')} to edit here",
                severity="warning",
                timeout=6,
            )
            return
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False, encoding="utf-8") as fh:
            fh.write(cp.artifact)
            path = Path(fh.name)
        try:
            with self.app.suspend():
                done = subprocess.run([*argv, str(path)], check=False)
            text = path.read_text(encoding="utf-8")
        except SuspendNotSupported:
            self.notify(
                f"this terminal cannot hand over to an editor: press {self._key('edit')} "
                "to edit here",
                severity="warning",
                timeout=6,
            )
            return
        except (OSError, UnicodeDecodeError) as exc:
            self.notify(f"the editor did not run: {exc}", severity="error", timeout=6)
            return
        finally:
            path.unlink(missing_ok=True)
        if text != cp.artifact:
            self.send(UserDecision("edit", text=text))
        else:
            code = f" (it exited with {done.returncode})" if done.returncode else ""
            self.notify(f"nothing changed in the editor{code}", timeout=4)

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

        fallback = Path(tempfile.gettempdir()) / f"duo-tui-pane-{self.active_pane + 1}.txt"
        fallback.write_text(text, encoding="utf-8")
        self.notify(f"copied {len(text)} characters (OSC 52); also saved to {fallback}", timeout=5)
