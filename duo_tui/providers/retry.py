"""Our retry policy for calls that fail before the stream starts.

The SDKs' own retries are switched off (`max_retries=0`) because they are
invisible: the UI could not show a countdown. Here a transient failure
(429 rate limit, 5xx, 529 overloaded, connection refused) that happens before
the first text chunk is retried with exponential backoff and full jitter, or
after the server's `Retry-After` / `retry-after-ms`, each wait capped at
`max_retry_wait_s`; a `RetryNotice` is yielded before every wait. A spend-limit
429, an auth or bad-request error, and anything after the first chunk are
never retried.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from duo_tui.providers.base import ProviderError, ProviderEvent, RetryNotice, TextChunk

if TYPE_CHECKING:
    from duo_tui.config import ProviderConfig


def parse_retry_after(
    headers: Mapping[str, str] | None, *, now: datetime | None = None
) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `Retry-After` (seconds or an HTTP date)."""
    if not headers:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000.0)
    except (TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class RetryPolicy:
    """How often and how long to wait. `rng` and `sleep` are injectable for tests."""

    max_retries: int = 4
    max_wait_s: float = 60.0
    base_s: float = 1.0
    rng: Callable[[], float] = random.random
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)

    @classmethod
    def from_config(cls, config: ProviderConfig) -> RetryPolicy:
        return cls(max_retries=max(0, config.max_retries), max_wait_s=config.max_retry_wait_s)

    def wait_s(self, retry: int, retry_after_s: float | None) -> float:
        """The wait before retry number `retry` (0-based): Retry-After, else full jitter; capped."""
        if retry_after_s is not None:
            return min(max(0.0, retry_after_s), self.max_wait_s)
        ceiling = min(self.max_wait_s, self.base_s * (2**retry))
        return self.rng() * ceiling


async def retrying(
    attempt: Callable[[], AsyncIterator[ProviderEvent]],
    policy: RetryPolicy,
    *,
    deadline_at: float | None = None,
) -> AsyncIterator[ProviderEvent]:
    """Run `attempt()` and retry it on transient pre-stream failures.

    `attempt` is called once per try and must raise `ProviderError`. A retry
    happens only when the error is `retryable`, no `TextChunk` was yielded yet
    and the wait would not pass `deadline_at` (a `time.monotonic()` value).
    Before each wait a `RetryNotice(attempt=n, max_attempts=max_retries + 1, ...)`
    names the attempt about to be made.
    """
    retries = 0
    while True:
        streamed = False
        try:
            async with aclosing(attempt()) as events:  # type: ignore[type-var]
                async for event in events:
                    if isinstance(event, TextChunk):
                        streamed = True
                    yield event
            return
        except ProviderError as err:
            if streamed or err.partial or not err.retryable:
                raise
            if retries >= policy.max_retries:
                if retries:
                    raise _gave_up(err, retries) from err
                raise
            wait = policy.wait_s(retries, err.retry_after_s)
            if deadline_at is not None and time.monotonic() + wait >= deadline_at:
                raise
            retries += 1
            yield RetryNotice(
                attempt=retries + 1,
                max_attempts=policy.max_retries + 1,
                wait_s=wait,
                reason=err.message,
            )
            await policy.sleep(wait)


def _gave_up(err: ProviderError, retries: int) -> ProviderError:
    plural = "retry" if retries == 1 else "retries"
    return ProviderError(
        err.kind,
        f"{err.message} (gave up after {retries} {plural}, {retries + 1} attempts in all)",
        model=err.model,
        partial=err.partial,
        retryable=err.retryable,
        retry_after_s=err.retry_after_s,
        usage=err.usage,
    )
