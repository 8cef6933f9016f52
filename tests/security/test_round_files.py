"""A hostile or corrupted file of an earlier round never ends a live session (issue 16).

The session reads its own files back while it runs: the previous round's
`triage.json` (the findings a resumed fix must fix, the decisions carried over)
and the round's stored reviews. Each is untrusted: bad JSON, wrong types, a
file over the `[limits]` or nested 100,000 deep gives a visible warning and a
safe fallback, never a traceback, and the session goes on to its commit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from duo_tui.config import Config
from duo_tui.core.events import AwaitingDecision, Event, Notice, StageStarted, UserDecision
from duo_tui.core.models import Mode, Stage
from duo_tui.core.runner import QueueDriver
from duo_tui.providers.scripted import ScriptedProvider
from duo_tui.service import open_existing, open_new
from tests.core.helpers import (
    EXECUTOR,
    HARMLESS_FIX,
    PLANNER,
    REQUEST,
    STACKING,
    config,
    make_script,
    review,
)


def _script() -> Any:
    """Round 1: both reviewers report STACKING (to fix); from round 2 on they approve."""
    return make_script(
        {
            ("review", PLANNER): [review(PLANNER, [STACKING]), review(PLANNER)],
            ("review", EXECUTOR): [review(EXECUTOR, [STACKING]), review(EXECUTOR)],
            "fix": HARMLESS_FIX,
        }
    )


def _resumed_script() -> Any:
    """After the restart: the fix, then both reviewers approve."""
    return make_script(
        {
            ("review", PLANNER): review(PLANNER),
            ("review", EXECUTOR): review(EXECUTOR),
            "fix": HARMLESS_FIX,
        }
    )


def _until(repo: Path, stop: Callable[[Event], bool], cfg: Config) -> None:
    """Run a session until `stop(event)`, then let the process go away (a restart)."""
    provider = ScriptedProvider(_script())

    async def go() -> None:
        driver = QueueDriver()
        reached = asyncio.Event()

        def answer(ev: Event) -> None:
            if stop(ev):
                reached.set()
            elif isinstance(ev, AwaitingDecision) and not reached.is_set():
                driver.answer(UserDecision("accept"))

        ws = open_new(
            repo,
            REQUEST,
            cfg,
            driver=driver,
            mode=Mode.FAST,
            listeners=[answer],
            providers=lambda _m: provider,
        )
        task = asyncio.create_task(ws.pipeline.run())
        await asyncio.wait_for(reached.wait(), 60)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        ws.close()

    asyncio.run(go())


def _fix_starts(ev: Event) -> bool:
    return isinstance(ev, StageStarted) and ev.stage == Stage.FIX


def _triage_waits(ev: Event) -> bool:
    return isinstance(ev, AwaitingDecision) and ev.checkpoint.stage == Stage.TRIAGE


def _resume(repo: Path, cfg: Config) -> tuple[dict[str, Any], list[Event], ScriptedProvider]:
    provider = ScriptedProvider(_resumed_script())
    events: list[Event] = []

    async def go() -> dict[str, Any]:
        driver = QueueDriver()

        def answer(ev: Event) -> None:
            events.append(ev)
            if isinstance(ev, AwaitingDecision):
                driver.answer(UserDecision("accept"))

        ws = open_existing(
            repo, None, cfg, driver=driver, listeners=[answer], providers=lambda _m: provider
        )
        try:
            return await asyncio.wait_for(ws.pipeline.run(), 60)
        finally:
            ws.close()

    return asyncio.run(go()), events, provider


def _session_dir(repo: Path) -> Path:
    (folder,) = [p for p in (repo / ".duo" / "sessions").iterdir() if p.is_dir()]
    return folder


def _warnings(events: list[Event]) -> str:
    return "\n".join(e.message for e in events if isinstance(e, Notice) and e.severity == "warning")


def _fix_prompts(provider: ScriptedProvider) -> list[str]:
    return [
        "\n".join(m.content for m in r.messages) for r in provider.requests if r.purpose == "fix"
    ]


_BIG_TABLE = json.dumps({"groups": [{"key": f"G{k}", "title": "x" * 100} for k in range(400)]})

CORRUPTED = {
    "not JSON": ("{ this is not json", "not valid JSON"),
    "nested 100,000 deep": ("[" * 100_000, "nested deeper than 64 levels"),
    "wrong types": ('{"groups": "G1", "decisions": ["fix"]}', "does not hold a triage table"),
    "a list": ("[1, 2, 3]", "does not hold a triage table"),
    "over the size limit": (_BIG_TABLE, "[limits] review_file_mb"),
}


@pytest.mark.parametrize("name", list(CORRUPTED))
def test_a_corrupted_earlier_triage_is_a_warning_and_the_fix_goes_on(
    demo_repo: Path, name: str
) -> None:
    cfg = config()
    if name == "over the size limit":
        cfg.limits.review_file_mb = 0.02  # 20 KB: the big table is over it, the real ones not
    _until(demo_repo, _fix_starts, cfg)
    triage = _session_dir(demo_repo) / "T1" / "round-1" / "triage.json"
    assert triage.is_file()
    content, said = CORRUPTED[name]
    triage.write_text(content, encoding="utf-8")

    report, events, provider = _resume(demo_repo, cfg)

    assert report["converged"] and report["committed"], report
    warnings = _warnings(events)
    assert "T1/round-1/triage.json" in warnings and said in warnings, warnings
    assert "the fix goes ahead without its findings" in warnings
    # the resumed fix still reached the executor, without a findings list
    (prompt,) = _fix_prompts(provider)
    assert "Findings to fix" not in prompt


def test_malformed_groups_of_an_earlier_triage_are_skipped(demo_repo: Path) -> None:
    cfg = config()
    _until(demo_repo, _fix_starts, cfg)
    triage = _session_dir(demo_repo) / "T1" / "round-1" / "triage.json"
    table = json.loads(triage.read_text(encoding="utf-8"))
    good = next(g for g in table["groups"] if table["decisions"].get(g["key"]) == "fix")
    table["groups"] = [
        5,
        {"key": 7},
        {"key": "G9", "severity": 3, "title": None, "members": [5, {"finding": "x"}]},
        good,
    ]
    table["decisions"]["G9"] = "fix"
    triage.write_text(json.dumps(table), encoding="utf-8")

    report, _events, provider = _resume(demo_repo, cfg)

    assert report["converged"] and report["committed"], report
    (prompt,) = _fix_prompts(provider)
    assert "Findings to fix" in prompt and STACKING["title"] in prompt


def test_unreadable_stored_reviews_are_asked_again(demo_repo: Path) -> None:
    """Reviews read back at the triage checkpoint: corrupted ones are reviewed again."""
    cfg = config()
    _until(demo_repo, _triage_waits, cfg)
    round1 = _session_dir(demo_repo) / "T1" / "round-1"
    reviews = sorted(round1.glob("review-*.json"))
    assert len(reviews) == 2
    reviews[0].write_text("[" * 100_000, encoding="utf-8")
    reviews[1].write_text('{"reviewer": 5, "findings": "none"}', encoding="utf-8")

    report, events, provider = _resume(demo_repo, cfg)

    assert report["committed"], report
    warnings = _warnings(events)
    assert "nested deeper than 64 levels" in warnings and "is not a duo review" in warnings
    assert "reviews again" in warnings
    assert [r.purpose for r in provider.requests].count("review") == 2  # both asked again
