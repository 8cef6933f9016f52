"""Run every reviewer on every case of a suite: cached, concurrent, within a cost cap.

Each review goes through what a session's review stage uses: the `review` and
`system` prompt templates, `ModelCaller` (output budgets, retries, the cost
cap, usage and cost accounting) and the configured providers; the answer is
read by `parse_review_text`. Reviews run concurrently (a semaphore bounds them)
and blind, case by case so that a partial run still scores whole cases.

Each finished review is written atomically to the cache under a key of
(model, case content, prompt version): a rerun reads it back for free, and a
kill loses at most the reviews under way. A review whose answer is not a valid
review is cached too (the model was paid for it); a failed call is not.
When the next call would pass `max_cost_usd` no further review starts, those
under way finish, and the run ends with a partial result.

With a judge model each review is then judged (`judging.py`): one call per
review of a case, through the same caller (so it counts against the cap),
cached beside the reviews.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from duo_tui.core.calls import CallFailed, CostCapReached, ModelCaller
from duo_tui.core.context import file_contents
from duo_tui.core.models import Review, Stage, Usage
from duo_tui.core.session import Session
from duo_tui.errors import ReviewParseError
from duo_tui.eval.judging import CapReached, JudgeCache, Judgement, judge_review
from duo_tui.eval.suite import Case, Suite
from duo_tui.limits import SESSION_JSON_DEPTH, InputError, loads_json
from duo_tui.prompts import render, template, untrusted
from duo_tui.providers.base import Provider
from duo_tui.store.atomic import write_atomic

__all__ = ["PROMPT_VERSION", "EvalCache", "ReviewOutcome", "RunResult", "run_reviews"]

_CACHE_FORMAT = 1
_T = TypeVar("_T")


def _prompt_version() -> str:
    from duo_tui.core.reviews import REVIEW_SCHEMA

    h = hashlib.sha256()
    for name in ("system", "review"):
        h.update(template(name).template.encode("utf-8") + b"\0")
    h.update(json.dumps(REVIEW_SCHEMA, sort_keys=True).encode("utf-8"))
    return h.hexdigest()[:16]


#: Changes whenever the review prompts or the review schema change: cached reviews expire.
PROMPT_VERSION = _prompt_version()


@dataclass
class ReviewOutcome:
    """One model's review of one case (or why there is none)."""

    model: str
    case: str
    review: Review | None = None
    usage: Usage = field(default_factory=Usage)
    latency_s: float = 0.0
    cached: bool = False
    error: str | None = None  # the call failed or the answer was not a review
    skipped: bool = False  # not run: the cost cap was reached first
    raw: str = ""
    judgement: Judgement | None = None  # the judge's word on its matches, when one is configured


@dataclass
class RunResult:
    outcomes: dict[tuple[str, str], ReviewOutcome]  # (model, case id) -> outcome
    spent_usd: float = 0.0  # paid in this run (cached reviews cost nothing)
    stopped: str | None = None  # why the run stopped early (the cost cap), if it did
    wall_s: float = 0.0
    judge: str | None = None  # the model that settled the uncertain matches, if any


class EvalCache:
    """Finished reviews on disk, one JSON file per (model, case content, prompt version)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, model: str, case: Case) -> Path:
        key = hashlib.sha256(
            f"{model}\0{case.id}\0{case.digest()}\0{PROMPT_VERSION}".encode()
        ).hexdigest()[:32]
        return self.root / f"{case.id}-{key}.json"

    def load(self, model: str, case: Case) -> ReviewOutcome | None:
        """The cached outcome, or None (absent, unreadable or from another version)."""
        p = self.path(model, case)
        try:
            data = loads_json(p.read_text(encoding="utf-8"), SESSION_JSON_DEPTH)
            if data.get("format") != _CACHE_FORMAT or data.get("model") != model:
                return None
            review = Review.model_validate(data["review"]) if data.get("review") else None
            return ReviewOutcome(
                model=model,
                case=case.id,
                review=review,
                usage=Usage.model_validate(data.get("usage") or {}),
                latency_s=float(data.get("latency_s") or 0.0),
                cached=True,
                error=data.get("error"),
                raw=str(data.get("raw") or ""),
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError, InputError):
            return None  # a damaged entry is reviewed again, never trusted

    def save(self, outcome: ReviewOutcome, case: Case) -> None:
        data: dict[str, Any] = {
            "format": _CACHE_FORMAT,
            "model": outcome.model,
            "case": case.id,
            "prompt_version": PROMPT_VERSION,
            "review": outcome.review.model_dump(mode="json") if outcome.review else None,
            "usage": outcome.usage.model_dump(mode="json"),
            "latency_s": outcome.latency_s,
            "error": outcome.error,
            "raw": outcome.raw,
        }
        self.root.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path(outcome.model, case), json.dumps(data, indent=1) + "\n")


@dataclass
class _First:
    started: bool = False


class _NullJournal:
    """Eval reviews are not session streams: nothing to journal while they arrive."""

    def write(self, text: str) -> None:
        return None

    def close(self) -> None:
        return None

    def finish(self) -> None:
        return None


class _EvalStore:
    """The part of session storage `ModelCaller` writes to; eval keeps its cache instead."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def save(self, session: Session) -> None:
        return None

    def write_artifact(self, relpath: str, text: str) -> str:
        return relpath

    def read_artifact(
        self, relpath: str, limit: int | None = None, setting: str = ""
    ) -> str | None:
        return None

    def write_plan(self, version: int, text: str) -> str:
        return ""

    def append_decision(self, decision: Any) -> None:
        return None

    def append_call(self, record: Any) -> None:
        self.calls.append(record)

    def open_stream(self, name: str) -> _NullJournal:
        return _NullJournal()


def review_prompt(case: Case, model: str) -> tuple[str, str]:
    """(system, prompt) for `model` reviewing `case`, as the session's review stage builds them."""
    lines = [f"Task: {case.title}"]
    if case.description:
        lines.append(f"Goal: {case.description}")
    changed = case.changed_files()
    if changed:
        lines.append("Files it may touch: " + ", ".join(changed))
    system = render("system", constitution="")
    prompt = render(
        "review",
        task=untrusted("task", "\n".join(lines)),
        diff=untrusted("diff", case.diff),
        files=_files_block(case, changed),
        reviewer=model,
    )
    return system, prompt


def _files_block(case: Case, changed: list[str]) -> str:
    import tempfile

    # file_contents reads a worktree: give it the case's files in a private folder
    with tempfile.TemporaryDirectory(prefix="duo-eval-") as tmp:
        root = Path(tmp)
        for rel in changed:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(case.files[rel], encoding="utf-8")
        return file_contents(root, changed)


async def run_reviews(
    suite: Suite,
    models: list[str],
    providers: Callable[[str], Provider],
    *,
    cache: EvalCache | None = None,
    max_cost_usd: float | None = None,
    concurrency: int = 4,
    config: Any = None,
    progress: Callable[[ReviewOutcome], None] | None = None,
    started: Callable[[str, str], None] | None = None,
    judge: str | None = None,
) -> RunResult:
    """Review every case with every model; see the module docstring.

    `progress(outcome)` is called as each review is done (read from the cache,
    finished, or failed, and judged when there is a `judge`); `started(model,
    case id)` as a review call begins. `judge`: the model that settles the
    matcher's uncertain finding↔known-issue matches of each review (`judging.py`),
    its answers cached under the review cache's ``judge/`` folder.
    """
    judge_cache = JudgeCache(cache.root / "judge") if cache is not None and judge else None
    session = Session(id="eval", slug="eval", request=f"eval {suite.name}")
    caller = ModelCaller(
        session,
        _EvalStore(),
        providers,
        emit=lambda _event: None,
        max_cost_usd=max_cost_usd,
        config=config,
    )
    result = RunResult(outcomes={}, judge=judge)
    gate = asyncio.Semaphore(max(1, concurrency))
    priced = asyncio.Event()  # set once the first paid call is done (see `paid`)
    priced_by = _First()
    start = time.perf_counter()

    async def paid(work: Callable[[], Awaitable[_T]]) -> _T:
        """Run `work` (which may make a paid call) under the concurrency gate.

        With a cap, calls started together before any is priced would all pass the
        cap's check at an estimate of $0: the first runs alone, to price the rest."""
        async with gate:
            first = False
            if max_cost_usd is not None:
                if not priced_by.started:
                    priced_by.started = first = True
                else:
                    await priced.wait()
            try:
                return await work()
            finally:
                if first:
                    priced.set()

    async def one(case: Case, model: str) -> None:
        key = (model, case.id)
        outcome = cache.load(model, case) if cache else None
        if outcome is None:

            async def review() -> ReviewOutcome | None:
                if result.stopped:
                    return None
                if started:
                    started(model, case.id)
                return await _review(caller, case, model)

            outcome = await paid(review)
            if outcome is None:  # the cost cap: no further review starts
                result.outcomes[key] = ReviewOutcome(model, case.id, skipped=True)
                return
            if cache and (outcome.error is None or outcome.raw):  # not a failed call
                cache.save(outcome, case)
        if judge and outcome.review is not None:
            done = outcome

            async def settle() -> Judgement:
                return await _judge(case, done)

            outcome.judgement = await paid(settle)
        result.outcomes[key] = outcome
        if progress:
            progress(outcome)

    async def _judge(case: Case, outcome: ReviewOutcome) -> Judgement:
        """The judge's word on `outcome`'s uncertain matches (see `judging.py`)."""
        assert judge is not None and outcome.review is not None

        async def ask(system: str, prompt: str, schema: dict[str, Any]) -> tuple[str, Usage]:
            if result.stopped:
                raise CapReached(result.stopped)
            try:
                res = await caller.call(
                    role="judge",
                    model=judge,
                    stage=Stage.TRIAGE,
                    purpose="eval_judge",
                    stream=f"eval-judge:{case.id}",
                    system=system,
                    prompt=prompt,
                    json_schema=schema,
                    schema_name="duo_triage_judge",
                    title=f"eval judge · {case.id}",
                )
            except CostCapReached as exc:
                result.stopped = result.stopped or str(exc)
                raise CapReached(str(exc)) from None
            return res.text, res.usage

        path = None
        if judge_cache is not None:
            path = judge_cache.path(judge, outcome.model, case.id, case.digest(), outcome.review)
        return await judge_review(
            judge, case.known_review(), outcome.review, ask, cache=judge_cache, cache_path=path
        )

    async def _review(c: ModelCaller, case: Case, model: str) -> ReviewOutcome | None:
        system, prompt = review_prompt(case, model)
        t0 = time.perf_counter()
        try:
            res = await c.call(
                role="reviewer",
                model=model,
                stage=Stage.REVIEW,
                purpose="review",
                stream=f"eval:{case.id}",
                system=system,
                prompt=prompt,
                json_schema=_schema(),
                title=f"eval · {case.id}",
            )
        except CostCapReached as exc:
            result.stopped = result.stopped or str(exc)
            return None
        except CallFailed as exc:
            return ReviewOutcome(
                model,
                case.id,
                usage=exc.error.usage,
                latency_s=time.perf_counter() - t0,
                error=f"the call failed: {exc}",
            )
        out = ReviewOutcome(
            model, case.id, usage=res.usage, latency_s=res.latency_s or 0.0, raw=res.text
        )
        from duo_tui.core.reviews import parse_review_reply

        try:
            out.review = await parse_review_reply(res.text, reviewer=model)
        except ReviewParseError as exc:
            out.error = f"not a valid review: {exc}"
        return out

    # case by case, so a run stopped by the cost cap still has whole cases to score
    tasks = [one(case, model) for case in suite.cases for model in models]
    await asyncio.gather(*tasks)
    result.spent_usd = session.cost_usd
    result.wall_s = time.perf_counter() - start
    return result


def _schema() -> dict[str, Any]:
    from duo_tui.core.reviews import REVIEW_SCHEMA

    return REVIEW_SCHEMA
