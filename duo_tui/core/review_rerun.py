"""Rerunning the review stage: every reviewer, or one of them, with its model or another.

At the review checkpoint the human may rerun both reviews (the default), or only
the one that went wrong -- the other review is kept -- and give that reviewer
another model. A reviewer's new model stays its model for the rest of the
session (it is the session's reviewer role from then on), so later rounds and a
resume use the same reviewer. A rerun result is named by the models that made
it ("attempt 2 · A claude-opus-4-7 (kept) · B gpt-4o (rerun)"), never by the
word "machine".

The UI renders `reviewer_slots()` to ask which reviewer and sends the answer as
`UserDecision("rerun", target=index, model=...)`; `plan_rerun` decides what that
means, and refuses what it cannot mean.
"""

from __future__ import annotations

from dataclasses import dataclass


class RerunRefused(ValueError):
    """A rerun request that names no reviewer of this session, or is not possible."""


def reviewer_name(index: int) -> str:
    """A, B, then 3, 4, ... (the order of the session's reviewers)."""
    return "AB"[index] if 0 <= index < 2 else str(index + 1)


def short_model(model: str) -> str:
    """`provider/model-name` without the provider."""
    return model.split("/", 1)[-1]


@dataclass(frozen=True)
class ReviewerSlot:
    """One reviewer as the rerun question offers it."""

    index: int
    name: str
    model: str

    def as_dict(self) -> dict[str, object]:
        return {"index": self.index, "name": self.name, "model": self.model}


def reviewer_slots(models: list[str]) -> list[ReviewerSlot]:
    """The reviewers the human can rerun one by one (the review checkpoint's data)."""
    return [ReviewerSlot(i, reviewer_name(i), m) for i, m in enumerate(models)]


@dataclass(frozen=True)
class ReviewRerun:
    """What one rerun of the review stage does."""

    models: list[str]
    """Every reviewer's model from now on (changed only for the target)."""
    rerun: frozenset[int]
    """The reviewers that run again; the others' reviews are kept."""

    def label(self, attempt: int) -> str:
        return attempt_label(attempt, self.models, self.rerun)


def plan_rerun(models: list[str], target: int | None, model: str | None) -> ReviewRerun:
    """Which reviewers rerun, and with which model.

    `target` None reruns every reviewer with its own model: the reviewers are
    different models on purpose, so one model for all of them is refused. A
    target reruns that reviewer alone, with `model` when given.
    """
    if target is None:
        if model:
            raise RerunRefused(
                "another model is chosen per reviewer: name the reviewer to rerun with it"
            )
        return ReviewRerun(list(models), frozenset(range(len(models))))
    if not 0 <= target < len(models):
        raise RerunRefused(
            f"there is no reviewer {target + 1}: this session has {len(models)} reviewer(s)"
        )
    out = list(models)
    if model:
        out[target] = model
    return ReviewRerun(out, frozenset({target}))


def attempt_label(attempt: int, models: list[str], rerun: frozenset[int] | None = None) -> str:
    """Name a review result by its reviewers' models (and which were kept)."""
    parts = []
    for i, m in enumerate(models):
        note = (
            ""
            if rerun is None or len(rerun) == len(models)
            else (" (rerun)" if i in rerun else " (kept)")
        )
        parts.append(f"{reviewer_name(i)} {short_model(m)}{note}")
    return f"attempt {attempt} · " + " · ".join(parts)
