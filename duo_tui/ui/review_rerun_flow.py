"""`r` at the review checkpoint: ask which review to rerun, then with which model.

The core says who the reviewers are (the checkpoint's `reviewers`, see
`duo_tui.core.review_rerun`) and what a rerun of one of them means; this module
only asks the human and sends the answer as one `UserDecision`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from duo_tui.core.events import Checkpoint, UserDecision


def reviewer_choices(cp: Checkpoint) -> list[tuple[int, str, str]]:
    """(index, name, model) of each reviewer the checkpoint offers to rerun alone."""
    return [(r.index, r.name, r.model) for r in cp.data.reviewers]


def ask_review_rerun(
    screen: Screen[Any], cp: Checkpoint, models: list[str], send: Callable[[UserDecision], None]
) -> None:
    """Rerun every review, or one reviewer's with its model or another one."""
    from duo_tui.ui.screens.dialogs import ModelPicker, ReviewerPicker

    slots = reviewer_choices(cp)
    if len(slots) < 2:
        # a failed review stage has no results to keep: rerun what failed
        send(UserDecision("rerun"))
        return

    def picked(choice: object) -> None:
        if not isinstance(choice, int):
            return
        if choice < 0:
            send(UserDecision("rerun"))
            return
        index, name, current = next(s for s in slots if s[0] == choice)

        def model_done(model: object) -> None:
            if isinstance(model, str):
                send(UserDecision("rerun", target=index, model=model or None))

        screen.app.push_screen(
            ModelPicker(f"Rerun review {name} with…", models, current), model_done
        )

    screen.app.push_screen(ReviewerPicker("Rerun which review?", slots), picked)
