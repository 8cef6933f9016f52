"""Frame timing for the UI benchmarks: a driver that renders like a terminal but writes nowhere.

Textual skips rendering entirely in headless mode, so a headless "frame"
would cost nothing. `FrameDriver` is a `HeadlessDriver` that declares itself
*not* headless: the app renders every update to terminal escape sequences
exactly as on a real terminal; `write()` discards the output and `flush()`
(called once after each displayed update) records when the frame ended.
`KeyProbe` injects key events the way a real driver does
(`Driver.process_message` from an input thread) and times each one to the end
of the first frame written after its handler ran.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from textual import events
from textual.drivers.headless_driver import HeadlessDriver

_frame_written = threading.Condition()


class FrameDriver(HeadlessDriver):
    """Renders every frame to escape sequences, records frame ends, prints nothing."""

    frame_ends: list[float] = []
    """perf_counter() at the end of each frame, in order (class-wide: one app per process)."""
    bytes_written = 0
    on_first_frame: Callable[[float], None] | None = None
    """Called (on the app's thread) when the first frame has been written."""

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        FrameDriver.bytes_written += len(data)

    def flush(self) -> None:
        # The app flushes the driver once at the end of every frame it displays.
        cls = FrameDriver
        now = time.perf_counter()
        with _frame_written:
            cls.frame_ends.append(now)
            _frame_written.notify_all()
        if len(cls.frame_ends) == 1 and cls.on_first_frame is not None:
            cls.on_first_frame(now)

    @classmethod
    def first_frame_after(cls, t: float, timeout_s: float = 5.0) -> float | None:
        """The end of the first frame written after `t` (waits for it up to `timeout_s`)."""
        deadline = time.perf_counter() + timeout_s
        while True:
            frames = cls.frame_ends
            seen = len(frames)
            # Frames are appended in time order; scan from the end.
            for i in range(seen - 1, -1, -1):
                if frames[i] <= t:
                    if i + 1 < seen:
                        return frames[i + 1]
                    break
            else:
                if seen:
                    return frames[0]
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            # Woken by the next frame (not polling: a thread waking every millisecond
            # would itself compete with the app for the interpreter).
            with _frame_written:
                if len(cls.frame_ends) == seen:
                    _frame_written.wait(left)


class KeyProbe:
    """Presses keys at the driver from an input thread and measures key-to-frame latency.

    `handled` must be called (on the app thread) by the action the key triggers,
    so that a frame is only counted if it was composed after the key took effect.
    """

    def __init__(self, driver: HeadlessDriver, keys: list[str], interval_s: float = 0.1) -> None:
        self.driver = driver
        self.keys = keys
        self.interval_s = interval_s
        self.latencies: list[float] = []
        self.to_handled: list[float] = []
        """Seconds from injection to the end of the key's handler (queueing + handling)."""
        self.lost = 0
        self._handled = threading.Event()
        self._handled_at = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def handled(self) -> None:
        self._handled_at = time.perf_counter()
        self._handled.set()

    def press_one(self, key: str) -> float | None:
        """Inject one key; seconds from injection to the first frame after it was handled."""
        self._handled.clear()
        t0 = time.perf_counter()
        self.driver.process_message(events.Key(key, key if len(key) == 1 else None))
        if not self._handled.wait(5.0):
            self.lost += 1
            return None
        end = FrameDriver.first_frame_after(self._handled_at)
        if end is None:
            self.lost += 1
            return None
        self.to_handled.append(self._handled_at - t0)
        return end - t0

    def _run(self) -> None:
        i = 0
        while not self._stop.is_set():
            latency = self.press_one(self.keys[i % len(self.keys)])
            if latency is not None:
                self.latencies.append(latency)
            i += 1
            self._stop.wait(self.interval_s)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="key-probe", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
