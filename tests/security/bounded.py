"""Run `duo-tui` in a child process with a memory cap, a timeout and its peak RSS measured.

The bounded-resource tests (issue 16) feed hostile inputs to the real command.
Each run is capped (RLIMIT_AS) so that the unbounded code fails fast with a
MemoryError instead of taking the machine down, and reports the peak resident
memory of the command alone: a small wrapper process starts it and reads
`RUSAGE_CHILDREN`, so other tests' children never count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

#: Address-space cap of the command under test (numpy/scipy need ~0.4 GB of it idle).
AS_LIMIT = 1_500_000_000

_WRAPPER = r"""
import json, resource, subprocess, sys
limit = int(sys.argv[1])
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
p = subprocess.run(sys.argv[2:], capture_output=True, text=True, preexec_fn=cap,
                   stdin=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"rc": p.returncode, "out": p.stdout, "err": p.stderr[-20000:],
                  "peak": peak}))
"""


@dataclass
class Run:
    rc: int
    out: str
    err: str
    peak_mb: float


def duo(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> Run:
    """`duo-tui ARGS` with stdin from /dev/null, capped and measured."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = "1"
    cmd = [sys.executable, "-c", _WRAPPER, str(AS_LIMIT), sys.executable, "-m", "duo_tui"]
    proc = subprocess.run(
        [*cmd, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
        check=True,
    )
    data = json.loads(proc.stdout)
    return Run(data["rc"], data["out"], data["err"], data["peak"] / 1e6)


def finding(k: int, title: str, **extra: object) -> dict[str, object]:
    return {"id": f"F{k}", "severity": "high", "title": title, **extra}


def write_review(path: Path, findings: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"reviewer": "x/y", "findings": findings}))
    return path
