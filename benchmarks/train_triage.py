"""Fit the triage matcher's pair scorer and measure it held out.

    python benchmarks/train_triage.py [--crb DIR] [--dev DIR] [--write]

Data: ``../shared/triage-crb-dev`` (real reviews of public PRs; truth from the
benchmark's golden issues, see its README) and ``../shared/triage-dev``
(hand-labelled pairs). Every A x B candidate of a case is one example of the
signals in `duo_tui.core.triage_features`:
- positive: the two findings are tied to a common golden issue / a truth pair;
- negative: tied to different golden issues, or only one of them to one (the
  latter is what keeps agreement meaningful: an agreed pair should be real);
  in triage-dev every non-truth candidate;
- unknown (neither tied to a golden issue): left out.

The model is L2-regularised logistic regression (Newton steps, numpy;
deterministic). Cross-validation splits by pull request (CRB) and by case
(triage-dev) into 5 folds, and also leave-one-repository-out on CRB, and prints
the held-out F1, precision, recall and agreement lift with the same definitions
as the sets' scorers, after the one-to-one assignment. ``--write`` refits on
everything and writes ``duo_tui/core/triage_weights.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from duo_tui.core.models import Review  # noqa: E402
from duo_tui.core.triage import _assign as assign  # noqa: E402
from duo_tui.core.triage_features import FEATURES  # noqa: E402
from duo_tui.core.triage_model import WEIGHTS_FILE  # noqa: E402
from duo_tui.core.triage_scorer import PairScorer  # noqa: E402

L2 = 1.0
#: Pairing thresholds (files unknown, files known) chosen from the held-out scores.
DEFAULT_THRESHOLDS = (0.2, 0.5)
#: Weight of a triage-dev example against a CRB one (that set is 40x smaller).
DEV_WEIGHT = 15.0
FOLDS = 5


@dataclass
class Case:
    """One pair of reviews with its signals and labels."""

    source: str  # "crb" or "dev"
    group: str  # the pull request / case, for the folds
    repo: str
    a: Review
    b: Review
    x: np.ndarray  # (na * nb, n_features)
    y: np.ndarray  # 1 / 0 / -1 unknown
    gold_a: dict[str, set[str]]
    gold_b: dict[str, set[str]]
    truth: set[tuple[str, str]]


def shared_dir(name: str) -> Path:
    """``../shared/NAME`` of the repository (or of a worktree's parent folder)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / name).is_dir():
            return base / "shared" / name
    return ROOT.parent / "shared" / name


def _signals(a: Review, b: Review) -> np.ndarray:
    feats = PairScorer(a.findings, b.findings, 200).features(0, len(a.findings))
    return np.stack([feats[k].ravel() for k in FEATURES], axis=1)


def load_crb(path: Path) -> list[Case]:
    out = []
    for p in sorted(path.glob("case-*.json")):
        c = json.loads(p.read_text(encoding="utf-8"))
        a, b = Review.model_validate(c["a"]), Review.model_validate(c["b"])
        if not a.findings or not b.findings:
            continue
        ga = {k: set(v) for k, v in c["gold_a"].items()}
        gb = {k: set(v) for k, v in c["gold_b"].items()}
        y = []
        for fa in a.findings:
            for fb in b.findings:
                sa, sb = ga.get(fa.id, set()), gb.get(fb.id, set())
                y.append(1 if sa & sb else (0 if (sa or sb) else -1))
        repo = c["pr"].split("/")[-3]
        out.append(Case("crb", c["pr"], repo, a, b, _signals(a, b), np.array(y), ga, gb, set()))
    return out


def load_dev(path: Path) -> list[Case]:
    out = []
    for p in sorted(path.glob("case-*.json")):
        c = json.loads(p.read_text(encoding="utf-8"))
        a, b = Review.model_validate(c["a"]), Review.model_validate(c["b"])
        truth = {(x, y) for x, y in c["truth"]["pairs"]}
        y = [int((fa.id, fb.id) in truth) for fa in a.findings for fb in b.findings]
        out.append(Case("dev", p.stem, "dev", a, b, _signals(a, b), np.array(y), {}, {}, truth))
    return out


def _placed(x: np.ndarray) -> np.ndarray:
    return x[:, FEATURES.index("file_unknown")] == 0


def fit(cases: list[Case]) -> tuple[float, np.ndarray]:
    """L2 logistic regression by Newton's method; a dev example weighs `DEV_WEIGHT`."""
    x = np.concatenate([c.x for c in cases])
    y = np.concatenate([c.y for c in cases]).astype(float)
    sw = np.concatenate(
        [np.full(len(c.y), DEV_WEIGHT if c.source == "dev" else 1.0) for c in cases]
    )
    keep = y >= 0
    x, y, sw = x[keep], y[keep], sw[keep]
    x1 = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(x1.shape[1])
    reg = np.full(x1.shape[1], L2)
    reg[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(x1 @ w)))
        grad = x1.T @ (sw * (p - y)) + reg * w
        hess = (x1 * (sw * p * (1 - p))[:, None]).T @ x1 + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), w[1:]


def predict(case: Case, model: tuple[float, np.ndarray]) -> np.ndarray:
    z = model[0] + case.x @ model[1]
    return (1.0 / (1.0 + np.exp(-z))).reshape(len(case.a.findings), len(case.b.findings))


@dataclass
class Tally:
    good: int = 0
    bad: int = 0
    hit: int = 0
    total: int = 0
    ag_real: int = 0
    ag_n: int = 0
    only_real: int = 0
    only_n: int = 0

    def line(self) -> str:
        p = self.good / max(1, self.good + self.bad)
        r = self.hit / max(1, self.total)
        f = 2 * p * r / max(1e-9, p + r)
        lift = (self.ag_real / max(1, self.ag_n)) / max(1e-9, self.only_real / max(1, self.only_n))
        return f"F1={f:.3f} P={p:.3f} R={r:.3f} lift={lift:.2f}"

    def f1_p(self) -> tuple[float, float]:
        p = self.good / max(1, self.good + self.bad)
        r = self.hit / max(1, self.total)
        return 2 * p * r / max(1e-9, p + r), p


def score(case: Case, prob: np.ndarray, threshold: tuple[float, float], t: Tally) -> None:
    """Add one case to the tally: score.py's definitions (CRB) or pair F1 (dev)."""
    placed = case.x[:, FEATURES.index("file_unknown")].reshape(prob.shape) == 0
    thr = np.where(placed, threshold[1], threshold[0])
    pairs = [(case.a.findings[i].id, case.b.findings[j].id) for i, j in assign(prob, thr)]
    if case.source == "dev":
        t.good += sum(p in case.truth for p in pairs)
        t.bad += sum(p not in case.truth for p in pairs)
        t.hit += sum(p in case.truth for p in pairs)
        t.total += len(case.truth)
        return
    ga, gb = case.gold_a, case.gold_b
    both = set().union(*ga.values()) & set().union(*gb.values()) if ga and gb else set()
    t.total += len(both)
    got: set[str] = set()
    for x, y in pairs:
        sx, sy = ga.get(x, set()), gb.get(y, set())
        if sx and sy:
            if sx & sy:
                t.good += 1
                got |= sx & sy
            else:
                t.bad += 1
        for s in (sx, sy):
            t.ag_n += 1
            t.ag_real += bool(s)
    t.hit += len(got & both)
    pa, pb = {x for x, _ in pairs}, {y for _, y in pairs}
    for f in case.a.findings:
        if f.id not in pa:
            t.only_n += 1
            t.only_real += bool(ga.get(f.id))
    for f in case.b.findings:
        if f.id not in pb:
            t.only_n += 1
            t.only_real += bool(gb.get(f.id))


def fold_of(case: Case) -> int:
    return zlib.crc32(case.group.encode()) % FOLDS


def held_out(cases: list[Case], split: str) -> dict[int, np.ndarray]:
    """Out-of-fold probabilities for every case (`split`: "group" folds or "repo")."""
    out: dict[int, np.ndarray] = {}
    keys = sorted({c.repo if split == "repo" else fold_of(c) for c in cases if c.source == "crb"})
    for k in keys:

        def held(c: Case, k: object = k) -> bool:
            if split == "repo":
                return c.source == "crb" and c.repo == k
            return fold_of(c) == k

        models = fit([c for c in cases if not held(c)])
        for i, c in enumerate(cases):
            if held(c):
                out[i] = predict(c, models)
    return out


def report(
    cases: list[Case], probs: dict[int, np.ndarray], thresholds: list[tuple[float, float]]
) -> None:
    for thr in thresholds:
        crb, dev = Tally(), Tally()
        for i, prob in probs.items():
            score(cases[i], prob, thr, crb if cases[i].source == "crb" else dev)
        print(f"  threshold {thr[0]:.2f} / placed {thr[1]:.2f}  crb {crb.line()}  dev {dev.line()}")


def weights_data(cases: list[Case], thresholds: tuple[float, float]) -> dict[str, object]:
    """The weights file's content: the model fitted on all of `cases`, rounded as shipped."""
    bias, w = fit(cases)
    return {
        "about": "duo-tui triage pair scorer; refit with benchmarks/train_triage.py --write",
        "features": list(FEATURES),
        "bias": round(bias, 4),
        "weights": [round(float(v), 4) for v in w],
        "threshold": thresholds[0],
        "threshold_placed": thresholds[1],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crb", type=Path, default=shared_dir("triage-crb-dev"))
    parser.add_argument("--dev", type=Path, default=shared_dir("triage-dev"))
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--threshold-placed", type=float, default=None)
    parser.add_argument("--write", action="store_true", help="write the weights file")
    args = parser.parse_args(argv)
    cases = load_crb(args.crb) + load_dev(args.dev)
    if not cases:
        parser.error(f"no cases in {args.crb} or {args.dev}")
    print(f"{len(cases)} cases, {sum(len(c.y) for c in cases)} candidate pairs")
    thresholds = (
        [(args.threshold, args.threshold_placed)]
        if args.threshold
        else [(t, tp) for t in (0.2, 0.25, 0.3) for tp in (0.45, 0.5, 0.55)]
    )
    print("held out, 5 folds by pull request / case:")
    report(cases, held_out(cases, "group"), thresholds)
    print("held out, leave one CRB repository out (dev cases always trained on):")
    report([c for c in cases], held_out(cases, "repo"), thresholds)
    data = weights_data(cases, thresholds[0] if args.threshold else DEFAULT_THRESHOLDS)
    print("fitted on everything:", json.dumps(data))
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
