"""Benchmark review triage: accuracy on the development set and matching speed.

    python benchmarks/bench_triage.py [--dev DIR] [--quick]

Accuracy: pooled (micro-averaged) pair precision, recall and F1 over the
`case-*.json` files of the development set (``truth.pairs``), severity-kind
accuracy on the correctly predicted pairs, and every error per case. Speed:
median wall time of `match_reviews` on synthetic reviews of 1,000 findings per
side (``--quick``: 50, for a CI smoke run).

The development set defaults to ``../shared/triage-dev`` relative to the
repository root, or ``$DUO_TRIAGE_DEV``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from duo_tui.core.models import Finding, PairKind, Review, Severity  # noqa: E402
from duo_tui.core.triage import match_reviews  # noqa: E402


@dataclass
class Score:
    """Pooled counts over the development cases."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    kind_ok: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kind_ok / self.tp if self.tp else 1.0


def default_dev_dir() -> Path:
    env = os.environ.get("DUO_TRIAGE_DEV")
    return Path(env) if env else ROOT.parent / "shared" / "triage-dev"


def evaluate(dev: Path, threshold: float | None = None) -> tuple[Score, int]:
    """Score `match_reviews` on every case of `dev`; returns the score and case count."""
    score = Score()
    cases = sorted(dev.glob("case-*.json"))
    for path in cases:
        data = json.loads(path.read_text(encoding="utf-8"))
        a, b = Review.model_validate(data["a"]), Review.model_validate(data["b"])
        truth = {(x, y) for x, y in data["truth"]["pairs"]}
        result = match_reviews(a, b, threshold)
        predicted = {(p.a, p.b): p for p in result.pairs}
        for key, pair in sorted(predicted.items()):
            if key in truth:
                score.tp += 1
                fa, fb = a.finding(key[0]), b.finding(key[1])
                assert fa is not None and fb is not None
                want = PairKind.AGREE if fa.severity == fb.severity else PairKind.SEVERITY
                if pair.kind == want:
                    score.kind_ok += 1
                else:
                    score.errors.append(f"{path.stem}: kind {key} {pair.kind} != {want}")
            else:
                score.fp += 1
                score.errors.append(f"{path.stem}: false pair {key[0]}-{key[1]} ({pair.score})")
        for key in sorted(truth - predicted.keys()):
            score.fn += 1
            score.errors.append(f"{path.stem}: missed pair {key[0]}-{key[1]}")
    return score, len(cases)


_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]


def _vocabulary(rng: random.Random, size: int = 8000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic(n: int, seed: int = 7) -> tuple[Review, Review]:
    """Two reviews of `n` findings each; about half of B paraphrases a finding of A."""
    rng = random.Random(seed)
    files = [f"src/module_{k}.py" for k in range(max(1, n // 10))]
    sev = list(Severity)

    vocab = _vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]  # Zipf-like

    def text(k: int) -> str:
        return " ".join(rng.choices(vocab, weights, k=k))

    a_items = []
    for i in range(n):
        start = rng.randint(1, 400)
        a_items.append(
            Finding(
                id=f"F{i + 1}",
                severity=rng.choice(sev),
                category=rng.choice(["security", "bug", "performance", "style"]),
                file=rng.choice(files),
                line_start=start,
                line_end=start + rng.randint(0, 5),
                title=text(6),
                detail=text(30),
                suggestion=text(10),
            )
        )
    b_items = []
    for j in range(n):
        if j % 2 == 0:
            src = a_items[(j * 7) % n]
            words = (src.title + " " + src.detail).split()
            rng.shuffle(words)
            b_items.append(
                src.model_copy(
                    update={
                        "id": f"F{j + 1}",
                        "title": " ".join(words[:6]),
                        "detail": " ".join(words[6:30]) + " " + text(8),
                    }
                )
            )
        else:
            start = rng.randint(1, 400)
            b_items.append(
                Finding(
                    id=f"F{j + 1}",
                    severity=rng.choice(sev),
                    file=rng.choice(files),
                    line_start=start,
                    line_end=start + 2,
                    title=text(6),
                    detail=text(30),
                )
            )
    return Review(reviewer="syn/a", findings=a_items), Review(reviewer="syn/b", findings=b_items)


def speed(n: int, runs: int) -> tuple[float, int]:
    """Median seconds of `match_reviews` on `n` x `n` synthetic findings; and pair count."""
    a, b = synthetic(n)
    match_reviews(a, b)  # warm-up: lazy imports
    times = []
    pairs = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        pairs = len(match_reviews(a, b).pairs)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=None, help="development set directory")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI smoke runs")
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args(argv)

    dev = args.dev or default_dev_dir()
    print("triage benchmark")
    print("=" * 48)
    if dev.is_dir():
        score, n_cases = evaluate(dev, args.threshold)
        print(f"dev set: {dev} ({n_cases} cases)")
        print(f"{'pairs: tp / fp / fn':<32}{score.tp} / {score.fp} / {score.fn}")
        print(f"{'pair precision (pooled)':<32}{score.precision:.3f}")
        print(f"{'pair recall (pooled)':<32}{score.recall:.3f}")
        print(f"{'pair F1 (pooled)':<32}{score.f1:.3f}")
        print(f"{'severity-kind accuracy':<32}{score.kind_accuracy:.3f}")
        if score.errors:
            print("errors:")
            for line in score.errors:
                print(f"  {line}")
    else:
        print(f"dev set: {dev} not found; accuracy skipped")
    n, runs = (50, 3) if args.quick else (1000, 5)
    median, pairs = speed(n, runs)
    print("-" * 48)
    print(f"{f'match {n} x {n} findings (median)':<32}{median * 1000:.0f} ms ({pairs} pairs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
