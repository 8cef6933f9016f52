"""The review panes' findings, the rail's disagreement counts and the plan trace.

A round's triage groups mark each finding (agreed, severity conflict, one
reviewer only) and its decision; the counts are the core's
(`duo_tui.core.triage_summary`). Selecting a finding shows its counterpart and
its place in the diff.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.content import Content
from textual.widgets import Static

from duo_tui.core.artifacts import TraceArtifact, TriageGroup, triage_groups
from duo_tui.core.triage_summary import agreement_counts
from duo_tui.safe_text import clean, clean_line
from duo_tui.ui.match_marks import only_glyph, only_style_var, reviewer_name
from duo_tui.ui.panes import CodePane, ReviewPane
from duo_tui.ui.visible import TITLE_CHARS, shown
from duo_tui.ui.widgets.finding_list import FindingList, FindingRow
from duo_tui.ui.workbench.status import WorkbenchStatus

if TYPE_CHECKING:
    from duo_tui.core.models import Review


class WorkbenchFindings(WorkbenchStatus):
    """Findings in the review panes, the rail's counts and trace."""

    def _show_trace(self, trace: TraceArtifact) -> None:
        """Plan steps no hunk implements and hunks no step asked for, in the rail."""
        hunks = trace.hunks
        missing = trace.unimplemented_steps
        creep = trace.scope_creep_hunks
        steps = {st for h in hunks for st in h.steps}
        lines = ["[b]trace[/b]", f"{len(hunks)} hunk(s)", f"→ {len(steps)} plan step(s)"]
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
        verdict = shown(review.verdict or "", TITLE_CHARS).replace("_", " ")
        score = f"{review.score}/10" if review.score else ""
        summary = shown(review.summary)  # a reply may hold a multi-megabyte word
        pane.summary().update(
            clean(f"{verdict} {score} · {len(review.findings)} finding(s)\n{summary}".strip())
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

    def _corrected(self, groups: list[TriageGroup]) -> list[TriageGroup]:
        """`groups` with the splits and joins the human made at this checkpoint (they go
        to the core with the accept; until then only the workbench knows them)."""
        if not self.triage_corrections:
            return groups
        from duo_tui.core.triage_corrections import apply_corrections

        rows, _applied, _refused = apply_corrections(
            [g.as_row() for g in groups], self.triage_corrections
        )
        return list(triage_groups(rows))

    def show_decisions(self) -> None:
        """Mark the panes' findings with the decisions as they stand now (and say again
        what the accept would leave unfixed)."""
        self._set_groups(self.triage_groups)
        self._render_checkpoint()

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
            "[b]disagreement[/b]"  # the round on a line of its own: the rail is 18 wide
            + (f"\n[dim]round {self._review_round}[/]" if self._review_round else "")
            + "\n"
            f"[$duo-agree]= {counts.agreed} agreed[/]\n"
            f"[$duo-severity-conflict]≠ {counts.severity} severity[/]\n"
            + "\n".join(
                f"[${only_style_var(i)}]{only_glyph(i)} {n} only {reviewer_name(i)}[/]"
                for i, n in enumerate(counts.only[: self.reviewers])
            )
        )

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
