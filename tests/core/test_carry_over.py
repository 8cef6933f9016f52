"""Each round's triage starts fresh; a recurring finding may keep its decision, marked.

Round 1: both reviewers report STACKING (critical, G1), reviewer A also NIT (low, G2).
The human marks G1 fix and G2 accept-risk with a reason. Round 2: reviewer A reports
NIT again (now G1, in other words) and reviewer B a new low finding. Round 2's G1 is
round 1's G2, not round 1's G1: it may start as accept-risk (carried over), never as fix.
"""

from __future__ import annotations

import json
from pathlib import Path

from duo_tui.core.artifacts import CarriedDecision
from duo_tui.core.convergence import merge_reviews
from duo_tui.core.events import Checkpoint, UserDecision
from duo_tui.core.models import FindingDecision, Review, Stage

from .helpers import (
    EXECUTOR,
    HARMLESS_FIX,
    NIT,
    PLANNER,
    STACKING,
    finding,
    make_script,
    review,
    run_manual,
)

NIT_AGAIN = dict(NIT, id="F7", title="apply_code lacks a docstring", line=21)
NEW_LOW = finding(
    "F3", "low", "Receipt footer misses the shop name", file="shop/receipt.py", line=4
)
RISK = "documented in the changelog instead"


def _script():  # type: ignore[no-untyped-def]
    return make_script(
        {
            ("review", PLANNER): [review(PLANNER, [STACKING, NIT]), review(PLANNER, [NIT_AGAIN])],
            ("review", EXECUTOR): [review(EXECUTOR, [STACKING]), review(EXECUTOR, [NEW_LOW])],
            "fix": HARMLESS_FIX,
        }
    )


def _triage_policy(round2: UserDecision):  # type: ignore[no-untyped-def]
    seen: list[Checkpoint] = []

    def policy(cp: Checkpoint, _n: int) -> UserDecision | None:
        if cp.stage != Stage.TRIAGE:
            return None
        seen.append(cp)
        if len(seen) == 1:
            return UserDecision(
                "accept",
                findings={"G1": "fix", "G2": "accept_risk"},
                finding_reasons={"G2": RISK},
            )
        return round2

    return policy, seen


def _triage(run, rnd: int) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(run.ws.store.read_artifact(f"T1/round-{rnd}/triage.json"))


def test_round_two_starts_fresh_and_marks_the_recurring_finding(demo_repo: Path) -> None:
    # an old-style driver that sends round 1's whole map again, G3 and G4 included
    stale = UserDecision(
        "accept",
        findings={"G3": "fix", "G4": "dismiss"},
        finding_reasons={"G4": "round 1's reason"},
    )
    policy, seen = _triage_policy(stale)
    run = run_manual(demo_repo, _script(), policy)
    assert len(seen) == 2
    groups = {g.key: g for g in seen[1].data.groups}
    nit = next(k for k, g in groups.items() if "docstring" in g.title)
    other = next(k for k in groups if k != nit)
    # the recurring finding starts from round 1's decision, marked as carried over
    assert groups[nit].decision == "accept_risk"
    assert groups[nit].source == "carried"
    assert groups[nit].carried == CarriedDecision(
        decision="accept_risk", round=1, key="G2", reason=RISK
    )
    # the new finding starts from the suggestion, never from round 1's G1 "fix"
    assert groups[other].decision == "defer"
    assert groups[other].source == "suggested"
    assert groups[other].carried is None
    t2 = _triage(run, 2)
    # keys of round 1 that are no finding of round 2 are not recorded for round 2
    assert set(t2["decisions"]) == set(groups)
    assert set(t2["reasons"]) == {nit}
    assert t2["reasons"][nit] == RISK
    assert t2["sources"] == {nit: "carried", other: "suggested"}
    assert run.report["converged"]


def test_the_log_records_what_the_human_chose_and_autopilot_labelled(demo_repo: Path) -> None:
    policy, _seen = _triage_policy(UserDecision("accept", findings={"G2": "dismiss"}))
    run = run_manual(demo_repo, _script(), policy)
    t2 = _triage(run, 2)
    assert t2["decisions"]["G2"] == "dismiss" and t2["sources"]["G2"] == "human"
    log = [d for d in run.ws.store.decisions() if d.stage == Stage.TRIAGE]  # type: ignore[attr-defined]
    assert [(d.round, d.by, d.data.get("findings")) for d in log] == [
        (1, "human", {"G1": "fix", "G2": "accept_risk"}),
        (2, "human", {"G2": "dismiss"}),
    ]


def test_autopilot_triage_is_logged_as_autopilot(demo_repo: Path) -> None:
    from .helpers import run_auto

    run = run_auto(demo_repo, _script())
    log = [d for d in run.ws.store.decisions() if d.stage == Stage.TRIAGE]  # type: ignore[attr-defined]
    assert log and all(d.by == "autopilot" for d in log)
    # autopilot's own decisions are in the log, one per finding of that round
    assert log[0].data["findings"] == {"G1": "fix", "G2": "defer"}
    assert set(_triage(run, 1)["sources"].values()) == {"autopilot"}


def _merged(*findings: dict) -> list:  # type: ignore[type-arg]
    return merge_reviews(
        [
            Review.model_validate({"reviewer": "a", "findings": list(findings)}),
            Review.model_validate({"reviewer": "b", "findings": []}),
        ]
    )


def test_carry_over_matches_findings_not_keys() -> None:
    from duo_tui.core.carry_over import preselect, previous_findings, resolve

    round1 = _merged(STACKING, NIT)
    stored = {
        "groups": [
            {"key": m.key, "members": [{"finding": m.members[0][1].model_dump()}]} for m in round1
        ],
        "decisions": {"G1": "fix", "G2": "dismiss"},
        "reasons": {},
    }
    previous = previous_findings(stored)
    round2 = _merged(NEW_LOW, NIT_AGAIN)  # both low: G1 the receipt, G2 the docstring
    pre = preselect(round2, previous, 1)
    by_title = {m.title: m.key for m in round2}
    nit = by_title[NIT_AGAIN["title"]]
    new = by_title[NEW_LOW["title"]]
    assert pre.carried[nit].key == "G2" and pre.decisions[nit] == FindingDecision.DISMISS
    assert new not in pre.carried and pre.decisions[new] == FindingDecision.DEFER
    # a choice for a key that is no finding of this round is ignored, and so is a reason
    # for anything but accept-risk
    res = resolve(round2, pre, {"G9": "fix", new: "dismiss"}, {new: "stale"}, "human")
    assert res.ignored == ["G9"]
    assert res.reasons == {}
    assert res.sources == {nit: "carried", new: "human"}


def test_a_malformed_previous_triage_carries_nothing() -> None:
    from duo_tui.core.carry_over import previous_findings

    for bad in (None, [], {"groups": "x"}, {"groups": [{"key": 3}], "decisions": {}}):
        assert previous_findings(bad) == {}
