"""The learned pair scorer: signals -> probability that two findings are the same problem.

A logistic model over the signals of `duo_tui.core.triage_features`. Its weights
and threshold ship as ``triage_weights.json`` next to this module (inside the
wheel); ``benchmarks/train_triage.py`` refits them reproducibly from the
development sets and prints the held-out (cross-validated) scores.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from duo_tui.core.triage_features import FEATURES

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["WEIGHTS_FILE", "Model", "load_model"]

WEIGHTS_FILE = Path(__file__).with_name("triage_weights.json")


@dataclass(frozen=True)
class Model:
    """Bias, one weight per signal (in `FEATURES` order) and the pairing thresholds.

    `threshold` applies when either file is unknown, `threshold_placed` when both
    findings name a file.
    """

    bias: float
    weights: tuple[float, ...]
    threshold: float
    threshold_placed: float

    def probability(self, feats: dict[str, np.ndarray], shape: tuple[int, int]) -> np.ndarray:
        """Pair probabilities, an array of `shape`, from the signals `feats`."""
        import numpy as np

        z = np.full(shape, self.bias)
        for name, w in zip(FEATURES, self.weights, strict=True):
            if w:
                z += w * feats[name]
        out: np.ndarray = 1.0 / (1.0 + np.exp(-z))
        return out


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The shipped model; a file naming other signals than `FEATURES` is an error."""
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    names = tuple(data["features"])
    if names != FEATURES:
        raise ValueError(f"{WEIGHTS_FILE.name} lists {names}, the matcher computes {FEATURES}")
    return Model(
        bias=float(data["bias"]),
        weights=tuple(float(w) for w in data["weights"]),
        threshold=float(data["threshold"]),
        threshold_placed=float(data["threshold_placed"]),
    )
