"""The provider protocol: a model call is an async stream of text chunks, then usage.

Every provider (Anthropic, OpenAI, LiteLLM, scripted) implements `Provider.stream`.
It yields `TextChunk`s as the model produces them, optionally `RetryNotice`s while
it waits to retry a failed request, and ends with exactly one `StreamEnd` that
carries the provider's own usage. Faults raise `ProviderError` with the text
received so far, so a caller can keep and show the partial output.

A reply that did not end normally (cut off at the token limit, refused,
paused, or ended for a reason we do not know) is a fault too, never a
`StreamEnd`: see `duo_tui.providers.endings`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from duo_tui.core.models import Usage


@dataclass(frozen=True)
class Message:
    role: str  # "user" | "assistant"
    content: str


@dataclass
class ModelRequest:
    """Everything a provider needs for one call."""

    model: str  # "provider/model", e.g. "anthropic/claude-opus-4-7"
    system: str
    messages: list[Message]
    purpose: str = "chat"  # plan, align, revise, execute, fix, review, rebuttal, commit_message
    json_schema: dict[str, Any] | None = None  # ask for structured output of this schema
    schema_name: str = "duo_review"
    max_tokens: int = 8192  # the output budget (the caller sizes it per role and model)
    temperature: float | None = None
    deadline_s: float = 600.0  # overall deadline for the whole call
    stall_timeout_s: float = 90.0  # no byte for this long between chunks is a stall
    first_token_timeout_s: float = 300.0  # how long the model may think before its first token
    reasoning_effort: str | None = None  # OpenAI reasoning models: sent only when set
    thinking_budget: int | None = None  # Anthropic extended thinking: sent only when set

    @property
    def provider(self) -> str:
        return self.model.split("/", 1)[0]

    @property
    def model_name(self) -> str:
        return self.model.split("/", 1)[1] if "/" in self.model else self.model


@dataclass(frozen=True)
class TextChunk:
    text: str


@dataclass(frozen=True)
class RetryNotice:
    """The call failed before streaming and will be retried after `wait_s` seconds."""

    attempt: int
    max_attempts: int
    wait_s: float
    reason: str


@dataclass(frozen=True)
class StreamEnd:
    usage: Usage = field(default_factory=Usage)
    stop_reason: str | None = None  # how the reply ended, in the provider's own words
    ttft_s: float | None = None
    latency_s: float | None = None


ProviderEvent = TextChunk | RetryNotice | StreamEnd


class FaultKind(StrEnum):
    RATE_LIMIT = "rate_limit"
    SPEND_LIMIT = "spend_limit"
    OVERLOADED = "overloaded"
    SERVER = "server"
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    STALL = "stall"
    TRUNCATED = "truncated"
    MALFORMED = "malformed"
    MID_STREAM = "mid_stream"
    AUTH = "auth"
    BAD_REQUEST = "bad_request"
    CONFIG = "config"
    # How a reply ended when it did not end normally (see endings.py).
    CUT_OFF = "cut_off"  # the output token limit or the context window was reached
    REFUSED = "refused"  # the model refused, or a content filter stopped it
    PAUSED = "paused"  # Anthropic pause_turn: the turn is unfinished
    UNKNOWN_ENDING = "unknown_ending"  # a stop reason we do not know
    TOO_LARGE = "too_large"  # the reply passed the size limit and was stopped


class ProviderError(Exception):
    """A model call failed. `partial` is whatever text arrived before the failure."""

    def __init__(
        self,
        kind: FaultKind,
        message: str,
        *,
        model: str = "",
        partial: str = "",
        retryable: bool = False,
        retry_after_s: float | None = None,
        usage: Usage | None = None,
        ending: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.model = model
        self.partial = partial
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.usage = usage or Usage()
        self.ending = ending  # the provider's stop reason, when the reply ended abnormally

    @property
    def incomplete(self) -> bool:
        """True when the stream had started: the partial text must not be accepted as is."""
        return bool(self.partial) or self.kind in {
            FaultKind.TRUNCATED,
            FaultKind.MID_STREAM,
            FaultKind.STALL,
            FaultKind.MALFORMED,
            FaultKind.CUT_OFF,
            FaultKind.PAUSED,
            FaultKind.UNKNOWN_ENDING,
            FaultKind.TOO_LARGE,
        }

    def what_to_do(self) -> str:
        """One sentence telling the human what to do next."""
        return {
            FaultKind.RATE_LIMIT: "The provider is rate limiting; wait a moment and rerun (r).",
            FaultKind.SPEND_LIMIT: "Your account hit its spend limit; raise it or switch model, then rerun.",
            FaultKind.OVERLOADED: "The provider is overloaded; rerun (r) or rerun with another model.",
            FaultKind.SERVER: "The provider returned a server error; rerun (r).",
            FaultKind.CONNECTION: "Check the network or the base URL in your config, then rerun (r).",
            FaultKind.TIMEOUT: "The call passed its deadline; rerun (r) or pick a faster model.",
            FaultKind.STALL: "The stream stalled; the partial text is kept. Rerun (r).",
            FaultKind.TRUNCATED: "The stream ended early; the partial text is kept. Rerun (r).",
            FaultKind.MALFORMED: "The provider sent malformed data; rerun (r).",
            FaultKind.MID_STREAM: "The provider failed mid-answer; the partial text is kept. Rerun (r).",
            FaultKind.AUTH: (
                "The API key was refused; check the key's environment variable. "
                "If it is right, the key may have no access to this model or project."
            ),
            FaultKind.BAD_REQUEST: "The provider refused the request; see the message, then rerun.",
            FaultKind.CONFIG: "Fix the configuration named in the message.",
            FaultKind.CUT_OFF: "The reply was cut off at its token limit; the partial text is "
            "kept. Raise max_output_tokens for this role or model, or split the task.",
            FaultKind.REFUSED: "The model refused; reword the request or rerun with another model.",
            FaultKind.PAUSED: "The model paused its turn; rerun (r) to ask again.",
            FaultKind.UNKNOWN_ENDING: "The reply ended for a reason duo-tui does not know; "
            "the partial text is kept. Rerun (r).",
            FaultKind.TOO_LARGE: "The reply passed the size limit and was stopped; raise "
            "[limits] model_reply_mb or ask for a smaller change.",
        }[self.kind]


@runtime_checkable
class Provider(Protocol):
    """Anything that can stream a model call."""

    def stream(self, request: ModelRequest) -> AsyncIterator[ProviderEvent]:
        """Yield TextChunk/RetryNotice events, then one StreamEnd; raise ProviderError."""
        ...

    async def aclose(self) -> None:
        """Release network resources."""
        ...
