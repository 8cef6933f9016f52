"""Retraining is reproducible: ``benchmarks/train_triage.py`` yields the shipped weights.

Fitted on both development sets (triage-crb-dev and triage-dev, as the script's
``--write`` fits them), the model must be the one in ``triage_weights.json``: the
same signals in the same order, the same thresholds, and every weight within one
unit of the file's last (fourth) decimal, so a change to a signal that is not
followed by a retrain fails here. Skipped, with the paths in the reason, when
either set is absent. About 8 s.
"""

from __future__ import annotations

import json
import sys

import pytest

from duo_tui.core.triage_model import WEIGHTS_FILE

from .helpers import ROOT, shared_set

CRB = shared_set("triage-crb-dev", "DUO_TRIAGE_CRB_DEV")
DEV = shared_set("triage-dev", "DUO_TRIAGE_DEV")


@pytest.mark.skipif(
    not (any(CRB.glob("case-*.json")) and any(DEV.glob("case-*.json"))),
    reason=f"needs both development sets: {CRB} and {DEV}",
)
def test_training_script_yields_the_shipped_weights() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import train_triage

    shipped = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    cases = train_triage.load_crb(CRB) + train_triage.load_dev(DEV)
    got = train_triage.weights_data(cases, train_triage.DEFAULT_THRESHOLDS)
    assert got["features"] == shipped["features"]
    assert (got["threshold"], got["threshold_placed"]) == (
        shipped["threshold"],
        shipped["threshold_placed"],
    )
    assert got["about"] == shipped["about"]
    fitted = [got["bias"], *got["weights"]]
    want = [shipped["bias"], *shipped["weights"]]
    assert len(fitted) == len(want)
    worst = max(abs(x - y) for x, y in zip(fitted, want, strict=True))
    assert worst <= 1.5e-4, (worst, fitted, want)
