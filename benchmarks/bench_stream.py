"""Streaming: four workbench panes fed through the real event bridge, in a fresh process per phase.

    python benchmarks/bench_stream.py [--quick]

Each phase runs a child that opens `DuoApp`'s workbench screen (without a
pipeline) rendered by `FrameDriver`, and a feeder thread that pushes
`TextDelta`s for plan, executor and both reviewers into the screen's
`EventBridge`, as the pipeline thread does. Phases:

* steady: 100 tokens/s per pane (a token is 4 characters); CPU share of one
  core, key-to-frame latency (pane keys injected at the driver), and how long
  after the last token every pane had shown everything.
* flood: 2,000 tokens/s offered per pane; the rate the panes actually showed.
* growth: cost per token (tokens per CPU second at 500 tokens/s per pane) with
  5k tokens already in each pane, then with 80k.
* memory: the SDKs (anthropic, openai, litellm) imported and 100k tokens in
  each pane; peak RSS (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import Row, emit, percentile, proc_status, run_child

STREAMS = ("plan", "exec", "review:0", "review:1")
CHARS_PER_TOKEN = 4
SIZE = (200, 50)


def _token_text(n_tokens: int, start: int) -> str:
    """`n_tokens` four-character tokens; a newline after every 20th (80-column lines)."""
    out = []
    for k in range(start, start + n_tokens):
        out.append("tok\n" if k % 20 == 19 else "tok ")
    return "".join(out)


class Harness:
    """The workbench in a `DuoApp`, fed from a thread; measurements in `result`."""

    def __init__(self) -> None:
        # As the CLI does before Textual loads: its Textual settings, no collection
        # until the first frame.
        from duo_tui.ui import hold_gc_until_first_frame

        hold_gc_until_first_frame()
        # isort: split
        from _frames import FrameDriver

        from duo_tui.ui.app import DuoApp
        from duo_tui.ui.screens.workbench import WorkbenchScreen

        self.frames = FrameDriver
        harness = self

        class BenchApp(DuoApp):
            def _open_workbench(self) -> None:  # the screen without a pipeline thread
                harness.screen = WorkbenchScreen()
                self.push_screen(harness.screen)

        self.screen: Any = None
        self.app = BenchApp(request="benchmark")
        self.app.driver_class = FrameDriver
        self.sent = {s: 0 for s in STREAMS}
        self.result: dict[str, Any] = {}

    # -- feeding -------------------------------------------------------------------

    def reset_streams(self) -> None:
        from duo_tui.core.events import StreamReset

        for s in STREAMS:
            self.screen.bridge.push(StreamReset(s, f"bench {s}", "bench/model"))

    def feed(self, tokens_per_s: float, seconds: float) -> float:
        """Push at `tokens_per_s` per pane for `seconds`, in 10 ms steps; time of the last push."""
        from duo_tui.core.events import TextDelta

        t0 = time.perf_counter()
        step = 0.01
        due = 0.0
        last = t0
        while True:
            now = time.perf_counter()
            if now - t0 >= seconds:
                break
            target = (now - t0) * tokens_per_s
            n = int(target - due)
            if n > 0:
                for s in STREAMS:
                    self.screen.bridge.push(TextDelta(s, _token_text(n, self.sent[s])))
                    self.sent[s] += n
                due += n
                last = time.perf_counter()
            time.sleep(step)
        return last

    def fill(self, tokens: int, chunk: int = 2000) -> None:
        """Bring every pane to `tokens` tokens quickly, then wait until all is shown."""
        from duo_tui.core.events import TextDelta

        while self.sent[STREAMS[0]] < tokens:
            n = min(chunk, tokens - self.sent[STREAMS[0]])
            for s in STREAMS:
                self.screen.bridge.push(TextDelta(s, _token_text(n, self.sent[s])))
                self.sent[s] += n
            time.sleep(0.05)
        self.wait_shown()

    def panes(self) -> list[Any]:
        return [self.screen.stream_pane(s) for s in STREAMS]

    def wait_shown(self, timeout_s: float = 120) -> float:
        """Block until every pane has moved all it received into its view; when that was."""
        deadline = time.perf_counter() + timeout_s
        want = {s: self.sent[s] * CHARS_PER_TOKEN for s in STREAMS}
        while time.perf_counter() < deadline:
            panes = self.panes()
            if all(
                p._chars == want[s] and not p._pending for s, p in zip(STREAMS, panes, strict=True)
            ):
                return time.perf_counter()
            time.sleep(0.001)
        raise TimeoutError("panes did not catch up")

    def shown_chars(self) -> int:
        return sum(p._chars - sum(map(len, list(p._pending))) for p in self.panes())

    # -- running -------------------------------------------------------------------

    def run(self, scenario: Any) -> dict[str, Any]:
        def first_frame(_now: float) -> None:
            threading.Thread(target=body, daemon=True).start()

        def body() -> None:
            try:
                while self.screen is None or not self.screen.is_mounted:
                    time.sleep(0.01)
                time.sleep(0.3)
                # As in a session: the app imports the configured models' SDKs right
                # after its first frame, and text streams only once they are loaded.
                # (Wait for the import to start too: on a slow moment it may not have.)
                deadline = time.perf_counter() + 10
                while self.app.sdk_preload is None and time.perf_counter() < deadline:
                    time.sleep(0.05)
                if self.app.sdk_preload is not None:
                    self.app.sdk_preload.join(120)
                    time.sleep(0.2)
                self.reset_streams()
                time.sleep(0.2)
                scenario(self)
            except BaseException as exc:  # report, never hang
                self.result["error"] = repr(exc)
            os.write(1, ("RESULT " + json.dumps(self.result) + "\n").encode())
            os._exit(0)

        self.frames.on_first_frame = first_frame
        self.app.run(size=SIZE)
        return self.result


def _cpu() -> float:
    return time.process_time()


def steady(h: Harness, seconds: float) -> None:
    from _frames import KeyProbe

    from duo_tui.ui.screens.workbench import WorkbenchScreen

    probe = KeyProbe(h.app._driver, ["2", "3", "4", "1"], interval_s=0.1)
    original = WorkbenchScreen.action_focus_pane

    def focus_and_mark(self: WorkbenchScreen, index: int) -> None:
        original(self, index)
        probe.handled()

    WorkbenchScreen.action_focus_pane = focus_and_mark  # type: ignore[method-assign]
    h.feed(100, 1.0)  # warm-up
    probe.start()
    c0, w0 = _cpu(), time.perf_counter()
    last = h.feed(100, seconds)
    c1, w1 = _cpu(), time.perf_counter()
    probe.stop()
    shown = h.wait_shown()
    end_frame = h.frames.first_frame_after(shown) or float("nan")
    h.result.update(
        cpu=(c1 - c0) / (w1 - w0),
        latencies=probe.latencies,
        lost=probe.lost,
        lag=end_frame - last,
        tokens=h.sent["plan"],
    )


def flood(h: Harness, seconds: float) -> None:
    offered = 2000
    before = h.shown_chars()
    t0 = time.perf_counter()
    c0 = _cpu()
    h.feed(offered, seconds)
    shown = h.wait_shown()
    end = h.frames.first_frame_after(shown) or shown
    c1 = _cpu()
    chars = h.shown_chars() - before
    per_pane = chars / CHARS_PER_TOKEN / len(STREAMS) / (end - t0)
    h.result.update(rate=per_pane, offered=offered, cpu=(c1 - c0) / (end - t0))


def growth(h: Harness, small: int, large: int, seconds: float) -> None:
    def window() -> float:
        before = h.shown_chars()
        c0 = _cpu()
        h.feed(500, seconds)
        h.wait_shown()
        c1 = _cpu()
        return (h.shown_chars() - before) / CHARS_PER_TOKEN / (c1 - c0)

    h.fill(small)
    s_small = window()
    h.fill(large)
    s_large = window()
    h.result.update(small=small, large=large, speed_small=s_small, speed_large=s_large)


def memory(h: Harness, tokens: int) -> None:
    from duo_tui.providers.registry import preload_sdks

    preload_sdks(["anthropic/claude-opus-4-7", "openai/gpt-5.5", "ollama/qwen2.5-coder"])
    h.fill(tokens, chunk=5000)
    time.sleep(0.5)
    h.result.update(
        hwm=proc_status("VmHWM"),
        rss=proc_status("VmRSS"),
        sdks=[m for m in ("anthropic", "openai", "litellm") if m in sys.modules],
        tokens=h.sent["plan"],
    )


def child(phase: str, quick: bool) -> None:
    h = Harness()
    if phase == "steady":
        h.run(lambda h: steady(h, 2 if quick else 15))
    elif phase == "flood":
        h.run(lambda h: flood(h, 1 if quick else 5))
    elif phase == "growth":
        h.run(lambda h: growth(h, *((500, 2000, 1.0) if quick else (5000, 80000, 4.0))))
    elif phase == "memory":
        h.run(lambda h: memory(h, 2000 if quick else 100_000))


def spawn(phase: str, quick: bool) -> dict[str, Any]:
    args = [__file__, "--child", phase] + (["--quick"] if quick else [])
    proc = run_child(args, timeout_s=600)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": f"rc {proc.returncode}: {proc.stderr[-1500:]}"}


def measure(quick: bool, phases: list[str]) -> list[Row]:
    rows: list[Row] = []
    for phase in phases:
        r = spawn(phase, quick)
        if "error" in r:
            rows.append(Row(f"streaming: {phase}", "failed", "-", False, r["error"][-300:]))
            continue
        if phase == "steady":
            lat = r["latencies"]
            p50, p95 = percentile(lat, 50), percentile(lat, 95)
            rows += [
                Row(
                    "streaming 4x100 tok/s: CPU",
                    f"{r['cpu'] * 100:.0f} % of one core",
                    "<= 70 %",
                    r["cpu"] <= 0.70,
                    "",
                ),
                Row(
                    "streaming 4x100 tok/s: key-to-frame p50",
                    f"{p50 * 1000:.0f} ms (n={len(lat)})",
                    "<= 30 ms",
                    p50 <= 0.030,
                    "",
                ),
                Row(
                    "streaming 4x100 tok/s: key-to-frame p95",
                    f"{p95 * 1000:.0f} ms",
                    "<= 100 ms",
                    p95 <= 0.100,
                    f"max {max(lat) * 1000:.0f} ms" if lat else "no samples",
                ),
                Row(
                    "streaming 4x100 tok/s: lag at end",
                    f"{r['lag']:.3f} s",
                    "<= 0.15 s",
                    r["lag"] <= 0.15,
                    "last token pushed -> first frame showing all of it",
                ),
            ]
        elif phase == "flood":
            rows.append(
                Row(
                    "streaming flooded: shown per pane",
                    f"{r['rate']:.0f} tok/s",
                    ">= 500 tok/s",
                    r["rate"] >= 500,
                    f"{r['offered']} tok/s offered per pane; CPU {r['cpu'] * 100:.0f} %",
                )
            )
        elif phase == "growth":
            ratio = r["speed_large"] / r["speed_small"]
            rows.append(
                Row(
                    f"streaming growth: speed at {r['large']:,} vs {r['small']:,} tok",
                    f"{ratio * 100:.0f} %",
                    ">= 90 %",
                    ratio >= 0.90,
                    f"{r['speed_small']:.0f} vs {r['speed_large']:.0f} tokens per CPU-second",
                )
            )
        elif phase == "memory":
            rows.append(
                Row(
                    "memory: peak RSS, SDKs + 4 panes",
                    f"{r['hwm']:.0f} MiB",
                    "<= 250 MiB",
                    r["hwm"] <= 250,
                    f"{r['tokens']:,} tokens per pane; SDKs {', '.join(r['sdks'])}",
                )
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", choices=["steady", "flood", "growth", "memory"])
    parser.add_argument("--phases", default="steady,flood,growth,memory")
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.quick)
        return 0
    emit(measure(args.quick, args.phases.split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
