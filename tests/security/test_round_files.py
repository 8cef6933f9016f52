"""A hostile or corrupted file of an earlier round never ends a live session (issue 16).

The session reads its own files back while it runs: the previous round's
`triage.json` (the findings a resumed fix must fix, the decisions carried over)
and the round's stored reviews. Each is untrusted: bad JSON, wrong types, a
file over the `[limits]` or nested 100,000 deep gives a visible warning and a
safe fallback, never a traceback, and the session goes on to its commit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from duo_tui.core.events import AwaitingDecision, Event, StageStarted
from duo_tui.core.models import Stage
from duo_tui.providers.scripted import ScriptedProvider
from tests.core.helpers import (
    EXECUTOR,
    HARMLESS_FIX,
    PLANNER,
    STACKING,
    config,
    make_script,
    review,
)
from tests.security.restart import resume, session_dir, until, warnings


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


def _fix_starts(ev: Event) -> bool:
    return isinstance(ev, StageStarted) and ev.stage == Stage.FIX


def _triage_waits(ev: Event) -> bool:
    return isinstance(ev, AwaitingDecision) and ev.checkpoint.stage == Stage.TRIAGE


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
    until(demo_repo, _fix_starts, cfg, _script())
    triage = session_dir(demo_repo) / "T1" / "round-1" / "triage.json"
    assert triage.is_file()
    content, said = CORRUPTED[name]
    triage.write_text(content, encoding="utf-8")

    report, events, provider = resume(demo_repo, cfg, _resumed_script())

    assert report["converged"] and report["committed"], report
    shown = warnings(events)
    assert "T1/round-1/triage.json" in shown and said in shown, shown
    assert "the fix goes ahead without its findings" in shown
    # the resumed fix still reached the executor, without a findings list
    (prompt,) = _fix_prompts(provider)
    assert "Findings to fix" not in prompt


def test_malformed_groups_of_an_earlier_triage_are_skipped(demo_repo: Path) -> None:
    cfg = config()
    until(demo_repo, _fix_starts, cfg, _script())
    triage = session_dir(demo_repo) / "T1" / "round-1" / "triage.json"
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

    report, _events, provider = resume(demo_repo, cfg, _resumed_script())

    assert report["converged"] and report["committed"], report
    (prompt,) = _fix_prompts(provider)
    assert "Findings to fix" in prompt and STACKING["title"] in prompt


def test_unreadable_stored_reviews_are_asked_again(demo_repo: Path) -> None:
    """Reviews read back at the triage checkpoint: corrupted ones are reviewed again."""
    cfg = config()
    until(demo_repo, _triage_waits, cfg, _script())
    round1 = session_dir(demo_repo) / "T1" / "round-1"
    reviews = sorted(round1.glob("review-*.json"))
    assert len(reviews) == 2
    reviews[0].write_text("[" * 100_000, encoding="utf-8")
    reviews[1].write_text('{"reviewer": 5, "findings": "none"}', encoding="utf-8")

    report, events, provider = resume(demo_repo, cfg, _resumed_script())

    assert report["committed"], report
    shown = warnings(events)
    assert "nested deeper than 64 levels" in shown and "is not a duo review" in shown
    assert "reviews again" in shown
    assert [r.purpose for r in provider.requests].count("review") == 2  # both asked again
