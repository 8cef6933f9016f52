"""Match the findings of two (or more) reviews that describe the same problem.

Two reviewers rarely word a problem the same way: they paraphrase, one names
the symptom and the other the root cause, they choose different categories and
severities, and their line ranges are offset, partial or missing. Titles alone
are not enough, so every candidate pair of findings gets a score from a few
principled signals:

* text: TF-IDF cosines over title + detail + suggestion of words (code
  identifiers kept whole *and* split) and of character 3- and 4-grams;
* code: shared identifiers and backticked spans; shared numbers;
* kind of problem (race, null, injection, leak, typo, ...): same or different;
* best match: how close the pair is to its row's and its column's best;
* place: same file, distance between line ranges; category overlap.

The signals (`duo_tui.core.triage_features`) are combined by a small logistic
model (`duo_tui.core.triage_model`, weights in ``triage_weights.json``, fitted
on real reviews by ``benchmarks/train_triage.py`` and measured held out) into
the probability that two findings are the same problem; `duo_tui.core.triage_scorer`
scores every pair that way. This module matches: a global one-to-one
assignment (Hungarian method, `duo_tui.core.triage_assign`) maximises the
total ``probability - threshold`` over the pairs above the threshold, so a
finding is never paired with its second-best match because a greedy pass took
its best one. The threshold is lower when a file is unknown (text is then all
the evidence there is) than when both findings name theirs.

Everything is deterministic: inputs are processed in review order, ties are
broken by that order. A typical pair of reviews (at most `PURE_MAX_CELLS`
pairs) is scored in plain Python by `duo_tui.core.triage_pure`, to the same
probabilities; numpy is imported only for larger inputs; no scipy
(`duo_tui.core.triage_sparse` has the sparse matrices large inputs need), and
no pydantic either unless `match_reviews` builds its `TriageResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from duo_tui.core.triage_assign import assign_edges
from duo_tui.core.triage_features import Finding
from duo_tui.core.triage_groups import one_to_many
from duo_tui.core.triage_pure import PURE_MAX_CELLS, Match, match_small
from duo_tui.core.triage_scorer import (
    BLOCK_CELLS,
    PairScorer,
    candidates,
    pair_thresholds,
    score_matrix,
)
from duo_tui.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from duo_tui.core.models import Review, TriageResult

__all__ = [
    "DEFAULT_THRESHOLD",
    "PURE_MAX_CELLS",
    "ambiguous_candidates",
    "contract_json",
    "match_findings",
    "match_reviews",
    "pair_thresholds",
    "score_matrix",
]

#: Minimum pair probability, when either file is unknown, for two findings to be
#: called the same problem (the shipped model's `threshold`; when both findings
#: name a file its `threshold_placed` applies).
DEFAULT_THRESHOLD = 0.2
#: Half-width of the probability band reported by `ambiguous_candidates`.
AMBIGUITY_MARGIN = 0.15


# --------------------------------------------------------------------------- assignment


def _assign(prob: np.ndarray, threshold: float | np.ndarray) -> list[tuple[int, int]]:
    """One-to-one pairs maximising the total of ``prob - threshold`` over kept pairs.

    `threshold` is one number or an array of `prob`'s shape (one per candidate).
    """
    import numpy as np

    thr = np.broadcast_to(threshold, prob.shape)
    rows, cols = np.nonzero(prob > thr)
    return _assign_edges(rows, cols, prob[rows, cols] - thr[rows, cols])


def _assign_edges(rows: np.ndarray, cols: np.ndarray, gains: np.ndarray) -> list[tuple[int, int]]:
    """`_assign` on the candidate pairs only: (row, column, probability - threshold > 0)."""
    return assign_edges(rows.tolist(), cols.tolist(), gains.tolist())


# --------------------------------------------------------------------------- two reviews


def match_findings(
    a: Sequence[Finding],
    b: Sequence[Finding],
    threshold: float | None = None,
    limits: Limits | None = None,
) -> Match:
    """(pairs, their probabilities, one-to-many groups) by index into `a` and `b`.

    At most `PURE_MAX_CELLS` pairs are scored in plain Python
    (`duo_tui.core.triage_pure`, no numpy import) unless the findings are long
    enough for sparse matrices; the rest by numpy, a block of rows at a time
    above `BLOCK_CELLS` (no groups then).
    """
    na, nb = len(a), len(b)
    if not (na and nb):
        return [], {}, []
    term_chars = (limits or DEFAULT_LIMITS).term_chars
    small = match_small(a, b, threshold, term_chars) if na * nb <= PURE_MAX_CELLS else None
    if small is not None:
        return small
    scorer = PairScorer(a, b, term_chars)
    if na * nb <= BLOCK_CELLS:
        prob = scorer.probabilities(0, na)
        pairs = _assign(prob, scorer.thresholds(0, na, threshold))
        score = {(i, j): float(prob[i, j]) for i, j in pairs}
        return pairs, score, one_to_many(prob, pairs)
    # large: scored a block of rows at a time, in bounded memory
    rows, cols, probs, gains = candidates(scorer, threshold)
    pairs = _assign_edges(rows, cols, gains)
    kept = set(pairs)
    score = {
        (i, j): p
        for i, j, p in zip(rows.tolist(), cols.tolist(), probs.tolist(), strict=True)
        if (i, j) in kept
    }
    return pairs, score, []


def match_reviews(
    a: Review, b: Review, threshold: float | None = None, limits: Limits | None = None
) -> TriageResult:
    """Pair the findings of review `a` with those of `b` that describe the same problem.

    Pairs are one-to-one; every finding id appears exactly once, in a pair or in
    `only_a` / `only_b` (in review order). `groups` extends a pair with findings
    of the other side it clearly covers (`duo_tui.core.triage_groups`; those stay
    in the only lists as well; inputs scored by blocks get no groups). `kind` is ``severity`` when the two
    severities differ, else ``agree``. `score` is the pair probability.
    """
    from duo_tui.core.models import PairKind, TriageGroup, TriagePair, TriageResult

    pairs, score, groups = match_findings(a.findings, b.findings, threshold, limits)
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
        groups=[
            TriageGroup(a=[a.findings[i].id for i in rows], b=[b.findings[j].id for j in cols])
            for rows, cols in groups
        ],
    )


def contract_json(
    a: Sequence[Finding],
    b: Sequence[Finding],
    threshold: float | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """`match_reviews(...).contract_json()` of two lists of findings, without pydantic.

    The DESIGN.md triage JSON of `duo-tui triage --json` (a test holds the two
    byte-identical).
    """
    pairs, _, groups = match_findings(a, b, threshold, limits)
    paired_a = {i for i, _ in pairs}
    paired_b = {j for _, j in pairs}
    out: dict[str, Any] = {
        "pairs": [
            {
                "a": a[i].id,
                "b": b[j].id,
                "kind": "agree" if a[i].severity == b[j].severity else "severity",
            }
            for i, j in pairs
        ],
        "only_a": [f.id for i, f in enumerate(a) if i not in paired_a],
        "only_b": [f.id for j, f in enumerate(b) if j not in paired_b],
    }
    if groups:
        out["groups"] = [
            {"a": [a[i].id for i in rows], "b": [b[j].id for j in cols]} for rows, cols in groups
        ]
    return out


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

    `paired` says whether `match_reviews` kept the pair. The optional judge model
    settles such pairs (`duo_tui.core.triage_judge.select_candidates`, same band).
    """
    import numpy as np

    prob = score_matrix(a.findings, b.findings)
    if not prob.size:
        return []
    thr = np.broadcast_to(pair_thresholds(a.findings, b.findings, threshold), prob.shape)
    kept = {(i, j) for i, j in _assign(prob, thr)}
    out: list[tuple[float, int, int]] = []
    for i in range(prob.shape[0]):
        for j in range(prob.shape[1]):
            gap = abs(float(prob[i, j]) - float(thr[i, j]))
            if gap <= margin:
                out.append((gap, i, j))
    return [
        AmbiguousCandidate(
            a=a.findings[i].id,
            b=b.findings[j].id,
            score=round(float(prob[i, j]), 4),
            paired=(i, j) in kept,
        )
        for _, i, j in sorted(out)
    ]
