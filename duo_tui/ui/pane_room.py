"""How wide each workbench pane is: the active stage's pane gets the room.

Four equal columns at 200 columns left the code pane 43 cells wide while two
empty review panes took half the screen. The user's own widths (`<` and `>`)
are the base; on top of that, the pane(s) of the stage that runs or waits for a
decision get `ACTIVE` times their share and panes with nothing in them yet get
`EMPTY` times theirs. In the 2x2 grid the row holding the active stage's panes
gets the height instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from duo_tui.ui.panes import Pane

ACTIVE = 2.0
"""The active stage's pane(s): twice their share."""

EMPTY = 0.5
"""A pane with nothing in it yet: half its share (it stays visible: its title says what comes)."""

PLAN, CODE = 0, 1
"""Pane indexes: plan, code, then one per reviewer."""

_TOP_STAGES = {
    "plan": PLAN,
    "align": PLAN,
    "execute": CODE,
    "gate": CODE,
    "fix": CODE,
    "commit": CODE,
}
_REVIEW_STAGES = frozenset({"review", "triage"})


def stage_panes(stage: str | None, count: int) -> set[int]:
    """The panes (by index, `count` in all) that show `stage`'s work."""
    if stage in _TOP_STAGES:
        return {_TOP_STAGES[stage]}
    if stage in _REVIEW_STAGES:
        return set(range(2, count))
    return set()


def column_weights(stage: str | None, base: list[float], empty: list[bool]) -> list[float]:
    """The wide layout's column weights for `stage`, from the user's `base` weights."""
    active = stage_panes(stage, len(base))
    # a pane being added right now is not in `empty` yet: it counts as shown
    return [
        w * (ACTIVE if i in active else EMPTY if i < len(empty) and empty[i] else 1.0)
        for i, w in enumerate(base)
    ]


def grid_rows(stage: str | None) -> str:
    """The 2x2 grid's row heights: the row of the active stage's panes is the taller."""
    if stage in _TOP_STAGES:
        return "2fr 1fr"
    if stage in _REVIEW_STAGES:
        return "1fr 2fr"
    return "1fr 1fr"


def is_empty(pane: Pane) -> bool:
    """True while nothing has been shown in `pane` (no streamed or loaded text)."""
    from duo_tui.ui.widgets.stream_pane import StreamPane

    return not any(
        sp.has_text or getattr(sp, "_markdown_text", "") for sp in pane.query(StreamPane)
    )
