"""Start-up: process start to first frame of `duo-tui --demo`, RSS, key latency while SDKs load.

    python benchmarks/bench_startup.py [--quick]

The parent spawns fresh interpreters, alternating a duo-tui child
(`DuoApp(demo=True)`, what `duo-tui --demo` runs) and a bare four-pane Textual
app, and times each from `Popen` to the child's "first frame" line. Children
render through `FrameDriver` (real rendering, no terminal). At its first frame
the duo child reports its RSS, which SDK modules are imported and which
subprocesses it has started (`BENCH_CHILD_SCRIPT=path` runs another child script, e.g. one
that patches the app, for an experiment). A last duo child then loads the provider SDKs in a
background thread as the app does after its first frame (`preload_in_background`)
and presses pane keys at the driver meanwhile, timing each to the next frame.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, child_env, emit, median, percentile, proc_status

SDK_MODULES = ("anthropic", "openai", "litellm", "httpx", "pydantic_core")
SIZE = (200, 50)


# -- children -----------------------------------------------------------------------


def _spy_popen() -> list[tuple[float, str]]:
    """Record every subprocess started (time, command) from now on."""
    started: list[tuple[float, str]] = []
    real = subprocess.Popen

    class SpyPopen(real):  # type: ignore[misc, valid-type]
        def __init__(self, args, *a, **kw):  # type: ignore[no-untyped-def]
            cmd = args if isinstance(args, str) else " ".join(map(str, list(args)[:2]))
            started.append((time.perf_counter(), cmd))
            super().__init__(args, *a, **kw)

    subprocess.Popen = SpyPopen  # type: ignore[misc]
    return started


def _bare_app() -> object:
    from textual.app import App, ComposeResult
    from textual.containers import Grid
    from textual.widgets import Footer, Static, TextArea

    class Bare(App[None]):
        CSS = "Grid { grid-size: 4 1; } #status { height: 1; }"

        def compose(self) -> ComposeResult:
            yield Static("bare", id="status")
            with Grid():
                for i in range(4):
                    yield TextArea(id=f"pane-{i}", read_only=True)
            yield Footer()

    return Bare()


def child(kind: str, keys: bool, quick: bool) -> None:
    """Run one app to its first frame (and, with `keys`, the key-latency probe)."""
    started = _spy_popen() if kind == "duo" else []
    if kind == "duo":
        # As the CLI does before Textual loads: its Textual settings, no collection
        # until the first frame.
        from duo_tui.ui import hold_gc_until_first_frame

        hold_gc_until_first_frame()
    from _frames import FrameDriver, KeyProbe  # isort: skip

    if kind == "duo":
        from duo_tui.ui.app import DuoApp

        repo = (
            Path(os.environ.get("DUO_BENCH_TMP") or tempfile.mkdtemp(prefix="duo-bench-start-"))
            / "demo"
        )
        app = DuoApp(demo=True, repo=repo)
    else:
        app = _bare_app()  # type: ignore[assignment]
    app.driver_class = FrameDriver  # type: ignore[attr-defined]

    def out(data: dict[str, object]) -> None:
        os.write(1, (json.dumps(data) + "\n").encode())

    def first_frame(now: float) -> None:
        info = {
            "event": "frame",
            "rss_mib": proc_status("VmRSS"),
            "screen": type(app.screen).__name__,  # type: ignore[attr-defined]
            "sdk_modules": [m for m in SDK_MODULES if m in sys.modules],
            "subprocesses": [cmd for t, cmd in started if t <= now],
        }
        out(info)
        if not keys:
            os._exit(0)
        threading.Thread(target=probe_keys, daemon=True).start()

    def probe_keys() -> None:
        from duo_tui.providers.preload import preload_in_background
        from duo_tui.ui.screens.workbench import WorkbenchScreen

        # In a real start the SDKs load while the session opens, before the first model
        # call (which needs them), so nothing streams meanwhile. The demo needs no SDK
        # and streams its plan at once: probe at its first checkpoint instead, where
        # it waits for the user as a real session waits for its SDKs. (Keys while four
        # panes stream are the streaming rows' subject.)
        deadline = time.perf_counter() + 60
        while getattr(app.screen, "checkpoint", None) is None and time.perf_counter() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
        time.sleep(0.5)  # let the checkpoint's own rendering (Markdown plan) finish
        probe = KeyProbe(app._driver, ["2", "3", "4", "1"], interval_s=0.02)  # type: ignore[attr-defined]
        original = WorkbenchScreen.action_focus_pane

        def focus_and_mark(self: WorkbenchScreen, index: int) -> None:
            original(self, index)
            probe.handled()

        WorkbenchScreen.action_focus_pane = focus_and_mark  # type: ignore[method-assign]
        done = threading.Event()
        load_s: list[float] = []

        def load() -> None:
            # What the app does after its first frame for the configured models (the
            # demo needs no SDK, so the probe starts it): a background thread whose
            # imports give way to input (duo_tui/providers/preload.py).
            t0 = time.perf_counter()
            preload_in_background(["anthropic/claude-opus-4-7", "openai/gpt-5.5"]).join()
            load_s.append(time.perf_counter() - t0)
            done.set()

        probe.start()
        threading.Thread(target=load, daemon=True).start()
        done.wait(5 if quick else 180)  # quick: a smoke run need not wait for the imports
        min_samples = 10 if quick else 40
        deadline = time.perf_counter() + 10
        while len(probe.latencies) < min_samples and time.perf_counter() < deadline:
            time.sleep(0.02)
        probe.stop()
        out(
            {
                "event": "keys",
                "latencies": probe.latencies,
                "to_handled": probe.to_handled,
                "lost": probe.lost,
                "sdk_load_s": load_s[0] if load_s else None,
                "gate_waits": app.import_gate.waits,  # type: ignore[attr-defined]
                "gate_waited_s": app.import_gate.waited_s,  # type: ignore[attr-defined]
                "sdk_modules": [m for m in SDK_MODULES if m in sys.modules],
            }
        )
        os._exit(0)

    FrameDriver.on_first_frame = first_frame
    app.run(size=SIZE)  # type: ignore[attr-defined]


# -- parent -------------------------------------------------------------------------


def spawn(
    kind: str, keys: bool = False, quick: bool = False, timeout_s: float = 60
) -> tuple[float, list[dict]]:
    """Seconds from Popen to the child's first-frame line, and every JSON line it printed."""
    cmd = [sys.executable, os.environ.get("BENCH_CHILD_SCRIPT", __file__), "--child", kind]
    if keys:
        cmd.append("--keys")
    if quick:
        cmd.append("--quick")
    tmp = tempfile.mkdtemp(prefix="duo-bench-start-")  # the demo repository; removed below
    env = {**child_env(), "DUO_BENCH_TMP": tmp}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    try:
        rest, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        rest, err = proc.communicate()
    shutil.rmtree(tmp, ignore_errors=True)
    lines = [json.loads(x) for x in (first + rest).splitlines() if x.startswith("{")]
    if not lines:
        raise RuntimeError(f"{kind} child printed no frame (rc {proc.returncode}): {err[-2000:]}")
    return elapsed, lines


def _compile_package() -> None:
    """Byte-compile duo_tui as `pip install` does when it installs the wheel.

    The bare app's Textual is installed, so compiled; a checkout run under
    PYTHONDONTWRITEBYTECODE (as here) would compile every changed duo_tui module
    again at every start.
    """
    import compileall

    import duo_tui

    compileall.compile_dir(str(Path(duo_tui.__file__).parent), quiet=1)


def measure(quick: bool) -> list[Row]:
    runs = 1 if quick else 7
    _compile_package()
    duo_t: list[float] = []
    bare_t: list[float] = []
    frames: list[dict] = []
    spawn("bare")  # warm the OS page cache and .pyc files once, not measured
    spawn("duo")
    for _ in range(runs):
        t, lines = spawn("bare")
        bare_t.append(t)
        t, lines = spawn("duo")
        duo_t.append(t)
        frames.append(lines[0])
    d, b = median(duo_t), median(bare_t)
    ratio = d / b
    rss = median([f["rss_mib"] for f in frames])
    first = frames[-1]
    heavy = sorted(
        {m for f in frames for m in f["sdk_modules"] if m in ("anthropic", "openai", "litellm")}
    )
    procs = sorted({p for f in frames for p in f["subprocesses"]})
    on_screen = {f["screen"] for f in frames}

    _, key_lines = spawn("duo", keys=True, quick=quick, timeout_s=180)
    keys = next((x for x in key_lines if x.get("event") == "keys"), None)
    lat = keys["latencies"] if keys else []
    p95 = percentile(lat, 95)

    rows = [
        Row(
            "start-up: first frame, duo-tui --demo",
            f"{d * 1000:.0f} ms (median of {runs})",
            "-",
            None,
            f"bare four-pane Textual app {b * 1000:.0f} ms; first screen {', '.join(sorted(on_screen))}",
        ),
        Row(
            "start-up: ratio to bare Textual app",
            f"{ratio:.2f}x",
            "<= 1.25x",
            ratio <= 1.25,
            "" if ratio <= 1.25 else "defer more imports/CSS past the first frame",
        ),
        Row("start-up: RSS at first frame", f"{rss:.1f} MiB", "<= 50 MiB", rss <= 50, ""),
        Row(
            "start-up: nothing heavy before first frame",
            f"SDKs: {', '.join(heavy) or 'none'}; subprocesses: {len(procs)}",
            "no SDK, no git",
            not heavy and not any("git" in p for p in procs),
            ("started before the first frame: " + "; ".join(procs))
            if procs
            else f"httpx/pydantic_core loaded: {', '.join(m for m in first['sdk_modules'] if m not in heavy) or 'none'}",
        ),
    ]
    if keys:
        load = keys.get("sdk_load_s")
        rows.append(
            Row(
                "start-up: key latency p95 while SDKs load",
                f"{p95 * 1000:.1f} ms (p50 {percentile(lat, 50) * 1000:.1f}, max {max(lat, default=float('nan')) * 1000:.0f}, n={len(lat)})",
                "<= 15 ms",
                p95 <= 0.015,
                "at the first checkpoint; "
                + (
                    f"anthropic+openai imported in {load:.2f} s by the app's preload thread "
                    f"meanwhile, giving way {keys.get('gate_waits', 0)} times "
                    f"({keys.get('gate_waited_s', 0.0):.1f} s); "
                    if load
                    else "anthropic+openai still importing when probing stopped; "
                )
                + f"key -> handler p50 {percentile(keys['to_handled'], 50) * 1000:.0f} ms",
            )
        )
    else:
        rows.append(
            Row(
                "start-up: key latency p95 while SDKs load",
                "failed",
                "<= 15 ms",
                False,
                "key probe child printed nothing",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", choices=["duo", "bare"])
    parser.add_argument("--keys", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.keys, args.quick)
        return 0
    emit(measure(args.quick))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
