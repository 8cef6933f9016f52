"""The Pilot suite's core flows and the screen snapshots on stock Textual (`DUO_TUI_STOCK_RENDER=1`).

The render switch (`duo_tui.ui.perf`) is read once, at import, so the flows run in a
child pytest with the variable set: the demo walk, the checkpoint keys, resume, and
every SVG snapshot (which must be identical on both paths: the speed-ups change how
fast a frame is made, never what is on it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CORE_FLOWS = [
    "tests/pilot/test_demo_walk.py",
    "tests/pilot/test_checkpoint_keys.py",
    "tests/pilot/test_resume_tui.py",
    "tests/snapshot/test_screens.py",
    "tests/snapshot/test_eval_screen.py",
    "tests/perf_package/test_switch.py",
]


def test_core_flows_and_snapshots_pass_on_stock_textual() -> None:
    env = {**os.environ, "DUO_TUI_STOCK_RENDER": "1", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *CORE_FLOWS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    tail = (run.stdout + run.stderr)[-4000:]
    assert run.returncode == 0, tail
    assert " passed" in tail and " failed" not in tail and "snapshots passed" in tail
