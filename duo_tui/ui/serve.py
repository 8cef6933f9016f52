"""`duo-tui serve`: the workbench in a browser through textual-serve, on localhost only.

Each browser gets its own app process (and so its own session). That process
ends when its socket closes, whenever that happens: the app stops its
pipeline from any point (`duo_tui.ui.pipeline_thread`). On Ctrl+C (or
SIGTERM) the server closes every browser's socket first, so each app is told
to quit and saves its session, and waits a bounded time for them before it
stops; textual-serve alone left the sockets to aiohttp's shutdown timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from typing import Any

SHUTDOWN_WAIT_S = 10.0
"""How long the server waits for the browsers' apps to save and end when it stops."""


def serve(args: argparse.Namespace) -> int:
    parts = [sys.executable, "-m", "duo_tui"]
    if getattr(args, "demo", False):
        parts.append("--demo")
    if getattr(args, "repo", None):
        parts += ["--repo", str(args.repo)]
    if getattr(args, "config", None):
        parts += ["--config", str(args.config)]
    if getattr(args, "theme", None):
        parts += ["--theme", str(args.theme)]
    command = " ".join(shlex.quote(p) for p in parts)
    print(
        "WARNING: whoever can reach this port can drive duo-tui with your API keys and your "
        f"repository. Bound to 127.0.0.1:{args.port} only; do not forward it.",
        file=sys.stderr,
    )
    make_server(command, args.port).serve()
    return 0


def make_server(command: str, port: int) -> Any:
    from textual_serve.server import Server

    class DuoServer(Server):
        """textual-serve's server, closing every browser's app when it shuts down."""

        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self._sockets: set[asyncio.Task[Any]] = set()

        async def handle_websocket(self, request: Any) -> Any:
            task = asyncio.current_task()
            assert task is not None
            self._sockets.add(task)
            try:
                return await super().handle_websocket(request)
            finally:
                self._sockets.discard(task)

        async def on_shutdown(self, app: Any) -> None:
            # textual-serve closes a socket (and tells its app to quit) when its handler
            # is cancelled; do that now rather than after aiohttp's shutdown timeout.
            sockets = [t for t in self._sockets if not t.done()]
            for task in sockets:
                task.cancel()
            if sockets:
                await asyncio.wait(sockets, timeout=SHUTDOWN_WAIT_S)

    return DuoServer(command, host="127.0.0.1", port=port, title="duo-tui")
