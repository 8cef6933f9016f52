"""Shared helpers for the benchmarks: result rows, RSS, percentiles, child-process plumbing.

Every `bench_*.py` module prints its rows as one JSON line prefixed with
`ROWS ` on stdout; `run.py` collects them into the table.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024


@dataclass
class Row:
    """One line of the results table."""

    name: str
    measured: str
    target: str
    met: bool | None  # None: informational, no target
    note: str = ""


def emit(rows: list[Row]) -> None:
    """Print the rows for `run.py` (one JSON line)."""
    print("ROWS " + json.dumps([asdict(r) for r in rows]), flush=True)


def parse_rows(stdout: str) -> list[Row]:
    for line in reversed(stdout.splitlines()):
        if line.startswith("ROWS "):
            return [Row(**d) for d in json.loads(line[5:])]
    return []


def proc_status(field: str) -> float:
    """A memory field of /proc/self/status (e.g. VmRSS, VmHWM) in MiB; NaN where unavailable."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024 / MIB
    except OSError:
        pass
    return math.nan


def percentile(values: list[float], p: float) -> float:
    """The `p`-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def child_env() -> dict[str, str]:
    """Environment for child processes: the repository importable, no stray API settings."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    for name in ("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE", "TEXTUAL_DRIVER"):
        env.pop(name, None)
    env.setdefault("TERM", "xterm-256color")
    env["DUO_TUI_DEMO_PACE"] = env.get("DUO_TUI_DEMO_PACE", "900")
    return env


def run_child(args: list[str], timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run `python args...` with the benchmark environment; stdin closed."""
    return subprocess.run(
        [sys.executable, *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env=child_env(),
        cwd=ROOT,
        check=False,
    )


def ms(seconds: float) -> str:
    return "n/a" if math.isnan(seconds) else f"{seconds * 1000:.0f} ms"
