"""The triage screen's header: the counts, how far the deciding got, what mode it is in,
and (before a session's accept) the findings marked fix that the accept would leave
unfixed because they are below the convergence rule's bar.

The numbers are the core's (`duo_tui.core.triage_summary`), as in the workbench's
rail; group keys are the core's, the rest is this module's own words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from rich.markup import escape

from duo_tui.core.artifacts import triage_groups
from duo_tui.core.triage_summary import (
    agreement_counts,
    decision_counts,
    left_unfixed,
    unfixed_notice,
)
from duo_tui.ui.match_marks import only_glyph, reviewer_name


def head_markup(
    groups: list[dict[str, Any]],
    decisions: Mapping[str, str],
    title: str,
    mode: str,
) -> str:
    """The header line: `mode` is markup already (escaped by the caller)."""
    counts = agreement_counts(triage_groups(groups))
    done = decision_counts((g["key"] for g in groups), decisions)
    n = counts.total
    # one count per reviewer, each with its own glyph: `◀ 2 only A · ▶ 1 only B`
    only_text = " · ".join(
        f"{only_glyph(r)} {k} only {reviewer_name(r)}" for r, k in counts.only_by().items()
    )
    return (
        f"[b]{title}[/b] · {n} finding(s): = {counts.agreed} agreed · ≠ {counts.severity} "
        "severity · "
        + (f"{only_text} · " if only_text else "")
        + f"{done.decided}/{n} decided · {done.fix} to fix  [dim]{mode}[/]"
    )


def unfixed_markup(
    groups: list[dict[str, Any]],
    decisions: Mapping[str, str],
    chosen: Collection[str],
    max_high: int,
    fix_key: str,
) -> str:
    """A warning line naming the findings marked fix that accepting now leaves unfixed
    ("" when the accept fixes every one, or none is marked)."""
    left = left_unfixed(triage_groups(groups), decisions, chosen, max_high)
    notice = unfixed_notice(left, fix_key)
    return f"\n[$warning]⚠ {escape(notice)}[/]" if notice else ""
