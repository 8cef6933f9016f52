"""Issue 6: the optional rebuttal round (`[loop] rebuttal = true`), against scripted models.

After the blind reviews of a round, each reviewer is shown the other's
findings and answers with its updated review: it concedes a finding it missed
(adds it), contests one (leaves it out), or withdraws or re-rates one of its
own. The changes of position are recorded (the round's `rebuttal.json`),
shown (notices; the updated review replaces the blind one in the review
pane), and the triage works on the updated reviews.

The scenario of round 1: the planner reports STACKING (critical); the executor
reports ROUNDING (medium) and NIT (low). In the rebuttal the planner concedes
ROUNDING; the executor contests STACKING, withdraws NIT and lowers ROUNDING to
low. Round 2 is clean.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from duo_tui.core.artifacts import ReviewArtifact
from duo_tui.core.events import ArtifactReady, AwaitingDecision, Event, Notice, UserDecision
from duo_tui.core.models import Mode, Review, Stage
from duo_tui.core.runner import HeadlessDriver, QueueDriver
from duo_tui.providers.scripted import ScriptedProvider
from duo_tui.service import open_existing, open_new
from duo_tui.store.session_store import SessionStore

from .helpers import (
    CONCEDE,
    CONTEST,
    EXECUTOR,
    NIT,
    PLANNER,
    REQUEST,
    ROUNDING,
    STACKING,
    Run,
    config,
    rebuttal_script,
    run_auto,
)


@pytest.fixture
def rebutted(demo_repo: Path) -> Run:
    cfg = config()
    cfg.loop.rebuttal = True
    return run_auto(demo_repo, rebuttal_script(), config=cfg)


def round_requests(run: Run, rnd: int) -> list[Any]:
    """The review and rebuttal requests of round `rnd` (four per round), in order."""
    reqs = [q for q in run.scripted.requests if q.purpose in ("review", "rebuttal")]
    return reqs[4 * (rnd - 1) : 4 * rnd]


def test_rebuttals_come_after_both_blind_reviews(rebutted: Run) -> None:
    """Per round: both reviews, then both rebuttals; the blind reviews see no other review."""
    assert rebutted.report["converged"] is True, rebutted.report["stop_reason"]
    assert rebutted.report["rounds"] == 2
    reqs = [q for q in rebutted.scripted.requests if q.purpose in ("review", "rebuttal")]
    assert [q.purpose for q in reqs] == ["review", "review", "rebuttal", "rebuttal"] * 2
    for rnd in (1, 2):
        assert {q.model for q in round_requests(rebutted, rnd)} == {PLANNER, EXECUTOR}
    blind = {q.model: rebutted.prompt(q) for q in round_requests(rebutted, 1)[:2]}
    for title in (ROUNDING["title"], NIT["title"], ROUNDING["detail"]):
        assert title not in blind[PLANNER]
    assert STACKING["title"] not in blind[EXECUTOR]
    assert STACKING["detail"] not in blind[EXECUTOR]


def test_each_rebuttal_prompt_shows_the_other_reviewers_findings(rebutted: Run) -> None:
    rebuttals = {q.model: rebutted.prompt(q) for q in round_requests(rebutted, 1)[2:]}
    planner, executor = rebuttals[PLANNER], rebuttals[EXECUTOR]
    assert planner.startswith("# Task: respond to the other reviewer")
    # the other's findings, fenced as untrusted data, and the reviewer's own review
    other = planner.index('<untrusted-data source="other review">')
    assert planner.index(ROUNDING["title"]) > other and planner.index(NIT["title"]) > other
    assert STACKING["title"] in planner[: planner.index('<untrusted-data source="other review">')]
    assert STACKING["title"] in executor[executor.index('<untrusted-data source="other review">') :]
    assert NIT["title"] not in executor[executor.index('<untrusted-data source="other review">') :]


def test_changes_of_position_are_recorded(rebutted: Run) -> None:
    store = SessionStore.open(rebutted.ws.repo, rebutted.report["session"])
    record = json.loads(store.read_artifact("T1/round-1/rebuttal.json") or "{}")
    planner, executor = record["reviewers"]
    assert (planner["index"], planner["model"]) == (0, PLANNER)
    assert planner["conceded"] == [ROUNDING["title"]]
    assert planner["contested"] == [NIT["title"]]
    assert planner["withdrawn"] == [] and planner["severity_changed"] == []
    assert planner["summary"] == CONCEDE
    assert (executor["index"], executor["model"]) == (1, EXECUTOR)
    assert executor["conceded"] == []
    assert executor["contested"] == [STACKING["title"]]
    assert executor["withdrawn"] == [NIT["title"]]
    assert executor["severity_changed"] == [
        {"title": ROUNDING["title"], "from": "medium", "to": "low"}
    ]
    assert executor["summary"] == CONTEST
    # before and after: the blind review and the updated one
    assert Review.model_validate(executor["before"]).findings[1].title == NIT["title"]
    assert [f.title for f in Review.model_validate(planner["after"]).findings] == [
        STACKING["title"],
        ROUNDING["title"],
    ]
    # the updated reviews are kept beside the blind ones
    updated = Review.model_validate_json(store.read_artifact("T1/round-1/rebuttal-0.json") or "")
    assert len(updated.findings) == 2
    # round 2: nobody had anything to concede or contest
    record2 = json.loads(store.read_artifact("T1/round-2/rebuttal.json") or "{}")
    for r in record2["reviewers"]:
        assert r["conceded"] == r["contested"] == r["withdrawn"] == r["severity_changed"] == []


def notices(events: list[Event]) -> list[str]:
    return [e.message for e in events if isinstance(e, Notice)]


def test_changes_of_position_are_shown(rebutted: Run) -> None:
    """Each change of position is a notice (a holding position, a contest, is not); the
    updated review, with the positions, replaces the blind one in the reviewer's pane."""
    shown = notices(rebutted.events)
    changes = [m for m in shown if any(w in m for w in ("conceded", "withdrew", "re-rated"))]
    assert changes == [
        f"{PLANNER} conceded: {ROUNDING['title']}",
        f"{EXECUTOR} withdrew: {NIT['title']}",
        f"{EXECUTOR} re-rated: {ROUNDING['title']} medium → low",
    ]  # and none in round 2, where nobody moved
    assert not [m for m in shown if "contest" in m]
    # the updated review replaces the blind one in its pane, after it
    shown_reviews = [
        e for e in rebutted.events if isinstance(e, ArtifactReady) and e.kind == "review"
    ]
    reviews = [
        (e.data.index, [f.title for f in e.data.review.findings])
        for e in shown_reviews
        if isinstance(e.data, ReviewArtifact)
    ]
    assert sorted(reviews[:2]) == [(0, [STACKING["title"]]), (1, [ROUNDING["title"], NIT["title"]])]
    assert reviews[2:4] == [
        (0, [STACKING["title"], ROUNDING["title"]]),
        (1, [ROUNDING["title"]]),
    ]
    positions = [e.data.rebuttal for e in shown_reviews if isinstance(e.data, ReviewArtifact)]
    assert positions[0] is None
    assert positions[3] is not None and positions[3].contested == (STACKING["title"],)
    assert positions[3].summary == CONTEST


def test_the_triage_works_on_the_updated_reviews(rebutted: Run) -> None:
    """ROUNDING is agreed (conceded), NIT is gone (withdrawn), STACKING stays one-sided."""
    store = SessionStore.open(rebutted.ws.repo, rebutted.report["session"])
    triage = json.loads(store.read_artifact("T1/round-1/triage.json") or "{}")
    groups = {g["title"]: g for g in triage["groups"]}
    assert set(groups) == {STACKING["title"], ROUNDING["title"]}
    assert groups[STACKING["title"]]["kind"] == "only"
    rounding = groups[ROUNDING["title"]]
    assert rounding["kind"] == "severity"  # the planner says medium, the executor now low
    assert sorted(m["reviewer"] for m in rounding["members"]) == [0, 1]
    first = rebutted.report["findings_by_round"][0]
    assert first["findings"] == {"critical": 1, "high": 0, "medium": 1, "low": 0, "info": 0}
    # the rebuttal calls are in the transcript, as review-stage calls of each reviewer
    calls = [c for c in store.calls() if c.stage.value == "review"]
    assert len(calls) == 8
    rebuttal_calls = [c for c in calls if "respond to the other reviewer" in c.request_text]
    assert sorted((c.round, c.model) for c in rebuttal_calls) == sorted(
        (r, m) for r in (1, 2) for m in (PLANNER, EXECUTOR)
    )


def test_without_the_setting_there_is_no_rebuttal(demo_repo: Path) -> None:
    run = run_auto(demo_repo, rebuttal_script())
    assert [q.purpose for q in run.scripted.requests].count("rebuttal") == 0
    store = SessionStore.open(demo_repo, run.report["session"])
    assert store.read_artifact("T1/round-1/rebuttal.json") is None
    assert not [m for m in notices(run.events) if "conceded" in m or "contests" in m]


@pytest.mark.parametrize("killed_at", [Stage.REVIEW, Stage.TRIAGE])
def test_a_restart_keeps_the_rebuttal_and_does_not_ask_again(
    demo_repo: Path, killed_at: Stage
) -> None:
    """Killed while the review (or triage) checkpoint of round 1 waits for the human: the
    resumed session goes on from the rebutted reviews, without asking anyone again."""
    cfg = config()
    cfg.loop.rebuttal = True
    scripted = ScriptedProvider(rebuttal_script(), chunk_chars=64)
    driver = QueueDriver()
    running: list[asyncio.Task[Any]] = []

    def answer(ev: Event) -> None:
        if isinstance(ev, AwaitingDecision):
            if ev.checkpoint.stage == killed_at:
                running[0].cancel()  # the process dies while the checkpoint waits
            else:
                driver.answer(UserDecision("accept"))

    ws = open_new(
        demo_repo,
        REQUEST,
        cfg,
        driver=driver,
        mode=Mode.MANUAL,
        autopilot=False,
        listeners=[answer],
        providers=lambda _model: scripted,
    )

    async def first_run() -> None:
        running.append(asyncio.create_task(ws.pipeline.run()))
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(running[0], timeout=60)

    try:
        asyncio.run(first_run())
    finally:
        ws.close()
    asked = [q.purpose for q in scripted.requests]
    assert asked.count("review") == asked.count("rebuttal") == 2

    events: list[Event] = []
    resumed = open_existing(
        demo_repo,
        ws.session.id,
        cfg,
        driver=HeadlessDriver(),
        autopilot=True,
        listeners=[events.append],
        providers=lambda _model: scripted,  # its round-1 answers are used up
    )
    try:
        report = asyncio.run(asyncio.wait_for(resumed.pipeline.run(), timeout=60))
    finally:
        resumed.close()
    assert report["converged"] is True, report["stop_reason"]
    # only round 2 was reviewed (and rebutted) after the restart
    again = [(q.purpose, q.model) for q in scripted.requests[len(asked) :]]
    assert sorted(p for p, _ in again if p in ("review", "rebuttal")) == [
        "rebuttal",
        "rebuttal",
        "review",
        "review",
    ]
    assert again.index(("fix", EXECUTOR)) < min(
        i for i, (p, _) in enumerate(again) if p == "review"
    )
    # round 1's triage was made from the updated reviews, as before the restart
    store = SessionStore.open(demo_repo, report["session"])
    triage = json.loads(store.read_artifact("T1/round-1/triage.json") or "{}")
    groups = {g["title"]: g for g in triage["groups"]}
    assert set(groups) == {STACKING["title"], ROUNDING["title"]}
    assert groups[ROUNDING["title"]]["kind"] == "severity"
    if killed_at == Stage.REVIEW:
        # the review checkpoint shows the updated reviews again, with their positions
        # (after the resume's redraw of the stored reviews, which carry no positions)
        shown = [
            e.data
            for e in events
            if isinstance(e, ArtifactReady)
            and isinstance(e.data, ReviewArtifact)
            and e.data.rebuttal is not None
        ]
        assert [len(r.review.findings) for r in shown[:2]] == [2, 1]
        assert shown[0].rebuttal is not None
        assert shown[0].rebuttal.conceded == (ROUNDING["title"],)
