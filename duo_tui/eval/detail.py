"""Per-case detail of one configuration: which known issue it found, and for a pair, who found it.

Plain data for the eval screen (and anything else that wants it): one row per
known issue of every case (a clean case is one row), saying whether the
configuration found it and, for a pair, whether both reviewers did or only
one: an issue only one of them found is one the other alone would have missed,
which is what the pair bought. Each row carries the matches behind it
(`IssueRow.matches`: which finding, and whether the matcher or the judge said
so, with the judge's reason), so a human can check them. Text comes from the
suite and the models and is untrusted: the caller shows it through `safe_text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from duo_tui.eval.results import CaseDetail, ConfigResult, EvalReport, MatchRecord
from duo_tui.eval.suite import Suite

__all__ = ["IssueRow", "PairGain", "config_rows", "pair_gain", "short_names"]

BOTH, ONLY_A, ONLY_B, FOUND, MISSED, CLEAN, NOT_RUN = (
    "both",
    "only_a",
    "only_b",
    "found",
    "missed",
    "clean",
    "not_run",
)


@dataclass(frozen=True)
class IssueRow:
    case: str
    first: bool  # the case's first row (it carries the case's counts)
    issue: str  # the known issue's id ("" for a clean or unreviewed case)
    severity: str
    found_by: str  # BOTH, ONLY_A, ONLY_B, FOUND, MISSED, CLEAN or NOT_RUN
    description: str
    findings: int | None = None  # the case's findings (a pair's agreed one counts once)
    false_alarms: int | None = None  # of those, how many matched no known issue
    matches: tuple[MatchRecord, ...] = ()  # the findings matched to this issue (and the judge's no)

    @property
    def judged(self) -> bool:
        """A judge made or confirmed one of this issue's matches."""
        return any(r.matched and r.by == "judge" for r in self.matches)


@dataclass(frozen=True)
class PairGain:
    """Issues of a pair's scored cases that only one of its two reviewers found."""

    only_a: int
    only_b: int

    @property
    def total(self) -> int:
        return self.only_a + self.only_b


def _found_by(cfg: ConfigResult, d: CaseDetail, issue: str) -> str:
    if issue not in d.found:
        return MISSED
    if len(cfg.models) != 2:
        return FOUND
    if issue in d.only_a:
        return ONLY_A
    if issue in d.only_b:
        return ONLY_B
    return BOTH


def config_rows(report: EvalReport, suite: Suite, cfg: ConfigResult) -> list[IssueRow]:
    """Every case of `suite` for configuration `cfg`, one row per known issue."""
    scored = {d.case: d for d in cfg.detail}
    rows: list[IssueRow] = []
    for case in suite.cases:
        d = scored.get(case.id)
        if d is None:
            rows.append(IssueRow(case.id, True, "", "", NOT_RUN, case.title))
            continue
        findings, false_alarms = d.findings, d.findings - d.hits
        if not case.issues:
            rows.append(IssueRow(case.id, True, "", "", CLEAN, case.title, findings, false_alarms))
            continue
        for k, issue in enumerate(case.issues):
            rows.append(
                IssueRow(
                    case.id,
                    k == 0,
                    issue.id,
                    issue.severity,
                    _found_by(cfg, d, issue.id),
                    issue.description,
                    findings if k == 0 else None,
                    false_alarms if k == 0 else None,
                    matches=tuple(r for r in d.matches if r.issue == issue.id),
                )
            )
    return rows


def pair_gain(cfg: ConfigResult) -> PairGain | None:
    """For a pair: how many issues only its first / only its second reviewer found."""
    if len(cfg.models) != 2:
        return None
    return PairGain(sum(len(d.only_a) for d in cfg.detail), sum(len(d.only_b) for d in cfg.detail))


def short_names(models: list[str]) -> dict[str, str]:
    """Each model without its provider prefix when that stays unambiguous
    (`anthropic/claude-opus-4-7` -> `claude-opus-4-7`), else as it is."""
    short = {m: m.rsplit("/", 1)[-1] or m for m in models}
    if len(set(short.values())) != len(short):
        return {m: m for m in models}
    return short
