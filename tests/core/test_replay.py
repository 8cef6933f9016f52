"""A resumed session redraws what its finished stages produced, from its files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from duo_tui.core.artifacts import (
    Artifact,
    DiffArtifact,
    PlanArtifact,
    ReviewArtifact,
    TasksArtifact,
    TriageArtifact,
)
from duo_tui.core.events import ArtifactReady, Event, StageFinished, TextDelta
from duo_tui.core.models import StageState
from duo_tui.core.runner import HeadlessDriver
from duo_tui.service import open_existing

from .helpers import config, run_auto


def _resume(repo: Path) -> list[Event]:
    events: list[Event] = []
    ws = open_existing(repo, None, config(), driver=HeadlessDriver(), listeners=[events.append])
    try:
        asyncio.run(ws.pipeline.run())
    finally:
        ws.close()
    return events


def test_a_finished_session_resumes_with_every_stage_drawn(demo_repo: Path) -> None:
    first = run_auto(demo_repo)
    assert first.report["converged"]
    events = _resume(demo_repo)
    artifacts: dict[str, list[Artifact]] = {}
    for ev in events:
        if isinstance(ev, ArtifactReady):
            artifacts.setdefault(ev.kind, []).append(ev.data)
    plan = artifacts["plan"][0]
    assert isinstance(plan, PlanArtifact)
    assert plan.version == first.ws.session.plan_version and "## Goal" in plan.text
    assert sorted(d.index for d in artifacts["review"] if isinstance(d, ReviewArtifact)) == [0, 1]
    # the last round's reviews and triage, with the decisions that were taken
    triage = artifacts["triage"][0]
    assert isinstance(triage, TriageArtifact)
    assert triage.groups and all(g.decision in ("fix", "defer", "dismiss") for g in triage.groups)
    diff, tasks = artifacts["diff"][0], artifacts["tasks"][0]
    assert isinstance(diff, DiffArtifact) and "shop/cart.py" in diff.diff
    assert isinstance(tasks, TasksArtifact) and tasks.tasks[0].id == "T1"
    gate_log = "".join(
        ev.text for ev in events if isinstance(ev, TextDelta) and ev.stream == "gate"
    )
    assert "unittest" in gate_log or "OK" in gate_log
    done = {ev.stage.value: ev.state for ev in events if isinstance(ev, StageFinished)}
    for stage in ("plan", "align", "execute", "gate", "review", "triage", "fix", "commit"):
        assert done.get(stage) == StageState.ACCEPTED, stage
