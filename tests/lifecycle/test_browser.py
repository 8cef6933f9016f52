"""The workbench in a real browser: Debian's headless chromium opens `duo-tui serve`'s page,
presses `a` at the plan checkpoint, and the session records the decision; closing the
browser leaves no app process behind.

Chromium is driven through its DevTools protocol (a websocket, spoken with aiohttp).
Skipped, with the reason shown, where /usr/bin/chromium is not installed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from duo_tui.errors import DuoError
from duo_tui.store.session_store import SessionStore
from tests.lifecycle.sessions import session_dirs
from tests.lifecycle.test_serve import Server, _free_port, demo_repos

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (apt-get install chromium) - browser test skipped",
    ),
]


class Chromium:
    """Headless chromium with its DevTools endpoint on a free local port."""

    def __init__(self, tmp: Path) -> None:
        assert CHROMIUM is not None
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                f"--remote-debugging-port={self.port}",
                f"--user-data-dir={tmp / 'chromium-profile'}",
                "--window-size=1400,900",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._ids = itertools.count(1)

    async def page_socket(self, http: aiohttp.ClientSession) -> aiohttp.ClientWebSocketResponse:
        async with asyncio.timeout(30):
            while True:
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/json/list") as r:
                        pages = [t for t in await r.json() if t.get("type") == "page"]
                    if pages:
                        return await http.ws_connect(pages[0]["webSocketDebuggerUrl"])
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)

    async def call(
        self, ws: aiohttp.ClientWebSocketResponse, method: str, **params: Any
    ) -> dict[str, Any]:
        msg_id = next(self._ids)
        await ws.send_json({"id": msg_id, "method": method, "params": params})
        async with asyncio.timeout(30):
            while True:
                answer = json.loads((await ws.receive()).data)
                if answer.get("id") == msg_id:
                    return answer

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path, extra_env={"DUO_TUI_DEMO_PACE": "0"})
    yield s
    s.kill()


def _session(server: Server) -> SessionStore | None:
    for repo in demo_repos(server):
        for sdir in session_dirs(repo):
            return SessionStore.open(repo, sdir.name)
    return None


async def _until(predicate: Any, timeout: float) -> Any:
    async with asyncio.timeout(timeout):
        while not (found := predicate()):
            await asyncio.sleep(0.1)
    return found


def test_the_page_answers_a_key(server: Server, tmp_path: Path) -> None:
    browser = Chromium(tmp_path)

    async def drive() -> None:
        async with aiohttp.ClientSession() as http:
            page = await browser.page_socket(http)
            await browser.call(page, "Page.navigate", url=f"{server.url}/?fontsize=12")

            def at_plan_checkpoint() -> bool:
                store = _session(server)
                if store is None:
                    return False
                try:
                    cur = store.load()[0].current
                except DuoError:  # the session's files are being written right now
                    return False
                return cur is not None and cur.state.value == "awaiting_decision"

            await _until(at_plan_checkpoint, 60)
            # The terminal takes keys once it has the focus: click it, then press `a`.
            for kind in ("mousePressed", "mouseReleased"):
                await browser.call(
                    page,
                    "Input.dispatchMouseEvent",
                    type=kind,
                    x=700,
                    y=450,
                    button="left",
                    clickCount=1,
                )
            for kind in ("keyDown", "keyUp"):
                await browser.call(
                    page,
                    "Input.dispatchKeyEvent",
                    type=kind,
                    key="a",
                    code="KeyA",
                    text="a" if kind == "keyDown" else "",
                    windowsVirtualKeyCode=65,
                )

            def accepted() -> bool:
                store = _session(server)
                return store is not None and any(
                    d.action == "accept" and d.stage.value == "plan" for d in store.decisions()
                )

            await _until(accepted, 30)

    try:
        asyncio.run(drive())
    finally:
        browser.close()
    # The browser is gone: so is its app, with the session saved and closed.
    assert server.wait_no_apps() == []
    store = _session(server)
    assert store is not None
    assert (store.path / "lock").read_text() == ""


def test_a_one_shot_screenshot_leaves_nothing_running(server: Server, tmp_path: Path) -> None:
    """Issue 21's repro: a browser that loads the page and leaves at once."""
    assert CHROMIUM is not None
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,800",
            f"{server.url}/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert shot.exists()
    left = server.wait_no_apps()
    assert left == [], f"app processes still running: {left}"
