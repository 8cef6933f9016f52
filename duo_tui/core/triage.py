"""Match the findings of two (or more) reviews that describe the same problem.

Two reviewers rarely word a problem the same way: they paraphrase, one names
the symptom and the other the root cause, they choose different categories and
severities, and their line ranges are offset, partial or missing. Titles alone
are not enough, so every candidate pair of findings gets a score from a few
principled signals:

* text: TF-IDF cosine over title + detail + suggestion, computed over the
  findings of both reviews, with code identifiers (``snake_case``,
  ``camelCase``, dotted names and backticked spans) kept whole *and* split into
  their parts, the whole identifiers weighing more;
* characters: TF-IDF cosine of character 3- and 4-grams of the same words,
  which catches morphology ("evict" / "eviction") without a stemmer;
* place: same file, distance between line ranges;
* category: word overlap of the normalised categories.

The signals are combined by a small logistic model (six weights and a bias,
fitted once on a development set and checked with leave-one-case-out
validation; ``benchmarks/bench_triage.py`` measures it) into a probability that the two findings are
the same problem. A global one-to-one assignment (Hungarian method) then
maximises the total ``probability - threshold`` over the pairs above the
threshold, so a finding is never paired with its second-best match because a
greedy pass took its best one.

Everything is deterministic: inputs are processed in review order, ties are
broken by that order. Numpy is imported lazily on the first call; scipy only
when a connected block of candidates is too big for the pure-Python Hungarian.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from duo_tui.core.models import Finding, PairKind, Review, TriagePair, TriageResult
from duo_tui.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "DEFAULT_THRESHOLD",
    "FindingGroup",
    "GroupKind",
    "ambiguous_candidates",
    "group_findings",
    "match_reviews",
    "score_matrix",
]

#: Minimum pair probability for two findings to be called the same problem.
#: Below 0.5 because true pairs are rare among all A x B candidates; the
#: development set's F1 is flat between 0.25 and 0.35, and every
#: leave-one-case-out fold chose a value in 0.2-0.35.
DEFAULT_THRESHOLD = 0.3
#: Half-width of the probability band reported by `ambiguous_candidates`.
AMBIGUITY_MARGIN = 0.15

# Logistic weights: bias, word cosine, char cosine, same file, file unknown,
# line proximity, category similarity. Fitted by L2-regularised logistic regression on
# the development set (leave-one-case-out F1 0.94-0.96); rounded on purpose.
_WEIGHTS: dict[str, float] = {
    "bias": -8.5,
    "word": 10.5,
    "char": 9.5,
    "same_file": 2.0,
    "file_unknown": 0.2,
    "line": 0.4,
    "category": 0.6,
}
#: Line distance (in lines) at which the proximity signal falls to 1/e.
_LINE_SCALE = 6.0
#: Blocks with more rows or columns than this are solved by scipy.
_PURE_HUNGARIAN_MAX = 120
#: Pair cells scored at once; bigger inputs are scored a block of rows at a time.
_BLOCK_CELLS = 1_000_000
#: In a block-by-block match, each finding of `a` keeps at most this many candidates.
_MAX_CANDIDATES = 32
#: A connected block of candidates with more cells is paired greedily (best first).
_DENSE_BLOCK_MAX = 4_000_000
#: In a block-by-block match, the dense part of the n-gram matrix of `b` stays under this.
_DENSE_RIGHT_BYTES = 32_000_000

# A generic English stop-word list (function words only).
_STOPWORD_TEXT = (
    "a an the and or but if then else when while of to in on at by for with without "
    "from into onto over under about as is are was were be been being it its this that "
    "these those there here so than too very can could should would will shall may "
    "might must do does did done not no nor only own same such both each few more most "
    "other some any all also just which who whom whose what where why how i we you he "
    "she they them their our your his her us me my via per e g eg ie etc one two"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_BACKTICK_RE = re.compile(r"`([^`]+)`")
_IDENT_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:[.:/-][A-Za-z_$][A-Za-z0-9_$]*)*")
_PART_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


# --------------------------------------------------------------------------- text


def _stem(word: str) -> str:
    """A deliberately light suffix stripper (plural/tense), enough for TF-IDF."""
    if len(word) > 5 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)]
    return word


def _split_identifier(token: str) -> list[str]:
    return [p.lower() for p in _PART_RE.findall(token)]


@lru_cache(maxsize=65536)
def _token_terms(token: str) -> tuple[tuple[str, float], ...]:
    """Terms of one token: its stemmed parts, plus the whole token if it is an identifier."""
    parts = [p for p in _split_identifier(token) if p]
    out = [
        (_stem(part), 1.0)
        for part in parts
        if part not in _STOPWORDS and len(part) >= 2 and not part.isdigit()
    ]
    if len(parts) > 1 or any(c in token for c in "_.:/$"):
        out.append(("§" + token.lower().strip("._:/-$"), 2.0))
    return tuple(out)


def _add_terms(terms: dict[str, float], text: str, term_chars: int) -> None:
    for token in _IDENT_RE.findall(text):
        # A hostile "word" of megabytes would explode the character n-grams: cut it.
        for term, weight in _token_terms(token[:term_chars]):
            terms[term] = terms.get(term, 0.0) + weight


def _finding_terms(f: Finding, term_chars: int, text_chars: int) -> dict[str, float]:
    """Weighted terms of one finding (title counted twice; backticked code spans double).

    Only the first `text_chars` characters of the finding's text are read and
    tokens are cut to `term_chars`, so no finding can make matching unbounded.
    """
    text = f"{f.title}\n{f.title}\n{f.detail}\n{f.suggestion}"[:text_chars]
    terms: dict[str, float] = {}
    _add_terms(terms, text, term_chars)
    for span in _BACKTICK_RE.findall(text):
        _add_terms(terms, span, term_chars)
    return terms


@lru_cache(maxsize=65536)
def _char_grams(word: str) -> tuple[str, ...]:
    """Character 3- and 4-grams of a word padded with spaces (identifiers excluded)."""
    if word.startswith("§"):
        return ()
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in (3, 4) for i in range(len(padded) - n + 1))


def _category_words(category: str) -> frozenset[str]:
    return frozenset(
        _stem(p) for p in _split_identifier(category) if p not in _STOPWORDS and len(p) > 1
    )


# --------------------------------------------------------------------------- vectors

# Above this many matrix cells (documents x terms) scipy.sparse is used.
_DENSE_MAX_CELLS = 4_000_000
# Large inputs fold character n-grams into this many hashed columns.
_HASHED_GRAMS = 8192


class _Matrices:
    """Builds document-term matrices dense (small inputs) or sparse (large ones)."""

    def __init__(self, sparse: bool) -> None:
        self.sparse = sparse
        # Per matrix: the right-hand side of `cross`, split once (block-by-block scoring).
        self._right: dict[int, tuple[Any, Any, Any, Any]] = {}

    def build(
        self, rows: list[int], cols: list[int], vals: list[float], shape: tuple[int, int]
    ) -> Any:
        import numpy as np

        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        v = np.asarray(vals, dtype=np.float64)
        if self.sparse:
            from scipy import sparse

            return sparse.csr_matrix((v, (r, c)), shape=shape)
        mat = np.zeros(shape)
        np.add.at(mat, (r, c), v)
        return mat

    def tfidf(self, counts: Any) -> Any:
        """Sublinear tf, smoothed idf, rows scaled to unit length."""
        import numpy as np

        n = counts.shape[0]
        if self.sparse:
            m = counts.tocsr(copy=True)
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

    def cross(
        self, m: Any, na: int, densify: bool = False, lo: int = 0, hi: int | None = None
    ) -> np.ndarray:
        """Row dot products of rows `lo:hi` (default: the first `na`) with the rows after `na`.

        `densify` multiplies the columns many rows share as dense float32 arrays
        (BLAS), much faster when rows overlap a lot (character n-grams).
        """
        import numpy as np

        if self.sparse and densify:
            # Columns many documents share (frequent n-grams) multiply fastest as dense
            # float32 arrays (BLAS), the long tail of rare ones as sparse rows.
            if id(m) not in self._right:
                df = np.bincount(m.indices, minlength=m.shape[1])
                common = df > max(32, m.shape[0] // 40)
                idx_c, idx_r = np.flatnonzero(common), np.flatnonzero(~common)
                right = m[na:]
                self._right[id(m)] = (
                    idx_c,
                    idx_r,
                    right[:, idx_c].toarray().astype(np.float32).T,
                    right[:, idx_r].T.tocsc(),
                )
            idx_c, idx_r, right_c, right_r = self._right[id(m)]
            left = m[lo : na if hi is None else hi]
            dense = left[:, idx_c].toarray().astype(np.float32) @ right_c
            sims: np.ndarray = dense.astype(np.float64)
            sims += (left[:, idx_r] @ right_r).toarray()
            return sims
        prod = m[lo : na if hi is None else hi] @ m[na:].T
        if self.sparse:
            return np.asarray(prod.todense())
        out: np.ndarray = prod
        return out


#: Characters of text all findings together contribute to matching; each finding
#: reads at most its share (never less than `_MIN_FINDING_CHARS`), which bounds
#: the matcher's memory for any accepted input.
_TEXT_BUDGET = 1_000_000
_MIN_FINDING_CHARS = 100
_MAX_FINDING_CHARS = 20_000
#: Only the first this many distinct terms (in order of appearance) get character n-grams.
_MAX_GRAM_TERMS = 40_000


def _text_matrices(
    a: Sequence[Finding], b: Sequence[Finding], term_chars: int, hashed: int = _HASHED_GRAMS
) -> tuple[Any, Any, Any]:
    """(matrix builder, word TF-IDF rows, character-n-gram TF-IDF rows) of `a` then `b`."""
    share = _TEXT_BUDGET // max(1, len(a) + len(b))
    text_chars = min(_MAX_FINDING_CHARS, max(_MIN_FINDING_CHARS, share))
    docs = [_finding_terms(f, term_chars, text_chars) for f in [*a, *b]]
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
        term_grams = _char_grams(term)
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
    return mx, word, char


def _line_range(f: Finding) -> tuple[int, int] | None:
    start, end = f.line_start, f.line_end
    if start is None and end is None:
        return None
    s = start if start is not None else end
    e = end if end is not None else start
    assert s is not None and e is not None
    return (min(s, e), max(s, e))


class _PairScorer:
    """Pair probabilities of `a` x `b`, computed for any block of `a`'s rows.

    The per-finding data (TF-IDF rows, files, lines, categories) is built once;
    `probabilities(lo, hi)` then costs memory for only (hi - lo) x len(b) cells,
    so a large input is scored a block at a time.
    """

    def __init__(self, a: Sequence[Finding], b: Sequence[Finding], term_chars: int) -> None:
        import numpy as np

        self.na, self.nb = len(a), len(b)
        hashed = _HASHED_GRAMS
        if self.na * self.nb > _BLOCK_CELLS:  # scored by blocks: the dense n-gram side stays small
            hashed = max(1024, min(_HASHED_GRAMS, _DENSE_RIGHT_BYTES // (4 * self.nb)))
        self.mx, self.word, self.char = _text_matrices(a, b, term_chars, hashed)
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
            for w in _category_words(f.category[:term_chars]):
                r_idx.append(r)
                c_idx.append(cat_words.setdefault(w, len(cat_words)))
        n, ncw = self.na + self.nb, max(1, len(cat_words))
        self.cm = _Matrices(sparse=n * ncw > _DENSE_MAX_CELLS)
        self.cats = self.cm.build(r_idx, c_idx, [1.0] * len(r_idx), (n, ncw))
        sizes = np.asarray(self.cats.sum(axis=1)).ravel()
        self.size_a, self.size_b = sizes[: self.na], sizes[self.na :]

    @staticmethod
    def _bounds(fs: Sequence[Finding]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import numpy as np

        rng = [_line_range(f) for f in fs]
        has = np.array([r is not None for r in rng], dtype=bool)
        lo = np.array([r[0] if r else 0 for r in rng], dtype=float)
        hi = np.array([r[1] if r else 0 for r in rng], dtype=float)
        return has, lo, hi

    def features(self, lo: int, hi: int) -> dict[str, np.ndarray]:
        """The pairwise signals of rows `lo:hi` of `a`, each a (hi - lo, len(b)) array in [0, 1]."""
        import numpy as np

        word = self.mx.cross(self.word, self.na, lo=lo, hi=hi)
        char = self.mx.cross(self.char, self.na, lo=lo, hi=hi, densify=True)
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
        return {
            "word": word,
            "char": char,
            "same_file": same_file,
            "file_unknown": file_unknown,
            "line": line,
            "category": category,
        }

    def probabilities(self, lo: int, hi: int) -> np.ndarray:
        """Probability, for rows `lo:hi` of `a` x every `b`, of describing the same problem."""
        import numpy as np

        z = np.full((hi - lo, self.nb), _WEIGHTS["bias"])
        for name, value in self.features(lo, hi).items():
            z += _WEIGHTS[name] * value
        out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        return out


def score_matrix(
    a: Sequence[Finding], b: Sequence[Finding], term_chars: int | None = None
) -> np.ndarray:
    """Probability, for each (a, b) pair of findings, that they describe the same problem."""
    import numpy as np

    if not a or not b:
        return np.zeros((len(a), len(b)))
    tc = DEFAULT_LIMITS.term_chars if term_chars is None else term_chars
    return _PairScorer(a, b, tc).probabilities(0, len(a))


# --------------------------------------------------------------------------- assignment


def _hungarian(gain: list[list[float]]) -> list[tuple[int, int]]:
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


def _components(edges: list[tuple[int, int]]) -> list[tuple[list[int], list[int]]]:
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


def _assign(prob: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """One-to-one pairs maximising the total of ``prob - threshold`` over kept pairs."""
    import numpy as np

    rows, cols = np.nonzero(prob > threshold)
    return _assign_edges(rows, cols, prob[rows, cols], threshold)


def _assign_edges(
    rows: np.ndarray, cols: np.ndarray, probs: np.ndarray, threshold: float
) -> list[tuple[int, int]]:
    """`_assign` on the candidate pairs only: (row, column, probability) above the threshold."""
    import numpy as np

    edges = list(zip(rows.tolist(), cols.tolist(), strict=True))
    gain = dict(zip(edges, (probs - threshold).tolist(), strict=True))
    out: list[tuple[int, int]] = []
    for rset, cset in _components(edges):
        if len(rset) * len(cset) > _DENSE_BLOCK_MAX:
            out.extend(_greedy(rset, cset, gain))
            continue
        ri = {r: k for k, r in enumerate(rset)}
        ci = {c: k for k, c in enumerate(cset)}
        block = np.zeros((len(rset), len(cset)))
        for r in rset:
            for c in cset:
                g = gain.get((r, c), 0.0)
                if g > 0:
                    block[ri[r], ci[c]] = g
        if len(rset) == 1 or len(cset) == 1:
            k = int(np.argmax(block))  # first maximum: deterministic
            r, c = divmod(k, len(cset))
            chosen = [(r, c)]
        elif max(len(rset), len(cset)) <= _PURE_HUNGARIAN_MAX:
            chosen = _hungarian(block.tolist())
        else:
            from scipy.optimize import linear_sum_assignment

            rr, cc = linear_sum_assignment(block, maximize=True)
            chosen = list(zip(rr.tolist(), cc.tolist(), strict=True))
        out.extend((rset[r], cset[c]) for r, c in chosen if block[r, c] > 0)
    return sorted(out)


def _greedy(
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


def _candidates(scorer: _PairScorer, threshold: float) -> tuple[Any, Any, Any]:
    """(rows, columns, probabilities) of the pairs above `threshold`, scored block by block.

    Memory stays at one block of `_BLOCK_CELLS` cells; each finding of `a`
    keeps at most its `_MAX_CANDIDATES` best candidates.
    """
    import numpy as np

    na, nb = scorer.na, scorer.nb
    step = max(1, _BLOCK_CELLS // max(1, nb))
    parts_r, parts_c, parts_p = [], [], []
    for lo in range(0, na, step):
        hi = min(na, lo + step)
        prob = scorer.probabilities(lo, hi)
        if nb > _MAX_CANDIDATES:
            top = np.argpartition(prob, nb - _MAX_CANDIDATES, axis=1)[:, nb - _MAX_CANDIDATES :]
            keep = np.zeros(prob.shape, dtype=bool)
            np.put_along_axis(keep, top, True, axis=1)
            keep &= prob > threshold
        else:
            keep = prob > threshold
        r, c = np.nonzero(keep)
        parts_r.append(r + lo)
        parts_c.append(c)
        parts_p.append(prob[r, c])
        del prob, keep
    return np.concatenate(parts_r), np.concatenate(parts_c), np.concatenate(parts_p)


# --------------------------------------------------------------------------- two reviews


def match_reviews(
    a: Review, b: Review, threshold: float | None = None, limits: Limits | None = None
) -> TriageResult:
    """Pair the findings of review `a` with those of `b` that describe the same problem.

    Pairs are one-to-one; every finding id appears exactly once, in a pair or in
    `only_a` / `only_b` (in review order). `kind` is ``severity`` when the two
    severities differ, else ``agree``. `score` is the pair probability.
    """
    thr = DEFAULT_THRESHOLD if threshold is None else threshold
    na, nb = len(a.findings), len(b.findings)
    pairs: list[tuple[int, int]] = []
    score: dict[tuple[int, int], float] = {}
    if na and nb:
        scorer = _PairScorer(a.findings, b.findings, (limits or DEFAULT_LIMITS).term_chars)
        if na * nb <= _BLOCK_CELLS:
            prob = scorer.probabilities(0, na)
            pairs = _assign(prob, thr)
            score = {(i, j): float(prob[i, j]) for i, j in pairs}
        else:  # large: scored a block of rows at a time, in bounded memory
            rows, cols, probs = _candidates(scorer, thr)
            pairs = _assign_edges(rows, cols, probs, thr)
            kept = set(pairs)
            score = {
                (i, j): p
                for i, j, p in zip(rows.tolist(), cols.tolist(), probs.tolist(), strict=True)
                if (i, j) in kept
            }
    paired_a = {i for i, _ in pairs}
    paired_b = {j for _, j in pairs}
    out_pairs = [
        TriagePair(
            a=a.findings[i].id,
            b=b.findings[j].id,
            kind=PairKind.AGREE
            if a.findings[i].severity == b.findings[j].severity
            else PairKind.SEVERITY,
            score=round(score[i, j], 4),
        )
        for i, j in pairs
    ]
    return TriageResult(
        pairs=out_pairs,
        only_a=[f.id for i, f in enumerate(a.findings) if i not in paired_a],
        only_b=[f.id for j, f in enumerate(b.findings) if j not in paired_b],
    )


@dataclass(frozen=True)
class AmbiguousCandidate:
    """A candidate pair whose probability lies near the threshold (for adjudication)."""

    a: str
    b: str
    score: float
    paired: bool


def ambiguous_candidates(
    a: Review,
    b: Review,
    threshold: float | None = None,
    margin: float = AMBIGUITY_MARGIN,
) -> list[AmbiguousCandidate]:
    """Candidate pairs with ``|score - threshold| <= margin``, most uncertain first.

    `paired` says whether `match_reviews` kept the pair. A model could adjudicate
    these later; nothing here calls one.
    """
    thr = DEFAULT_THRESHOLD if threshold is None else threshold
    prob = score_matrix(a.findings, b.findings)
    if not prob.size:
        return []
    kept = {(i, j) for i, j in _assign(prob, thr)}
    out: list[tuple[float, int, int]] = []
    for i in range(prob.shape[0]):
        for j in range(prob.shape[1]):
            p = float(prob[i, j])
            if abs(p - thr) <= margin:
                out.append((abs(p - thr), i, j))
    return [
        AmbiguousCandidate(
            a=a.findings[i].id,
            b=b.findings[j].id,
            score=round(float(prob[i, j]), 4),
            paired=(i, j) in kept,
        )
        for _, i, j in sorted(out)
    ]


# --------------------------------------------------------------------------- 3+ reviews


class GroupKind(StrEnum):
    """What a cluster of findings across reviewers means."""

    AGREED = "agreed"
    SEVERITY = "severity"
    ONLY = "only"


@dataclass
class FindingGroup:
    """Findings of several reviewers about one problem; at most one per reviewer."""

    members: list[tuple[int, Finding]] = field(default_factory=list)
    kind: GroupKind = GroupKind.ONLY

    @property
    def reviewers(self) -> list[int]:
        return [r for r, _ in self.members]


def _group_kind(members: list[tuple[int, Finding]]) -> GroupKind:
    if len(members) < 2:
        return GroupKind.ONLY
    if len({f.severity for _, f in members}) == 1:
        return GroupKind.AGREED
    return GroupKind.SEVERITY


def group_findings(reviews: list[Review], threshold: float | None = None) -> list[FindingGroup]:
    """Cluster findings across any number of reviews.

    Every pair of reviews is matched; matched pairs are merged into clusters
    strongest first, skipping a merge that would put two findings of the same
    reviewer in one cluster. Every finding lands in exactly one group. Groups
    are ordered by their first member (reviewer index, then finding order).
    """
    thr = DEFAULT_THRESHOLD if threshold is None else threshold
    nodes = [(r, k) for r, rev in enumerate(reviews) for k in range(len(rev.findings))]
    cluster: dict[tuple[int, int], int] = {n: i for i, n in enumerate(nodes)}
    members: dict[int, set[tuple[int, int]]] = {i: {n} for i, n in enumerate(nodes)}
    edges: list[tuple[float, tuple[int, int], tuple[int, int]]] = []
    for r1 in range(len(reviews)):
        for r2 in range(r1 + 1, len(reviews)):
            fa, fb = reviews[r1].findings, reviews[r2].findings
            prob = score_matrix(fa, fb)
            if not prob.size:
                continue
            for i, j in _assign(prob, thr):
                edges.append((float(prob[i, j]), (r1, i), (r2, j)))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    for _, n1, n2 in edges:
        c1, c2 = cluster[n1], cluster[n2]
        if c1 == c2:
            continue
        revs1 = {r for r, _ in members[c1]}
        revs2 = {r for r, _ in members[c2]}
        if revs1 & revs2:
            continue
        keep, drop = min(c1, c2), max(c1, c2)
        for n in members[drop]:
            cluster[n] = keep
        members[keep] |= members.pop(drop)
    groups: list[FindingGroup] = []
    for cid in sorted(members, key=lambda c: min(members[c])):
        ms = [(r, reviews[r].findings[k]) for r, k in sorted(members[cid])]
        groups.append(FindingGroup(members=ms, kind=_group_kind(ms)))
    return groups
