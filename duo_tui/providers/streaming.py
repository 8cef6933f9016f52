"""What every streaming attempt shares: the clock, the partial text, the usage.

`Attempt` wraps each await on the network in a timeout that is the smaller of
the silence allowed and what is left of the overall deadline. Until the first
token (text, or a thinking delta) the silence allowed is the first-token
timeout: reasoning models say nothing while they think, for minutes. After it,
the stall timeout applies between chunks. A silent start raises TIMEOUT, a
silence mid-stream STALL, an endless stream TIMEOUT, each with the text
received so far. It also times the first token and builds the final
`StreamEnd`, or the fault of a reply that did not end normally (endings.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import aclosing
from typing import TYPE_CHECKING, TypeVar

from duo_tui.core.models import Usage
from duo_tui.providers.base import (
    FaultKind,
    ModelRequest,
    ProviderError,
    ProviderEvent,
    StreamEnd,
    TextChunk,
)
from duo_tui.providers.faults import from_exception, make_error
from duo_tui.providers.retry import RetryPolicy, retrying

if TYPE_CHECKING:
    from duo_tui.config import ProviderConfig

T = TypeVar("T")


def limits(request: ModelRequest, config: ProviderConfig) -> tuple[float, float, float]:
    """(deadline_s, stall_timeout_s, first_token_timeout_s): the stricter of request and config."""
    return (
        min(request.deadline_s, config.timeout_s),
        min(request.stall_timeout_s, config.stall_timeout_s),
        min(request.first_token_timeout_s, config.first_token_timeout_s),
    )


class Attempt:
    """One try of a model call: timing, partial text and usage as they arrive."""

    def __init__(
        self,
        model: str,
        *,
        deadline_at: float,
        stall_s: float,
        deadline_s: float,
        first_token_s: float | None = None,
        max_tokens: int | None = None,
    ) -> None:
        self.model = model
        self.deadline_at = deadline_at
        self.deadline_s = deadline_s
        self.stall_s = stall_s
        self.first_token_s = stall_s if first_token_s is None else first_token_s
        self.max_tokens = max_tokens
        self.started = time.monotonic()
        self.ttft_s: float | None = None
        self.thinking = False  # a thinking delta arrived: the model has started
        self.refusal: list[str] = []  # refusal text sent apart from the content (OpenAI)
        self.parts: list[str] = []
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.cache_read_tokens: int | None = None
        self.cache_write_tokens: int | None = None
        """Of `input_tokens`, how many were read from / written to the prompt cache."""
        self.stop_reason: str | None = None

    @property
    def partial(self) -> str:
        return "".join(self.parts)

    def text(self, piece: str) -> TextChunk:
        """Record a piece of text and return the chunk to yield."""
        if self.ttft_s is None:
            self.ttft_s = time.monotonic() - self.started
        self.parts.append(piece)
        return TextChunk(piece)

    def alive(self) -> None:
        """The model sent a token that is not text (thinking): the stall timeout applies now."""
        self.thinking = True

    @property
    def started_tokens(self) -> bool:
        return self.ttft_s is not None or self.thinking or bool(self.refusal)

    def usage(self) -> Usage:
        """Tokens exactly as the provider reported them, with cost when the price is known."""
        from duo_tui.providers.pricing import cost_usd

        return Usage(
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cost_usd=cost_usd(
                self.model,
                self.input_tokens,
                self.output_tokens,
                cache_read_tokens=self.cache_read_tokens,
                cache_write_tokens=self.cache_write_tokens,
            ),
            cache_read_tokens=self.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens,
        )

    def end(self) -> StreamEnd:
        """The StreamEnd of a complete reply; raises the fault of any other ending."""
        from duo_tui.providers.endings import ending_fault

        fault = ending_fault(
            self.model,
            self.stop_reason,
            partial=self.partial,
            usage=self.usage(),
            output_tokens=self.output_tokens,
            max_tokens=self.max_tokens,
            refusal="".join(self.refusal),
        )
        if fault is not None:
            raise fault
        return StreamEnd(
            usage=self.usage(),
            stop_reason=self.stop_reason,
            ttft_s=self.ttft_s,
            latency_s=time.monotonic() - self.started,
        )

    def fault(self, kind: FaultKind, message: str) -> ProviderError:
        """A fault that keeps the partial text and the usage seen so far."""
        return make_error(kind, message, model=self.model, partial=self.partial, usage=self.usage())

    async def wait(self, awaitable: Awaitable[T], what: str = "the next chunk") -> T:
        """Await network I/O under the stall timeout and the overall deadline."""
        remaining = self.deadline_at - time.monotonic()
        first = not self.started_tokens
        silence = self.first_token_s if first else self.stall_s
        timeout = min(silence, remaining)
        deadline_bound = remaining <= silence
        if timeout <= 0:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()
            raise self._timeout_error(deadline_bound, what, first)
        try:
            async with asyncio.timeout(timeout):
                return await awaitable
        except TimeoutError:
            raise self._timeout_error(deadline_bound, what, first) from None

    async def next(self, stream: AsyncIterator[T]) -> T:
        """The next item of `stream` (raises StopAsyncIteration at its end)."""
        return await self.wait(stream.__anext__())

    async def open(self, awaitable: Awaitable[T]) -> T:
        """Await the response that starts the stream; what the SDK raises becomes its fault."""
        try:
            return await self.wait(awaitable, "the response")
        except Exception as exc:
            raise from_exception(exc, model=self.model) from exc

    async def read(self, stream: AsyncIterator[T]) -> T | None:
        """The next item of `stream`, None at its end; an error mid-stream becomes its fault.

        The fault keeps the text and the usage received so far.
        """
        try:
            return await self.next(stream)
        except StopAsyncIteration:
            return None
        except Exception as exc:
            raise from_exception(
                exc, model=self.model, partial=self.partial, started=True, usage=self.usage()
            ) from exc

    def truncated(self, missing: str) -> ProviderError:
        """The TRUNCATED fault of a stream that ended without `missing` (its end marker)."""
        return self.fault(
            FaultKind.TRUNCATED,
            f"the stream ended without {missing} after {len(self.partial)} characters",
        )

    def _timeout_error(self, deadline_bound: bool, what: str, first: bool) -> ProviderError:
        elapsed = self.deadline_s - (self.deadline_at - time.monotonic())  # since the call began
        got = len(self.partial)
        if deadline_bound:
            return self.fault(
                FaultKind.TIMEOUT,
                f"the call passed its deadline after {elapsed:.1f} s ({got} characters received)",
            )
        if first:
            return self.fault(
                FaultKind.TIMEOUT,
                f"no first token within {self.first_token_s:g} s (first_token_timeout_s)",
            )
        return self.fault(
            FaultKind.STALL,
            f"no data for {self.stall_s:g} s while waiting for {what} ({got} characters received)",
        )


class RetryingStreamProvider:
    """The part every wire provider shares: limits, the deadline clock and retries.

    Subclasses implement `_attempt` (one try on the wire), may override
    `_before_clock` for work that must not count against the deadline (SDK import)
    and extend `_setup` with the state they keep per instance.
    """

    name = "provider"

    def __init__(
        self,
        config: ProviderConfig,
        *,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.config = config
        self.base_url = base_url
        self.policy = policy or RetryPolicy.from_config(config)
        self._setup()

    def _setup(self) -> None:
        """A subclass's own per-instance state; called at the end of `__init__`."""

    def _before_clock(self, request: ModelRequest) -> None:
        """Slow one-time set-up (importing an SDK) done before the deadline starts."""

    def _attempt(
        self, request: ModelRequest, deadline_at: float, stall_s: float, deadline_s: float
    ) -> AsyncIterator[ProviderEvent]:
        raise NotImplementedError

    def _new_attempt(
        self, request: ModelRequest, deadline_at: float, stall_s: float, deadline_s: float
    ) -> Attempt:
        """The clock of one try: the request's first-token timeout and budget go with it."""
        return Attempt(
            request.model,
            deadline_at=deadline_at,
            stall_s=stall_s,
            deadline_s=deadline_s,
            first_token_s=min(request.first_token_timeout_s, self.config.first_token_timeout_s),
            max_tokens=request.max_tokens,
        )

    async def stream(self, request: ModelRequest) -> AsyncIterator[ProviderEvent]:
        """Yield the model's text, RetryNotices while waiting to retry, then one StreamEnd."""
        self._before_clock(request)
        deadline_s, stall_s, _ = limits(request, self.config)
        deadline_at = time.monotonic() + deadline_s
        events = retrying(
            lambda: self._attempt(request, deadline_at, stall_s, deadline_s),
            self.policy,
            deadline_at=deadline_at,
        )
        async with aclosing(events):  # type: ignore[type-var]
            async for event in events:
                yield event

    async def aclose(self) -> None:
        return None
