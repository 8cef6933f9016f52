"""What a round's triage adds up to: agreement counts, decisions taken, recurring rules.

The workbench's rail and the triage screen's header show the same numbers; they
are computed here, once, from the typed groups of `core.artifacts`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from duo_tui.core.artifacts import TriageGroup


@dataclass(frozen=True)
class AgreementCounts:
    """How the reviewers' findings match: agreed, severity conflicts, one reviewer only."""

    total: int
    agreed: int
    severity: int
    only: tuple[int, ...]
    """Findings only reviewer i reported, for i in 0..reviewers-1."""

    def only_by(self) -> dict[int, int]:
        """Reviewer -> its lone findings, for the reviewers that have any."""
        return {i: n for i, n in enumerate(self.only) if n}


def agreement_counts(groups: Iterable[TriageGroup], reviewers: int = 2) -> AgreementCounts:
    """The counts of `groups`; `only` has one entry per reviewer (at least `reviewers`)."""
    groups = list(groups)
    lone = [g.members[0].reviewer for g in groups if g.kind == "only" and g.members]
    width = max([reviewers, *(r + 1 for r in lone)])
    return AgreementCounts(
        total=len(groups),
        agreed=sum(1 for g in groups if g.kind == "agree"),
        severity=sum(1 for g in groups if g.kind == "severity"),
        only=tuple(lone.count(i) for i in range(width)),
    )


@dataclass(frozen=True)
class DecisionCounts:
    """How far the human got: groups decided (not pending) and groups marked fix."""

    decided: int
    fix: int


def decision_counts(keys: Iterable[str], decisions: Mapping[str, str]) -> DecisionCounts:
    """The decisions of the groups `keys` (a key without a decision is pending)."""
    keys = list(keys)
    return DecisionCounts(
        decided=sum(1 for k in keys if decisions.get(k, "pending") != "pending"),
        fix=sum(1 for k in keys if decisions.get(k) == "fix"),
    )


def recurring_rule(title: str, suggestion: str = "") -> str:
    """The constitution rule a finding marked recurring becomes (`.ai/constitution.md`)."""
    return f"Avoid: {title}" + (f" — {suggestion}" if suggestion else "")
