"""Benchmark review triage: accuracy on both development sets and speed.

    python benchmarks/bench_triage.py [--dev DIR] [--crb DIR] [--quick] [--crossover]

Accuracy on triage-dev (hand-labelled): pooled (micro-averaged) pair precision,
recall and F1 over the `case-*.json` files (``truth.pairs``), severity-kind
accuracy on the correctly predicted pairs, and every error per case.

Accuracy on triage-crb-dev (real reviews of public PRs, truth from golden
issues; the definitions of its ``score.py``): recall of golden issues both
tools found, precision of pairs whose findings both match a golden issue, F1,
and the agreement lift (share of real findings among agreed ones over the share
among findings only one tool raised). These are training-set figures of the
shipped model; ``benchmarks/train_triage.py`` prints the held-out ones.

Speed: median wall time of `match_reviews` on synthetic reviews of 1,000
findings per side (``--quick``: 50, for a CI smoke run), and the wall time of
the whole ``duo-tui triage A B --json`` command (start-up included) for 20 x 20
and 1,000 x 1,000 findings, and under it the start-up floor (the interpreter,
the imports of ``triage --json``, and what pydantic and numpy would add). The
command runs with bytecode caching on (as an installed package has it) after
one warm-up run, whatever ``PYTHONDONTWRITEBYTECODE`` says. ``--crossover``
adds where the numpy scorer starts to pay for its import: the plain-Python
scorer (`duo_tui.core.triage_pure`) against numpy's, import included, for
growing square inputs.

The sets default to ``../shared/triage-dev`` and ``../shared/triage-crb-dev``
next to the repository (or its worktree folder), or ``$DUO_TRIAGE_DEV``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
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


def _shared(name: str) -> Path:
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / name).is_dir():
            return base / "shared" / name
    return ROOT.parent / "shared" / name


def default_dev_dir() -> Path:
    env = os.environ.get("DUO_TRIAGE_DEV")
    return Path(env) if env else _shared("triage-dev")


@dataclass
class CrbScore:
    """triage-crb-dev counts, with its score.py's definitions."""

    good: int = 0
    bad: int = 0
    hit: int = 0
    total: int = 0
    agree_real: int = 0
    agree_n: int = 0
    only_real: int = 0
    only_n: int = 0
    groups: int = 0

    @property
    def precision(self) -> float:
        return self.good / max(1, self.good + self.bad)

    @property
    def recall(self) -> float:
        return self.hit / max(1, self.total)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def lift(self) -> float:
        agreed = self.agree_real / max(1, self.agree_n)
        only = self.only_real / max(1, self.only_n)
        return agreed / only if only else 0.0


def evaluate_crb(crb: Path) -> tuple[CrbScore, int]:
    """Score `match_reviews` on triage-crb-dev like its score.py does."""
    sc = CrbScore()
    cases = sorted(crb.glob("case-*.json"))
    for path in cases:
        c = json.loads(path.read_text(encoding="utf-8"))
        ga = {k: set(v) for k, v in c["gold_a"].items()}
        gb = {k: set(v) for k, v in c["gold_b"].items()}
        result = match_reviews(Review.model_validate(c["a"]), Review.model_validate(c["b"]))
        sc.groups += len(result.groups)
        both = set().union(*ga.values()) & set().union(*gb.values()) if ga and gb else set()
        sc.total += len(both)
        got: set[str] = set()
        for p in result.pairs:
            sx, sy = ga.get(p.a, set()), gb.get(p.b, set())
            if sx and sy:
                if sx & sy:
                    sc.good += 1
                    got |= sx & sy
                else:
                    sc.bad += 1
            for s in (sx, sy):
                sc.agree_n += 1
                sc.agree_real += bool(s)
        sc.hit += len(got & both)
        for fid in result.only_a:
            sc.only_n += 1
            sc.only_real += bool(ga.get(fid))
        for fid in result.only_b:
            sc.only_n += 1
            sc.only_real += bool(gb.get(fid))
    return sc, len(cases)


def _env() -> dict[str, str]:
    """The environment of timed child processes: this tree first, bytecode cached."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(ROOT)}


def startup_wall(code: str, runs: int = 5) -> float:
    """Median wall seconds of ``python -c CODE``: the floor under the command's figure."""
    env = _env()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def command_wall(n: int, runs: int = 5) -> float:
    """Median wall seconds of ``duo-tui triage A B --json`` on `n` x `n` findings."""
    a, b = synthetic(n)
    with tempfile.TemporaryDirectory() as tmp:
        pa, pb = Path(tmp) / "a.json", Path(tmp) / "b.json"
        pa.write_text(a.model_dump_json(), encoding="utf-8")
        pb.write_text(b.model_dump_json(), encoding="utf-8")
        env = _env()
        cmd = [sys.executable, "-m", "duo_tui", "triage", str(pa), str(pb), "--json"]
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=tmp)  # warm-up
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=tmp)
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


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


def crossover(sizes: tuple[int, ...] = (10, 20, 25, 30, 35, 50), runs: int = 5) -> None:
    """Print the plain-Python scorer against numpy's (import included) on n x n findings."""
    from duo_tui.core import triage, triage_features
    from duo_tui.core.triage_pure import PURE_MAX_CELLS, PURE_MAX_WORK, match_small

    def cold() -> None:  # a fresh process has cold caches
        triage_features._token_terms.cache_clear()
        triage_features.char_grams.cache_clear()

    numpy_import = startup_wall("import numpy") - startup_wall("pass")
    print(f"numpy import (wall, median): {numpy_import * 1000:.0f} ms")
    print(f"{'n x n':<10}{'plain Python':>14}{'numpy + import':>16}")
    for n in sizes:
        a, b = synthetic(n)
        pure, with_np = [], []
        declined = False
        for _ in range(runs):
            cold()
            t0 = time.perf_counter()
            declined = match_small(a.findings, b.findings, None, 200) is None
            pure.append(time.perf_counter() - t0)
            cold()
            saved, triage.PURE_MAX_CELLS = triage.PURE_MAX_CELLS, 0
            t0 = time.perf_counter()
            triage.match_findings(a.findings, b.findings)
            with_np.append(time.perf_counter() - t0 + numpy_import)
            triage.PURE_MAX_CELLS = saved
        p, q = statistics.median(pure), statistics.median(with_np)
        mine = "declined" if declined else f"{p * 1000:.0f} ms"
        print(f"{f'{n} x {n}':<10}{mine:>14}{q * 1000:>13.0f} ms")
    print(
        f"(plain Python up to {PURE_MAX_CELLS} pairs and {PURE_MAX_WORK:,} multiply-adds, "
        "unless numpy would go sparse: then it declines)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=None, help="development set directory")
    parser.add_argument("--crb", type=Path, default=None, help="triage-crb-dev directory")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for CI smoke runs")
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument(
        "--crossover", action="store_true", help="plain Python vs numpy scorer by input size"
    )
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
    crb = args.crb or _shared("triage-crb-dev")
    print("-" * 48)
    if crb.is_dir():
        cs, n_crb = evaluate_crb(crb)
        print(f"CRB set: {crb} ({n_crb} cases)")
        print(f"{'F1 / P / R':<32}{cs.f1:.3f} / {cs.precision:.3f} / {cs.recall:.3f}")
        print(f"{'agreement lift':<32}{cs.lift:.2f}x")
        print(f"{'one-to-many groups':<32}{cs.groups}")
    else:
        print(f"CRB set: {crb} not found; skipped")
    n, runs = (50, 3) if args.quick else (1000, 5)
    median, pairs = speed(n, runs)
    print("-" * 48)
    print(f"{f'match {n} x {n} findings (median)':<32}{median * 1000:.0f} ms ({pairs} pairs)")
    for size in (20,) if args.quick else (20, 1000):
        wall = command_wall(size)
        print(f"{f'duo-tui triage {size} x {size} (wall)':<32}{wall * 1000:.0f} ms")
    # What start-up alone costs: the interpreter, then what `triage --json` imports
    # (the CLI, the plain reader and scorer), then what pydantic and numpy would add.
    floor = startup_wall("pass")
    imports = startup_wall("import duo_tui.cli, duo_tui.triage_command, duo_tui.config_files")
    heavy = startup_wall(
        "import duo_tui.cli, duo_tui.triage_command, duo_tui.config, duo_tui.core.reviews, numpy"
    )
    print(f"{'python start (wall)':<32}{floor * 1000:.0f} ms")
    print(f"{'+ what triage --json imports':<32}{imports * 1000:.0f} ms")
    print(f"{'+ pydantic models, numpy':<32}{heavy * 1000:.0f} ms (not imported for 20 x 20)")
    if args.crossover:
        print("-" * 48)
        crossover()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
