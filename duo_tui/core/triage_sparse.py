"""Sparse document-term matrices for the triage matcher, with numpy alone (no scipy).

Large inputs (thousands of findings) need sparse TF-IDF rows. This module keeps
them in compressed-row form (`Csr`: data, column indices, row pointers) and
offers the few operations the matcher uses: building from coordinates (summing
duplicates), a block of rows, the product with another sparse matrix (words ->
character n-grams), row sums, and the cross product of a block of A rows with
all B rows (`SplitRight`):

* columns many documents share are multiplied as a dense float32 product
  (BLAS) over those columns only;
* the long tail of rare columns through their postings, in chunks of at most
  `_CHUNK` products, accumulated with ``np.bincount``.

Memory stays proportional to the non-zeros, one block of output cells and the
dense common-column side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Csr", "SplitRight"]

#: Products of rare columns computed at once (bounds the temporary arrays).
_CHUNK = 1_000_000


class Csr:
    """A compressed sparse row matrix: the subset of scipy.sparse.csr_matrix we need."""

    def __init__(
        self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]
    ) -> None:
        self.data, self.indices, self.indptr, self.shape = data, indices, indptr, shape

    @classmethod
    def from_coo(
        cls, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]
    ) -> Csr:
        """From coordinates; duplicate cells are summed; columns sorted within a row."""
        import numpy as np

        n, m = shape
        keys = rows.astype(np.int64) * max(1, m) + cols.astype(np.int64)
        uniq, inverse = np.unique(keys, return_inverse=True)
        data = np.bincount(inverse, weights=vals, minlength=len(uniq)).astype(np.float64)
        r = uniq // max(1, m)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
        return cls(data, (uniq % max(1, m)).astype(np.int64), indptr, shape)

    def copy(self) -> Csr:
        return Csr(self.data.copy(), self.indices.copy(), self.indptr.copy(), self.shape)

    @property
    def nnz(self) -> int:
        return len(self.data)

    def row_ids(self) -> np.ndarray:
        """The row of every stored value."""
        import numpy as np

        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def rows(self, lo: int, hi: int) -> Csr:
        """Rows `lo:hi` as a matrix of their own."""
        s, e = int(self.indptr[lo]), int(self.indptr[hi])
        return Csr(
            self.data[s:e],
            self.indices[s:e],
            self.indptr[lo : hi + 1] - s,
            (hi - lo, self.shape[1]),
        )

    def sum(self, axis: int = 1) -> np.ndarray:
        """Row sums (the only axis the matcher needs)."""
        import numpy as np

        if axis != 1:
            raise ValueError("only row sums are supported")
        out: np.ndarray = np.bincount(self.row_ids(), weights=self.data, minlength=self.shape[0])
        return out

    def __matmul__(self, other: Csr) -> Csr:
        """Sparse product: each entry (r, t) of self meets row t of `other`."""
        import numpy as np

        r = self.row_ids()
        t = self.indices
        counts = other.indptr[t + 1] - other.indptr[t]
        total = int(counts.sum())
        start = np.repeat(other.indptr[t], counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        idx = start + offsets
        return Csr.from_coo(
            np.repeat(r, counts),
            other.indices[idx],
            np.repeat(self.data, counts) * other.data[idx],
            (self.shape[0], other.shape[1]),
        )


class SplitRight:
    """The B rows (``na:``) of a matrix, prepared once for `cross` with blocks of A rows."""

    def __init__(self, m: Csr, na: int, common_df: int) -> None:
        import numpy as np

        self.nb = m.shape[0] - na
        df = np.bincount(m.indices, minlength=m.shape[1])
        self.common = df > common_df
        self.cmap = np.cumsum(self.common) - 1  # column -> index among the common ones
        right = m.rows(na, m.shape[0])
        rr = right.row_ids()
        is_c = self.common[right.indices]
        self.dense = np.zeros((int(self.common.sum()), self.nb), dtype=np.float32)
        self.dense[self.cmap[right.indices[is_c]], rr[is_c]] = right.data[is_c]
        # Rare columns: B postings grouped by column (pointer per column).
        rc, rrow, rval = right.indices[~is_c], rr[~is_c], right.data[~is_c]
        order = np.argsort(rc, kind="stable")
        self.b_rows, self.b_vals = rrow[order], rval[order]
        self.b_ptr = np.zeros(m.shape[1] + 1, dtype=np.int64)
        np.cumsum(np.bincount(rc, minlength=m.shape[1]), out=self.b_ptr[1:])

    def cross(self, left: Csr) -> np.ndarray:
        """Dot products of the rows of `left` with every B row: (rows, nb)."""
        import numpy as np

        n = left.shape[0]
        r, c, v = left.row_ids(), left.indices, left.data
        is_c = self.common[c]
        block = np.zeros((n, self.dense.shape[0]), dtype=np.float32)
        block[r[is_c], self.cmap[c[is_c]]] = v[is_c]
        out: np.ndarray = (block @ self.dense).astype(np.float64)
        del block
        r, c, v = r[~is_c], c[~is_c], v[~is_c]
        counts = self.b_ptr[c + 1] - self.b_ptr[c]
        keep = counts > 0
        r, c, v, counts = r[keep], c[keep], v[keep], counts[keep]
        flat = out.reshape(-1)
        ends = np.cumsum(counts)
        k = 0
        while k < len(c):
            # The entries whose products fit in one chunk (always at least one).
            stop = max(k + 1, int(np.searchsorted(ends, (ends[k - 1] if k else 0) + _CHUNK)))
            cc, cnt = c[k:stop], counts[k:stop]
            total = int(cnt.sum())
            offsets = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            idx = np.repeat(self.b_ptr[cc], cnt) + offsets
            cells = np.repeat(r[k:stop], cnt) * self.nb + self.b_rows[idx]
            flat += np.bincount(
                cells, weights=np.repeat(v[k:stop], cnt) * self.b_vals[idx], minlength=n * self.nb
            )
            k = stop
        return out
