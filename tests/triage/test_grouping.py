"""Clustering the findings of three or more reviewers."""

from __future__ import annotations

from duo_tui.core.triage_multi import FindingGroup, GroupKind, group_findings

from .helpers import review
from .test_matching import CONTEXT_MANAGER, FD_LEAK, TEXT_MODE, TRAVERSAL_A, TRAVERSAL_B


def ids(groups: list[FindingGroup]) -> list[list[tuple[int, str]]]:
    return [[(r, f.id) for r, f in g.members] for g in groups]


def test_three_reviewers() -> None:
    r0 = review("r0", TRAVERSAL_A, FD_LEAK)
    r1 = review("r1", TRAVERSAL_B, CONTEXT_MANAGER, TEXT_MODE)
    r2 = review(
        "r2",
        TRAVERSAL_A.model_copy(update={"id": "X1"}),
        CONTEXT_MANAGER.model_copy(update={"id": "X2", "severity": "medium"}),
    )
    groups = group_findings([r0, r1, r2])
    got = {tuple(m): g.kind for m, g in zip(ids(groups), groups, strict=True)}
    assert got == {
        ((0, "F1"), (1, "F7"), (2, "X1")): GroupKind.SEVERITY,  # critical/high/critical
        ((0, "F2"), (1, "F4"), (2, "X2")): GroupKind.SEVERITY,  # low/low/medium
        ((1, "F3"),): GroupKind.ONLY,
    }
    # every finding exactly once, at most one per reviewer per group
    flat = [m for g in ids(groups) for m in g]
    assert sorted(flat) == sorted(
        (r, f.id) for r, rev in enumerate([r0, r1, r2]) for f in rev.findings
    )
    for g in groups:
        assert len(g.reviewers) == len(set(g.reviewers))
    assert group_findings([r0, r1, r2]) == groups  # deterministic


def test_agreed_group_and_string_kind() -> None:
    revs = [review(f"r{k}", FD_LEAK.model_copy(update={"id": f"F{k}"})) for k in range(3)]
    (g,) = group_findings(revs)
    assert g.kind is GroupKind.AGREED and str(g.kind) == "agreed"
    assert g.reviewers == [0, 1, 2]


def test_no_two_findings_of_one_reviewer_in_a_group() -> None:
    # r1 reports the same leak twice; only one of them may join r0's finding.
    r0 = review("r0", FD_LEAK)
    r1 = review("r1", FD_LEAK.model_copy(update={"id": "A"}), CONTEXT_MANAGER)
    r2 = review("r2", CONTEXT_MANAGER.model_copy(update={"id": "B"}))
    groups = group_findings([r0, r1, r2])
    for g in groups:
        assert len(g.reviewers) == len(set(g.reviewers))
    assert sum(len(g.members) for g in groups) == 4


def test_empty_and_single() -> None:
    assert group_findings([]) == []
    (g,) = group_findings([review("solo", FD_LEAK)])
    assert g.kind is GroupKind.ONLY
