"""A run under way, as the eval screen shows it: per-case progress, spend, what is reviewing now.

`LiveRun` is fed by `run_reviews`' callbacks (`started`, `finished`) on the run's
own thread and hands out immutable `Snapshot`s for the screen; `report()`
scores what is done so far (a case counts once all its reviewers reviewed it),
so the table fills in while the run goes. Plain Python, no Textual.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from duo_tui.eval.results import EvalReport, build_report
from duo_tui.eval.runner import ReviewOutcome, RunResult
from duo_tui.eval.suite import Suite

__all__ = ["CACHED", "DONE", "FAILED", "RUNNING", "WAITING", "LiveRun", "Snapshot"]

WAITING, RUNNING, DONE, CACHED, FAILED = "waiting", "running", "done", "cached", "failed"


@dataclass(frozen=True)
class Snapshot:
    total: int  # reviews in the run (cases x models)
    done: int  # reviews finished, failed or read from the cache
    cached: int
    failed: int
    spent_usd: float  # paid in this run
    elapsed_s: float
    cases_done: int  # cases every reviewer has reviewed
    running: tuple[tuple[str, str], ...]  # (model, case id) reviewing now, oldest first
    states: tuple[tuple[str, tuple[str, ...]], ...]  # case id -> each model's state
    report: EvalReport | None = None  # what is scored so far, when it was rebuilt


class LiveRun:
    """Progress of one run (see the module docstring)."""

    def __init__(self, suite: Suite, models: list[str]) -> None:
        self.suite = suite
        self.models = list(models)
        self.outcomes: dict[tuple[str, str], ReviewOutcome] = {}
        self.running: dict[tuple[str, str], float] = {}
        self.spent_usd = 0.0
        self.start = time.monotonic()

    @property
    def total(self) -> int:
        return len(self.suite.cases) * len(self.models)

    def started(self, model: str, case: str) -> None:
        self.running[model, case] = time.monotonic()

    def finished(self, outcome: ReviewOutcome) -> bool:
        """Record `outcome`; True when it completed its case (every reviewer is done)."""
        key = (outcome.model, outcome.case)
        self.running.pop(key, None)
        self.outcomes[key] = outcome
        if not outcome.cached:
            self.spent_usd += outcome.usage.cost_usd or 0.0
        if outcome.judgement is not None and outcome.judgement.called:
            self.spent_usd += outcome.judgement.usage.cost_usd or 0.0
        return self._case_done(outcome.case)

    def _case_done(self, case: str) -> bool:
        return all((m, case) in self.outcomes for m in self.models)

    def state(self, model: str, case: str) -> str:
        o = self.outcomes.get((model, case))
        if o is None:
            return RUNNING if (model, case) in self.running else WAITING
        if o.error or o.skipped:
            return FAILED
        return CACHED if o.cached else DONE

    def report(self, stopped: str | None = None) -> EvalReport:
        """The report of what is done so far (`stopped`: why the run ended early)."""
        run = RunResult(
            outcomes=dict(self.outcomes),
            spent_usd=self.spent_usd,
            stopped=stopped,
            wall_s=time.monotonic() - self.start,
        )
        return build_report(self.suite, self.models, run)

    def snapshot(self, report: EvalReport | None = None) -> Snapshot:
        outs = self.outcomes.values()
        return Snapshot(
            total=self.total,
            done=len(self.outcomes),
            cached=sum(1 for o in outs if o.cached),
            failed=sum(1 for o in outs if o.error),
            spent_usd=self.spent_usd,
            elapsed_s=time.monotonic() - self.start,
            cases_done=sum(1 for c in self.suite.cases if self._case_done(c.id)),
            running=tuple(sorted(self.running, key=lambda k: self.running[k])),
            states=tuple(
                (c.id, tuple(self.state(m, c.id) for m in self.models)) for c in self.suite.cases
            ),
            report=report,
        )
