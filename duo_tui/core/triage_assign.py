"""Assignment helpers of the triage matcher: candidate blocks and the Hungarian method.

The candidate graph (pairs above the threshold) falls apart into small
connected blocks (`components`); `assign_edges` solves each exactly by the
Hungarian method: pure Python (`hungarian`) for small blocks, the same
algorithm with its inner loop over columns vectorised by numpy
(`hungarian_np`, numpy imported only then) for big ones, so no
scipy.optimize is needed; a block too big for an exact assignment in bounded
memory is paired best first (`greedy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "DENSE_BLOCK_MAX",
    "PURE_HUNGARIAN_MAX",
    "assign_edges",
    "components",
    "greedy",
    "hungarian",
    "hungarian_np",
]

#: Blocks with more rows or columns than this use the numpy-vectorised Hungarian.
PURE_HUNGARIAN_MAX = 60
#: A connected block of candidates with more cells is paired greedily (best first).
DENSE_BLOCK_MAX = 4_000_000


def hungarian(gain: list[list[float]]) -> list[tuple[int, int]]:
    """Maximum-gain assignment of a small rectangular matrix (O(n^3), pure Python).

    Classic potentials-based Hungarian method on the cost ``-gain``; returns
    (row, column) pairs, one per row of the smaller dimension.
    """
    n_rows, n_cols = len(gain), len(gain[0]) if gain else 0
    transposed = n_rows > n_cols
    if transposed:
        gain = [list(col) for col in zip(*gain, strict=True)]
        n_rows, n_cols = n_cols, n_rows
    inf = float("inf")
    u = [0.0] * (n_rows + 1)
    v = [0.0] * (n_cols + 1)
    p = [0] * (n_cols + 1)
    way = [0] * (n_cols + 1)
    for i in range(1, n_rows + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (n_cols + 1)
        used = [False] * (n_cols + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            row = gain[i0 - 1]
            ui0 = u[i0]
            for j in range(1, n_cols + 1):
                if not used[j]:
                    cur = -row[j - 1] - ui0 - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(n_cols + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = [(p[j] - 1, j - 1) for j in range(1, n_cols + 1) if p[j] != 0]
    if transposed:
        pairs = [(c, r) for r, c in pairs]
    return sorted(pairs)


def hungarian_np(gain: np.ndarray) -> list[tuple[int, int]]:
    """`hungarian` with the column loop vectorised: same result, for big blocks."""
    import numpy as np

    transposed = gain.shape[0] > gain.shape[1]
    cost = -(gain.T if transposed else gain)
    n_rows, n_cols = cost.shape
    u = np.zeros(n_rows + 1)
    v = np.zeros(n_cols + 1)
    p = np.zeros(n_cols + 1, dtype=np.int64)
    way = np.zeros(n_cols + 1, dtype=np.int64)
    for i in range(1, n_rows + 1):
        p[0] = i
        j0 = 0
        minv = np.full(n_cols + 1, np.inf)
        used = np.zeros(n_cols + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = int(p[j0])
            free = ~used
            free[0] = False
            cur = np.full(n_cols + 1, np.inf)
            cur[1:] = cost[i0 - 1] - u[i0] - v[1:]
            better = free & (cur < minv)
            minv[better] = cur[better]
            way[better] = j0
            masked = np.where(free, minv, np.inf)
            j1 = int(np.argmin(masked))  # first minimum, like the pure loop
            delta = masked[j1]
            u[p[used]] += delta
            v[used] -= delta
            minv[free] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = int(way[j0])
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    pairs = [(int(p[j]) - 1, j - 1) for j in range(1, n_cols + 1) if p[j] != 0]
    if transposed:
        pairs = [(c, r) for r, c in pairs]
    return sorted(pairs)


def components(edges: list[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
    """Connected components of a bipartite candidate graph, in a stable order."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for i, j in edges:
        ra, rb = find(("a", i)), find(("b", j))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[tuple[str, int], tuple[list[int], list[int]]] = {}
    for i, j in edges:
        rows, cols = groups.setdefault(find(("a", i)), ([], []))
        rows.append(i)
        cols.append(j)
    return [(sorted(set(r)), sorted(set(c))) for _, (r, c) in sorted(groups.items())]


def assign_edges(rows: list[int], cols: list[int], gains: list[float]) -> list[tuple[int, int]]:
    """One-to-one pairs among the candidates (row, column, gain > 0) maximising the total gain.

    Sorted (row, column) pairs; each connected block is solved on its own.
    """
    edges = list(zip(rows, cols, strict=True))
    gain = dict(zip(edges, gains, strict=True))
    out: list[tuple[int, int]] = []
    for rset, cset in components(edges):
        if len(rset) * len(cset) > DENSE_BLOCK_MAX:
            out.extend(greedy(rset, cset, gain))
            continue
        block = [[_positive(gain.get((r, c), 0.0)) for c in cset] for r in rset]
        if len(rset) == 1 or len(cset) == 1:
            flat = [g for row in block for g in row]
            r, c = divmod(flat.index(max(flat)), len(cset))  # first maximum: deterministic
            chosen = [(r, c)]
        elif max(len(rset), len(cset)) <= PURE_HUNGARIAN_MAX:
            chosen = hungarian(block)
        else:
            import numpy as np

            chosen = hungarian_np(np.array(block))
        out.extend((rset[r], cset[c]) for r, c in chosen if block[r][c] > 0)
    return sorted(out)


def _positive(g: float) -> float:
    return g if g > 0 else 0.0


def greedy(
    rset: list[int], cset: list[int], gain: dict[tuple[int, int], float]
) -> list[tuple[int, int]]:
    """Best pair first, for a component too big for an exact assignment in bounded memory."""
    rows, cols = set(rset), set(cset)
    ranked = sorted(
        ((g, r, c) for (r, c), g in gain.items() if r in rows and c in cols),
        key=lambda e: (-e[0], e[1], e[2]),
    )
    used_r: set[int] = set()
    used_c: set[int] = set()
    out = []
    for _, r, c in ranked:
        if r not in used_r and c not in used_c:
            used_r.add(r)
            used_c.add(c)
            out.append((r, c))
    return out
