"""Helpers of the peer tests: fake keys, the peer config file, a headless run, a secret scan."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from duo_tui.config import load_config
from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import EXECUTOR, PLANNER
from duo_tui.headless import run_headless
from tests.core.helpers import BASE_SUBJECT

from .peer import DemoPeer

#: What every session of the demo request asks before its first review: the plan, the
#: executor's objection, the revised plan, the executor's "ready", the first change.
PLANNING_CALLS = ["plan", "align", "revise", "align", "execute"]

# Built at runtime so that no key-shaped literal sits in the sources.
FAKE_ANTHROPIC_KEY = "sk-ant-peer-" + "k" * 36
FAKE_OPENAI_KEY = "sk-peer-" + "q" * 40
FAKE_KEYS = {"ANTHROPIC_API_KEY": FAKE_ANTHROPIC_KEY, "OPENAI_API_KEY": FAKE_OPENAI_KEY}


def gate_command() -> str:
    """The demo project's unittest gate, run by this interpreter."""
    return f"{shlex.quote(sys.executable)} -m unittest discover -s tests -q"


def write_peer_config(
    path: Path, peer: DemoPeer, *, loop: Mapping[str, bool | int | float] | None = None
) -> Path:
    """Write a `--config` TOML for a real-provider session against `peer`.

    Planner Anthropic, executor OpenAI, both as reviewers, base URLs pointing
    at the peer, the unittest gate; retries wait at most 50 ms. `loop` becomes
    the `[loop]` table (max_rounds, max_cost_usd, rebuttal, ...).
    """
    q = json.dumps  # a JSON string is a valid TOML basic string
    # ... and JSON numbers and booleans are valid TOML values
    loop_table = "".join(f"{k} = {q(v)}\n" for k, v in (loop or {}).items())
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
"""
        + (f"\n[loop]\n{loop_table}" if loop_table else ""),
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


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def subjects(repo: Path, rev: str) -> list[str]:
    """Commit subjects on `rev`, newest first."""
    return git(repo, "log", "--format=%s", rev).splitlines()


@dataclass
class HeadlessRun:
    """What `run_headless` (the core of `duo-tui run`) left: exit code, progress, JSON report."""

    code: int
    progress: str
    report: dict[str, Any]


async def run_in_process(
    repo: Path, config: Path, report_path: Path, request: str = REQUEST
) -> HeadlessRun:
    """`run_headless` in this process, with `--config config --json report_path`."""
    err = io.StringIO()
    code = await run_headless(
        repo, request, load_config(repo, config), json_path=report_path, err=err
    )
    return HeadlessRun(code, err.getvalue(), json.loads(report_path.read_text()))


def decision_path(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(stage, round, action) of every decision in the JSON report, in order."""
    return [(d["stage"], d["round"], d["action"]) for d in report["decisions"]]


def round_path(
    *rounds: int, last: tuple[str, ...] = ("fix", "gate", "review", "triage")
) -> list[tuple[str, int, str]]:
    """The accepted decisions of the planning stages and of the task rounds `rounds`.

    Round 1 is execute, gate, review, triage; a later round fix, gate, review, triage.
    """
    path = [("plan", 1, "accept"), ("align", 1, "accept")]
    for r in rounds:
        stages = ("execute", "gate", "review", "triage") if r == 1 else last
        path += [(stage, r, "accept") for stage in stages]
    return path


def assert_cost_from_peer(peer: DemoPeer, report: dict[str, Any]) -> None:
    """The report's cost is what the peer's token counts cost at the price list, per model too."""
    assert report["cost_known"] is True
    assert report["cost_usd"] == pytest.approx(peer.cost_usd(), abs=1e-9)
    usage = report["usage"]
    for model, (inp, out) in peer.usage_by_model().items():
        assert (usage[model]["input_tokens"], usage[model]["output_tokens"]) == (inp, out), model


def assert_stopped(repo: Path, run: HeadlessRun, *why: str) -> str:
    """The session stopped without converging, said `why` in the report and on stderr, and
    left no commit: the session branch is the base commit, the user's branch untouched."""
    report = run.report
    assert run.code == 1, run.progress
    assert report["converged"] is False and report["committed"] is False, report
    assert report["commit"] is None and report["commits"] == []
    assert report["errors"] == []
    reason = report["stop_reason"] or ""
    for phrase in why:
        assert phrase in reason, (phrase, reason)
    assert f"■ session stopped: {reason}" in run.progress
    assert subjects(repo, report["branch"]) == [BASE_SUBJECT]
    assert subjects(repo, "main") == [BASE_SUBJECT]
    assert git(repo, "branch", "--show-current") == "main"
    return reason
