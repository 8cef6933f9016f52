"""Smoke run of the benchmarks (`benchmarks/run.py --quick`) so they cannot rot.

Not a timed test: the figures of a quick run are not checked against the
targets; only that every benchmark runs and prints its row in the table.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import HEADER, MODULES  # noqa: E402


def test_quick_run_prints_every_row() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    header = next((ln for ln in lines if ln.startswith("| benchmark")), None)
    assert header is not None, proc.stdout
    assert [c.strip() for c in header.strip("|").split("|")] == list(HEADER)
    rows = [ln for ln in lines if ln.startswith("| ") and ln is not header]
    for _script, prefixes in MODULES.values():
        for prefix in prefixes:
            matching = [r for r in rows if r[2:].startswith(prefix)]
            assert matching, f"no row for {prefix!r}:\n{proc.stdout}"
            assert "| failed " not in matching[0], matching[0]
