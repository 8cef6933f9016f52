"""Run every duo-tui benchmark and print one table: benchmark | measured | target | met? | note.

    python benchmarks/run.py [--quick] [--only NAME,...]

Each benchmark module runs in its own subprocess (start-up, streaming and
memory children are fresh interpreters too), so no measurement inherits
another's imports, caches or heap. `--quick` uses tiny sizes and short runs:
it is the CI smoke run that keeps the benchmarks from rotting, not a
measurement; read the targets from a full run (see RESULTS.md).

Modules: startup (bench_startup), stream (bench_stream: steady, flood, growth,
memory), reviews (bench_reviews), core (bench_core: triage, edits, git),
diffview (bench_diffview).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, parse_rows, run_child

MODULES: dict[str, tuple[str, list[str]]] = {
    "startup": (
        "bench_startup.py",
        [
            "start-up: first frame, duo-tui --demo",
            "start-up: ratio to bare Textual app",
            "start-up: RSS at first frame",
            "start-up: nothing heavy before first frame",
            "start-up: key latency p95 while SDKs load",
        ],
    ),
    "stream": (
        "bench_stream.py",
        [
            "streaming 4x100 tok/s: CPU",
            "streaming 4x100 tok/s: key-to-frame p50",
            "streaming 4x100 tok/s: key-to-frame p95",
            "streaming 4x100 tok/s: lag at end",
            "streaming flooded: shown per pane",
            "streaming growth",
            "memory: peak RSS, SDKs + 4 panes",
        ],
    ),
    "reviews": ("bench_reviews.py", ["parallel reviews"]),
    "core": ("bench_core.py", ["triage", "edits", "git: diff + commit"]),
    "diffview": ("bench_diffview.py", ["large artifact"]),
}
"""Module -> (script, row-name prefixes it must produce, in table order)."""

HEADER = ("benchmark", "measured", "target", "met?", "note")


def run_module(name: str, quick: bool) -> list[Row]:
    script, expected = MODULES[name]
    t0 = time.perf_counter()
    try:
        proc = run_child(
            [str(Path(__file__).resolve().parent / script)] + (["--quick"] if quick else []),
            timeout_s=900,
        )
        rows = parse_rows(proc.stdout)
        problem = (
            "" if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
        )
    except subprocess.TimeoutExpired:
        rows, problem = [], "timed out"
    missing = [p for p in expected if not any(r.name.startswith(p) for r in rows)]
    for prefix in missing:
        rows.append(Row(prefix, "failed", "-", False, problem or f"{script} printed no such row"))
    print(
        f"  {name}: {len(rows)} row(s) in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    return rows


def table(rows: list[Row]) -> str:
    """A Markdown table (readable in a terminal too)."""
    cells = [HEADER] + [
        (
            r.name,
            r.measured,
            r.target,
            "n/a" if r.met is None else "yes" if r.met else "**NO**",
            r.note,
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADER))]
    lines = []
    for k, c in enumerate(cells):
        lines.append("| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |")
        if k == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: a smoke run, not a measurement"
    )
    parser.add_argument("--only", default="", help="comma-separated modules: " + ", ".join(MODULES))
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(MODULES)
    unknown = [n for n in names if n not in MODULES]
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"duo-tui benchmarks{' (quick smoke run: figures are not measurements)' if args.quick else ''}"
        f"; {os.cpu_count()} CPU(s), load {load:.2f}",
        flush=True,
    )
    rows: list[Row] = []
    for name in names:
        rows += run_module(name, args.quick)
    print(table(rows))
    missed = sum(1 for r in rows if r.met is False)
    print(
        f"\n{len(rows)} rows, {missed} target(s) missed"
        if missed
        else f"\n{len(rows)} rows, all targets met"
    )
    # Missed targets are findings, not failures: exit 1 only when a benchmark itself broke.
    return 1 if any(r.measured == "failed" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
