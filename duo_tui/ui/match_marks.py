"""How a finding's match kind is marked on screen: a glyph and a word, never colour alone.

One vocabulary for every place that shows it (the reviewers' finding lists, the
triage screen, the rail's disagreement counts, the task detail), so a finding
only reviewer A raised never looks like one only B raised in a monochrome or
high-contrast terminal: A's side points left (`◀`, A's pane is on the left), B's
points right (`▶`). A third or later reviewer is named by its number.
"""

from __future__ import annotations

from duo_tui.core.review_rerun import reviewer_name

AGREE_GLYPH = "="
SEVERITY_GLYPH = "≠"
ONLY_A_GLYPH = "◀"
ONLY_B_GLYPH = "▶"
ONLY_OTHER_GLYPH = "◆"


def only_glyph(index: int) -> str:
    """The glyph of a finding only reviewer `index` raised."""
    return {0: ONLY_A_GLYPH, 1: ONLY_B_GLYPH}.get(index, ONLY_OTHER_GLYPH)


def only_label(index: int) -> str:
    """`◀ only A`, `▶ only B`, `◆ only 3`."""
    return f"{only_glyph(index)} only {reviewer_name(index)}"


def only_style_var(index: int) -> str:
    """The theme variable (without `$`) colouring reviewer `index`'s own findings."""
    return "duo-only-a" if index == 0 else "duo-only-b"
