"""Fixtures for the provider tests: fake keys, an llm-mock-api server, our fault server.

Everything listens on 127.0.0.1 on a port the OS picks; no test talks to the
internet except the `online` smoke test, which is skipped without real keys.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio

from duo_tui.providers import registry

from .fault_server import FaultServer
from .support import FAKE_ANTHROPIC_KEY, FAKE_OPENAI_KEY, Sleeps


@pytest.fixture
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Fake keys in the environment, no base URL from the developer's shell."""
    keys = {"ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY, "OPENAI_API_KEY": FAKE_OPENAI_KEY}
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    for name in ("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    registry.clear_cache()
    yield keys
    registry.clear_cache()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def shared_mock_server() -> AsyncIterator[Any]:
    """llm-mock-api in-process on a free port, one per test module (stopping it takes 0.2 s).

    Tests that use it run in the module's event loop: `pytest.mark.asyncio(loop_scope="module")`.
    """
    from llm_mock_api import MockServer, MockServerOptions

    server = MockServer(MockServerOptions(port=0, default_latency=0, default_chunk_size=8))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def mock_server(shared_mock_server: Any) -> Any:
    """The module's llm-mock-api server with no rules and an empty history."""
    shared_mock_server.reset()
    return shared_mock_server


@pytest.fixture
async def fault_server() -> AsyncIterator[FaultServer]:
    server = FaultServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
