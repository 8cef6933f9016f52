"""A provider that plays back scripted answers: used by the demo and the tests.

Answers are looked up by `(purpose, model)` first, then by `purpose`; each key
holds a list consumed in order (the last answer repeats). Text is streamed in
small chunks, optionally at a human pace, and a scripted answer can fail part
way through to exercise fault handling, or end as a real API may end a reply
(`stop_reason="max_tokens"`, `"refusal"`, ...): such an ending is the same
fault a wire provider raises (endings.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from duo_tui.core.models import Usage
from duo_tui.providers.base import (
    FaultKind,
    ModelRequest,
    ProviderError,
    ProviderEvent,
    StreamEnd,
    TextChunk,
)


@dataclass
class ScriptedAnswer:
    """One scripted reply. `fail` raises that fault after `fail_after` characters.

    `stop_reason` is how the reply ends, in the provider's words; anything but a
    normal ending raises its fault after the text.
    """

    text: str
    usage: Usage | None = None
    stop_reason: str = "end_turn"
    fail: FaultKind | None = None
    fail_after: int = 0
    fail_message: str = "scripted failure"
    # adapts the text to the request (the demo executor keeps to its task's files)
    adapt: Callable[[str, ModelRequest], str] | None = None


ScriptKey = str | tuple[str, str]
Script = dict[ScriptKey, list[ScriptedAnswer]]


@dataclass
class ScriptedProvider:
    """Plays a `Script`. `chars_per_s` > 0 paces the stream for a human to watch."""

    script: Script | Callable[[ModelRequest], ScriptedAnswer]
    chunk_chars: int = 16
    chars_per_s: float = 0.0
    requests: list[ModelRequest] = field(default_factory=list)
    _cursor: dict[ScriptKey, int] = field(default_factory=dict)

    def answer_for(self, request: ModelRequest) -> ScriptedAnswer:
        if callable(self.script):
            return self.script(request)
        for key in ((request.purpose, request.model), request.purpose):
            answers = self.script.get(key)
            if answers:
                i = self._cursor.get(key, 0)
                self._cursor[key] = i + 1
                return answers[min(i, len(answers) - 1)]
        raise ProviderError(
            FaultKind.CONFIG,
            f"the script has no answer for purpose {request.purpose!r} ({request.model})",
            model=request.model,
        )

    async def stream(self, request: ModelRequest) -> AsyncIterator[ProviderEvent]:
        self.requests.append(request)
        answer = self.answer_for(request)
        start = time.perf_counter()
        ttft: float | None = None
        sent = 0
        text = answer.adapt(answer.text, request) if answer.adapt else answer.text
        limit = answer.fail_after if answer.fail else len(text)
        delay = self.chunk_chars / self.chars_per_s if self.chars_per_s > 0 else 0.0
        while sent < limit:
            piece = text[sent : min(sent + self.chunk_chars, limit)]
            sent += len(piece)
            if delay:
                await asyncio.sleep(delay)
            else:
                await asyncio.sleep(0)
            if ttft is None:
                ttft = time.perf_counter() - start
            yield TextChunk(piece)
        if answer.fail:
            raise ProviderError(
                answer.fail,
                answer.fail_message,
                model=request.model,
                partial=text[:sent],
                retryable=answer.fail in {FaultKind.RATE_LIMIT, FaultKind.SERVER},
            )
        # A script that states no usage reports it as unknown: usage is never invented.
        usage = answer.usage or Usage()
        from duo_tui.providers.endings import ending_fault

        fault = ending_fault(
            request.model,
            answer.stop_reason,
            partial=text,
            usage=usage,
            output_tokens=usage.output_tokens,
            max_tokens=request.max_tokens,
        )
        if fault is not None:
            raise fault
        yield StreamEnd(
            usage=usage,
            stop_reason=answer.stop_reason,
            ttft_s=ttft,
            latency_s=time.perf_counter() - start,
        )

    async def aclose(self) -> None:
        return None
