"""From review outcomes to the eval report: per configuration, per case, with the matches.

A configuration is one reviewer alone or a pair of reviewers. A case counts for
a configuration only when every reviewer in it has a review of that case (a run
stopped by the cost cap scores the cases it finished). Recall is over the known
issues of the scored cases; precision over the findings (a pair's agreed
finding counts once). The matches are kept in the report for a human to check,
each with its provenance: the matcher's, or the judge's with its one-line
reason (`MatchRecord`); a judge's calls count in the cost of every
configuration whose scores rest on them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

from duo_tui.core.models import Review
from duo_tui.eval.runner import PROMPT_VERSION, ReviewOutcome, RunResult
from duo_tui.eval.scoring import JUDGE, CaseMatch, match_case, score_pair
from duo_tui.eval.suite import Suite

__all__ = ["CaseDetail", "ConfigResult", "EvalReport", "MatchRecord", "build_report"]


def _ratio(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


@dataclass
class MatchRecord:
    """One finding's word on one known issue, and who said it: a match (`matched`), or
    the judge's "not this issue" (`applied`: ``split`` undid the matcher's match)."""

    model: str
    finding: str
    issue: str
    matched: bool
    by: str  # matcher | judge
    reason: str = ""  # the judge's one line (model text: show it through safe_text)
    applied: str = ""  # the judge's verdict: joined, confirmed, split
    score: float | None = None  # the matcher's probability
    title: str = ""  # the finding's title (model text)


def match_records(model: str, review: Review, m: CaseMatch) -> list[MatchRecord]:
    """`m`'s matches and the judge's rejections, in the review's order."""
    titles = {f.id: f.title for f in review.findings}
    out = []
    for fid in m.findings:
        if fid in m.hits:
            pv = m.provenance.get(fid)
            out.append(
                MatchRecord(
                    model,
                    fid,
                    m.hits[fid],
                    True,
                    pv.by if pv else "matcher",
                    pv.reason if pv else "",
                    pv.applied if pv else "",
                    m.scores.get(fid),
                    titles.get(fid, ""),
                )
            )
        for r in m.rejected:
            if r.finding == fid:
                out.append(
                    MatchRecord(
                        model, fid, r.issue, False, JUDGE, r.reason, r.applied, None, titles[fid]
                    )
                )
    return out


@dataclass
class CaseDetail:
    case: str
    issues: int
    found: list[str]  # known issue ids found
    findings: int
    hits: int
    only_a: list[str] = field(default_factory=list)  # pairs: issues only the first found
    only_b: list[str] = field(default_factory=list)
    agreed: int = 0
    agreed_hits: int = 0
    matches: list[MatchRecord] = field(default_factory=list)  # with their provenance


@dataclass
class ConfigResult:
    name: str
    models: list[str]
    cases: int = 0  # cases scored
    issues: int = 0
    found: int = 0
    findings: int = 0
    hits: int = 0
    clean_false_alarms: int = 0  # findings raised on the clean cases
    agreed: int | None = None
    agreed_hits: int | None = None
    single: int | None = None
    single_hits: int | None = None
    cost_usd: float = 0.0  # the reviews' and the judge's
    judge_cost_usd: float = 0.0  # of which the judge's
    cost_known: bool = True
    input_tokens: int = 0
    output_tokens: int = 0
    review_s: float = 0.0  # the review stage's time: a pair's reviews run side by side
    detail: list[CaseDetail] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return _ratio(self.found, self.issues)

    @property
    def precision(self) -> float | None:
        return _ratio(self.hits, self.findings)

    @property
    def agreed_precision(self) -> float | None:
        return None if self.agreed is None else _ratio(self.agreed_hits or 0, self.agreed)

    @property
    def single_precision(self) -> float | None:
        return None if self.single is None else _ratio(self.single_hits or 0, self.single)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            recall=self.recall,
            precision=self.precision,
            agreed_precision=self.agreed_precision,
            single_precision=self.single_precision,
            cost_usd=round(self.cost_usd, 6),
            judge_cost_usd=round(self.judge_cost_usd, 6),
            review_s=round(self.review_s, 3),
        )
        return out


@dataclass
class EvalReport:
    suite: str
    models: list[str]
    cases: int
    issues: int
    configs: list[ConfigResult]
    spent_usd: float
    wall_s: float
    stopped: str | None
    reviews: list[dict[str, Any]]  # every review outcome with its matches, for a human to check
    prompt_version: str = PROMPT_VERSION
    judge: str | None = None  # the model that settled the matcher's uncertain matches

    @property
    def partial(self) -> bool:
        return self.stopped is not None or any(c.cases < self.cases for c in self.configs)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "duo eval v1",
            "suite": self.suite,
            "models": self.models,
            "cases": self.cases,
            "issues": self.issues,
            "partial": self.partial,
            "stopped": self.stopped,
            "spent_usd": round(self.spent_usd, 6),
            "wall_s": round(self.wall_s, 3),
            "prompt_version": self.prompt_version,
            "judge": self.judge,
            "configs": [c.to_json() for c in self.configs],
            "reviews": self.reviews,
        }


def _add_usage(cfg: ConfigResult, outs: list[ReviewOutcome]) -> None:
    for o in outs:
        usages = [o.usage]
        j = o.judgement
        if j is not None and j.answered:
            usages.append(j.usage)
            cfg.judge_cost_usd += j.usage.cost_usd or 0.0
        for u in usages:
            if u.cost_usd is None:
                cfg.cost_known = False
            cfg.cost_usd += u.cost_usd or 0.0
            cfg.input_tokens += u.input_tokens or 0
            cfg.output_tokens += u.output_tokens or 0
    cfg.review_s += max((o.latency_s for o in outs), default=0.0)


def build_report(suite: Suite, models: list[str], run: RunResult) -> EvalReport:
    cases = {c.id: c for c in suite.cases}
    matches: dict[tuple[str, str], CaseMatch] = {}
    reviews: list[dict[str, Any]] = []
    for (model, cid), o in sorted(run.outcomes.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        entry: dict[str, Any] = {
            "model": model,
            "case": cid,
            "cached": o.cached,
            "skipped": o.skipped,
            "error": o.error,
        }
        if o.judgement is not None:
            entry["judge"] = o.judgement.to_json()
        if o.review is not None:
            judged = o.judgement.result if o.judgement is not None else None
            m = matches[model, cid] = match_case(cases[cid], o.review, judged)
            entry["findings"] = [_finding_entry(f, m) for f in o.review.findings]
        reviews.append(entry)

    configs: list[ConfigResult] = []
    for model in models:
        cfg = ConfigResult(name=model, models=[model])
        for case in suite.cases:
            found = matches.get((model, case.id))
            if found is None:
                continue
            m = found
            cfg.cases += 1
            cfg.issues += len(case.issues)
            cfg.found += len(m.found)
            cfg.findings += len(m.findings)
            cfg.hits += len(m.hits)
            cfg.clean_false_alarms += len(m.findings) if case.clean else 0
            o = run.outcomes[model, case.id]
            _add_usage(cfg, [o])
            detail = CaseDetail(
                case.id, len(case.issues), sorted(m.found), len(m.findings), len(m.hits)
            )
            if o.review is not None:
                detail.matches = match_records(model, o.review, m)
            cfg.detail.append(detail)
        configs.append(cfg)
    for a, b in combinations(models, 2):
        cfg = ConfigResult(name=f"{a} + {b}", models=[a, b])
        agreed = agreed_hits = single = single_hits = 0
        for case in suite.cases:
            ma, mb = matches.get((a, case.id)), matches.get((b, case.id))
            oa, ob = run.outcomes.get((a, case.id)), run.outcomes.get((b, case.id))
            if ma is None or mb is None or oa is None or ob is None:
                continue
            if oa.review is None or ob.review is None:
                continue
            ps = score_pair(oa.review, ob.review, ma, mb)
            cfg.cases += 1
            cfg.issues += len(case.issues)
            cfg.found += len(ps.found)
            cfg.findings += ps.merged
            cfg.hits += ps.merged_hits
            cfg.clean_false_alarms += ps.merged if case.clean else 0
            agreed += ps.agreed
            agreed_hits += ps.agreed_hits
            single += ps.single
            single_hits += ps.single_hits
            _add_usage(cfg, [oa, ob])
            cfg.detail.append(
                CaseDetail(
                    case.id,
                    len(case.issues),
                    sorted(ps.found),
                    ps.merged,
                    ps.merged_hits,
                    only_a=sorted(ps.only_a),
                    only_b=sorted(ps.only_b),
                    agreed=ps.agreed,
                    agreed_hits=ps.agreed_hits,
                    matches=match_records(a, oa.review, ma) + match_records(b, ob.review, mb),
                )
            )
        cfg.agreed, cfg.agreed_hits, cfg.single, cfg.single_hits = (
            agreed,
            agreed_hits,
            single,
            single_hits,
        )
        configs.append(cfg)
    return EvalReport(
        suite=suite.name,
        models=list(models),
        cases=len(suite.cases),
        issues=suite.issue_count,
        configs=configs,
        spent_usd=run.spent_usd,
        wall_s=run.wall_s,
        stopped=run.stopped,
        reviews=reviews,
        judge=run.judge
        or next((o.judgement.model for o in run.outcomes.values() if o.judgement), None),
    )


def _finding_entry(f: Any, m: CaseMatch) -> dict[str, Any]:
    """One finding in the JSON report: what it matched, and who said so (and why)."""
    pv = m.provenance.get(f.id)
    entry: dict[str, Any] = {
        "id": f.id,
        "severity": f.severity.value,
        "file": f.file,
        "line_start": f.line_start,
        "title": f.title,
        "matches": m.hits.get(f.id),
        "score": m.scores.get(f.id),
        "by": pv.by if pv else None,
        "reason": pv.reason if pv and pv.reason else None,
    }
    rejected = [r for r in m.rejected if r.finding == f.id]
    if rejected:
        entry["not"] = [
            {"issue": r.issue, "by": JUDGE, "reason": r.reason, "applied": r.applied}
            for r in rejected
        ]
    return entry
