"""`duo-tui serve`: every browser session's app process ends when its socket closes.

The server runs as a real process; browsers are websocket clients (aiohttp,
which textual-serve itself uses) that open the page and the app's socket the
way the page's script does. Issue 21: a browser that left within about half a
second of opening the page left its app process running forever, deaf to
SIGTERM.

Every process the server starts inherits its environment, so a marker
variable finds them all, even those orphaned when the server is gone.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.lifecycle.sessions import assert_saved_and_closed, session_dirs

GONE_WITHIN_S = 20.0
"""Generous: on a loaded two-core machine an app takes seconds to start before it can end."""
SERVER_STOPS_WITHIN_S = 8.0
"""textual-serve alone waited for aiohttp's shutdown timeout: about 20 s with one browser."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def marked_processes(marker: str) -> list[int]:
    """Live processes (not zombies) whose environment holds `DUO_TEST_MARK=marker`."""
    needle = f"DUO_TEST_MARK={marker}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if needle not in (proc / "environ").read_bytes().split(b"\0"):
                continue
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(int(proc.name))
    return found


class Server:
    def __init__(self, tmp: Path, extra_env: dict[str, str] | None = None) -> None:
        self.marker = uuid.uuid4().hex
        self.port = _free_port()
        self.tmp = tmp / "tmp"  # where the demo repositories go (TMPDIR)
        self.tmp.mkdir()
        env = dict(os.environ, DUO_TEST_MARK=self.marker, TMPDIR=str(self.tmp))
        env.update(extra_env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "duo_tui", "serve", "--demo", "--port", str(self.port)],
            cwd=tmp,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def apps(self) -> list[int]:
        """The server's app processes (and anything they started)."""
        return [pid for pid in marked_processes(self.marker) if pid != self.proc.pid]

    def wait_no_apps(self, timeout: float = GONE_WITHIN_S) -> list[int]:
        deadline = time.monotonic() + timeout
        while (left := self.apps()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return left

    def kill(self) -> None:
        for pid in marked_processes(self.marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(5)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path)
    yield s
    s.kill()


async def browser(url: str, *, until: bytes | None = None, timeout: float = 60.0) -> bytes:
    """Open the page and the app's socket; read until `until` is seen (None: leave at once)."""
    seen = b""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/") as page:
            assert page.status == 200
            await page.text()
        ws = await http.ws_connect(f"{url}/ws?width=120&height=40")
        try:
            if until is not None:
                async with asyncio.timeout(timeout):
                    while until not in seen:
                        msg = await ws.receive()
                        if msg.type == aiohttp.WSMsgType.BINARY:
                            seen += msg.data
                        elif msg.type != aiohttp.WSMsgType.TEXT:
                            break
        finally:
            await ws.close()
    return seen


def demo_repos(server: Server) -> list[Path]:
    return sorted(p for p in server.tmp.iterdir() if p.name.startswith("duo-demo-"))


def test_a_browser_that_leaves_at_once_leaves_nothing_running(server: Server) -> None:
    for _ in range(3):
        asyncio.run(browser(server.url))
    left = server.wait_no_apps()
    assert left == [], f"app processes still running: {left}"
    assert server.proc.poll() is None  # the server itself serves on


def test_a_browser_that_leaves_mid_session_leaves_it_saved(server: Server) -> None:
    seen = asyncio.run(browser(server.url, until=b"duo/"))
    assert b"duo/" in seen
    assert server.wait_no_apps() == []
    (repo,) = demo_repos(server)
    assert_saved_and_closed(repo, None)


def test_several_browsers_each_get_their_own_session(server: Server) -> None:
    """Three browsers at once: one leaves at once, two once their session is open."""

    async def three() -> list[bytes]:
        return await asyncio.gather(
            browser(server.url),
            browser(server.url, until=b"duo/"),
            browser(server.url, until=b"duo/"),
        )

    seen = asyncio.run(three())
    assert all(b"duo/" in s for s in seen[1:])
    left = server.wait_no_apps()
    assert left == [], f"app processes still running: {left}"
    # A throw-away repository each, with its own session, saved and closed.
    with_session = [r for r in demo_repos(server) if session_dirs(r)]
    assert len(with_session) >= 2
    for repo in with_session:
        assert_saved_and_closed(repo, None)


def test_ctrl_c_shuts_the_server_down_cleanly(server: Server) -> None:
    async def connected_then_interrupt() -> float:
        async with aiohttp.ClientSession() as http:
            ws = await http.ws_connect(f"{server.url}/ws?width=120&height=40")
            seen = b""
            async with asyncio.timeout(60):
                while b"duo/" not in seen:
                    msg = await ws.receive()
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        seen += msg.data
            server.proc.send_signal(signal.SIGINT)
            sent = time.monotonic()
            async with asyncio.timeout(30):
                while (await ws.receive()).type in (
                    aiohttp.WSMsgType.BINARY,
                    aiohttp.WSMsgType.TEXT,
                ):
                    pass  # a browser reads on, and answers the server's close
            await asyncio.to_thread(server.proc.wait, 30)
            return time.monotonic() - sent

    took = asyncio.run(connected_then_interrupt())
    assert server.proc.returncode == 0
    assert took < SERVER_STOPS_WITHIN_S, f"the server took {took:.1f}s to stop"
    assert server.apps() == []  # every app ended before the server did
    (repo,) = demo_repos(server)
    assert_saved_and_closed(repo, None)
