"""Fixtures for the peer tests: the llm-mock-api peer, fake keys, the demo repo's config.

The peer is started once per module (in its own thread, see peer.py) and
reset before every test. The keys are fake and built at runtime; the session
must send them to the peer and write them nowhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from duo_tui.providers import registry

from .peer import DemoPeer
from .support import FAKE_KEYS, write_peer_config


@pytest.fixture(scope="module")
def _peer_server() -> Iterator[DemoPeer]:
    peer = DemoPeer()
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def peer(_peer_server: DemoPeer) -> Iterator[DemoPeer]:
    """The module's peer with the demo rules only and an empty history."""
    _peer_server.reset()
    registry.clear_cache()
    yield _peer_server
    registry.clear_cache()


@pytest.fixture
def fake_keys(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Fake keys in the environment (inherited by subprocesses), no base URL from the shell."""
    for name, value in FAKE_KEYS.items():
        monkeypatch.setenv(name, value)
    for name in ("ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    return dict(FAKE_KEYS)


@pytest.fixture
def peer_config(tmp_path: Path, peer: DemoPeer) -> Path:
    """`--config FILE` for a session with the real SDK providers against the peer."""
    return write_peer_config(tmp_path / "peer.toml", peer)
