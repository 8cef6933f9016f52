"""What each checkpoint's decisions mean, per stage: the rules the front ends ask about.

A front end offers the decisions; the core decides what they mean. Which stages
can be rerun with another model, whose model a rerun starts from, and what a
rejection does are workflow rules, so they live here and the workbench (or any
other driver) only asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from duo_tui.core.enums import Stage

RerunKind = Literal["model", "reviewer", "same"]
"""How a stage reruns: with a model the human picks, one reviewer (or all) with a
model each, or just again (the stage runs commands or rules, not a model)."""

_SAME: frozenset[Stage] = frozenset({Stage.GATE, Stage.TRIAGE, Stage.COMMIT})


def rerun_kind(stage: Stage) -> RerunKind:
    """How `stage` is rerun: the review per reviewer; the gate, triage and commit
    again as they are (no model to choose); every other stage with a chosen model."""
    if stage == Stage.REVIEW:
        return "reviewer"
    if stage in _SAME:
        return "same"
    return "model"


def may_rerun_with_another_model(stage: Stage) -> bool:
    """Whether a rerun of `stage` can use another model than the one that ran it."""
    return rerun_kind(stage) != "same"


def rerun_model(stage: Stage, models: Sequence[str]) -> str | None:
    """The model a rerun of `stage` starts from: the planner's for the plan, else the
    executor's (`models` is planner, executor, reviewers...)."""
    if not models:
        return None
    if stage == Stage.PLAN:
        return models[0]
    return models[1] if len(models) > 1 else models[0]


def reject_question(stage: Stage) -> str:
    """What the human is asked when rejecting `stage`: the answer goes to the rerun."""
    if stage == Stage.GATE:
        return "Send the gate failure to the executor as a fix — note for it?"
    return f"Reject the {stage.value}: why? (the reason goes into the rerun prompt)"
