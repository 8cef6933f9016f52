"""The plain-Python pair scorer gives the numpy scorer's probabilities (issue 18, speed).

`duo_tui.core.triage_pure` scores inputs of at most `PURE_MAX_CELLS` pairs so
that `duo-tui triage` need not import numpy for a typical pair of reviews. It
must be the same scorer: every pair probability within 1e-9 of the numpy one,
and the same pairs and groups, on the vendored dev cases and on random reviews.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from duo_tui.core import triage
from duo_tui.core.models import Finding, Review
from duo_tui.core.triage_groups import one_to_many, one_to_many_rows
from duo_tui.core.triage_pure import PURE_MAX_CELLS, match_small, pure_probabilities
from duo_tui.core.triage_scorer import PairScorer

from .contract_cases import MINI, random_pair


def _numpy_probabilities(a: list[Finding], b: list[Finding]) -> np.ndarray:
    return PairScorer(a, b, 200).probabilities(0, len(a))


def _pairs() -> list[tuple[str, list[Finding], list[Finding]]]:
    out = []
    for path in sorted(MINI.glob("case-*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        a, b = Review.model_validate(data["a"]), Review.model_validate(data["b"])
        out.append((path.stem, a.findings, b.findings))
    for seed in range(12):
        rng = random.Random(seed)
        na, nb = rng.randint(1, 50), rng.randint(1, 50)
        ra, rb = random_pair(100 + seed, na, nb)
        a, b = Review.model_validate(ra), Review.model_validate(rb)
        out.append((f"random-{seed}", a.findings, b.findings))
    return out


PAIRS = _pairs()


@pytest.mark.parametrize(("name", "a", "b"), PAIRS, ids=[p[0] for p in PAIRS])
def test_same_probabilities_as_numpy(name: str, a: list[Finding], b: list[Finding]) -> None:
    pure = pure_probabilities(a, b, 200)
    assert pure is not None
    want = _numpy_probabilities(a, b)
    assert np.abs(np.array(pure) - want).max() <= 1e-9


@pytest.mark.parametrize(("name", "a", "b"), PAIRS, ids=[p[0] for p in PAIRS])
def test_same_pairs_and_groups_as_numpy(
    name: str, a: list[Finding], b: list[Finding], monkeypatch: pytest.MonkeyPatch
) -> None:
    small = match_small(a, b, None, 200)
    assert small is not None
    monkeypatch.setattr(triage, "PURE_MAX_CELLS", 0)  # force the numpy scorer
    pairs, score, groups = triage.match_findings(a, b)
    assert small[0] == pairs and small[2] == groups
    assert small[1].keys() == score.keys()
    assert all(abs(small[1][k] - score[k]) <= 1e-9 for k in score)


def test_a_given_threshold_is_applied_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    _, a, b = PAIRS[0]
    for thr in (0.05, 0.5, 0.9):
        small = match_small(a, b, thr, 200)
        assert small is not None
        monkeypatch.setattr(triage, "PURE_MAX_CELLS", 0)
        assert triage.match_findings(a, b, thr)[0] == small[0]
        monkeypatch.undo()


def test_small_inputs_use_it_and_large_ones_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def spy(a, b, threshold, term_chars):  # type: ignore[no-untyped-def]
        calls.append(len(a) * len(b))
        return match_small(a, b, threshold, term_chars)

    monkeypatch.setattr(triage, "match_small", spy)
    ra, rb = random_pair(7, 50, 50)
    a, b = Review.model_validate(ra), Review.model_validate(rb)
    triage.match_reviews(a, b)
    assert calls == [2500] and PURE_MAX_CELLS >= 2500
    ra, rb = random_pair(7, 60, 50)
    triage.match_reviews(Review.model_validate(ra), Review.model_validate(rb))
    assert calls == [2500]  # 3000 pairs: numpy


def test_long_findings_are_left_to_the_numpy_scorer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where numpy holds the matrices sparse (float32 products) only it gives its scores."""
    rng = random.Random(1)
    syllables = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
    vocab = sorted({"".join(rng.choices(syllables, k=4)) for _ in range(20000)})

    def finding(k: int) -> Finding:
        return Finding(
            id=f"F{k}", severity="low", title="t", detail=" ".join(rng.choices(vocab, k=400))
        )

    a, b = [finding(k) for k in range(20)], [finding(k) for k in range(20)]
    assert PairScorer(a, b, 200).mx.sparse
    assert pure_probabilities(a, b, 200) is None and match_small(a, b, None, 200) is None
    got = triage.match_findings(a, b)  # falls back to numpy
    monkeypatch.setattr(triage, "PURE_MAX_CELLS", 0)
    assert got == triage.match_findings(a, b) and got[0]


def test_findings_sharing_much_text_are_left_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """50 x 50 findings repeating one long text: millions of multiply-adds in Python
    (seconds), one matrix product in numpy; the plain scorer declines them."""
    words = [f"w{k}x{k * 7 % 13}" for k in range(200)]
    detail = " ".join(words)
    a = [Finding(id=f"A{i}", severity="low", title="same", detail=detail) for i in range(50)]
    b = [Finding(id=f"B{i}", severity="low", title="same", detail=detail) for i in range(50)]
    assert not PairScorer(a, b, 200).mx.sparse  # declined for the work, not sparsity
    assert match_small(a, b, None, 200) is None
    got = triage.match_findings(a, b)
    monkeypatch.setattr(triage, "PURE_MAX_CELLS", 0)
    assert got == triage.match_findings(a, b) and len(got[0]) == 50


def test_one_to_many_of_rows_matches_numpy() -> None:
    rng = random.Random(4)
    for _ in range(300):
        na, nb = rng.randint(1, 6), rng.randint(1, 6)
        prob = [
            [rng.choice((0.0, 0.3, 0.61, 0.7, 0.7, 0.95)) for _ in range(nb)] for _ in range(na)
        ]
        cols = rng.sample(range(nb), min(na, nb))
        pairs = sorted(zip(rng.sample(range(na), len(cols)), cols, strict=True))
        assert one_to_many_rows(prob, pairs) == one_to_many(np.array(prob), pairs)
