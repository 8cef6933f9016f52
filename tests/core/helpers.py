"""Helpers for the core behaviour tests: scripts, reviews, and running a session.

`run_auto` plays a whole session headless (autopilot) against a scripted
provider; `run_manual` plays it in manual mode with a `QueueDriver` whose
checkpoints are answered from a list or a callable.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from duo_tui.config import Config
from duo_tui.core.events import AwaitingDecision, Checkpoint, Event, UserDecision
from duo_tui.core.models import Mode, Usage
from duo_tui.core.runner import HeadlessDriver, QueueDriver
from duo_tui.demo.project import REQUEST
from duo_tui.demo.script import EXECUTOR, PLANNER, demo_script
from duo_tui.providers.base import Provider
from duo_tui.providers.scripted import Script, ScriptedAnswer, ScriptedProvider, ScriptKey
from duo_tui.service import Workspace, demo_config, open_new

__all__ = [
    "BASE_SUBJECT",
    "BREAKING_FIX",
    "CLEAN_REVIEWS",
    "COMMIT_SUBJECT",
    "CONCEDE",
    "CONTEST",
    "EXECUTOR",
    "HARMLESS_FIX",
    "NIT",
    "OTHER_CRITICAL",
    "PLANNER",
    "REQUEST",
    "ROUNDING",
    "STACKING",
    "Run",
    "ans",
    "circular_script",
    "clean_script",
    "config",
    "finding",
    "gate_regression_script",
    "git_log",
    "make_script",
    "max_rounds_script",
    "plan_text",
    "rebuttal_doc",
    "rebuttal_script",
    "review",
    "run_auto",
    "run_manual",
]


AnswerLike = ScriptedAnswer | str | Sequence[ScriptedAnswer | str]


def ans(text: str, cost: float = 0.01) -> ScriptedAnswer:
    """A scripted answer with known usage (so the cost cap has something to count)."""
    return ScriptedAnswer(text, Usage(input_tokens=1000, output_tokens=200, cost_usd=cost))


def make_script(
    overrides: Mapping[ScriptKey, AnswerLike] | None = None, drop: Sequence[ScriptKey] = ()
) -> Script:
    """The demo script with some entries replaced (strings become answers) or dropped."""
    script = demo_script()
    for key in drop:
        script.pop(key, None)
    for key, value in (overrides or {}).items():
        items = [value] if isinstance(value, ScriptedAnswer | str) else list(value)
        script[key] = [ans(v) if isinstance(v, str) else v for v in items]
    return script


def finding(
    fid: str,
    severity: str,
    title: str,
    *,
    file: str | None = "shop/cart.py",
    detail: str = "",
    line: int | None = 10,
    category: str = "correctness",
) -> dict[str, Any]:
    return {
        "id": fid,
        "severity": severity,
        "category": category,
        "file": file,
        "line_start": line,
        "line_end": line,
        "title": title,
        "detail": detail or title,
        "suggestion": "fix it",
    }


def review(
    reviewer: str, findings: Sequence[dict[str, Any]] = (), verdict: str | None = None
) -> str:
    """A `duo review v1` document as the reviewer would answer it."""
    doc = {
        "reviewer": reviewer,
        "verdict": verdict or ("request_changes" if findings else "approve"),
        "score": 5 if findings else 9,
        "summary": "a review",
        "findings": list(findings),
    }
    return json.dumps(doc, indent=2)


# Both reviewers approve without findings, every round.
CLEAN_REVIEWS: dict[ScriptKey, AnswerLike] = {
    ("review", PLANNER): review(PLANNER),
    ("review", EXECUTOR): review(EXECUTOR),
}


# -- the loop's scenarios (tests/core plays them scripted, tests/e2e_peer on the wire) --

#: The demo repository's one commit, and the demo session's commit on top of it.
BASE_SUBJECT = "chore: the shop project before the demo session"
COMMIT_SUBJECT = "feat(cart): add percentage discount codes"

# A fix that applies to any round's tree (it only adds a comment line) and keeps the gate green.
HARMLESS_FIX = """Addressing the finding.

shop/cart.py
```python
<<<<<<< SEARCH
class Cart:
=======
class Cart:
    # reviewed again
>>>>>>> REPLACE
```
"""

# A fix that breaks the existing test suite (every total becomes 0).
BREAKING_FIX = """Simplifying the total.

shop/cart.py
```python
<<<<<<< SEARCH
        total = sum(price * qty for price, qty in self.items.values())
=======
        total = 0
>>>>>>> REPLACE
```
"""

STACKING = finding(
    "F1",
    "critical",
    "Discount codes stack and the total goes negative",
    detail="apply_code adds percentages; five codes give a negative total",
    line=23,
)

# A critical finding about something else entirely (never the same as STACKING).
OTHER_CRITICAL = finding(
    "F1",
    "critical",
    "SQL injection in the order export query",
    file="shop/export.py",
    line=88,
    category="security",
    detail="user input is formatted into SQL",
)


def clean_script() -> Script:
    """Both reviewers approve the first change: convergence in one round."""
    return make_script(CLEAN_REVIEWS)


def circular_script() -> Script:
    """Both reviewers report the same critical finding every round; the fix only adds a comment."""
    return make_script(
        {
            ("review", PLANNER): review(PLANNER, [STACKING]),
            ("review", EXECUTOR): review(EXECUTOR, [STACKING]),
            "fix": HARMLESS_FIX,
        }
    )


def gate_regression_script() -> Script:
    """The demo session whose fix breaks the unit tests the first change kept green."""
    return make_script({"fix": BREAKING_FIX})


def max_rounds_script() -> Script:
    """A new critical finding each round (STACKING, then OTHER_CRITICAL from then on): no
    circle within three rounds, no convergence either."""
    return make_script(
        {
            ("review", PLANNER): [review(PLANNER, [STACKING]), review(PLANNER, [OTHER_CRITICAL])],
            ("review", EXECUTOR): [
                review(EXECUTOR, [STACKING]),
                review(EXECUTOR, [OTHER_CRITICAL]),
            ],
            "fix": HARMLESS_FIX,
        }
    )


# -- the rebuttal round's scenario -------------------------------------------------

ROUNDING = finding(
    "F1",
    "medium",
    "Percentage discount truncates instead of rounding",
    file="shop/discounts.py",
    detail="int(total * pct / 100) drops the fraction; 25% of 199 cents gives 49, not 50",
    line=12,
    category="money",
)
NIT = finding(
    "F2",
    "low",
    "apply_code has no docstring",
    detail="the public method is undocumented",
    line=20,
    category="docs",
)
# the planner adopts the executor's finding under its own id
ROUNDING_CONCEDED = dict(ROUNDING, id="F2")
ROUNDING_LOWERED = dict(ROUNDING, severity="low")
CONCEDE = "I concede F1: truncation loses cents."
CONTEST = "I contest F1: apply_code refuses a second code, so codes cannot stack."


def rebuttal_doc(reviewer: str, findings: list[dict[str, Any]], summary: str) -> str:
    """An updated review as a reviewer answers the rebuttal: its reasons in the summary."""
    doc = json.loads(review(reviewer, findings))
    doc["summary"] = summary
    return json.dumps(doc, indent=2)


def rebuttal_script() -> Script:
    """The rebuttal scenario (tests/core/test_rebuttal.py): in round 1 the planner reports
    STACKING, the executor ROUNDING and NIT; in the rebuttal the planner concedes ROUNDING,
    the executor contests STACKING, withdraws NIT and lowers ROUNDING to low. Round 2 is
    clean."""
    return make_script(
        {
            ("review", PLANNER): [review(PLANNER, [STACKING]), review(PLANNER)],
            ("review", EXECUTOR): [review(EXECUTOR, [ROUNDING, NIT]), review(EXECUTOR)],
            ("rebuttal", PLANNER): [
                rebuttal_doc(PLANNER, [STACKING, ROUNDING_CONCEDED], CONCEDE),
                review(PLANNER),
            ],
            ("rebuttal", EXECUTOR): [
                rebuttal_doc(EXECUTOR, [ROUNDING_LOWERED], CONTEST),
                review(EXECUTOR),
            ],
            "fix": HARMLESS_FIX,
        }
    )


def plan_text(manifest: dict[str, Any], body: str = "## Goal\nDo the thing.\n") -> str:
    """A plan whose manifest is `manifest`."""
    return f"{body}\n```json\n{json.dumps(manifest, indent=1)}\n```\n"


@dataclass
class Run:
    """What one session run left behind."""

    report: dict[str, Any]
    ws: Workspace
    scripted: ScriptedProvider
    events: list[Event] = field(default_factory=list)
    checkpoints: list[Checkpoint] = field(default_factory=list)

    @property
    def worktree(self) -> Path:
        return Path(self.ws.session.worktree or "")

    def requests(self, purpose: str) -> list[Any]:
        return [r for r in self.scripted.requests if r.purpose == purpose]

    def prompt(self, request: Any) -> str:
        return "\n".join(m.content for m in request.messages)


def config() -> Config:
    """The demo's configuration (scripted roles, the project's unittest gate), to adjust."""
    return demo_config(Config())


def _config(cfg: Config | None) -> Config:
    return cfg if cfg is not None else config()


def run_auto(
    repo: Path,
    script: Script | None = None,
    *,
    config: Config | None = None,
    mode: Mode = Mode.AUTO,
    request: str = REQUEST,
    demo: bool = False,
    provider: Provider | None = None,
    listeners: Sequence[Callable[[Event], None]] = (),
) -> Run:
    """Play a session headless with autopilot on; return its report and leftovers.

    `provider` replaces the scripted provider (its `requests` are then not
    recorded in `Run.scripted` unless it is one).
    """
    scripted = ScriptedProvider(script if script is not None else demo_script(), chunk_chars=64)
    chosen: Provider = provider or scripted
    events: list[Event] = []
    ws = open_new(
        repo,
        request,
        _config(config),
        driver=HeadlessDriver(),
        mode=mode,
        autopilot=True,
        demo=demo,
        listeners=[events.append, *listeners],
        providers=lambda _model: chosen,
    )
    try:
        report = asyncio.run(ws.pipeline.run())
    finally:
        ws.close()
    return Run(report, ws, scripted, events)


Answer = Callable[[Checkpoint, int], UserDecision | None]


def run_manual(
    repo: Path,
    script: Script | None = None,
    answers: Sequence[UserDecision | None] | Answer = (),
    *,
    config: Config | None = None,
    mode: Mode = Mode.MANUAL,
    request: str = REQUEST,
    max_checkpoints: int = 60,
) -> Run:
    """Play a session in manual mode; each checkpoint is answered through a QueueDriver.

    `answers` is a list consumed in checkpoint order (None or running out means
    accept) or a callable `(checkpoint, index) -> decision` (None: accept).
    """
    scripted = ScriptedProvider(script if script is not None else demo_script(), chunk_chars=64)
    events: list[Event] = []
    checkpoints: list[Checkpoint] = []
    driver = QueueDriver()

    def policy(cp: Checkpoint) -> UserDecision:
        n = len(checkpoints)
        checkpoints.append(cp)
        if n >= max_checkpoints:
            return UserDecision("stop", reason="too many checkpoints in a test")
        listed = None if callable(answers) or n >= len(answers) else answers[n]
        d = answers(cp, n) if callable(answers) else listed
        return d if d is not None else UserDecision("accept")

    def listener(ev: Event) -> None:
        events.append(ev)
        if isinstance(ev, AwaitingDecision):
            driver.answer(policy(ev.checkpoint))

    ws = open_new(
        repo,
        request,
        _config(config),
        driver=driver,
        mode=mode,
        autopilot=False,
        listeners=[listener],
        providers=lambda _model: scripted,
    )

    async def go() -> dict[str, Any]:
        return await asyncio.wait_for(ws.pipeline.run(), timeout=60)

    try:
        report = asyncio.run(go())
    finally:
        ws.close()
    return Run(report, ws, scripted, events, checkpoints)


def git_log(path: Path, rev: str = "HEAD", fmt: str = "%s") -> list[str]:
    """Commit subjects (or `fmt`) on `rev`, newest first."""
    out = subprocess.run(
        ["git", "log", f"--format={fmt}", rev], cwd=path, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line]
