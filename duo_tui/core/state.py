"""The stage state machine: which state a stage run may move to from where it is.

    pending ──▶ running ──▶ awaiting_decision ──▶ accepted
                  │  ▲            │     │
                  │  └── rerun ───┘     └──▶ rejected ──▶ running (rerun)
                  ├──▶ accepted   (auto mode: the convergence rule decides)
                  └──▶ failed ──▶ running (rerun) | rejected

A failed stage (provider fault, output that does not parse, edits that do not
apply, an interrupted process) can never be accepted in one step: its output
is incomplete, so it must be rerun (or rejected).
"""

from __future__ import annotations

from duo_tui.core.models import StageState
from duo_tui.errors import InvalidTransition

S = StageState

TRANSITIONS: dict[StageState, frozenset[StageState]] = {
    S.PENDING: frozenset({S.RUNNING}),
    S.RUNNING: frozenset({S.AWAITING, S.ACCEPTED, S.FAILED}),
    S.AWAITING: frozenset({S.ACCEPTED, S.REJECTED, S.RUNNING}),
    S.REJECTED: frozenset({S.RUNNING}),
    S.FAILED: frozenset({S.RUNNING, S.REJECTED}),
    S.ACCEPTED: frozenset(),
}

_WHY: dict[tuple[StageState, StageState], str] = {
    (S.FAILED, S.ACCEPTED): "its output is incomplete or invalid; rerun it (r) or reject it (x)",
    (S.PENDING, S.ACCEPTED): "it has not run yet",
    (S.PENDING, S.AWAITING): "it has not run yet",
    (S.RUNNING, S.REJECTED): "it is still running; wait for its result or cancel with rerun",
    (S.ACCEPTED, S.RUNNING): "it was already accepted; accepted stages are final",
    (S.ACCEPTED, S.REJECTED): "it was already accepted; accepted stages are final",
}


def can_transition(current: StageState, target: StageState) -> bool:
    return target in TRANSITIONS[current]


def check_transition(stage: str, current: StageState, target: StageState) -> None:
    """Raise InvalidTransition with a message a human can act on."""
    if can_transition(current, target):
        return
    why = _WHY.get((current, target))
    if why is None:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing (final)"
        why = f"from {current.value} it can only go to: {allowed}"
    raise InvalidTransition(f"{stage}: cannot go from {current.value} to {target.value}: {why}")
