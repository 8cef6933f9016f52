"""The judge and the human's corrections inside a session, played by the scripted provider.

Round 1: both reviewers report a timing leak in auth (in other words: the matcher
leaves them unpaired) and a retry problem in the client (the matcher pairs them).
`[triage] judge = "anthropic/claude-haiku-4-5"` joins the timing leak in one call; a rerun of the
triage asks nobody again (the answer is cached in the round's folder). The
human then splits the retry pair by hand: the log says so, triage.json keeps it,
a resumed session shows it, and the judge's call is in the session's cost.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from duo_tui.config import TriageConfig
from duo_tui.core.events import Checkpoint, Notice, UsageUpdate, UserDecision
from duo_tui.core.models import Stage, Usage
from duo_tui.core.replay import replay_events
from duo_tui.core.triage_corrections import split_group
from duo_tui.providers.scripted import ScriptedAnswer
from duo_tui.store.export import export_markdown

from .helpers import (
    CLEAN_REVIEWS,
    EXECUTOR,
    HARMLESS_FIX,
    PLANNER,
    config,
    finding,
    make_script,
    review,
    run_manual,
)

LEAK_A = finding(
    "F1", "high", "Token compared with == leaks timing", file="shop/auth.py", line=12,
    detail="use hmac.compare_digest",
)  # fmt: skip
LEAK_B = finding(
    "F1", "medium", "Token check is not constant time", file="shop/auth.py", line=12,
    detail="string equality short circuits",
)  # fmt: skip
RETRY_A = finding(
    "F2", "low", "Retry loop has no backoff", file="shop/client.py", line=30,
    detail="retries immediately",
)  # fmt: skip
RETRY_B = finding(
    "F2", "low", "Retry loop retries forever", file="shop/client.py", line=31,
    detail="never gives up",
)  # fmt: skip
JUDGE = "anthropic/claude-haiku-4-5"
REASON = "both say the token comparison is not constant-time"
JUDGE_COST = 0.0031


def _script() -> Any:
    verdict = json.dumps({"verdicts": [{"id": "C1", "verdict": "same", "reason": REASON}]})
    script = make_script(
        {
            ("review", PLANNER): [review(PLANNER, [LEAK_A, RETRY_A]), CLEAN_REVIEWS[("review", PLANNER)]],  # type: ignore[list-item]
            ("review", EXECUTOR): [review(EXECUTOR, [LEAK_B, RETRY_B]), CLEAN_REVIEWS[("review", EXECUTOR)]],  # type: ignore[list-item]
            "fix": HARMLESS_FIX,
        }
    )  # fmt: skip
    usage = Usage(input_tokens=2100, output_tokens=60, cost_usd=JUDGE_COST)
    script[("triage_judge", JUDGE)] = [
        ScriptedAnswer(verdict, usage),
        ScriptedAnswer("a second call must not happen", usage),
    ]
    return script


def _run(demo_repo: Path) -> tuple[Any, list[Checkpoint]]:
    cfg = config()
    cfg.triage = TriageConfig(judge=JUDGE)
    seen: list[Checkpoint] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if len(seen) == 2:  # the triage is decided: stop, to resume later
            return UserDecision("stop", reason="back tomorrow")
        if cp.stage != Stage.TRIAGE:
            return None
        seen.append(cp)
        if len(seen) == 1:
            return UserDecision("rerun")  # the same inputs again: no second call
        if len(seen) == 2:
            groups = [g.as_row() for g in cp.data.groups]
            retry = next(g for g in groups if "Retry" in g["title"])
            _, correction = split_group(groups, retry["key"])
            return UserDecision("accept", regroup=[correction])
        return None

    return run_manual(demo_repo, _script(), policy, config=cfg), seen


def test_the_judge_joins_once_the_human_splits_and_both_are_kept(demo_repo: Path) -> None:
    run, seen = _run(demo_repo)
    assert run.report["stop_reason"] == "back tomorrow", run.report
    calls = run.requests("triage_judge")
    assert len(calls) == 1, "the rerun read the cached verdicts"
    assert calls[0].model == JUDGE and calls[0].json_schema is not None
    assert "<untrusted-data" in run.prompt(calls[0])

    # the checkpoint showed the judge's pair with its reason
    groups = seen[0].data.groups
    leak = next(g for g in groups if "Token" in g.title)
    assert leak.by == "judge" and len(leak.members) == 2
    assert leak.judge[0]["reason"] == REASON and leak.judge[0]["applied"] == "joined"
    assert seen[1].data.groups == groups, "the cached verdicts give the same triage"

    store = run.ws.store
    assert json.loads(store.read_artifact("T1/round-1/triage-judge.json"))["model"] == JUDGE
    saved = json.loads(store.read_artifact("T1/round-1/triage.json"))
    retry_keys = [g["key"] for g in saved["groups"] if "Retry" in g["title"]]
    assert len(retry_keys) == 2, "the retry pair was split in two"
    assert all(
        g["by"] == "human" and g["kind"] == "only"
        for g in saved["groups"]
        if g["key"] in retry_keys
    )
    assert set(saved["decisions"]) == {g["key"] for g in saved["groups"]}
    assert saved["corrections"][0]["op"] == "split"
    assert any(g.get("by") == "judge" for g in saved["groups"])

    # the decision log: the human's correction, labelled as such
    log = [d for d in store.decisions() if d.stage == Stage.TRIAGE and d.action == "correct"]
    assert len(log) == 1 and log[0].by == "human" and log[0].round == 1
    assert log[0].data["correction"]["op"] == "split"
    assert log[0].data["correction"]["findings"] == ["R0:F2", "R1:F2"]

    said = [e.message for e in run.events if isinstance(e, Notice)]
    assert sum("triage judge: asking" in m for m in said) == 1
    assert any("triage judge (cached): 1 candidate(s): 1 joined" in m for m in said)
    # costed with the session: the triage stage and the judge's model
    s = run.ws.session
    assert s.usage_by_stage["triage"].cost_usd == JUDGE_COST
    assert s.usage_by_model[JUDGE].cost_usd == JUDGE_COST
    # ... and the workbench's cost line (it shows the UsageUpdate events) hears of it
    shown = [e for e in run.events if isinstance(e, UsageUpdate) and JUDGE in e.by_model]
    assert shown and shown[0].by_stage["triage"].cost_usd == JUDGE_COST
    assert shown[0].cost_usd >= JUDGE_COST
    assert run.report["cost_usd"] >= JUDGE_COST
    table = export_markdown(store).split("## Cost and tokens", 1)[1]
    assert f"| `{JUDGE}` | 2100 | — | 60 | $0.00 |" in table  # two decimals

    # a resumed session redraws the corrected triage
    (triage,) = [e for e in replay_events(s, store) if getattr(e, "kind", "") == "triage"]
    shown = {g.key: g for g in triage.data.groups}
    assert sorted(shown) == sorted(g["key"] for g in saved["groups"])
    assert [shown[k].by for k in retry_keys] == ["human", "human"]


def test_without_a_judge_nothing_is_asked(demo_repo: Path) -> None:
    run = run_manual(demo_repo, _script(), lambda cp, n: None)
    assert run.requests("triage_judge") == []


def test_the_review_checkpoint_says_its_matches_are_the_matchers_and_the_judge_comes_later(
    demo_repo: Path,
) -> None:
    """The agreement shown as soon as both reviews are in is the offline matcher's: the
    judge is asked only once the reviews are accepted (no paid call at the review
    checkpoint, whose reviews may still be rerun), and the checkpoint says so."""
    cfg = config()
    cfg.triage = TriageConfig(judge=JUDGE)
    notes: list[str] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage == Stage.REVIEW and cp.data.groups:
            notes.append(cp.data.preview_note)
        if cp.stage == Stage.TRIAGE:
            return UserDecision("stop", reason="seen enough")
        return None

    run_manual(demo_repo, _script(), policy, config=cfg)
    assert notes[:1] == [
        f"the offline matcher's matches: the judge ({JUDGE}) settles its unsure pairs in the triage"
    ], notes
