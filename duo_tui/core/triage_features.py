"""What a same-problem pair of findings looks like: the signals of the matcher.

Every candidate pair (a, b) of two reviews' findings gets a vector of signals,
each an ``(len(a), len(b))`` array (computed by `duo_tui.core.triage_scorer`'s pair
scorer, in blocks for large inputs); `duo_tui.core.triage_model` combines them
into a probability with weights learned from real reviews. This module names
the signals and holds the per-finding extractors of the newer ones:

* ``word``: TF-IDF cosine over title + detail + suggestion, code identifiers
  (``snake_case``, ``camelCase``, dotted names, backticked spans) kept whole
  *and* split into their parts, the whole identifiers weighing more;
* ``char``: TF-IDF cosine of character 3- and 4-grams of the same words
  (morphology: "evict" / "eviction" without a stemmer);
* ``ident``: overlap of the code identifiers and backticked spans alone (two
  findings naming the same `symbol` are likely about the same place);
* ``kind_same`` / ``kind_diff``: the kind of problem (race, null, injection,
  leak, typo, ...) from a small lexicon: the same kind, or clearly different;
* ``number``: shared numbers (``10MB`` / ``10 * 1024``, HTTP codes, limits);
* ``best``: how close the pair's text score is to the best score of its row
  and of its column (a finding's best match among many is likelier a pair);
* ``word_placed`` / ``char_placed``: the text cosines again when both files
  are known (reviews that name places word their findings differently), and ``best_placed``;
* place: ``same_file``, ``file_unknown``, ``line`` proximity; ``category``.

Term strings are capped at `MAX_TERM_CHARS` so hostile text cannot blow up
the vocabulary, and only the first `MAX_TEXT_CHARS` of a finding are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "FEATURES",
    "MAX_TERM_CHARS",
    "Finding",
    "category_words",
    "char_grams",
    "finding_terms",
    "identifiers",
    "jaccard_table",
    "kinds",
    "line_range",
    "numbers",
]


class Finding(Protocol):
    """What the matcher reads of a finding: a `duo_tui.core.models.Finding`, or the
    `PlainFinding` of `duo-tui triage --json`'s quick path (no pydantic)."""

    @property
    def id(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def file(self) -> str | None: ...
    @property
    def line_start(self) -> int | None: ...
    @property
    def line_end(self) -> int | None: ...
    @property
    def detail(self) -> str: ...
    @property
    def suggestion(self) -> str: ...


#: Longest term (identifier, backticked span) the matcher keeps, in characters.
MAX_TERM_CHARS = 200
#: Characters of a finding's text the extractors read.
MAX_TEXT_CHARS = 20_000

#: The signals, in the order the model's weights list them.
FEATURES = (
    "word",
    "char",
    "word_placed",
    "char_placed",
    "ident",
    "kind_same",
    "kind_diff",
    "number",
    "best",
    "best_placed",
    "same_file",
    "file_unknown",
    "line",
    "category",
)

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

_BACKTICK_RE = re.compile(r"`([^`\n]{1,200})`")
# Backticked code spans of any length (their terms count twice in the text vectors).
_SPAN_RE = re.compile(r"`([^`]+)`")
_IDENT_RE = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:[.:/-][A-Za-z_$][A-Za-z0-9_$]*)*")
_PART_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_NUMBER_RE = re.compile(r"(?<![A-Za-z0-9_.])[0-9]{2,12}(?![0-9])")

# The kind of problem a finding describes. Stems are matched at word starts, so
# "leak" covers "leaks", "leaking"; kept generic (no project's words).
_KIND_STEMS: dict[str, tuple[str, ...]] = {
    "race": ("race", "racy", "concurren", "atomic", "lock", "mutex", "thread", "toctou"),
    "null": ("null", "nil", "undefined", "none", "optional chain", "nullable"),
    "injection": ("inject", "sql", "xss", "sanitiz", "escap", "unescap", "shell"),
    "auth": ("auth", "permission", "privilege", "access control", "csrf", "token"),
    "leak": ("leak", "never closed", "not closed", "unclosed", "dispose", "cleanup"),
    "typo": ("typo", "misspell", "spelling", "grammar", "whitespace", "indent", "format"),
    "perf": ("perform", "slow", "n+1", "quadratic", "cache", "memory", "expensive"),
    "error": ("exception", "error handling", "unhandled", "swallow", "catch", "rescue"),
    "type": ("type ", "typed", "typing", "cast", "coerc", "string instead", "integer"),
    "test": ("test", "spec ", "assert", "coverage"),
    "bounds": ("off-by-one", "off by one", "overflow", "out of bounds", "index", "limit"),
    "time": ("timezone", "time zone", "utc", "date", "timestamp", "dst"),
    "doc": ("comment", "documentation", "docstring", "readme"),
    "dead": ("unused", "dead code", "redundant", "duplicat", "unreachable"),
}
_KIND_RE = {
    kind: re.compile("|".join(r"\b" + re.escape(s) for s in stems))
    for kind, stems in _KIND_STEMS.items()
}


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


def split_identifier(token: str) -> list[str]:
    """The lower-cased parts of a code identifier (``getUserId`` -> get, user, id)."""
    return [p.lower() for p in _PART_RE.findall(token)]


@lru_cache(maxsize=65536)
def _token_terms(token: str) -> tuple[tuple[str, float], ...]:
    """Terms of one token: its stemmed parts, plus the whole token if it is an identifier.

    Callers cut the token first (`MAX_TERM_CHARS`, or the configured `term_chars`).
    """
    parts = [p for p in split_identifier(token) if p]
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


def finding_terms(f: Finding, term_chars: int, text_chars: int) -> dict[str, float]:
    """Weighted terms of one finding (title counted twice; backticked code spans double).

    Only the first `text_chars` characters of the finding's text are read and
    tokens are cut to `term_chars`, so no finding can make matching unbounded.
    """
    text = f"{f.title}\n{f.title}\n{f.detail}\n{f.suggestion}"[:text_chars]
    terms: dict[str, float] = {}
    _add_terms(terms, text, term_chars)
    for span in _SPAN_RE.findall(text):
        _add_terms(terms, span, term_chars)
    return terms


@lru_cache(maxsize=16384)  # each entry ~1 KB: the cache stays under ~20 MB
def char_grams(word: str) -> tuple[str, ...]:
    """Character 3- and 4-grams of a word padded with spaces (identifiers excluded)."""
    if word.startswith("§"):
        return ()
    padded = f" {word} "
    return tuple(padded[i : i + n] for n in (3, 4) for i in range(len(padded) - n + 1))


def category_words(category: str) -> frozenset[str]:
    """The stemmed content words of a category ("security/auth" -> security, auth)."""
    return frozenset(
        _stem(p) for p in split_identifier(category) if p not in _STOPWORDS and len(p) > 1
    )


def line_range(f: Finding) -> tuple[int, int] | None:
    """The finding's lines as (first, last); one given end stands for both; None if neither."""
    start, end = f.line_start, f.line_end
    if start is None and end is None:
        return None
    s = start if start is not None else end
    e = end if end is not None else start
    assert s is not None and e is not None
    return (min(s, e), max(s, e))


def _text(f: Finding) -> str:
    return f"{f.title}\n{f.detail}\n{f.suggestion}"[:MAX_TEXT_CHARS]


def identifiers(f: Finding, terms: Iterable[str] | None = None) -> frozenset[str]:
    """The code names a finding mentions: whole identifiers and backticked spans.

    `terms`, the finding's terms if already extracted, saves tokenising again.
    """
    text = _text(f)
    if terms is None:
        terms = (t for t, _ in _terms_of(text))
    out = {t for t in terms if t.startswith("§")}
    for span in _BACKTICK_RE.findall(text):
        span = span.strip().lower()[:MAX_TERM_CHARS]
        if len(span) >= 2:
            out.add("`" + span)
    return frozenset(out)


def _terms_of(text: str) -> list[tuple[str, float]]:
    return [tw for token in _IDENT_RE.findall(text) for tw in _token_terms(token[:MAX_TERM_CHARS])]


def kinds(f: Finding) -> frozenset[str]:
    """The kinds of problem the title and category name (title first: it says what it is)."""
    text = f"{f.title[:MAX_TEXT_CHARS]} {f.category[:MAX_TERM_CHARS]}".lower()
    return frozenset(k for k, rx in _KIND_RE.items() if rx.search(text))


def numbers(f: Finding) -> frozenset[str]:
    """Numbers of two or more digits in the finding's text."""
    return frozenset(_NUMBER_RE.findall(_text(f)))


# --------------------------------------------------------------------------- signals


def jaccard_table(sets_a: list[frozenset[str]], sets_b: list[frozenset[str]]) -> np.ndarray:
    """Jaccard overlap of every (a, b) pair of sets.

    The intersections are one matrix product of the two set-membership
    matrices (dense when small, sparse otherwise): a pair loop in Python took
    minutes on thousands of findings sharing the same identifiers.
    """
    import numpy as np

    out = np.zeros((len(sets_a), len(sets_b)))
    vocab: dict[str, int] = {}

    def members(sets: list[frozenset[str]]) -> tuple[list[int], list[int]]:
        rows: list[int] = []
        cols: list[int] = []
        for i, s in enumerate(sets):
            for t in s:
                rows.append(i)
                cols.append(vocab.setdefault(t, len(vocab)))
        return rows, cols

    ra, ca = members(sets_a)
    rb, cb = members(sets_b)
    if not ra or not rb:
        return out
    nv = len(vocab)
    if (len(sets_a) + len(sets_b)) * nv <= 4_000_000:
        ma = np.zeros((len(sets_a), nv))
        ma[ra, ca] = 1.0
        mb = np.zeros((len(sets_b), nv))
        mb[rb, cb] = 1.0
        out = ma @ mb.T
    else:
        from duo_tui.core.triage_sparse import Csr, SplitRight

        na = len(sets_a)
        rows = np.asarray(ra + [na + r for r in rb], dtype=np.int64)
        cols = np.asarray(ca + cb, dtype=np.int64)
        both = Csr.from_coo(rows, cols, np.ones(len(rows)), (na + len(sets_b), nv))
        out = SplitRight(both, na, max(32, both.shape[0] // 40)).cross(both.rows(0, na))
    if out.any():
        la = np.array([len(s) for s in sets_a], dtype=float)
        lb = np.array([len(s) for s in sets_b], dtype=float)
        union = la[:, None] + lb[None, :] - out
        out = np.divide(out, union, out=np.zeros_like(out), where=union > 0)
    return out
