"""Helpers of the peer tests: fake keys, the peer config file, a secret scan."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from duo_tui.demo.script import EXECUTOR, PLANNER

from .peer import DemoPeer

# Built at runtime so that no key-shaped literal sits in the sources.
FAKE_ANTHROPIC_KEY = "sk-ant-peer-" + "k" * 36
FAKE_OPENAI_KEY = "sk-peer-" + "q" * 40
FAKE_KEYS = {"ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY, "OPENAI_API_KEY": FAKE_OPENAI_KEY}


def gate_command() -> str:
    """The demo project's unittest gate, run by this interpreter."""
    return f"{shlex.quote(sys.executable)} -m unittest discover -s tests -q"


def write_peer_config(path: Path, peer: DemoPeer) -> Path:
    """Write a `--config` TOML for a real-provider session against `peer`.

    Planner Anthropic, executor OpenAI, both as reviewers, base URLs pointing
    at the peer, the unittest gate; retries wait at most 50 ms.
    """
    q = json.dumps  # a JSON string is a valid TOML basic string
    path.write_text(
        f"""[roles]
planner = {q(PLANNER)}
executor = {q(EXECUTOR)}
reviewers = [{q(PLANNER)}, {q(EXECUTOR)}]

[providers.anthropic]
api_base = {q(peer.anthropic_base)}
max_retry_wait_s = 0.05

[providers.openai]
api_base = {q(peer.openai_base)}
max_retry_wait_s = 0.05

[gate]
commands = [{q(gate_command())}]
timeout_s = 120
""",
        encoding="utf-8",
    )
    return path


def files_containing(root: Path, secrets: list[str]) -> list[str]:
    """Every file under `root` whose bytes contain one of `secrets` (relative paths)."""
    needles = [s.encode() for s in secrets]
    hits = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink() and any(n in p.read_bytes() for n in needles):
            hits.append(str(p.relative_to(root)))
    return hits
