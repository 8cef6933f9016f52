"""One judge call per triage: ask, cache, cost, and never lose the matcher's result.

`run_judge` selects the uncertain candidates of a match, asks the judge model in
one structured call through `call` (the session's `ModelCaller`, or a provider
directly from `duo-tui triage --judge`), parses and applies the verdicts. Any
failure (the call, the cost cap, a malformed answer) leaves the matcher's result
as it was and says why in `JudgeOutcome.error`; nothing here raises for it.

The cache is a JSON document (`JudgeOutcome.cache_entry`) the caller keeps, in a
session the round's `triage-judge.json`, for `duo-tui triage --judge` one file per
key in the user's cache folder (`duo_tui.store.judge_cache`, found by `lookup`):
keyed by a hash of the model, the prompt and the schema, so the same inputs never
cost a second call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from duo_tui.core.models import Review, TriageResult, Usage
from duo_tui.core.triage_judge import (
    JUDGE_SCHEMA,
    JUDGE_SYSTEM,
    JudgeCandidate,
    JudgeError,
    apply_verdicts,
    judge_prompt,
    parse_verdicts,
    select_candidates,
)
from duo_tui.providers.base import (
    Message,
    ModelRequest,
    Provider,
    ProviderError,
    StreamEnd,
    TextChunk,
)

__all__ = [
    "CACHE_VERSION",
    "JudgeCall",
    "JudgeOutcome",
    "PromptFor",
    "cache_key",
    "provider_call",
    "run_judge",
]

#: Bumped when the meaning of a cached verdict changes.
CACHE_VERSION = 1

#: (system, prompt, schema) -> (the answer's text, its usage). Raises on failure.
JudgeCall = Callable[[str, str, dict[str, Any]], Awaitable[tuple[str, Usage]]]
#: (review a, review b, the candidates) -> the judge's prompt.
PromptFor = Callable[[Review, Review, list[JudgeCandidate]], str]


@dataclass
class JudgeOutcome:
    """What the judge did to one match.

    `result` is the judged match, or the matcher's own when the judge was not asked
    (nothing uncertain) or failed (`error` says why). `cached` means the verdicts
    came from the cache (no call, no cost); `usage` is this call's.
    """

    result: TriageResult
    candidates: list[JudgeCandidate] = field(default_factory=list)
    verdicts: dict[str, tuple[bool, str]] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    error: str | None = None
    cached: bool = False
    called: bool = False
    cache_entry: dict[str, Any] | None = None
    """The document to keep for the next run (set after a successful call)."""

    def summary(self) -> str:
        """One line for a notice or the CLI: what the judge changed, or why it did not."""
        if self.error:
            return f"triage judge: {self.error}; the matcher's result is kept"
        if not self.candidates:
            return "triage judge: nothing uncertain to ask about"
        counts: dict[str, int] = {}
        for v in self.result.judge:
            counts[v.applied] = counts.get(v.applied, 0) + 1
        parts = [f"{n} {k}" for k, n in sorted(counts.items())]
        how = "cached" if self.cached else "asked"
        left = len(self.candidates) - len(self.verdicts)
        tail = f"; {left} left unanswered" if left else ""
        return (
            f"triage judge ({how}): {len(self.candidates)} candidate(s): "
            + (", ".join(parts) or "none answered")
            + tail
        )


#: The judge's answer is cut off (and refused) past this many characters.
MAX_ANSWER_CHARS = 200_000


def provider_call(provider: Provider, model: str, max_tokens: int | None = None) -> JudgeCall:
    """A `JudgeCall` straight through `provider` (no session: `duo-tui triage --judge`).

    The output budget is the model family's (a reasoning model thinks inside it),
    unless `max_tokens` is given (the configured one).
    """
    from duo_tui.providers.budgets import family_budget

    budget = max_tokens or family_budget(model).tokens

    async def call(system: str, prompt: str, schema: dict[str, Any]) -> tuple[str, Usage]:
        request = ModelRequest(
            model=model,
            system=system,
            messages=[Message("user", prompt)],
            purpose="triage_judge",
            json_schema=schema,
            schema_name="duo_triage_judge",
            max_tokens=budget,
        )
        parts: list[str] = []
        size = 0
        usage = Usage()
        try:
            async for ev in provider.stream(request):
                if isinstance(ev, TextChunk):
                    size += len(ev.text)
                    if size > MAX_ANSWER_CHARS:
                        raise JudgeError(f"the answer passed {MAX_ANSWER_CHARS} characters")
                    parts.append(ev.text)
                elif isinstance(ev, StreamEnd):
                    usage = ev.usage
        except ProviderError as exc:
            from duo_tui.redact import redact

            raise JudgeError(redact(f"{exc.kind.value}: {exc.message}")) from None
        return "".join(parts), usage

    return call


def cache_key(model: str, prompt: str, system: str = JUDGE_SYSTEM) -> str:
    """The cache key of one judge call: model, system prompt, prompt and schema (sha256)."""
    h = hashlib.sha256()
    for part in (str(CACHE_VERSION), model, system, prompt, json.dumps(JUDGE_SCHEMA)):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _cached_answer(cache: Any, key: str) -> str | None:
    if isinstance(cache, dict) and cache.get("key") == key and isinstance(cache.get("text"), str):
        return str(cache["text"])
    return None


async def run_judge(
    a: Review,
    b: Review,
    result: TriageResult,
    model: str,
    call: JudgeCall,
    cache: Any = None,
    *,
    prompt_for: PromptFor = judge_prompt,
    system: str = JUDGE_SYSTEM,
    lookup: Callable[[str], Any] | None = None,
) -> JudgeOutcome:
    """Ask `model` about the uncertain candidates of `result` (one call), or read the
    answer from `cache` (a previous `JudgeOutcome.cache_entry`) when the inputs match;
    `lookup`, when given, finds that entry by the call's `cache_key` instead.

    `prompt_for` and `system` ask the question in other words, for the same verdict
    schema: `duo-tui eval` asks whether a finding describes a known issue
    (`duo_tui.eval.judging`) rather than whether two findings are the same."""
    candidates = select_candidates(a, b, result)
    out = JudgeOutcome(result=result, candidates=candidates)
    from duo_tui.core import triage_judge

    if len(a.findings) * len(b.findings) > triage_judge.MAX_CELLS:
        out.error = f"{len(a.findings)} x {len(b.findings)} findings are more than it judges"
        return out
    if not candidates:
        return out
    prompt = prompt_for(a, b, candidates)
    key = cache_key(model, prompt, system)
    text = _cached_answer(lookup(key) if lookup is not None else cache, key)
    if text is not None:
        out.cached = True
    else:
        try:
            text, out.usage = await call(system, prompt, JUDGE_SCHEMA)
        except Exception as exc:  # the judge is optional: no failure of it may stop the triage
            out.error = f"the call to {model} failed: {exc}"
            return out
        out.called = True
    try:
        out.verdicts = parse_verdicts(text, candidates)
    except JudgeError as exc:
        out.error = str(exc)
        return out
    out.result = apply_verdicts(a, b, result, candidates, out.verdicts, model)
    if out.called:
        out.cache_entry = {
            "version": CACHE_VERSION,
            "key": key,
            "model": model,
            "text": text,
            "usage": out.usage.model_dump(),
            "verdicts": [v.model_dump() for v in out.result.judge],
        }
    return out
