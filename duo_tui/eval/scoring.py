"""Score reviews against a case's known issues, alone and in pairs.

Known issues become findings (`KnownIssue.as_finding`) and are paired one to one
with a review's findings by the triage matcher (`match_reviews`), the same one a
human sees in the triage screen. A finding paired with a known issue is a hit.

For a pair of reviewers the two reviews are matched with each other as well:
a finding both raised is *agreed* and counts once; the rest are *only one*.
An agreed finding is a hit when either side's finding hits. The agreement
signal is the precision of agreed findings against that of only-one findings.

With a judge (`judging.py`) a review's matches are the judged ones: every
match keeps its provenance (`Provenance`: the matcher's, or the judge's with
its one-line reason), and the judge's "different" verdicts are kept as
`CaseMatch.rejected`, so a human can check both. The pair's agreement (which
findings both reviewers raised) stays the matcher's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from duo_tui.core.models import Review, TriageResult
from duo_tui.core.triage import match_reviews
from duo_tui.eval.suite import Case

__all__ = ["CaseMatch", "PairScore", "Provenance", "Rejection", "match_case", "score_pair"]

MATCHER, JUDGE = "matcher", "judge"


@dataclass(frozen=True)
class Provenance:
    """Who made a match: the matcher, or the judge (`applied`: it ``joined`` a pair the
    matcher left apart, or ``confirmed`` one the matcher was unsure of) and why."""

    by: str  # MATCHER or JUDGE
    reason: str = ""
    applied: str = ""


@dataclass(frozen=True)
class Rejection:
    """The judge's word that a finding does not describe a known issue (`applied`:
    ``split`` undid the matcher's match, ``confirmed`` agreed with leaving them apart)."""

    finding: str
    issue: str
    reason: str
    applied: str


@dataclass
class CaseMatch:
    """One review of one case against the known issues: which finding hit which issue."""

    hits: dict[str, str] = field(default_factory=dict)  # finding id -> known issue id
    scores: dict[str, float] = field(default_factory=dict)  # finding id -> match probability
    findings: list[str] = field(default_factory=list)  # every finding id, in review order
    provenance: dict[str, Provenance] = field(default_factory=dict)  # finding id -> who matched
    rejected: list[Rejection] = field(default_factory=list)  # the judge's "different" verdicts
    judge: str | None = None  # the judge model that settled the uncertain matches

    @property
    def found(self) -> set[str]:
        return set(self.hits.values())

    @property
    def false_alarms(self) -> list[str]:
        return [f for f in self.findings if f not in self.hits]


def match_case(case: Case, review: Review, judged: TriageResult | None = None) -> CaseMatch:
    """Which of `review`'s findings describe which of `case`'s known issues: the
    matcher's word, or `judged` (the judge's match of the case's known issues with
    `review`, `judging.judge_review`) when the judge settled it."""
    out = CaseMatch(findings=[f.id for f in review.findings])
    if not case.issues or not review.findings:
        return out
    result = judged if judged is not None else match_reviews(case.known_review(), review)
    verdicts = {(v.a, v.b): v for v in result.judge}
    out.judge = result.judge_model
    for p in result.pairs:
        out.hits[p.b] = p.a
        out.scores[p.b] = p.score
        v = verdicts.get((p.a, p.b))
        if p.by == JUDGE or (v is not None and v.verdict == "same"):
            reason = p.reason or (v.reason if v else "")
            out.provenance[p.b] = Provenance(JUDGE, reason, v.applied if v else "joined")
        else:
            out.provenance[p.b] = Provenance(MATCHER)
    out.rejected = [
        Rejection(v.b, v.a, v.reason, v.applied) for v in result.judge if v.verdict != "same"
    ]
    return out


@dataclass
class PairScore:
    """The pair's view of one case: merged findings, and what the agreement says."""

    agreed: int = 0
    agreed_hits: int = 0
    single: int = 0  # findings only one reviewer raised
    single_hits: int = 0
    found: set[str] = field(default_factory=set)  # known issues either found
    only_a: set[str] = field(default_factory=set)  # issues only reviewer a found
    only_b: set[str] = field(default_factory=set)
    agreed_pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def merged(self) -> int:
        return self.agreed + self.single

    @property
    def merged_hits(self) -> int:
        return self.agreed_hits + self.single_hits


def score_pair(ra: Review, rb: Review, ma: CaseMatch, mb: CaseMatch) -> PairScore:
    """Merge two reviews of one case (their match) and score the merged findings."""
    out = PairScore(
        found=ma.found | mb.found, only_a=ma.found - mb.found, only_b=mb.found - ma.found
    )
    if ra.findings and rb.findings:
        result = match_reviews(ra, rb)
        pairs = [(p.a, p.b) for p in result.pairs]
    else:
        pairs = []
    out.agreed_pairs = pairs
    in_a = {a for a, _ in pairs}
    in_b = {b for _, b in pairs}
    for a, b in pairs:
        out.agreed += 1
        out.agreed_hits += int(a in ma.hits or b in mb.hits)
    for fid in ma.findings:
        if fid not in in_a:
            out.single += 1
            out.single_hits += int(fid in ma.hits)
    for fid in mb.findings:
        if fid not in in_b:
            out.single += 1
            out.single_hits += int(fid in mb.hits)
    return out
