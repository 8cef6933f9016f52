"""The pipeline's own thread and event loop, and the one way to stop them.

The workbench opens the session (git work, file writes) and plays the pipeline
off the UI thread. `PipelineThread` owns that thread and its asyncio loop from
the moment it starts, so `stop()` works at any moment, from any thread:

- before the session begins to open, while `prepare()` runs (the imports the
  opener needs, which write nothing: most of the opening's time): the thread
  is abandoned there, nothing is ever written, and nobody waits for it;
- while the session opens (the opener is synchronous git work): the stop is
  remembered, the opener finishes, the session is saved and closed, and the
  pipeline never starts;
- while the pipeline runs (streaming, at a checkpoint, during a gate run): its
  task is cancelled; the pipeline saves the session on cancellation and the
  gate kills its command's process group.

The thread is a daemon and not a member of any executor: nothing it does can
keep the process alive once the UI has ended (the stuck `duo-tui serve` app
processes of issue 21 were waiting in `asyncio.Runner.close` for Textual's
default executor, which ran the pipeline as a thread worker that nobody could
stop before the session had opened). `join()` waits a bounded time and logs a
warning if the thread is still busy.

Nothing here imports Textual.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from duo_tui.session_summary import SessionInfo

log = logging.getLogger(__name__)

JOIN_TIMEOUT_S = 3.0
"""How long the program waits for the pipeline to save and close on exit."""


OPENING_MODULES = (
    "git.cmd",  # GitPython: what `duo_tui.vcs.gitcmd` runs git with
    "duo_tui.config",
    "duo_tui.service",
    "duo_tui.session_setup",
    "duo_tui.vcs.guard",
    "duo_tui.providers.registry",
    "duo_tui.providers.scripted",
    "duo_tui.demo.script",
)
"""What the session's opener imports: most of the opening's time (about 0.5 s)."""


def prepare_opening() -> None:
    """What the pipeline thread does before the session begins to open: import what the
    opener needs, writing nothing, so a quit meanwhile leaves at once (see
    `PipelineThread`)."""
    for name in OPENING_MODULES:
        importlib.import_module(name)


class PipelineThread:
    """Runs `prepare()`, then `opener()` -> Workspace and its pipeline in a daemon thread.

    `prepare()` must write nothing (it imports what the opener needs): a stop
    while it runs abandons the thread before the opener starts. `on_opened(ws)`
    runs in the thread right after the session opened (the workbench announces
    it there); `on_error(exc)` for an exception from the preparation, the opener
    or the pipeline (never raised out of the thread).
    """

    def __init__(
        self,
        opener: Callable[[], Any],
        *,
        prepare: Callable[[], object] | None = None,
        on_opened: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException, bool], None] | None = None,
        name: str = "duo-pipeline",
    ) -> None:
        self._opener = opener
        self._prepare = prepare
        self._on_opened = on_opened
        self._on_error = on_error
        self._lock = threading.Lock()
        self._stopping = False
        self._writing = False  # the opener has begun: the session must be closed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None
        self.info: SessionInfo | None = None
        """Set as soon as the session is open (read by the exit message)."""
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    # -- control (any thread) ---------------------------------------------------------

    def start(self) -> None:
        self.thread.start()

    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop(self) -> None:
        """Stop the pipeline now or as soon as it can be stopped (idempotent)."""
        with self._lock:
            self._stopping = True
            loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the loop closed in between: nothing left to stop
                pass

    @property
    def abandoned(self) -> bool:
        """Stopped before the opener began: the thread will never write anything."""
        with self._lock:
            return self._stopping and not self._writing

    def join(self, timeout: float = JOIN_TIMEOUT_S) -> bool:
        """Wait for the thread to have closed what it opened; False (and a warning
        logged) if it did not in time. An abandoned thread (see `abandoned`) has
        nothing to close: it is not waited for (a daemon, it ends with the process)."""
        if not self.thread.is_alive() or self.abandoned:
            return True
        self.thread.join(timeout)
        if self.thread.is_alive():
            log.warning(
                "the pipeline thread did not stop within %.1fs; exiting without it", timeout
            )
            return False
        return True

    # -- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            task = loop.create_task(self._main())
            with self._lock:
                self._loop, self._task = loop, task
                stop_now = self._stopping
            if stop_now:
                task.cancel()
            try:
                loop.run_until_complete(task)
            except asyncio.CancelledError:
                pass
        finally:
            try:
                _cancel_leftovers(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                with self._lock:
                    self._loop = self._task = None
                asyncio.set_event_loop(None)
                loop.close()

    async def _main(self) -> None:
        try:
            if self._prepare is not None:
                self._prepare()
            with self._lock:
                if self._stopping:
                    return  # quit before the session began to open: nothing to save
                self._writing = True
            ws = self._opener()
        except Exception as exc:
            self._report(exc, opening=True)
            return
        try:
            session = ws.session
            self.info = SessionInfo(
                id=session.id,
                branch=session.branch or "",
                repo=str(ws.repo),
                demo=bool(getattr(session, "demo", False)),
                status=session.status.value,
            )
            if self._on_opened is not None:
                self._on_opened(ws)
            if self._stopping:
                return  # quit while the session opened: it is saved; close it
            await ws.pipeline.run()
        except asyncio.CancelledError:
            pass  # the pipeline saved the session
        except Exception as exc:
            self._report(exc, opening=False)
        finally:
            if self.info is not None:
                self.info.status = ws.session.status.value
            ws.close()

    def _report(self, exc: BaseException, *, opening: bool) -> None:
        if self._on_error is not None:
            try:
                self._on_error(exc, opening)
                return
            except Exception:  # the reporter itself failed: log, never raise out of the thread
                pass
        log.error("pipeline error: %r", exc)


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel tasks the pipeline left behind (reviews in flight) and let them unwind."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if not pending:
        return
    for t in pending:
        t.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
