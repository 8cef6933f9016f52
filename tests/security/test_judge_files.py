"""The triage judge's cached answer and its reply are untrusted: never a traceback (issue 16).

The judge's answer is cached in the round's folder (`triage-judge.json`) and
read again when the triage runs again (a rerun, a resumed session). A cache
nested without end, or a cached (or fresh) answer that is, is a warning and the
matcher's own result; the session goes on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from duo_tui.config import TriageConfig
from duo_tui.core.events import AwaitingDecision, Event
from duo_tui.core.models import Stage
from duo_tui.core.triage_judge import JudgeError, parse_verdicts
from duo_tui.core.triage_round import JUDGE_FILE
from duo_tui.providers.scripted import Script
from tests.core.helpers import (
    EXECUTOR,
    HARMLESS_FIX,
    PLANNER,
    ans,
    config,
    finding,
    make_script,
    review,
)
from tests.security.restart import resume, session_dir, until, warnings

DEEP = "[" * 100_000
JUDGE = "anthropic/claude-haiku-4-5"
# Two findings of one problem in other words: the matcher leaves them to the judge.
LEAK_A = finding(
    "F1", "high", "Token compared with == leaks timing", file="shop/auth.py", line=12,
    detail="use hmac.compare_digest",
)  # fmt: skip
LEAK_B = finding(
    "F1", "medium", "Token check is not constant time", file="shop/auth.py", line=12,
    detail="string equality short circuits",
)  # fmt: skip
VERDICT = json.dumps({"verdicts": [{"id": "C1", "verdict": "same", "reason": "same leak"}]})


def _script() -> Script:
    script = make_script(
        {
            ("review", PLANNER): [review(PLANNER, [LEAK_A]), review(PLANNER)],
            ("review", EXECUTOR): [review(EXECUTOR, [LEAK_B]), review(EXECUTOR)],
            "fix": HARMLESS_FIX,
        }
    )
    script[("triage_judge", JUDGE)] = [ans(VERDICT) for _ in range(3)]
    return script


def _triage_waits(ev: Event) -> bool:
    return isinstance(ev, AwaitingDecision) and ev.checkpoint.stage == Stage.TRIAGE


@pytest.mark.parametrize("damage", ["the cache file", "the cached answer"])
def test_a_nested_judge_cache_is_a_warning_and_the_triage_goes_on(
    demo_repo: Path, damage: str
) -> None:
    cfg = config()
    cfg.triage = TriageConfig(judge=JUDGE)
    until(demo_repo, _triage_waits, cfg, _script())
    cache = session_dir(demo_repo) / "T1" / "round-1" / JUDGE_FILE
    entry: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8"))
    if damage == "the cache file":
        cache.write_text(DEEP, encoding="utf-8")
    else:  # the same key: the answer is taken from the cache, not asked again
        cache.write_text(json.dumps(dict(entry, text=DEEP)), encoding="utf-8")

    report, events, _provider = resume(demo_repo, cfg, _script())

    assert report["committed"], report
    shown = warnings(events)
    said = "nested deeper than 64 levels" if damage == "the cache file" else "nested without end"
    assert said in shown, shown


def test_a_judge_answer_nested_without_end_is_a_judge_error() -> None:
    for text in (DEEP, 'the verdicts: {"verdicts": ' + DEEP + "}"):
        with pytest.raises(JudgeError, match="nested without end"):
            parse_verdicts(text, [])
