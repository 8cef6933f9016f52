"""Large artifacts: a generated 10,000-line file opening in the workbench's code pane.

    python benchmarks/bench_diffview.py [--quick]

A child process opens the workbench (as in `bench_stream.py`), then pushes an
`ArtifactReady(DiffArtifact(...))` for a new 10,000-line file into the event bridge, the
way the pipeline announces the executor's diff. Measured: from the push to the
end of the first frame after `DiffView.set_files` returned (parse, layout and
paint included; the bridge's 20 Hz drain adds up to 50 ms of it), median of 3.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, emit, median, run_child


def new_file_diff(path: str, lines: int) -> str:
    body = "".join(
        f"+    result_{i} = compute({i}, factor={i % 7})  # generated line {i}\n"
        for i in range(lines)
    )
    return (
        f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
        f"--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{lines} @@\n{body}"
    )


def scenario(h: Any, lines: int) -> None:
    from duo_tui.core.artifacts import DiffArtifact
    from duo_tui.core.events import ArtifactReady
    from duo_tui.ui.widgets.diff_view import DiffView

    done: list[float] = []
    original = DiffView.set_files

    def set_files(self: DiffView, *a: Any, **kw: Any) -> None:
        original(self, *a, **kw)
        done.append(time.perf_counter())

    DiffView.set_files = set_files  # type: ignore[method-assign]
    times = []
    for run in range(3):
        text = new_file_diff(f"gen/generated_{run}.py", lines)
        done.clear()
        t0 = time.perf_counter()
        h.screen.bridge.push(ArtifactReady(DiffArtifact(text)))
        while not done:
            time.sleep(0.001)
        end = h.frames.first_frame_after(done[0])
        times.append((end or float("nan")) - t0)
        time.sleep(0.3)
    h.result.update(times=times, lines=lines)


def child(quick: bool) -> None:
    from bench_stream import Harness

    Harness().run(lambda h: scenario(h, 1000 if quick else 10_000))


def measure(quick: bool) -> list[Row]:
    proc = run_child([__file__, "--child"] + (["--quick"] if quick else []), timeout_s=300)
    result = next(
        (json.loads(x[7:]) for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None
    )
    if not result or "error" in result:
        why = (result or {}).get("error") or proc.stderr[-300:]
        return [Row("large artifact: diff opens in code pane", "failed", "<= 200 ms", False, why)]
    t = median(result["times"])
    return [
        Row(
            f"large artifact: {result['lines']:,}-line file in DiffView",
            f"{t * 1000:.0f} ms",
            "<= 200 ms",
            t <= 0.200,
            f"bridge push -> first frame after set_files; runs {', '.join(f'{x * 1000:.0f}' for x in result['times'])} ms",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        child(args.quick)
        return 0
    emit(measure(args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
