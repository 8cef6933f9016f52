"""Helpers shared by the provider tests: requests, fast retry policies, collecting a stream."""

from __future__ import annotations

from dataclasses import dataclass, field

from duo_tui.config import ProviderConfig
from duo_tui.providers.base import (
    Message,
    ModelRequest,
    Provider,
    ProviderError,
    RetryNotice,
    StreamEnd,
    TextChunk,
)
from duo_tui.providers.retry import RetryPolicy

# Built at runtime so that no key-shaped literal sits in the sources.
FAKE_ANTHROPIC_KEY = "sk-ant-" + "x" * 40
FAKE_OPENAI_KEY = "sk-" + "o" * 40


@dataclass
class Sleeps:
    """Records the backoff waits instead of sleeping."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fast_config(**kw: object) -> ProviderConfig:
    """Small retry waits and timeouts so fault tests take milliseconds."""
    values: dict[str, object] = {"max_retries": 2, "max_retry_wait_s": 0.02}
    values.update(kw)
    return ProviderConfig.model_validate(values)


def policy(sleeps: Sleeps, max_retries: int = 2, max_wait_s: float = 30.0) -> RetryPolicy:
    """A retry policy that records waits and takes none."""
    return RetryPolicy(
        max_retries=max_retries, max_wait_s=max_wait_s, sleep=sleeps, rng=lambda: 0.5
    )


def request(
    model: str, text: str = "hello", *, schema: dict[str, object] | None = None, **kw: object
) -> ModelRequest:
    return ModelRequest(
        model=model,
        system="You are terse.",
        messages=[Message("user", text)],
        json_schema=schema,
        **kw,  # type: ignore[arg-type]
    )


@dataclass
class Outcome:
    """Everything one call produced, as the UI would see it."""

    chunks: list[str] = field(default_factory=list)
    notices: list[RetryNotice] = field(default_factory=list)
    end: StreamEnd | None = None
    error: ProviderError | None = None

    @property
    def text(self) -> str:
        return "".join(self.chunks)


async def run(provider: Provider, req: ModelRequest) -> Outcome:
    """Consume a stream fully; a ProviderError is captured, not raised."""
    out = Outcome()
    try:
        async for event in provider.stream(req):
            if isinstance(event, TextChunk):
                out.chunks.append(event.text)
            elif isinstance(event, RetryNotice):
                out.notices.append(event)
            else:
                assert out.end is None, "more than one StreamEnd"
                out.end = event
    except ProviderError as exc:
        out.error = exc
    finally:
        await provider.aclose()
    return out
