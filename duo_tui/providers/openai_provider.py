"""OpenAI Chat Completions through the official `openai` SDK, streaming.

`stream_options={"include_usage": True}` makes the server send a final chunk
with usage; it is read from whichever chunk carries it (some servers send it
with non-empty `choices`). Structured output uses `response_format` of type
`json_schema`, `strict` on models that support it (the schema made
strict-compatible by `schemas.openai_strict_schema`), and the JSON arrives as
ordinary content. A stream that ends without any
`finish_reason` is TRUNCATED; an error object mid-stream is MID_STREAM. The
`finish_reason` decides whether the reply is complete (endings.py): `length`
is CUT_OFF, `content_filter` REFUSED, and so is any `delta.refusal` text (kept
apart from the content, quoted in the fault). `reasoning_effort` is sent only
when configured.

Two 400s are answered by changing the request once and remembering it: "your
organization must be verified to stream this model" (the call is made again
without streaming, and the human is told why), and a compatible server that
rejects `max_completion_tokens` (it gets `max_tokens` from then on).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from duo_tui.providers.base import (
    FaultKind,
    ModelRequest,
    ProviderError,
    ProviderEvent,
    RetryNotice,
)
from duo_tui.providers.faults import from_exception
from duo_tui.providers.schemas import clean_schema, openai_strict_schema, openai_supports_strict
from duo_tui.providers.sdk_client import SdkStreamProvider, key_for, tool_name
from duo_tui.providers.streaming import Attempt

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from duo_tui.config import ProviderConfig

DEFAULT_KEY_ENV = "OPENAI_API_KEY"
#: OpenAI's 400 for a model an unverified organization may call but not stream.
VERIFY_TO_STREAM = "must be verified to stream"


def chat_messages(request: ModelRequest) -> list[dict[str, str]]:
    """The request as Chat Completions messages (system first when present)."""
    out = [{"role": "system", "content": request.system}] if request.system else []
    out.extend({"role": m.role, "content": m.content} for m in request.messages)
    return out


def response_format(request: ModelRequest, *, strict: bool = False) -> dict[str, Any] | None:
    """`response_format` asking for `request.json_schema`, or None for free text.

    With `strict` the schema is made strict-compatible (closed objects, every
    property required, optional ones nullable); without it, it is only cleaned
    of `$schema`/`$id`/`title`, which some servers reject.
    """
    if request.json_schema is None:
        return None
    schema = (
        openai_strict_schema(request.json_schema) if strict else clean_schema(request.json_schema)
    )
    return {
        "type": "json_schema",
        "json_schema": {"name": tool_name(request.schema_name), "schema": schema, "strict": strict},
    }


def chat_options(
    request: ModelRequest, config: ProviderConfig, *, strict: bool = False
) -> dict[str, Any]:
    """The optional Chat Completions parameters that are set: temperature, effort, format."""
    options: dict[str, Any] = {}
    if request.temperature is not None:
        options["temperature"] = request.temperature
    effort = request.reasoning_effort or config.reasoning_effort
    if effort:
        options["reasoning_effort"] = effort  # litellm drops it where unsupported
    fmt = response_format(request, strict=strict)
    if fmt is not None:
        options["response_format"] = fmt
    return options


def add_openai_usage(att: Attempt, usage: Any) -> None:
    """Chat Completions (or litellm) usage into `att`: `prompt_tokens` includes the cached ones.

    `prompt_tokens_details.cached_tokens` of them were read from the prompt cache
    (billed at the lower cache-read rate).
    """
    att.input_tokens = usage.prompt_tokens
    att.output_tokens = usage.completion_tokens
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None)
    if isinstance(cached, int):
        att.cache_read_tokens = cached
    # litellm's Usage for Anthropic-format models also counts cache writes in prompt_tokens
    written = getattr(usage, "cache_creation_input_tokens", None)
    if isinstance(written, int) and not isinstance(written, bool):
        att.cache_write_tokens = written


class OpenAIProvider(SdkStreamProvider["AsyncOpenAI"]):
    """Streams `openai/...` models. One instance per base URL."""

    name = "openai"
    default_key_env = DEFAULT_KEY_ENV

    def _setup(self) -> None:
        super()._setup()
        self._no_stream: set[str] = set()
        """Models this organization may not stream (OpenAI's verification 400)."""
        self._use_max_tokens = False
        """This base URL rejected `max_completion_tokens`: send `max_tokens` instead."""

    def _sdk_class(self) -> type[AsyncOpenAI]:
        from openai import AsyncOpenAI

        return AsyncOpenAI

    def _api_key(self) -> str:
        return key_for(self.key_env, self._current_model, self.base_url)

    def _params(self, request: ModelRequest) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": request.model_name,
            "messages": chat_messages(request),
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        # max_completion_tokens is OpenAI's name; some compatible servers know only max_tokens.
        params["max_tokens" if self._use_max_tokens else "max_completion_tokens"] = (
            request.max_tokens
        )
        strict = openai_supports_strict(request.model_name)
        params.update(chat_options(request, self.config, strict=strict))
        return params

    async def _attempt(
        self, request: ModelRequest, deadline_at: float, stall_s: float, deadline_s: float
    ) -> AsyncIterator[ProviderEvent]:
        client = self._client_for(request.model)
        att = self._new_attempt(request, deadline_at, stall_s, deadline_s)
        if request.model in self._no_stream:
            async for event in self._complete(request, att):
                yield event
            return
        try:
            stream = await att.open(
                client.chat.completions.create(**self._params(request), timeout=deadline_s)
            )
        except ProviderError as err:
            adapted = self._adapt(err, request.model)
            if adapted is None:
                raise
            if isinstance(adapted, RetryNotice):
                yield adapted
            async for event in self._attempt(request, deadline_at, stall_s, deadline_s):
                yield event
            return
        try:
            while (chunk := await att.read(stream)) is not None:
                usage = getattr(chunk, "usage", None)
                if usage is not None:
                    add_openai_usage(att, usage)
                for choice in chunk.choices or ():
                    delta = choice.delta
                    if delta is not None:
                        if delta.content:
                            yield att.text(delta.content)
                        refusal = getattr(delta, "refusal", None)
                        if refusal:
                            att.refusal.append(refusal)  # a refusal, not the answer
                    if choice.finish_reason:
                        att.stop_reason = choice.finish_reason
        finally:
            await stream.close()
        if att.stop_reason is None:
            raise att.truncated("a finish_reason")
        yield att.end()

    def _adapt(self, err: ProviderError, model: str) -> RetryNotice | bool | None:
        """Change what is sent after a 400 that names the cause; None when nothing changes.

        Each change is made once and remembered (per model or per base URL), so a
        request is re-sent at most once per cause.
        """
        if err.kind is not FaultKind.BAD_REQUEST:
            return None
        text = err.message.lower()
        if model not in self._no_stream and VERIFY_TO_STREAM in text:
            self._no_stream.add(model)
            return RetryNotice(
                attempt=2,
                max_attempts=2,
                wait_s=0.0,
                reason=(
                    f"{model}: OpenAI streams this model only to verified organizations "
                    "(platform.openai.com > Settings > Organization > Verify); "
                    "asking again without streaming: the answer appears when it is complete"
                ),
            )
        if not self._use_max_tokens and "max_completion_tokens" in text:
            # An OpenAI-compatible server (Mistral, older vLLM) that knows only max_tokens.
            self._use_max_tokens = True
            return True
        return None

    async def _complete(self, request: ModelRequest, att: Attempt) -> AsyncIterator[ProviderEvent]:
        """One call without streaming: the whole answer as one chunk (no stall timeout)."""
        params = self._params(request)
        params.pop("stream", None)
        params.pop("stream_options", None)
        client = self._clients.get()
        remaining = att.deadline_at - time.monotonic()
        try:
            async with asyncio.timeout(max(0.0, remaining)):
                response = await client.chat.completions.create(**params, timeout=remaining)
        except TimeoutError:
            raise att.fault(
                FaultKind.TIMEOUT, f"no answer within the {att.deadline_s:g} s deadline"
            ) from None
        except Exception as exc:
            raise from_exception(exc, model=request.model) from exc
        if response.usage is not None:
            add_openai_usage(att, response.usage)
        for choice in response.choices[:1]:
            message = choice.message
            if message.content:
                yield att.text(message.content)
            refusal = getattr(message, "refusal", None)
            if refusal:
                att.refusal.append(refusal)  # a refusal, not the answer (endings.py)
            att.stop_reason = choice.finish_reason
        if att.stop_reason is None:
            raise att.fault(FaultKind.TRUNCATED, "the answer came without a finish_reason")
        yield att.end()
