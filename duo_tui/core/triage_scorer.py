"""Score every pair of findings of two reviews with numpy: the pair probabilities.

The text of each finding becomes TF-IDF rows (words, and character 3- and
4-grams of the words), dense for small inputs and sparse
(`duo_tui.core.triage_sparse`) for large ones; with the other signals of
`duo_tui.core.triage_features` they make the features the logistic model
(`duo_tui.core.triage_model`) turns into probabilities. `PairScorer` builds the
per-finding data once and then scores any block of rows, so a large input is
scored in bounded memory; `candidates` keeps, block by block, the pairs above
the threshold for the assignment (`duo_tui.core.triage`, which matches).

numpy is imported inside the functions: importing this module costs nothing
(`duo-tui triage` on a typical pair of reviews never needs it, see
`duo_tui.core.triage_pure`).
"""

from __future__ import annotations

import itertools
import zlib
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from duo_tui.core.triage_features import (
    Finding,
    category_words,
    char_grams,
    finding_terms,
    identifiers,
    jaccard_table,
    kinds,
    line_range,
    numbers,
)
from duo_tui.core.triage_model import load_model
from duo_tui.core.triage_pure import DENSE_MAX_CELLS as _DENSE_MAX_CELLS
from duo_tui.core.triage_pure import LINE_SCALE as _LINE_SCALE
from duo_tui.core.triage_pure import MAX_GRAM_TERMS as _MAX_GRAM_TERMS
from duo_tui.core.triage_pure import text_budget
from duo_tui.core.triage_sparse import Csr, SplitRight
from duo_tui.limits import DEFAULT_LIMITS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["BLOCK_CELLS", "PairScorer", "candidates", "pair_thresholds", "score_matrix"]

#: Pair cells scored at once; bigger inputs are scored a block of rows at a time.
BLOCK_CELLS = 1_000_000
#: ... and then this many cells at a time (every signal is an array of this size).
_CHUNK_CELLS = 250_000
#: In a block-by-block match, each finding of `a` keeps at most this many candidates.
_MAX_CANDIDATES = 32
#: Large inputs fold character n-grams into this many hashed columns.
_HASHED_GRAMS = 8192
#: In a block-by-block match, the dense part of the n-gram matrix of `b` stays under this.
_DENSE_RIGHT_BYTES = 32_000_000

# --------------------------------------------------------------------------- vectors


class _Matrices:
    """Builds document-term matrices dense (small inputs) or sparse (large ones)."""

    def __init__(self, sparse: bool) -> None:
        self.sparse = sparse
        # Per matrix: the right-hand side of `cross`, split once (block-by-block scoring).
        self._right: dict[int, SplitRight] = {}

    def build(
        self, rows: list[int], cols: list[int], vals: list[float], shape: tuple[int, int]
    ) -> Any:
        import numpy as np

        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        v = np.asarray(vals, dtype=np.float64)
        if self.sparse:
            return Csr.from_coo(r, c, v, shape)
        mat = np.zeros(shape)
        np.add.at(mat, (r, c), v)
        return mat

    def tfidf(self, counts: Any) -> Any:
        """Sublinear tf, smoothed idf, rows scaled to unit length."""
        import numpy as np

        n = counts.shape[0]
        if self.sparse:
            m = counts.copy()
            m.data = 1.0 + np.log(m.data)
            df = np.bincount(m.indices, minlength=m.shape[1])
            m.data *= (np.log((1 + n) / (1 + df)) + 1.0)[m.indices]
            # Row norms by bincount: np.add.reduceat fails when the last rows are empty
            # (a finding whose words are all code identifiers has no n-grams).
            per_row = np.diff(m.indptr)
            sq = np.bincount(np.repeat(np.arange(n), per_row), weights=m.data**2, minlength=n)
            norms = np.where(per_row > 0, np.sqrt(sq), 1.0)
            m.data /= np.repeat(norms, per_row)
            return m
        mask = counts > 0
        m = np.where(mask, 1.0 + np.log(np.where(mask, counts, 1.0)), 0.0)
        m *= np.log((1 + n) / (1 + mask.sum(axis=0))) + 1.0
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return m / np.where(norms > 0, norms, 1.0)

    def cross(self, m: Any, na: int, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Row dot products of rows `lo:hi` (default: the first `na`) with the rows after `na`.

        Sparse matrices multiply the columns many rows share as dense float32 arrays
        (BLAS) and the rare ones by postings (`duo_tui.core.triage_sparse.SplitRight`).
        """

        if self.sparse:
            # Columns many documents share (frequent words and n-grams) multiply fastest
            # as dense float32 arrays (BLAS), the long tail of rare ones by postings.
            if id(m) not in self._right:
                self._right[id(m)] = SplitRight(m, na, max(32, m.shape[0] // 40))
            return self._right[id(m)].cross(m.rows(lo, na if hi is None else hi))
        out: np.ndarray = m[lo : na if hi is None else hi] @ m[na:].T
        return out


def _text_matrices(
    a: Sequence[Finding], b: Sequence[Finding], term_chars: int, hashed: int = _HASHED_GRAMS
) -> tuple[Any, Any, Any, list[frozenset[str]]]:
    """(matrix builder, word TF-IDF rows, character-n-gram TF-IDF rows, identifier sets)
    of `a` then `b`."""
    # each finding reads at most its share of a fixed budget: bounded memory for any input
    text_chars = text_budget(len(a) + len(b))
    docs = [finding_terms(f, term_chars, text_chars) for f in [*a, *b]]
    idents = [identifiers(f, doc) for f, doc in zip([*a, *b], docs, strict=True)]
    # Term -> column, numbered in order of first appearance.
    vocab: defaultdict[str, int] = defaultdict()
    vocab.default_factory = vocab.__len__
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, doc in enumerate(docs):
        rows.extend([r] * len(doc))
        cols.extend(map(vocab.__getitem__, doc))
        vals.extend(doc.values())
    del docs
    n, nv = len(a) + len(b), max(len(vocab), 1)
    grams: defaultdict[str, int] = defaultdict()
    grams.default_factory = grams.__len__
    g_rows: list[int] = []
    g_cols: list[int] = []
    for term, k in itertools.islice(vocab.items(), _MAX_GRAM_TERMS):
        term_grams = char_grams(term)
        g_rows.extend([k] * len(term_grams))
        g_cols.extend(map(grams.__getitem__, term_grams))
    del vocab
    ng = max(len(grams), 1)
    mx = _Matrices(sparse=max(n * max(nv, ng), nv * ng) > _DENSE_MAX_CELLS)
    if mx.sparse and ng > hashed:
        # Hashing trick: fold the n-gram columns into a fixed width (stable hash).
        bucket = [zlib.crc32(g.encode()) % hashed for g in grams]
        g_cols = [bucket[c] for c in g_cols]
        ng = hashed
    del grams
    counts = mx.build(rows, cols, vals, (n, nv))
    word = mx.tfidf(counts)
    # Character n-grams of a document: each distinct word contributes its grams once.
    present = mx.build(rows, cols, [1.0] * len(rows), (n, nv))
    word_grams = mx.build(g_rows, g_cols, [1.0] * len(g_rows), (nv, ng))
    char = mx.tfidf(present @ word_grams)
    return mx, word, char, idents


class PairScorer:
    """Pair probabilities of `a` x `b`, computed for any block of `a`'s rows.

    The per-finding data (TF-IDF rows, files, lines, categories) is built once;
    `probabilities(lo, hi)` then costs memory for only (hi - lo) x len(b) cells,
    so a large input is scored a block at a time.
    """

    def __init__(self, a: Sequence[Finding], b: Sequence[Finding], term_chars: int) -> None:
        import numpy as np

        self.na, self.nb = len(a), len(b)
        hashed = _HASHED_GRAMS
        if self.na * self.nb > BLOCK_CELLS:  # scored by blocks: the dense n-gram side stays small
            hashed = max(1024, min(_HASHED_GRAMS, _DENSE_RIGHT_BYTES // (4 * self.nb)))
        self.mx, self.word, self.char, idents = _text_matrices(a, b, term_chars, hashed)
        files = sorted({f.file for f in [*a, *b] if f.file})
        fidx = {name: i + 1 for i, name in enumerate(files)}
        self.fa = np.array([fidx.get(f.file or "", 0) for f in a], dtype=np.int64)
        self.fb = np.array([fidx.get(f.file or "", 0) for f in b], dtype=np.int64)
        self.la = self._bounds(a)
        self.lb = self._bounds(b)
        # Category word sets as a binary finding x word matrix (Jaccard via products).
        cat_words: dict[str, int] = {}
        r_idx: list[int] = []
        c_idx: list[int] = []
        for r, f in enumerate([*a, *b]):
            for w in category_words(f.category[:term_chars]):
                r_idx.append(r)
                c_idx.append(cat_words.setdefault(w, len(cat_words)))
        n, ncw = self.na + self.nb, max(1, len(cat_words))
        self.cm = _Matrices(sparse=n * ncw > _DENSE_MAX_CELLS)
        self.cats = self.cm.build(r_idx, c_idx, [1.0] * len(r_idx), (n, ncw))
        sizes = np.asarray(self.cats.sum(axis=1)).ravel()
        self.size_a, self.size_b = sizes[: self.na], sizes[self.na :]
        self.sets_a = [(idents[k], kinds(f), numbers(f)) for k, f in enumerate(a)]
        self.sets_b = [(idents[self.na + k], kinds(f), numbers(f)) for k, f in enumerate(b)]
        self.placed_a = np.array([bool(f.file) for f in a], dtype=bool)
        self.placed_b = np.array([bool(f.file) for f in b], dtype=bool)
        # Each `b`'s best text score over all of `a` (the `best` signal); a pass by blocks.
        self.col_max = np.zeros(self.nb)
        self._whole: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        step = _block_rows(self.na, self.nb)
        for lo in range(0, self.na, step):
            hi = min(self.na, lo + step)
            whole = self._text(lo, hi)
            self.col_max = np.maximum(self.col_max, whole[2].max(axis=0, initial=0.0))
            if (lo, hi) == (0, self.na):  # one block: keep it for `features`
                self._whole = whole

    def _text(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._whole is not None and (lo, hi) == (0, self.na):
            return self._whole
        word = self.mx.cross(self.word, self.na, lo=lo, hi=hi)
        char = self.mx.cross(self.char, self.na, lo=lo, hi=hi)
        return word, char, 0.5 * (word + char)

    def thresholds(self, lo: int, hi: int, threshold: float | None) -> np.ndarray | float:
        """Rows `lo:hi`'s pairing thresholds: `threshold` if given, else the model's."""
        import numpy as np

        if threshold is not None:
            return threshold
        model = load_model()
        placed = self.placed_a[lo:hi, None] & self.placed_b[None, :]
        return np.where(placed, model.threshold_placed, model.threshold)

    @staticmethod
    def _bounds(fs: Sequence[Finding]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import numpy as np

        rng = [line_range(f) for f in fs]
        has = np.array([r is not None for r in rng], dtype=bool)
        lo = np.array([r[0] if r else 0 for r in rng], dtype=float)
        hi = np.array([r[1] if r else 0 for r in rng], dtype=float)
        return has, lo, hi

    def features(self, lo: int, hi: int) -> dict[str, np.ndarray]:
        """The pairwise signals of rows `lo:hi` of `a`, each a (hi - lo, len(b)) array in [0, 1]."""
        import numpy as np

        word, char, text = self._text(lo, hi)
        fa, fb = self.fa[lo:hi], self.fb
        known = (fa[:, None] > 0) & (fb[None, :] > 0)
        same_file = (known & (fa[:, None] == fb[None, :])).astype(float)
        file_unknown = (~known).astype(float)
        ha, loa, hia = (x[lo:hi] for x in self.la)
        hb, lob, hib = self.lb
        gap = np.maximum(
            0.0, np.maximum(loa[:, None], lob[None, :]) - np.minimum(hia[:, None], hib[None, :])
        )
        line = np.where(ha[:, None] & hb[None, :], np.exp(-gap / _LINE_SCALE), 0.0) * same_file
        inter = self.cm.cross(self.cats, self.na, lo=lo, hi=hi)
        sa, sb = self.size_a[lo:hi, None], self.size_b[None, :]
        union = sa + sb - inter
        both = (sa > 0) & (sb > 0)
        category = np.where(both, inter / np.where(both, union, 1.0), 0.0)
        rows, cols = self.sets_a[lo:hi], self.sets_b
        kind_overlap = jaccard_table([k for _, k, _ in rows], [k for _, k, _ in cols])
        has_a = np.array([bool(k) for _, k, _ in rows], dtype=bool)[:, None]
        has_b = np.array([bool(k) for _, k, _ in cols], dtype=bool)[None, :]
        denom = np.maximum(np.maximum(text.max(axis=1, keepdims=True), self.col_max), 1e-9)
        best = text / denom
        placed = 1.0 - file_unknown
        return {
            "word": word,
            "char": char,
            "word_placed": word * placed,
            "char_placed": char * placed,
            "ident": jaccard_table([i for i, _, _ in rows], [i for i, _, _ in cols]),
            "kind_same": (kind_overlap > 0).astype(float),
            "kind_diff": ((kind_overlap == 0) & has_a & has_b).astype(float),
            "number": jaccard_table([n for _, _, n in rows], [n for _, _, n in cols]),
            "best": best,
            "best_placed": best * placed,
            "same_file": same_file,
            "file_unknown": file_unknown,
            "line": line,
            "category": category,
        }

    def probabilities(self, lo: int, hi: int) -> np.ndarray:
        """Probability, for rows `lo:hi` of `a` x every `b`, of describing the same problem."""
        return load_model().probability(self.features(lo, hi), (hi - lo, self.nb))


def score_matrix(
    a: Sequence[Finding], b: Sequence[Finding], term_chars: int | None = None
) -> np.ndarray:
    """Probability, for each (a, b) pair of findings, that they describe the same problem."""
    import numpy as np

    if not a or not b:
        return np.zeros((len(a), len(b)))
    tc = DEFAULT_LIMITS.term_chars if term_chars is None else term_chars
    return PairScorer(a, b, tc).probabilities(0, len(a))


def pair_thresholds(
    a: Sequence[Finding], b: Sequence[Finding], threshold: float | None = None
) -> np.ndarray | float:
    """Each candidate's pairing threshold: `threshold` if given, else the model's.

    The model's is higher when both findings name a file than when either does not.
    """
    import numpy as np

    if threshold is not None:
        return threshold
    model = load_model()
    ka = np.array([bool(f.file) for f in a], dtype=bool)
    kb = np.array([bool(f.file) for f in b], dtype=bool)
    return np.where(ka[:, None] & kb[None, :], model.threshold_placed, model.threshold)


def _block_rows(na: int, nb: int) -> int:
    """Rows of `a` scored at once: all of them for a small input, else a block's worth."""
    if na * nb <= BLOCK_CELLS:
        return max(1, na)
    return max(1, _CHUNK_CELLS // max(1, nb))


def candidates(scorer: PairScorer, threshold: float | None) -> tuple[Any, Any, Any, Any]:
    """(rows, columns, probabilities, gains) of the pairs above the threshold, by blocks.

    Memory stays at one block of `_CHUNK_CELLS` cells; each finding of `a`
    keeps at most its `_MAX_CANDIDATES` best candidates.
    """
    import numpy as np

    na, nb = scorer.na, scorer.nb
    step = _block_rows(na, nb)
    parts_r, parts_c, parts_p, parts_g = [], [], [], []
    for lo in range(0, na, step):
        hi = min(na, lo + step)
        prob = scorer.probabilities(lo, hi)
        thr = np.broadcast_to(scorer.thresholds(lo, hi, threshold), prob.shape)
        if nb > _MAX_CANDIDATES:
            top = np.argpartition(prob, nb - _MAX_CANDIDATES, axis=1)[:, nb - _MAX_CANDIDATES :]
            keep = np.zeros(prob.shape, dtype=bool)
            np.put_along_axis(keep, top, True, axis=1)
            keep &= prob > thr
        else:
            keep = prob > thr
        r, c = np.nonzero(keep)
        parts_r.append(r + lo)
        parts_c.append(c)
        parts_p.append(prob[r, c])
        parts_g.append(prob[r, c] - thr[r, c])
        del prob, keep
    cat = np.concatenate
    return cat(parts_r), cat(parts_c), cat(parts_p), cat(parts_g)
