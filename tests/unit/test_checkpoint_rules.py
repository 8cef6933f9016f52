"""The checkpoint rules the workbench asks the core about (core.checkpoint_policy) and the
triage numbers both screens show (core.triage_summary): domain rules, not screen code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from duo_tui.core.artifacts import GroupMember, TriageGroup
from duo_tui.core.checkpoint_policy import (
    may_rerun_with_another_model,
    reject_question,
    rerun_kind,
    rerun_model,
)
from duo_tui.core.context import CONSTITUTION, append_rule
from duo_tui.core.enums import Stage
from duo_tui.core.models import Finding
from duo_tui.core.triage_summary import agreement_counts, decision_counts, recurring_rule

MODELS = ["planner-m", "executor-m", "rev-a", "rev-b"]


def test_which_stages_rerun_with_another_model() -> None:
    assert rerun_kind(Stage.REVIEW) == "reviewer"
    for stage in (Stage.GATE, Stage.TRIAGE, Stage.COMMIT):
        assert rerun_kind(stage) == "same" and not may_rerun_with_another_model(stage)
    for stage in (Stage.PLAN, Stage.ALIGN, Stage.EXECUTE, Stage.FIX):
        assert rerun_kind(stage) == "model" and may_rerun_with_another_model(stage)


def test_a_rerun_starts_from_the_model_of_the_role_that_ran() -> None:
    assert rerun_model(Stage.PLAN, MODELS) == "planner-m"
    assert rerun_model(Stage.EXECUTE, MODELS) == "executor-m"
    assert rerun_model(Stage.ALIGN, MODELS) == "executor-m"
    assert rerun_model(Stage.FIX, []) is None


def test_reject_question_says_where_the_reason_goes() -> None:
    assert "fix" in reject_question(Stage.GATE)
    assert reject_question(Stage.PLAN).startswith("Reject the plan: why?")


def _group(key: str, kind: str, *reviewers: int) -> TriageGroup:
    members = tuple(
        GroupMember(r, Finding(id=f"F{i}", severity="high", title="t"))
        for i, r in enumerate(reviewers)
    )
    return TriageGroup(key, kind, "high", "t", members)


def test_agreement_counts_per_reviewer() -> None:
    groups = [
        _group("G1", "agree", 0, 1),
        _group("G2", "severity", 0, 1),
        _group("G3", "only", 1),
        _group("G4", "only", 1),
        _group("G5", "only", 2),  # a third reviewer: counted, not dropped
    ]
    counts = agreement_counts(groups)
    assert (counts.total, counts.agreed, counts.severity) == (5, 1, 1)
    assert counts.only == (0, 2, 1)
    assert counts.only_by() == {1: 2, 2: 1}
    assert agreement_counts([], reviewers=3).only == (0, 0, 0)


def test_decision_counts() -> None:
    done = decision_counts(["G1", "G2", "G3"], {"G1": "fix", "G2": "pending", "G3": "dismiss"})
    assert (done.decided, done.fix) == (2, 1)


def test_the_recurring_rule_text() -> None:
    assert recurring_rule("Unbounded retry") == "Avoid: Unbounded retry"
    assert recurring_rule("Unbounded retry", "cap it") == "Avoid: Unbounded retry — cap it"


def test_a_rule_is_added_to_the_constitution_atomically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_rule(tmp_path, "first rule", "session 1, G1")
    path = tmp_path / CONSTITUTION
    before = path.read_text(encoding="utf-8")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "read-only")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError):
        append_rule(tmp_path, "second rule", "session 1, G2")
    # the file is whole: the old rules, never half of the new one
    assert path.read_text(encoding="utf-8") == before
    monkeypatch.undo()
    append_rule(tmp_path, "second rule", "session 1, G2")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(before) and "- second rule _(from session 1, G2)_" in text
