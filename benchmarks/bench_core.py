"""Core operations without a UI: triage matching, SEARCH/REPLACE edits, git diff + commit.

    python benchmarks/bench_core.py [--quick]

* triage: `match_reviews` on 1,000 findings per side (the synthetic reviews of
  `bench_triage.py`), median of 3 runs.
* edits: 200 SEARCH/REPLACE blocks over 50 files of 200 lines, parsed with
  `parse_edits` and applied with `apply_edits`, median of 3 fresh copies.
* git: 50 changed files in a `SessionWorktree`; `diff()` then `commit()`,
  median of 3 rounds.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, emit, median


def bench_triage(quick: bool) -> Row:
    import bench_triage

    n = 50 if quick else 1000
    seconds, pairs = bench_triage.speed(n, 3)
    return Row(
        f"triage: {n} x {n} findings",
        f"{seconds * 1000:.0f} ms",
        "<= 500 ms",
        seconds <= 0.5,
        f"{pairs} pairs; median of 3 (bench_triage.speed)",
    )


def _source(k: int, lines: int) -> str:
    return "".join(
        f"def f_{k}_{i}(x):  # line {i}\n" if i % 5 == 0 else f"    value_{k}_{i} = x + {i}\n"
        for i in range(lines)
    )


def _answer(files: int, blocks_per_file: int, lines: int) -> str:
    out = ["Here are the edits.\n"]
    stride = lines // blocks_per_file
    for k in range(files):
        for b in range(blocks_per_file):
            i = b * stride + 1
            old = [f"    value_{k}_{j} = x + {j}\n" for j in (i, i + 1, i + 2)]
            new = [f"    value_{k}_{j} = x * {j}  # changed\n" for j in (i, i + 1, i + 2)]
            out.append(
                f"pkg/mod_{k}.py\n```python\n<<<<<<< SEARCH\n{''.join(old)}=======\n"
                f"{''.join(new)}>>>>>>> REPLACE\n```\n\n"
            )
    return "".join(out)


def bench_edits(quick: bool) -> Row:
    from duo_tui.core.edits import apply_edits, parse_edits

    files, per_file, lines = (10, 2, 50) if quick else (50, 4, 200)
    answer = _answer(files, per_file, lines)
    base = Path(tempfile.mkdtemp(prefix="duo-bench-edits-"))
    times = []
    try:
        for run in range(3):
            root = base / f"r{run}"
            (root / "pkg").mkdir(parents=True)
            for k in range(files):
                (root / "pkg" / f"mod_{k}.py").write_text(_source(k, lines))
            t0 = time.perf_counter()
            parsed = parse_edits(answer)
            result = apply_edits(root, parsed.blocks)
            times.append(time.perf_counter() - t0)
            assert parsed.ok and len(parsed.blocks) == files * per_file, parsed.errors[:3]
            assert len(result.changed) == files
    finally:
        shutil.rmtree(base, ignore_errors=True)
    t = median(times)
    return Row(
        f"edits: {files * per_file} blocks over {files} files",
        f"{t * 1000:.0f} ms",
        "<= 1000 ms",
        t <= 1.0,
        "parse_edits + apply_edits, median of 3",
    )


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def bench_git(quick: bool) -> Row:
    from duo_tui.vcs.worktree import SessionWorktree

    files = 10 if quick else 50
    base = Path(tempfile.mkdtemp(prefix="duo-bench-git-"))
    repo = base / "repo"
    (repo / "pkg").mkdir(parents=True)
    try:
        _git(repo, "init", "-q", "-b", "main")
        _git(repo, "config", "user.email", "bench@example.invalid")
        _git(repo, "config", "user.name", "bench")
        for k in range(files):
            (repo / "pkg" / f"mod_{k}.py").write_text(_source(k, 200))
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", "init")
        wt = SessionWorktree.create(repo, "bench")
        times, diff_t = [], []
        for run in range(4):
            for k in range(files):
                p = wt.path / "pkg" / f"mod_{k}.py"
                p.write_text(p.read_text() + f"# round {run}\n")
            t0 = time.perf_counter()
            diff = wt.diff()
            t1 = time.perf_counter()
            wt.commit(f"feat(bench): round {run}")
            t2 = time.perf_counter()
            assert diff.count("diff --git") == files
            if run:  # the first round warms git's caches
                times.append(t2 - t0)
                diff_t.append(t1 - t0)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    t = median(times)
    return Row(
        f"git: diff + commit of {files} files",
        f"{t * 1000:.0f} ms",
        "<= 50 ms",
        t <= 0.050,
        f"diff {median(diff_t) * 1000:.0f} ms of it; median of 3"
        + (
            ""
            if t <= 0.050
            else "; each git call is a process (~5-10 ms here): fewer calls per commit"
        ),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    emit([bench_triage(args.quick), bench_edits(args.quick), bench_git(args.quick)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
