"""Regression guard: the matcher's figures on triage-crb-dev (issue 18's targets).

triage-crb-dev is 900 pairs of real reviews of public pull requests, its truth the
benchmark's golden issues (see its README). Scored as its ``score.py`` scores (the
definitions of ``benchmarks/bench_triage.py``, through `match_reviews`, so the plain
scorer a real triage uses): F1 at least 0.85 at precision at least 0.95, and the
agreement lift (how much likelier an agreed finding is real than one only one
reviewer raised) at least 2.8x. Runs when the set is beside the repository or its
worktree folder (or at $DUO_TRIAGE_CRB_DEV), and is skipped with its path in the
reason otherwise. About 3 s.
"""

from __future__ import annotations

import sys

import pytest

from .helpers import ROOT, shared_set

CRB = shared_set("triage-crb-dev", "DUO_TRIAGE_CRB_DEV")


@pytest.mark.skipif(not any(CRB.glob("case-*.json")), reason=f"no triage-crb-dev set at {CRB}")
def test_crb_dev_set_meets_the_targets() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_triage import evaluate_crb

    score, n_cases = evaluate_crb(CRB)
    assert n_cases >= 900, n_cases
    figures = f"F1 {score.f1:.3f} P {score.precision:.3f} lift {score.lift:.2f}"
    assert score.precision >= 0.95, figures
    assert score.f1 >= 0.85, figures  # issue 18: 0.661 before the learned matcher
    assert score.lift >= 2.8, figures
