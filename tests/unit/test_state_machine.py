"""Every legal and every illegal transition of the stage state machine."""

from __future__ import annotations

import itertools

import pytest

from duo_tui.core.models import Stage, StageState
from duo_tui.core.session import StageRun
from duo_tui.core.state import TRANSITIONS, can_transition, check_transition
from duo_tui.errors import InvalidTransition

S = StageState
LEGAL = {
    (S.PENDING, S.RUNNING),
    (S.RUNNING, S.AWAITING),
    (S.RUNNING, S.ACCEPTED),
    (S.RUNNING, S.FAILED),
    (S.AWAITING, S.ACCEPTED),
    (S.AWAITING, S.REJECTED),
    (S.AWAITING, S.RUNNING),
    (S.REJECTED, S.RUNNING),
    (S.FAILED, S.RUNNING),
    (S.FAILED, S.REJECTED),
}
ALL_PAIRS = list(itertools.product(StageState, StageState))


def test_the_table_is_exactly_the_documented_one() -> None:
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == LEGAL


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_transition(current: StageState, target: StageState) -> None:
    run = StageRun(stage=Stage.PLAN, state=current)
    run.move(target)
    assert run.state == target
    assert can_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in LEGAL])
def test_illegal_transition_is_refused_with_a_clear_error(
    current: StageState, target: StageState
) -> None:
    run = StageRun(stage=Stage.REVIEW, state=current)
    with pytest.raises(InvalidTransition) as err:
        run.move(target)
    msg = str(err.value)
    assert msg.startswith("review: cannot go from")
    assert current.value in msg and target.value in msg
    assert run.state == current  # nothing changed


def test_failed_cannot_be_accepted_and_says_what_to_do() -> None:
    with pytest.raises(InvalidTransition, match="rerun it"):
        check_transition("execute", S.FAILED, S.ACCEPTED)


def test_accepted_is_final() -> None:
    assert TRANSITIONS[S.ACCEPTED] == frozenset()
    with pytest.raises(InvalidTransition, match="accepted stages are final"):
        check_transition("plan", S.ACCEPTED, S.RUNNING)


def test_running_sets_timestamps_and_clears_error() -> None:
    run = StageRun(stage=Stage.GATE)
    run.move(S.RUNNING)
    assert run.started_at is not None
    run.error = "boom"
    run.move(S.FAILED)
    assert run.finished_at is not None
    run.move(S.RUNNING)
    assert run.error is None


def test_stages_modes_states_are_the_designed_ones() -> None:
    from duo_tui.core.models import Mode

    assert [s.value for s in Stage] == [
        "plan",
        "align",
        "execute",
        "gate",
        "review",
        "triage",
        "fix",
        "commit",
    ]
    assert {m.value for m in Mode} == {"manual", "auto", "fast"}
    assert {s.value for s in StageState} == {
        "pending",
        "running",
        "awaiting_decision",
        "accepted",
        "rejected",
        "failed",
    }
