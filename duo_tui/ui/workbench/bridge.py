"""The worker bridge: the pipeline thread, and the 20 Hz drain of its events.

The session opens and plays in its own thread (`duo_tui.ui.pipeline_thread`);
its events come through `duo_tui.ui.bridge.EventBridge` and decisions go back
through `ThreadDriver`. One clock drains the events, shows streamed text and turns
the spinners.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from duo_tui.core.events import ErrorEvent
from duo_tui.ui.pipeline_thread import PipelineThread
from duo_tui.ui.workbench.base import TICK_S, _Opened, _StartFailed
from duo_tui.ui.workbench.events import WorkbenchEvents


class WorkbenchBridge(WorkbenchEvents):
    """Start and stop the pipeline thread; drain its events on the screen's clock."""

    def start(self, opener: Any, prepare: Callable[[], object] | None = None) -> None:
        """Open the session with `opener(driver, bridge)` -> Workspace in the pipeline
        thread, then play its pipeline there (see `duo_tui.ui.pipeline_thread`).
        `prepare()` runs first and writes nothing (a quit then leaves at once)."""
        if self.pipeline is not None:
            return
        self.pipeline = PipelineThread(
            lambda: opener(self.driver, self.bridge),
            prepare=prepare,
            on_opened=self._announce_opened,
            on_error=self._pipeline_error,
        )
        if self._quit_requested:
            self.pipeline.stop()  # quit before the session began to open: it never opens
        self.pipeline.start()

    def _announce_opened(self, ws: Any) -> None:
        """In the pipeline thread: the session is open."""
        self.repo_path = str(ws.repo)
        self.bridge.push(
            _Opened(
                ws.session.id,
                ws.session.branch or "",
                ws.session.mode.value,
                ws.session.autopilot,
                [
                    ws.session.roles.planner,
                    ws.session.roles.executor,
                    *ws.session.roles.effective_reviewers(),
                ],
                list(ws.problems) + list(ws.session.warnings),
            )
        )

    def _pipeline_error(self, exc: BaseException, opening: bool) -> None:
        """In the pipeline thread: never a traceback on screen; say it, keep the session."""
        from duo_tui.errors import DuoError
        from duo_tui.redact import redact

        if opening and isinstance(exc, DuoError):
            self.bridge.push(_StartFailed(redact(str(exc))))
            return
        self.bridge.push(
            ErrorEvent(
                message=redact(f"unexpected error: {exc!r}"),
                what_to_do="The session is saved; `duo-tui resume` continues it.",
            )
        )

    def on_unmount(self) -> None:
        self.stop_pipeline()

    def stop_pipeline(self) -> None:
        """Stop the pipeline thread at whatever point it is (saves the session)."""
        self._quit_requested = True
        if self.pipeline is not None:
            self.pipeline.stop()

    def _drain(self) -> None:
        for ev in self.bridge.drain():
            try:
                self.handle(ev)
            except Exception as exc:  # a rendering bug must not kill the session
                self.notify(f"display error: {exc}", severity="error")
        # Input first: on the tick right after a key, streamed text waits one tick so
        # the frame that shows the key's effect is not also repainting four panes.
        if time.monotonic() - getattr(self.app, "last_key_at", 0.0) > TICK_S:
            for pane in self._stream_panes():
                pane.tick()
        if self._task_views:
            self._push_task_state()
        self._drains += 1
        if self._drains % 4 == 0:
            self._tick()
