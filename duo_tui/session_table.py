"""`duo-tui sessions` as aligned columns, whatever the length of an ID or a state.

Every cell is repository text (session folders and files) and is shown with its
controls made visible; widths are measured in terminal cells, so a wide
character does not push the next column out of line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len

from duo_tui.safe_text import clean_line

HEADER = ("ID", "STATE", "ROUNDS", "COST", "AGE")
RIGHT = frozenset({2, 3})
"""The numeric columns (rounds, cost), aligned on the right."""


def align(rows: Sequence[Sequence[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """The rows as lines of columns two spaces apart; the last column is not padded."""
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - cell_len(cell))
            if i == len(row) - 1 and i not in right:
                cells.append(cell)
            else:
                cells.append(pad + cell if i in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def session_table(summaries: Sequence[Any]) -> str:
    """The listing: a header, one line per session, and under a broken one what is wrong."""
    rows: list[tuple[str, ...]] = [HEADER]
    problems: dict[int, str] = {}
    for s in summaries:
        cost = f"${s.cost_usd:.2f}" if getattr(s, "cost_usd", None) is not None else "?"
        state = clean_line(str(s.status)) if s.ok else "broken"
        rows.append((clean_line(s.id), state, str(s.rounds), cost, s.age()))
        if not s.ok:
            problems[len(rows) - 1] = clean_line(str(s.error))
    out = []
    for i, line in enumerate(align(rows, RIGHT)):
        out.append(line)
        if i in problems:
            out.append(f"    ! {problems[i]}")
    return "\n".join(out) + "\n"
