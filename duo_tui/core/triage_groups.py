"""One-to-many groups: one finding that clearly covers two (or more) of the other side's.

The one-to-one assignment pairs a finding with its best match only. When one
reviewer writes one finding for what the other split into two ("the limit is
hard-coded on the client and on the server" against one finding per side), the
second finding would be left as "only B" although it is agreed on. A group
adds it to the pair when:

* it is unpaired itself;
* its probability with the paired finding is at least `GROUP_MIN` (well above
  the pairing threshold: "clearly covers"), and
* that paired finding is its best match on the other side.

The triage JSON contract is kept: every finding id still appears exactly once,
in a pair or in ``only_a`` / ``only_b``; a group is an extra ``groups`` entry
naming the pair's findings and the covered ones (see `TriageResult`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["GROUP_MIN", "one_to_many", "one_to_many_rows"]

#: Minimum pair probability for an unpaired finding to join a pair's group.
GROUP_MIN = 0.6


def one_to_many(
    prob: np.ndarray, pairs: list[tuple[int, int]], group_min: float = GROUP_MIN
) -> list[tuple[list[int], list[int]]]:
    """Groups as (rows of `a`, columns of `b`), each extending one pair; in pair order."""
    import numpy as np

    if not pairs or not prob.size:
        return []
    best_row = np.argmax(prob, axis=0).tolist()  # each b's best a (first on ties)
    best_col = np.argmax(prob, axis=1).tolist()
    return _groups(pairs, best_row, best_col, lambda i, j: float(prob[i, j]), group_min)


def one_to_many_rows(
    prob: list[list[float]], pairs: list[tuple[int, int]], group_min: float = GROUP_MIN
) -> list[tuple[list[int], list[int]]]:
    """`one_to_many` of a probability table given as rows (plain Python, no numpy)."""
    if not pairs or not prob or not prob[0]:
        return []
    best_col = [row.index(max(row)) for row in prob]  # first maximum, as numpy's argmax
    best_row = [col.index(max(col)) for col in zip(*prob, strict=True)]
    return _groups(pairs, best_row, best_col, lambda i, j: prob[i][j], group_min)


def _groups(
    pairs: list[tuple[int, int]],
    best_row: list[int],
    best_col: list[int],
    at: Callable[[int, int], float],
    group_min: float,
) -> list[tuple[list[int], list[int]]]:
    row_of = {j: i for i, j in pairs}
    col_of = {i: j for i, j in pairs}
    extra_b: dict[int, list[int]] = {}
    extra_a: dict[int, list[int]] = {}
    for j, i in enumerate(best_row):
        if j not in row_of and i in col_of and at(i, j) >= group_min:
            extra_b.setdefault(i, []).append(j)
    for i, j in enumerate(best_col):
        if i not in col_of and j in row_of and at(i, j) >= group_min:
            extra_a.setdefault(j, []).append(i)
    out = []
    for i, j in pairs:
        rows = [i, *extra_a.get(j, [])]
        cols = [j, *extra_b.get(i, [])]
        if len(rows) > 1 or len(cols) > 1:
            out.append((rows, cols))
    return out
