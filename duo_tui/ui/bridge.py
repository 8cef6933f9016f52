"""The one seam between the UI and the core.

The pipeline runs in its own thread with its own asyncio loop, so git, the
quality gate and SDK imports never block the UI. Its events land in an ordered
buffer (a stream's text deltas are coalesced until another kind of event arrives) that the UI drains
at 20 Hz; decisions travel back through `ThreadDriver.answer`, which is safe to
call from the UI thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from typing import Any

from duo_tui.core.events import Checkpoint, TextDelta, UserDecision


class EventBridge:
    """Thread-safe, ordered, coalescing buffer of runner events."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: deque[Any] = deque()
        self._open: dict[str, int] = {}
        """Stream -> index of its text delta in the trailing run of deltas (coalescable)."""

    def push(self, event: Any) -> None:
        with self._lock:
            if isinstance(event, TextDelta):
                # Deltas of interleaved streams (reviews run in parallel) merge per stream
                # as long as no other event came after them: order per stream is kept.
                at = self._open.get(event.stream)
                if at is not None:
                    last = self._events[at]
                    self._events[at] = TextDelta(last.stream, last.text + event.text)
                    return
                self._open[event.stream] = len(self._events)
            else:
                self._open.clear()
            self._events.append(event)

    __call__ = push

    def drain(self) -> list[Any]:
        with self._lock:
            out = list(self._events)
            self._events.clear()
            self._open.clear()
        return out


class ThreadDriver:
    """Answers checkpoints with decisions made on the UI thread."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._future: asyncio.Future[UserDecision] | None = None
        self.pending: Checkpoint | None = None
        self._early: list[UserDecision] = []

    async def decide(self, checkpoint: Checkpoint) -> UserDecision:
        self.loop = asyncio.get_running_loop()
        self.pending = checkpoint
        if self._early:
            decision = self._early.pop(0)
            self.pending = None
            return decision
        self._future = self.loop.create_future()
        try:
            return await self._future
        finally:
            self._future = None
            self.pending = None

    def answer(self, decision: UserDecision) -> bool:
        """Deliver a decision (from any thread); False if no checkpoint is waiting."""
        loop, fut = self.loop, self._future
        if loop is None or fut is None:
            return False

        def resolve() -> None:
            if not fut.done():
                fut.set_result(decision)

        loop.call_soon_threadsafe(resolve)
        return True
