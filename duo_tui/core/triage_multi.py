"""Cluster the findings of three or more reviews (the two-review match is `triage.py`).

Every pair of reviews is matched with the same scorer and thresholds as
`duo_tui.core.triage.match_reviews`; the pairs are merged into clusters strongest
first, never putting two findings of one reviewer in one cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from duo_tui.core.triage_assign import assign_edges
from duo_tui.core.triage_scorer import pair_thresholds, score_matrix

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from duo_tui.core.models import Finding as ReviewFinding
    from duo_tui.core.models import Review

__all__ = ["FindingGroup", "GroupKind", "group_findings"]


def _assign(prob: np.ndarray, threshold: float | np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs above the threshold, maximising the total of ``prob - threshold``."""
    import numpy as np

    thr = np.broadcast_to(threshold, prob.shape)
    rows, cols = np.nonzero(prob > thr)
    gains = prob[rows, cols] - thr[rows, cols]
    return assign_edges(rows.tolist(), cols.tolist(), gains.tolist())


class GroupKind(StrEnum):
    """What a cluster of findings across reviewers means."""

    AGREED = "agreed"
    SEVERITY = "severity"
    ONLY = "only"


@dataclass
class FindingGroup:
    """Findings of several reviewers about one problem; at most one per reviewer."""

    members: list[tuple[int, ReviewFinding]] = field(default_factory=list)
    kind: GroupKind = GroupKind.ONLY

    @property
    def reviewers(self) -> list[int]:
        return [r for r, _ in self.members]


def _group_kind(members: list[tuple[int, ReviewFinding]]) -> GroupKind:
    if len(members) < 2:
        return GroupKind.ONLY
    if len({f.severity for _, f in members}) == 1:
        return GroupKind.AGREED
    return GroupKind.SEVERITY


def group_findings(reviews: list[Review], threshold: float | None = None) -> list[FindingGroup]:
    """Cluster findings across any number of reviews.

    Every pair of reviews is matched; matched pairs are merged into clusters
    strongest first, skipping a merge that would put two findings of the same
    reviewer in one cluster. Every finding lands in exactly one group. Groups
    are ordered by their first member (reviewer index, then finding order).
    """
    nodes = [(r, k) for r, rev in enumerate(reviews) for k in range(len(rev.findings))]
    cluster: dict[tuple[int, int], int] = {n: i for i, n in enumerate(nodes)}
    members: dict[int, set[tuple[int, int]]] = {i: {n} for i, n in enumerate(nodes)}
    edges: list[tuple[float, tuple[int, int], tuple[int, int]]] = []
    for r1 in range(len(reviews)):
        for r2 in range(r1 + 1, len(reviews)):
            fa, fb = reviews[r1].findings, reviews[r2].findings
            prob = score_matrix(fa, fb)
            if not prob.size:
                continue
            for i, j in _assign(prob, pair_thresholds(fa, fb, threshold)):
                edges.append((float(prob[i, j]), (r1, i), (r2, j)))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    for _, n1, n2 in edges:
        c1, c2 = cluster[n1], cluster[n2]
        if c1 == c2:
            continue
        revs1 = {r for r, _ in members[c1]}
        revs2 = {r for r, _ in members[c2]}
        if revs1 & revs2:
            continue
        keep, drop = min(c1, c2), max(c1, c2)
        for n in members[drop]:
            cluster[n] = keep
        members[keep] |= members.pop(drop)
    groups: list[FindingGroup] = []
    for cid in sorted(members, key=lambda c: min(members[c])):
        ms = [(r, reviews[r].findings[k]) for r, k in sorted(members[cid])]
        groups.append(FindingGroup(members=ms, kind=_group_kind(ms)))
    return groups
