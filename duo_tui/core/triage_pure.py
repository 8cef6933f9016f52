"""The triage pair scorer in plain Python, for the small inputs most triages are.

`duo_tui.core.triage_scorer` works on numpy matrices, and numpy costs ~40 ms
of start-up to import: more than scoring a typical pair of reviews (20 x 20
findings) takes in plain Python. So inputs of at most `PURE_MAX_CELLS` pairs are
scored here, with the same signals, the same TF-IDF (sublinear tf, smoothed
idf, unit rows) and the same model, computed on sparse dicts; only the order
of floating-point additions differs (tests hold the two scorers to 1e-9 on
every pair). Larger inputs are scored by numpy, whose import then pays for
itself; so are findings that share so much text that the dot products would
cost more than `PURE_MAX_WORK` in Python, and findings long enough that the
numpy scorer holds its matrices sparse (its sparse products round through
float32, so only it gives its own scores).

No numpy, no pydantic: `duo-tui triage --json` on small reviews imports neither.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from typing import Any

from duo_tui.core.triage_assign import assign_edges
from duo_tui.core.triage_features import (
    Finding,
    category_words,
    char_grams,
    finding_terms,
    identifiers,
    kinds,
    line_range,
    numbers,
)
from duo_tui.core.triage_groups import one_to_many_rows
from duo_tui.core.triage_model import load_model

__all__ = [
    "PURE_MAX_CELLS",
    "PURE_MAX_WORK",
    "Match",
    "match_small",
    "pure_probabilities",
    "text_budget",
]

#: Inputs of at most this many (a, b) pairs are scored in plain Python
#: (`benchmarks/bench_triage.py --crossover` shows numpy's import paying off later) ...
PURE_MAX_CELLS = 2500
#: ... when their dot products cost at most this many multiply-adds (~0.2 us each here;
#: numpy's import is ~45 ms). Real review pairs need ~600 (at most 12,000 on the CRB
#: set); 50 x 50 findings repeating one long text would need millions.
PURE_MAX_WORK = 250_000

#: Characters of text all findings together contribute to matching (see `text_budget`).
TEXT_BUDGET = 1_000_000
MIN_FINDING_CHARS = 100
MAX_FINDING_CHARS = 20_000
#: Only the first this many distinct terms (in order of appearance) get character n-grams.
MAX_GRAM_TERMS = 20_000
#: Above this many matrix cells (documents x terms) the numpy scorer goes sparse.
DENSE_MAX_CELLS = 4_000_000
#: Line distance (in lines) at which the proximity signal falls to 1/e.
LINE_SCALE = 6.0

# A sparse row: term (or character n-gram) -> weight.
Vector = dict[Any, float]
#: A match by index: (pairs, their probabilities, one-to-many groups as (rows, columns)).
Match = tuple[
    list[tuple[int, int]], dict[tuple[int, int], float], list[tuple[list[int], list[int]]]
]


def text_budget(n: int) -> int:
    """Characters of each finding's text read when `n` findings are matched together."""
    share = TEXT_BUDGET // max(1, n)
    return min(MAX_FINDING_CHARS, max(MIN_FINDING_CHARS, share))


def _tfidf(counts: list[Vector]) -> list[Vector]:
    """Sublinear tf, smoothed idf, each row scaled to unit length (as the numpy scorer)."""
    n = len(counts)
    df: Counter[Any] = Counter()
    for doc in counts:
        df.update(doc.keys())
    idf = {key: math.log((1 + n) / (1 + k)) + 1.0 for key, k in df.items()}
    log = math.log
    out = []
    for doc in counts:
        keys = list(doc)
        # 1 + log(1) is 1, and most counts are 1
        vals = [idf[k] if x == 1 else (1.0 + log(x)) * idf[k] for k, x in doc.items()]
        norm = math.hypot(*vals)
        if norm > 0:
            vals = [x / norm for x in vals]
        out.append(dict(zip(keys, vals, strict=True)))
    return out


def _vectors(
    findings: Sequence[Finding], na: int, term_chars: int
) -> tuple[list[Vector], list[Vector], list[frozenset[str]]] | None:
    """(word TF-IDF rows, character-n-gram TF-IDF rows, identifier sets) of `findings`,
    the first `na` of them one side.

    None when numpy should score them: findings long enough that the numpy scorer
    holds these matrices sparse (its sparse products round through float32, so
    only it gives its own scores), or dot products over `PURE_MAX_WORK`.
    """
    text_chars = text_budget(len(findings))
    docs = [finding_terms(f, term_chars, text_chars) for f in findings]
    vocab: dict[str, int] = {}
    for doc in docs:
        for term in doc:
            vocab.setdefault(term, len(vocab))
    grams: set[str] = set()
    for term, k in vocab.items():
        if k < MAX_GRAM_TERMS:
            grams.update(char_grams(term))
    n, nv, ng = len(findings), max(len(vocab), 1), max(len(grams), 1)
    if max(n * max(nv, ng), nv * ng) > DENSE_MAX_CELLS:
        return None
    # each distinct term of a document adds its grams once (counted in C by Counter)
    char_counts: list[Vector] = [
        dict(Counter(chain.from_iterable(char_grams(t) for t in doc if vocab[t] < MAX_GRAM_TERMS)))
        for doc in docs
    ]
    work = _work(docs[:na], docs[na:]) + _work(char_counts[:na], char_counts[na:])
    if work > PURE_MAX_WORK:
        return None
    idents = [identifiers(f, doc) for f, doc in zip(findings, docs, strict=True)]
    return _tfidf(list(docs)), _tfidf(char_counts), idents


def _work(left: Sequence[Vector], right: Sequence[Vector]) -> int:
    """The multiply-adds `_cross(left, right)` would do: shared keys' postings, multiplied."""
    df_left: Counter[Any] = Counter()
    df_right: Counter[Any] = Counter()
    for u in left:
        df_left.update(u.keys())
    for v in right:
        df_right.update(v.keys())
    return sum(k * df_right[key] for key, k in df_left.items() if key in df_right)


def _cross(left: list[Vector], right: list[Vector]) -> list[list[float]]:
    """Dot products of every left row with every right row, through postings of the right."""
    postings: dict[Any, list[tuple[int, float]]] = {}
    for j, v in enumerate(right):
        for key, y in v.items():
            postings.setdefault(key, []).append((j, y))
    out = []
    for u in left:
        acc = [0.0] * len(right)
        for key, x in u.items():
            for j, y in postings.get(key, ()):
                acc[j] += x * y
        out.append(acc)
    return out


def _float_range(f: Finding) -> tuple[float, float] | None:
    """The finding's line range in floats, as the numpy scorer holds it."""
    rng = line_range(f)
    return None if rng is None else (float(rng[0]), float(rng[1]))


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    inter = len(x & y)
    return inter / (len(x) + len(y) - inter) if inter else 0.0


def pure_probabilities(
    a: Sequence[Finding], b: Sequence[Finding], term_chars: int
) -> list[list[float]] | None:
    """Probability, for each (a, b) pair, that they describe the same problem (rows of `a`).

    None when numpy should score them (see `_vectors`).
    """
    na = len(a)
    vectors = _vectors([*a, *b], na, term_chars)
    if vectors is None:
        return None
    word_v, char_v, idents = vectors
    word = _cross(word_v[:na], word_v[na:])
    char = _cross(char_v[:na], char_v[na:])
    text = [
        [0.5 * (w + c) for w, c in zip(wr, cr, strict=True)]
        for wr, cr in zip(word, char, strict=True)
    ]
    row_max = [max(row) for row in text]
    col_max = [max(0.0, *col) for col in zip(*text, strict=True)]
    model = load_model()
    active = [(k, w) for k, w in enumerate(model.weights) if w]
    bias = model.bias
    cats = [category_words(f.category[:term_chars]) for f in [*a, *b]]
    facts_b = [
        (f.file or "", _float_range(f), cats[na + j], idents[na + j], kinds(f), numbers(f))
        for j, f in enumerate(b)
    ]
    out = []
    for i, fa in enumerate(a):
        file_a, range_a, cat_a, ident_a = fa.file or "", _float_range(fa), cats[i], idents[i]
        kind_a, num_a = kinds(fa), numbers(fa)
        rm = row_max[i]
        row = []
        for j, (file_b, range_b, cat_b, ident_b, kind_b, num_b) in enumerate(facts_b):
            w, c, t = word[i][j], char[i][j], text[i][j]
            placed = 1.0 if file_a and file_b else 0.0
            same_file = 1.0 if placed and file_a == file_b else 0.0
            if range_a is not None and range_b is not None:
                gap = max(0.0, max(range_a[0], range_b[0]) - min(range_a[1], range_b[1]))
                line = math.exp(-gap / LINE_SCALE) * same_file
            else:
                line = 0.0
            best = t / max(rm, col_max[j], 1e-9)
            kind_overlap = _jaccard(kind_a, kind_b)
            feats = (  # in `FEATURES` order (the model's); the tests hold it to the numpy scorer
                w,  # word
                c,  # char
                w * placed,  # word_placed
                c * placed,  # char_placed
                _jaccard(ident_a, ident_b),  # ident
                1.0 if kind_overlap > 0 else 0.0,  # kind_same
                1.0 if kind_overlap == 0 and kind_a and kind_b else 0.0,  # kind_diff
                _jaccard(num_a, num_b),  # number
                best,  # best
                best * placed,  # best_placed
                same_file,  # same_file
                1.0 - placed,  # file_unknown
                line,  # line
                _jaccard(cat_a, cat_b) if cat_a and cat_b else 0.0,  # category
            )
            z = bias
            for k, weight in active:
                z += weight * feats[k]
            row.append(1.0 / (1.0 + math.exp(-z)))
        out.append(row)
    return out


def match_small(
    a: Sequence[Finding], b: Sequence[Finding], threshold: float | None, term_chars: int
) -> Match | None:
    """(pairs, their probabilities, one-to-many groups) of two non-empty lists of findings.

    What `duo_tui.core.triage.match_findings` computes for the same input, without
    numpy; None when only the numpy scorer can (see `_vectors`).
    """
    prob = pure_probabilities(a, b, term_chars)
    if prob is None:
        return None
    model = load_model()
    placed_b = [bool(f.file) for f in b]
    rows: list[int] = []
    cols: list[int] = []
    gains: list[float] = []
    for i, fa in enumerate(a):
        row = prob[i]
        for j, p in enumerate(row):
            if threshold is not None:
                thr = threshold
            elif fa.file and placed_b[j]:
                thr = model.threshold_placed
            else:
                thr = model.threshold
            if p > thr:
                rows.append(i)
                cols.append(j)
                gains.append(p - thr)
    pairs = assign_edges(rows, cols, gains)
    score = {(i, j): prob[i][j] for i, j in pairs}
    return pairs, score, one_to_many_rows(prob, pairs)
