"""The vocabulary of a session: stages, states, modes, findings, reviews, usage.

Everything here is plain data (pydantic models and enums) so it can be persisted
as JSON, compared in tests and rendered by any front end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from duo_tui.core.enums import (  # re-exported: the enums are part of this vocabulary
    STAGE_ORDER,
    FindingDecision,
    Mode,
    Severity,
    Stage,
    StageState,
)

__all__ = [
    "STAGE_ORDER",
    "CallEnding",
    "CallRecord",
    "Finding",
    "FindingDecision",
    "JudgeVerdict",
    "Mode",
    "PairKind",
    "Review",
    "Roles",
    "Severity",
    "Stage",
    "StageState",
    "TriageGroup",
    "TriagePair",
    "TriageResult",
    "Usage",
    "utcnow",
]


def utcnow() -> str:
    """An ISO-8601 UTC timestamp, the one format used in every session file."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Usage(BaseModel):
    """Token usage and cost of one model call; None means the provider did not say.

    `input_tokens` counts every prompt token, cached or not; `cache_read_tokens`
    and `cache_write_tokens` say how many of them were read from or written to
    the provider's prompt cache (each billed at its own rate).
    """

    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None

    def __add__(self, other: Usage) -> Usage:
        def add(a: float | None, b: float | None) -> Any:
            if a is None and b is None:
                return None
            return (a or 0) + (b or 0)

        return Usage(
            input_tokens=add(self.input_tokens, other.input_tokens),
            output_tokens=add(self.output_tokens, other.output_tokens),
            cost_usd=add(self.cost_usd, other.cost_usd),
            cache_read_tokens=add(self.cache_read_tokens, other.cache_read_tokens),
            cache_write_tokens=add(self.cache_write_tokens, other.cache_write_tokens),
        )


def _short_count(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def cache_counts(usage: Usage) -> list[tuple[str, str]]:
    """("read", "8.0k") and ("write", "1.0k"): the prompt-cache tokens of `usage`, or []."""
    counts = [("read", usage.cache_read_tokens), ("write", usage.cache_write_tokens)]
    return [(what, _short_count(n)) for what, n in counts if n]


def cached_text(usage: Usage) -> str:
    """The prompt-cache part of `usage` in words ("8.0k cached, 1.0k cache write"), or ""."""
    parts = []
    if usage.cache_read_tokens:
        parts.append(f"{_short_count(usage.cache_read_tokens)} cached")
    if usage.cache_write_tokens:
        parts.append(f"{_short_count(usage.cache_write_tokens)} cache write")
    return ", ".join(parts)


#: The verdicts of `duo review v1`.
VERDICTS = ("approve", "request_changes", "comment")
#: Marks an optional field that a `duo review v1` document omits rather than sets to
#: null (see duo_tui.core.review_schema, which builds the JSON Schema from these models).
NOT_NULL: dict[str, Any] = {"x-duo-not-null": True}
#: Marks a field with a Python default that a `duo review v1` document must still carry.
REQUIRED: dict[str, Any] = {"x-duo-required": True}


class Finding(BaseModel):
    """One problem a reviewer reports (duo review v1)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    severity: Severity
    title: str = Field(min_length=1)
    category: str = ""
    file: str | None = None
    line_start: int | None = Field(default=None, ge=1)
    line_end: int | None = Field(default=None, ge=1)
    detail: str = ""
    suggestion: str = ""
    confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="the reviewer's own confidence that this is a real problem",
        json_schema_extra=NOT_NULL,
    )


class Review(BaseModel):
    """One reviewer's structured review of a change (duo review v1)."""

    model_config = ConfigDict(extra="allow")

    reviewer: str = Field(min_length=1)
    # None in Python (absent); in a document one of VERDICTS (the forgiving parser drops others)
    verdict: str | None = Field(
        default=None, json_schema_extra={**NOT_NULL, "enum": list(VERDICTS)}
    )
    score: int | None = Field(default=None, ge=1, le=10, json_schema_extra=NOT_NULL)
    summary: str = ""
    findings: list[Finding] = Field(default_factory=list, json_schema_extra=REQUIRED)

    def finding(self, fid: str) -> Finding | None:
        return next((f for f in self.findings if f.id == fid), None)


class PairKind(StrEnum):
    AGREE = "agree"
    SEVERITY = "severity"


class TriagePair(BaseModel):
    a: str
    b: str
    kind: PairKind
    score: float = 0.0
    by: str | None = None
    """Who made the pair when the matcher did not: ``judge`` (with its `reason`)."""
    reason: str | None = None


class JudgeVerdict(BaseModel):
    """The judge model's word on one candidate pair, and what it changed.

    `applied` is ``joined`` (the pair was made), ``split`` (the matcher's pair was
    undone), ``confirmed`` (the matcher already said the same) or ``skipped`` (a
    ``same`` whose finding was already paired with another).
    """

    a: str
    b: str
    verdict: str  # same | different
    reason: str
    score: float = 0.0
    applied: str = "confirmed"


class TriageGroup(BaseModel):
    """A pair plus the findings one side of it clearly covers (one-to-many).

    `a` and `b` start with the pair's own findings; the others stay listed in
    ``only_a`` / ``only_b`` too, so every id still appears exactly once in the
    contract's pairs and only lists.
    """

    a: list[str]
    b: list[str]


class TriageResult(BaseModel):
    """The match of two reviews: the `duo-tui triage --json` output (plus scores)."""

    pairs: list[TriagePair] = Field(default_factory=list)
    only_a: list[str] = Field(default_factory=list)
    only_b: list[str] = Field(default_factory=list)
    groups: list[TriageGroup] = Field(default_factory=list)
    judge_model: str | None = None
    """The judge model that settled the uncertain candidates, if one did."""
    judge: list[JudgeVerdict] = Field(default_factory=list)

    def contract_json(self) -> dict[str, Any]:
        """The shape DESIGN.md promises, plus additive keys only when they apply:
        ``groups``; a judge-made pair's ``by`` and ``reason``; ``judge`` (its verdicts)."""
        pairs: list[dict[str, Any]] = []
        for p in self.pairs:
            pair: dict[str, Any] = {"a": p.a, "b": p.b, "kind": p.kind.value}
            if p.by:
                pair.update(by=p.by, reason=p.reason or "")
            pairs.append(pair)
        out: dict[str, Any] = {
            "pairs": pairs,
            "only_a": list(self.only_a),
            "only_b": list(self.only_b),
        }
        if self.groups:
            out["groups"] = [{"a": list(g.a), "b": list(g.b)} for g in self.groups]
        if self.judge_model:
            out["judge"] = {
                "model": self.judge_model,
                "verdicts": [v.model_dump() for v in self.judge],
            }
        return out


class Roles(BaseModel):
    """Who plans, who executes, who reviews. Model strings are `provider/model`."""

    planner: str = "anthropic/claude-opus-4-7"
    executor: str = "openai/gpt-5.5"
    reviewers: list[str] = Field(default_factory=list)

    def effective_reviewers(self) -> list[str]:
        """Default reviewers: the planner's and the executor's model (each model reviews)."""
        if self.reviewers:
            return list(self.reviewers)
        out = [self.planner]
        if self.executor != self.planner:
            out.append(self.executor)
        return out

    def swapped(self) -> Roles:
        return Roles(planner=self.executor, executor=self.planner, reviewers=list(self.reviewers))


class CallRecord(BaseModel):
    """One model call as the transcript keeps it."""

    call_id: str
    role: str
    model: str
    stage: Stage
    round: int = 1
    task_id: str | None = None
    started_at: str = Field(default_factory=utcnow)
    latency_s: float | None = None
    ttft_s: float | None = None
    usage: Usage = Field(default_factory=Usage)
    ok: bool = True
    complete: bool = True
    error: str | None = None
    ending: str | None = None
    """How the reply ended: the provider's stop reason, or the fault that ended it."""
    max_output_tokens: int | None = None
    """The output budget the call was made with."""
    request_text: str = ""
    response_text: str = ""


class CallEnding(BaseModel):
    """How one model call of a stage run ended (the rail and the report show it)."""

    call_id: str
    model: str
    ending: str  # "end_turn", "stop", "max_tokens", "length", "refusal", "stall", ...
    complete: bool
    max_output_tokens: int | None = None
