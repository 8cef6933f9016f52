"""The triage screen's table: the kind and severity cells, where a finding points, and
how wide the finding's title and its place may be so that both are in view at any
terminal width (the place cut from its start, so the file's name and line stay).

Review text fills the cells as plain `Text` with controls made visible
(`duo_tui.safe_text`), never markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text

from duo_tui.safe_text import clean_line
from duo_tui.ui.match_marks import only_label, only_style_var
from duo_tui.ui.visible import TITLE_CHARS, shown

KIND_LABEL = {
    "agree": ("✓ agreed", "duo-agree"),
    "severity": ("≠ severity", "duo-severity-conflict"),
}
SEV_VAR = {s: f"duo-{s}" for s in ("critical", "high", "medium", "low", "info")}

#: Marks a group the judge (⚖) or the human (✎) made or split, in the kind column.
BY_MARK = {"judge": " ⚖", "human": " ✎"}

NARROW_BELOW = 140
"""Below this many columns the table has the whole width (the detail goes under it):
beside a detail at 120 columns the title would leave the place no room."""

#: The finding's title keeps at least this many columns; the place at most `WHERE_MAX`.
TITLE_MIN = 24
WHERE_MIN = 16
WHERE_MAX = 40


def kind_cell(g: dict[str, Any], var: Callable[[str], str], join_mark: str | None) -> Text:
    """`✓ agreed`, `≠ severity` or `◀ only A`, with ⚖/✎ for who grouped it and ⊕ for the
    first half of a join; `var` gives a theme variable's value."""
    if g["kind"] in KIND_LABEL:
        label, name = KIND_LABEL[g["kind"]]
    else:
        r = g["members"][0]["reviewer"]
        label, name = only_label(r), only_style_var(r)
    label += BY_MARK.get(str(g.get("by", "")), "")
    if g["key"] == join_mark:
        label += " ⊕"
    return Text(label, style=var(name))


def sev_cell(g: dict[str, Any], var: Callable[[str], str]) -> Text:
    """Each member's severity, `critical/high` for a pair."""
    t = Text()
    for i, s in enumerate(m["finding"]["severity"] for m in g["members"]):
        if i:
            t.append("/", style="dim")
        t.append(clean_line(str(s)), style=f"bold {var(SEV_VAR.get(s, ''))}")
    return t


def where_text(g: dict[str, Any]) -> str:
    """`file:start-end` of the group's first finding, or `(whole change)`."""
    f = g["members"][0]["finding"]
    if not f.get("file"):
        return "(whole change)"
    ls, le = f.get("line_start"), f.get("line_end")
    return (f"{f['file']}:{ls}" + (f"-{le}" if le and le != ls else "")) if ls else f["file"]


def title_text(g: dict[str, Any]) -> str:
    """The group's title as the table shows it: one line, controls visible, and cut
    (`shown`) so that a review holding a 5 MB word is not measured and drawn whole."""
    return clean_line(shown(str(g["title"]), TITLE_CHARS))


def where_cell(g: dict[str, Any], width: int) -> str:
    """`where_text`, made visible and cut from its start to `width` (`…nts/client.py:12`);
    only its end is looked at (a review may name a 5 MB path)."""
    text = clean_line(where_text(g)[-(width + 1) :])
    return text if len(text) <= width else "…" + text[len(text) - width + 1 :]


def column_widths(
    app_width: int, groups: list[dict[str, Any]], fixed_cells: list[Text]
) -> tuple[int, int]:
    """The widths of the finding and where columns: the table's room less the columns
    before them (`fixed_cells`: one row's kind, severity and decision cells per group, in
    that order; every column pads one cell each side) and the scrollbar. The place gets
    what it needs up to `WHERE_MAX` while the title keeps `TITLE_MIN`; the title gets
    the rest (whole when there is room)."""
    room = app_width if app_width < NARROW_BELOW else app_width * 3 // 5
    columns = [fixed_cells[i::3] for i in range(3)]
    fixed = sum(max([8, *(c.cell_len for c in cells)]) for cells in columns) + 3 * 2
    avail = room - fixed - 2 * 2 - 1  # the two columns' padding, the scrollbar
    longest_where = max((len(where_cell(g, WHERE_MAX)) for g in groups), default=5)
    where = min(max(5, longest_where), WHERE_MAX, max(WHERE_MIN, avail - TITLE_MIN))
    # never past the table's edge: short of room, the place (cut from its start) gives way
    where = max(5, min(where, avail - TITLE_MIN))
    longest = max((len(title_text(g)) for g in groups), default=TITLE_MIN)
    return max(TITLE_MIN, min(longest, avail - where)), where
